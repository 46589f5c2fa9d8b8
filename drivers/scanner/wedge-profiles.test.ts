import { describe, expect, it } from 'vitest';
import { WedgeModel, WedgeProfiles } from '../../core/api/settings';
import { SCANNER_VENDORS } from './known';
import { wedgeConfigIssue, WedgeDetector } from './wedge';
import { activeWedgeConfigs, defaultWedgeProfiles, profileFromPreset, WEDGE_PRESETS } from './wedge-profiles';

describe('wedge scanner presets', () => {
  it('has a preset for every scanner maker the app recognises by USB id', () => {
    const covered = new Set(Object.values(WEDGE_PRESETS).flatMap((p) => p.vendorIds));
    for (const vid of Object.keys(SCANNER_VENDORS).map(Number)) expect(covered.has(vid), SCANNER_VENDORS[vid]).toBe(true);
  });

  it('makes a usable profile, as the contract shapes it, from every preset', () => {
    for (const model of WedgeModel.options) {
      const p = profileFromPreset(model, `p-${model}`);
      expect(wedgeConfigIssue(p), model).toBeNull();
      expect(WedgeProfiles.parse({ profiles: [p] }).profiles[0]).toEqual(p);
      expect(() => new WedgeDetector(activeWedgeConfigs([p]), () => {})).not.toThrow();
    }
  });

  it('defaults to one active profile a factory-set scanner (Enter after each code) works with', () => {
    const scans: string[] = [];
    const d = new WedgeDetector(activeWedgeConfigs(defaultWedgeProfiles()), (c) => scans.push(c));
    [...'134567890123456789', 'Enter'].forEach((k, i) => d.key(k, 100 + i * 4));
    expect(scans).toEqual(['134567890123456789']);
  });

  it('hands the detector only the active profiles, in their order', () => {
    const list = [{ ...profileFromPreset('zebra', 'a'), active: false }, profileFromPreset('newland', 'b'), profileFromPreset('custom', 'c')];
    expect(activeWedgeConfigs(list).map((c) => c.id)).toEqual(['b', 'c']);
  });
});
