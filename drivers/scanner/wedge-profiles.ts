/**
 * Keyboard-wedge scanner profiles: the makers' factory settings in USB keyboard mode (the
 * presets a supervisor starts from), the profile an unconfigured counter uses, and the bridge
 * from stored profiles to the detector. Pure data and functions: the renderer may import it.
 *
 * Presets cover the makers drivers/scanner/known.ts recognises (a test keeps the two in step),
 * after their programming guides: none adds a prefix by default and none delays between
 * characters; Honeywell (and Hand Held Products: the suffix depends on the interface, and the
 * USB keyboard set-up codes add CR), Newland and Datalogic end each code with CR (Enter) in USB
 * keyboard mode; Zebra/Symbol scanners send the data as is, with no suffix, until a suffix is
 * programmed. Generic Chinese scanners ship with Enter, like `generic`. An installer who finds
 * otherwise sees it at once in the Devices screen's test box and corrects the profile there.
 */
import type { WedgeModel, WedgeProfile } from '../../core/api/settings';
import { DEFAULT_WEDGE, type WedgeConfig, type WedgeLayout, type WedgeProfileConfig } from './wedge';

/** A counter keeps a handful of scanners at most; more profiles would only widen what passes for a scan. */
export const MAX_WEDGE_PROFILES = 8;

type Preset = WedgeConfig & { layout: WedgeLayout; /** USB vendor ids of the maker (known.ts). */ vendorIds: readonly number[] };

const base = { ...DEFAULT_WEDGE, layout: 'os' as const };

export const WEDGE_PRESETS: Readonly<Record<WedgeModel, Preset>> = {
  generic: { ...base, vendorIds: [] },
  honeywell: { ...base, vendorIds: [0x0c2e, 0x0536] },
  zebra: { ...base, suffix: 'none', endTimeoutMs: 80, vendorIds: [0x05e0] },
  newland: { ...base, vendorIds: [0x1eab] },
  datalogic: { ...base, vendorIds: [0x05f9] },
  custom: { ...base, vendorIds: [] },
};

/** A new profile filled from a maker's preset. */
export function profileFromPreset(model: WedgeModel, id: string, name = ''): WedgeProfile {
  const { vendorIds: _vendorIds, ...p } = WEDGE_PRESETS[model];
  return { id, name, model, active: true, ...p };
}

/** What a counter uses until a supervisor saves profiles: any scanner left at its factory Enter suffix. */
export function defaultWedgeProfiles(): WedgeProfile[] {
  return [profileFromPreset('generic', 'default')];
}

/** The detector's view of the active profiles, in their order. */
export function activeWedgeConfigs(profiles: readonly WedgeProfile[]): WedgeProfileConfig[] {
  return profiles
    .filter((p) => p.active)
    .map((p) => ({ id: p.id, maxGapMs: p.maxGapMs, minLength: p.minLength, maxLength: p.maxLength, prefix: p.prefix, suffix: p.suffix, endTimeoutMs: p.endTimeoutMs, layout: p.layout }));
}

// The contract's layout names are the detector's: a layout added to one must be added to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const layoutsMatch: Same<WedgeProfile['layout'], WedgeLayout> = true;
void layoutsMatch;
