/**
 * Keyboard-wedge scanner detection: tells a scanner's burst of keystrokes from a person typing,
 * by timing (and an optional prefix/suffix), whatever has focus. Pure logic, no DOM and no
 * Node: the renderer feeds it `KeyboardEvent.key` values with timestamps (renderer/src/
 * composables/scanner.ts is the only glue), the tests and the USB VM feed it scripted or kernel
 * key timings. The app has this one detector.
 *
 * How a scan is recognised, per scanner profile (`WedgeConfig`; a counter may run several at
 * once, e.g. two scanners set up differently — a burst matching ANY of them is a scan):
 * - a burst is a run of keys each at most `maxGapMs` after the previous one (scanners send a key
 *   every 1–20 ms; the fastest typists manage ~60 ms between keys, and rarely two keys in a row
 *   under 30 ms);
 * - the burst is a scan when it ends with the profile's suffix key (Enter by default), starts
 *   with its prefix (if any, stripped from the code), and its code is `minLength`–`maxLength`
 *   printable ASCII characters (decoded with the profile's keyboard layout, see `WedgeLayout`);
 * - with suffix 'none', the burst ends after `endTimeoutMs` of silence (call `flush`);
 * - anything else (too short, a slow key in the middle, a non-printable key, a missing suffix) is
 *   discarded whole: a half code is never sent to the payment engine. When a scan-like burst is
 *   cut by a pause, the keys after the pause up to the next suffix are its tail and are
 *   discarded too (else the last digits of a payment code would pass as a code of their own);
 *   a burst that starts more than `TAIL_WINDOW_MS` later is a new scan, not a tail.
 *
 * With several profiles, bursts are cut at the longest `maxGapMs` among them and each profile
 * then checks every gap against its own limit (`explainBurst`, which the Devices screen's test
 * box also uses to show an installer why a burst did or did not match); when several match, the
 * one with the longest prefix takes it (`bestMatch`).
 *
 * Keys are reported `swallow` from the third fast key on (from the first when the keys so far
 * spell the start of a profile's prefix), so a scan does not type into the focused field or
 * press its default button with the final Enter, while a person's occasional two-key roll is
 * never eaten. The first keys of an unprefixed scan do reach the focused field: the caller
 * restores the field as it was at `burstStart` — for a scan and for a refused scan alike
 * (`scanRefusal` says why a burst is not a payment code, for the screens).
 */
import { charRefusal, type ScanRefusalReason } from '../../core/api/scan';
import { LAYOUTS, type LayoutName } from './hid';

export type WedgeSuffix = 'Enter' | 'Tab' | 'none';

export interface WedgeConfig {
  /** Longest pause between two keys of one scan, ms. */
  maxGapMs: number;
  minLength: number;
  maxLength: number;
  /** Characters the scanner is programmed to send before each code ('' = none). */
  prefix: string;
  /** The key the scanner sends after each code. */
  suffix: WedgeSuffix;
  /** With suffix 'none': silence that ends a scan, ms. */
  endTimeoutMs: number;
}

/**
 * The scanner's keyboard country. 'os': trust the characters the computer's own layout made of
 * the keys (right whenever the scanner and the computer use the same layout: the default).
 * 'us' / 'fr': the scanner sends that layout whatever the computer uses, so characters are
 * decoded from the physical key (`KeyboardEvent.code`) and Shift, as drivers/scanner/hid.ts
 * decodes raw HID reports.
 */
export type WedgeLayout = 'os' | LayoutName;

/** One scanner profile as the detector needs it. */
export interface WedgeProfileConfig extends WedgeConfig {
  /** Names the profile in results ('' when the detector was given a bare `WedgeConfig`). */
  id?: string;
  layout?: WedgeLayout;
}

export const DEFAULT_WEDGE: WedgeConfig = { maxGapMs: 30, minLength: 6, maxLength: 512, prefix: '', suffix: 'Enter', endTimeoutMs: 50 };

/** Bounds of a usable profile (settings are checked against these, with bilingual refusals in core/settings/wedge.ts). */
export const WEDGE_LIMITS = {
  /** A typist is ~60 ms per key: a limit above 50 ms would start taking people for scanners. */
  gapMs: { min: 5, max: 50 },
  length: { min: 1, max: 512 },
  prefixMax: 8,
  endTimeoutMaxMs: 500,
} as const;

/** After a scan-like burst is cut short, a burst starting within this long is its tail (a stalled scanner resumes within a second or not at all). */
export const TAIL_WINDOW_MS = 1000;
const SWALLOW_AFTER = 3;

export type WedgeConfigIssue = 'gap' | 'length' | 'prefix' | 'endTimeout';

/** Checks one profile; returns which field is unusable, or null. */
export function wedgeConfigIssue(c: WedgeConfig): WedgeConfigIssue | null {
  const { gapMs, length, prefixMax, endTimeoutMaxMs } = WEDGE_LIMITS;
  if (!Number.isInteger(c.maxGapMs) || c.maxGapMs < gapMs.min || c.maxGapMs > gapMs.max) return 'gap';
  if (!Number.isInteger(c.minLength) || !Number.isInteger(c.maxLength) || c.minLength < length.min || c.minLength > c.maxLength || c.maxLength > length.max) {
    return 'length';
  }
  if (typeof c.prefix !== 'string' || c.prefix.length > prefixMax || !/^[\x20-\x7e]*$/.test(c.prefix)) return 'prefix';
  if (c.suffix === 'none' && (!Number.isInteger(c.endTimeoutMs) || c.endTimeoutMs <= c.maxGapMs || c.endTimeoutMs > endTimeoutMaxMs)) return 'endTimeout';
  return null;
}

/** Checks a configuration from settings; returns the reason it is unusable (English, for logs), or null. */
export function wedgeConfigProblem(c: WedgeConfig): string | null {
  const issue = wedgeConfigIssue(c);
  if (!issue) return null;
  return {
    gap: 'maxGapMs must be 5–50 (a typist is ~60 ms)',
    length: 'lengths out of range',
    prefix: 'prefix must be up to 8 printable ASCII characters',
    endTimeout: 'endTimeoutMs must be longer than maxGapMs',
  }[issue];
}

/** Where a key sits on the keyboard, for profiles with a fixed scanner layout. */
export interface PhysicalKey {
  /** `KeyboardEvent.code` ('KeyA', 'Digit1', 'Numpad0' …): named after HID usages. */
  code: string;
  shift: boolean;
}

/** One key of a burst. */
export interface WedgeKey {
  key: string;
  /** ms, monotonic. */
  t: number;
  /** ms since the previous key of this burst; null for its first key. */
  gapMs: number | null;
  code?: string;
  shift?: boolean;
}

/** How a burst ended: its suffix key (the last of `keys`), or silence (the next key's gap, or a `flush`). */
export type WedgeEnd = { by: 'suffix'; key: 'Enter' | 'Tab' } | { by: 'silence'; ms: number };

export interface WedgeBurst {
  keys: readonly WedgeKey[];
  end: WedgeEnd;
}

/** Why a burst is not a scan for one profile. Indexes are 0-based into `WedgeBurst.keys`. */
export type WedgeMismatch =
  /** The tail of a scan-like burst that a pause cut short. */
  | { reason: 'tail' }
  /** A key no scanner sends inside a code (Backspace, an arrow, an IME key …). */
  | { reason: 'key'; index: number; key: string }
  /** Ended with the wrong suffix ('none': ended by silence). */
  | { reason: 'suffix'; expected: WedgeSuffix; got: WedgeSuffix }
  /** Suffix 'none': the next key came before the silence that ends a code. */
  | { reason: 'cut'; silenceMs: number; endTimeoutMs: number }
  | { reason: 'gap'; index: number; gapMs: number; maxGapMs: number }
  /** Not a printable ASCII character in this profile's layout. */
  | { reason: 'char'; index: number; key: string }
  | { reason: 'prefix'; prefix: string }
  | { reason: 'length'; length: number; min: number; max: number };

export interface WedgeMatch {
  profileId: string;
  /** The code (prefix stripped) when the burst is a scan for this profile. */
  code: string | null;
  mismatch: WedgeMismatch | null;
}

/** A finished burst with every profile's verdict, and the code if it is a scan. */
export interface WedgeResult extends WedgeBurst {
  matches: WedgeMatch[];
  code: string | null;
  /** The profile that took it (`bestMatch`: the longest prefix, then the first in order). */
  profileId: string | null;
}

/** Keys that never break or extend a burst: the scanner presses Shift for capitals. */
const MODIFIERS = new Set(['Shift', 'CapsLock', 'Control', 'Alt', 'AltGraph', 'Meta', 'NumLock']);

/** `KeyboardEvent.code` → HID usage id (the UI Events code names follow the US positions of the usages). */
const USAGE_OF_CODE: Readonly<Record<string, number>> = (() => {
  const m: Record<string, number> = {
    Digit0: 0x27, Space: 0x2c, Minus: 0x2d, Equal: 0x2e, BracketLeft: 0x2f, BracketRight: 0x30, Backslash: 0x31,
    Semicolon: 0x33, Quote: 0x34, Backquote: 0x35, Comma: 0x36, Period: 0x37, Slash: 0x38,
    NumpadDivide: 0x54, NumpadMultiply: 0x55, NumpadSubtract: 0x56, NumpadAdd: 0x57, Numpad0: 0x62, NumpadDecimal: 0x63,
  };
  for (let i = 0; i < 26; i++) m[`Key${String.fromCharCode(0x41 + i)}`] = 0x04 + i;
  for (let i = 1; i <= 9; i++) {
    m[`Digit${i}`] = 0x1e + i - 1;
    m[`Numpad${i}`] = 0x59 + i - 1;
  }
  return m;
})();

const printable = (c: string | null | undefined): c is string => !!c && c.length === 1 && c >= ' ' && c <= '~';
/** A key that types a character (as opposed to Backspace, F5, an arrow, an IME's 'Process'). */
const typesChar = (k: string) => k.length === 1 || k === 'Dead';

/** The character a key stands for under a profile's layout; null when it is no printable ASCII character there. */
function charOf(k: WedgeKey, layout: WedgeLayout): string | null {
  if (layout === 'os') return printable(k.key) ? k.key : null;
  const usage = k.code === undefined ? undefined : USAGE_OF_CODE[k.code];
  const pair = usage === undefined ? undefined : LAYOUTS[layout][usage];
  const c = pair?.[k.shift ? 1 : 0];
  return printable(c) ? c : null;
}

type Profile = Required<WedgeProfileConfig>;

function checkProfile(burst: WedgeBurst, p: Profile): { code: string } | WedgeMismatch {
  const { keys, end } = burst;
  const content = end.by === 'suffix' ? keys.slice(0, -1) : keys;
  const named = content.findIndex((k) => !typesChar(k.key));
  if (named >= 0) {
    const key = content[named]!.key;
    // Enter or Tab inside a burst: a scanner's suffix, but not the one any active profile ends with.
    if (key === 'Enter' || key === 'Tab') return { reason: 'suffix', expected: p.suffix, got: key };
    return { reason: 'key', index: named, key };
  }
  const got: WedgeSuffix = end.by === 'suffix' ? end.key : 'none';
  if (got !== p.suffix) return { reason: 'suffix', expected: p.suffix, got };
  if (end.by === 'silence' && end.ms < p.endTimeoutMs) return { reason: 'cut', silenceMs: end.ms, endTimeoutMs: p.endTimeoutMs };
  for (let i = 1; i < keys.length; i++) {
    const g = keys[i]!.gapMs;
    if (g !== null && g > p.maxGapMs) return { reason: 'gap', index: i, gapMs: g, maxGapMs: p.maxGapMs };
  }
  let text = '';
  for (let i = 0; i < content.length; i++) {
    const c = charOf(content[i]!, p.layout);
    if (c === null) return { reason: 'char', index: i, key: content[i]!.key };
    text += c;
  }
  if (!text.startsWith(p.prefix)) return { reason: 'prefix', prefix: p.prefix };
  const code = text.slice(p.prefix.length);
  if (code.length < p.minLength || code.length > p.maxLength) return { reason: 'length', length: code.length, min: p.minLength, max: p.maxLength };
  return { code };
}

function normalise(c: WedgeProfileConfig): Profile {
  return { ...c, id: c.id ?? '', layout: c.layout ?? 'os' };
}

/**
 * Every profile's verdict on a burst: the code it would take, or why not. `tail`: the burst is
 * the tail of an interrupted one (only the detector knows), so no profile takes it.
 */
export function explainBurst(burst: WedgeBurst, profiles: readonly WedgeProfileConfig[], tail = false): WedgeMatch[] {
  return profiles.map((c) => {
    const p = normalise(c);
    if (tail) return { profileId: p.id, code: null, mismatch: { reason: 'tail' } };
    const r = checkProfile(burst, p);
    return 'code' in r ? { profileId: p.id, code: r.code, mismatch: null } : { profileId: p.id, code: null, mismatch: r };
  });
}

/**
 * The profile that takes a burst several match: the one with the longest prefix (a prefix marks
 * its scanner on purpose: '~]123' is that scanner's '123', not a prefix-less scanner's '~]123'),
 * then the first in the list.
 */
export function bestMatch(matches: readonly WedgeMatch[], profiles: readonly WedgeProfileConfig[]): WedgeMatch | undefined {
  let best: WedgeMatch | undefined;
  let bestLen = -1;
  matches.forEach((m, i) => {
    const len = profiles[i]?.prefix.length ?? 0;
    if (m.code !== null && len > bestLen) {
      best = m;
      bestLen = len;
    }
  });
  return best;
}

/**
 * Why a burst no profile took is not a payment code, for the screens ("不是付款码", core/api/scan.ts
 * words), or null when it is no scan at all: fewer than `SWALLOW_AFTER` typed keys (a person's,
 * which reached the page as typed), or a key only a person presses (Backspace, an arrow …).
 * Judged on the first profile's verdict, as `onDiscard`'s reason is.
 */
export function scanRefusal(r: WedgeResult): ScanRefusalReason | null {
  if (r.code !== null) return null;
  if (r.keys.filter((k) => typesChar(k.key)).length < SWALLOW_AFTER) return null;
  const m = r.matches[0]?.mismatch ?? null;
  switch (m?.reason) {
    case 'tail': case 'gap': case 'cut': return 'slow';
    case 'char': return charRefusal(m.key) ?? 'not_ascii';
    case 'key': return null;
    case 'prefix': return 'prefix';
    case 'length': return m.length < m.min ? 'too_short' : 'too_long';
    case 'suffix': {
      if (m.got === 'none') return 'slow';
      // A Tab (or Enter) with code characters after it sits inside the code: a control character.
      const at = r.keys.findIndex((k) => k.key === m.got);
      return r.keys.slice(at + 1).some((k) => typesChar(k.key)) ? 'control' : 'suffix';
    }
    default: return null;
  }
}

export type WedgeVerdict = { action: 'pass' | 'swallow'; burstStart: boolean };

/** The old single-profile reasons, still given to `onDiscard` first (logs and callers rely on them). */
function discardReason(m: WedgeMismatch | null, how: 'key' | 'timer'): string {
  switch (m?.reason) {
    case 'tail': return 'tail of an interrupted burst';
    case 'key': case 'char': return 'non-printable key in burst';
    case 'prefix': return 'prefix missing';
    case 'length': return 'length';
    case 'suffix': return m.got === 'none' ? (how === 'key' ? 'slow key' : 'no suffix') : 'wrong suffix';
    default: return 'slow key';
  }
}

export class WedgeDetector {
  private readonly profiles: readonly Profile[];
  /** Bursts are cut at the longest gap any profile allows; each profile then checks its own. */
  private readonly joinGapMs: number;
  /** Suffix-less profiles: the silence to wait before a burst is over. */
  private readonly waitEndMs: number;
  private readonly suffixKeys: ReadonlySet<string>;
  private keys: WedgeKey[] = [];
  private chars = 0;
  private lastAt = -Infinity;
  private broken = false;
  /** This burst is the tail of an interrupted one. */
  private tailing = false;
  /** A burst starting at or before this time is the tail of the scan-like burst cut short before it. */
  private tailUntil = -Infinity;

  /**
   * `config`: one profile (as before profiles existed) or the active profiles, in order of
   * preference. `onScan` gets the code and the burst with every profile's verdict; `onDiscard`
   * a short reason and the same, for a scan-like burst that no profile took.
   */
  constructor(
    config: WedgeConfig | readonly WedgeProfileConfig[],
    private readonly onScan: (code: string, result: WedgeResult) => void,
    private readonly onDiscard: (reason: string, result: WedgeResult) => void = () => {},
  ) {
    const list = (Array.isArray(config) ? config : [config]) as readonly WedgeProfileConfig[];
    if (!list.length) throw new Error('wedge config: no profile');
    for (const c of list) {
      const p = wedgeConfigProblem(c);
      if (p) throw new Error(`wedge config${c.id ? ` ${c.id}` : ''}: ${p}`);
    }
    this.profiles = list.map(normalise);
    this.joinGapMs = Math.max(...this.profiles.map((p) => p.maxGapMs));
    this.waitEndMs = Math.max(0, ...this.profiles.filter((p) => p.suffix === 'none').map((p) => p.endTimeoutMs));
    this.suffixKeys = new Set(this.profiles.map((p) => p.suffix).filter((s) => s !== 'none'));
  }

  /** One keydown at time `t` (ms, monotonic); `physical` for profiles with a fixed layout. */
  key(key: string, t: number, physical?: PhysicalKey): WedgeVerdict {
    if (MODIFIERS.has(key)) return { action: this.swallowing() ? 'swallow' : 'pass', burstStart: false };
    const gap = t - this.lastAt;
    if (this.keys.length && (gap > this.joinGapMs || gap < 0)) this.finish({ by: 'silence', ms: Math.max(0, gap) }, 'key');
    this.lastAt = t;
    const entry: WedgeKey = { key, t, gapMs: this.keys.length ? gap : null, ...(physical ? { code: physical.code, shift: physical.shift } : {}) };

    if (this.suffixKeys.has(key)) {
      if (!this.keys.length) {
        // A lone suffix after a pause ends the tail of an interrupted scan: what follows is new.
        this.tailUntil = -Infinity;
        return { action: 'pass', burstStart: false };
      }
      const swallow = this.swallowing();
      this.keys.push(entry);
      this.finish({ by: 'suffix', key: key as 'Enter' | 'Tab' }, 'key');
      return { action: swallow ? 'swallow' : 'pass', burstStart: false };
    }
    if (!typesChar(key)) {
      // Arrow keys, Backspace, F-keys, Chinese IME input early in a burst: a person is typing;
      // this burst is no scan and its keys pass. In a burst already scan-like it is the
      // scanner's (a Tab inside a code, a Tab where Enter was expected): the burst is refused
      // whole, and it and the rest stay swallowed, so none moves the focus or lands in a field.
      if (this.keys.length) {
        const swallow = this.swallowing();
        this.keys.push(entry);
        if (!swallow) this.broken = true;
        return { action: swallow ? 'swallow' : 'pass', burstStart: false };
      }
      return { action: 'pass', burstStart: false };
    }
    const burstStart = this.keys.length === 0;
    if (burstStart) this.tailing = t <= this.tailUntil;
    this.keys.push(entry);
    this.chars++;
    return { action: this.swallowing() ? 'swallow' : 'pass', burstStart };
  }

  /** Time passes without keys (call from a timer): ends a suffix-less scan, drops a stale burst. */
  flush(t: number): void {
    if (!this.keys.length) return;
    const silence = t - this.lastAt;
    // Still within a gap the next key may come in; or a suffix-less profile still waits for its silence.
    if (silence <= this.joinGapMs || silence < this.waitEndMs) return;
    this.finish({ by: 'silence', ms: silence }, 'timer');
  }

  /** The burst so far is scan-like (its keys are being swallowed): ending it on silence refuses it aloud. */
  get scanLike(): boolean {
    return this.chars >= SWALLOW_AFTER && !this.broken;
  }

  /** ms after the last key at which `flush` can end a burst: when to set the caller's timer. */
  get flushAfterMs(): number {
    return Math.max(this.joinGapMs, this.waitEndMs) + 1;
  }

  private swallowing(): boolean {
    if (this.broken || !this.keys.length) return false;
    if (this.chars >= SWALLOW_AFTER) return true;
    return this.profiles.some((p) => {
      if (!p.prefix) return false;
      const head = this.keys.slice(0, p.prefix.length).map((k) => charOf(k, p.layout) ?? '\u0000').join('');
      return p.prefix.startsWith(head);
    });
  }

  private finish(end: WedgeEnd, how: 'key' | 'timer'): void {
    const burst: WedgeBurst = { keys: this.keys, end };
    const { chars, tailing } = this;
    const lastAt = this.keys.at(-1)?.t ?? this.lastAt;
    this.keys = [];
    this.chars = 0;
    this.broken = false;
    this.tailing = false;
    if (!chars) return;
    const matches = explainBurst(burst, this.profiles, tailing);
    const hit = bestMatch(matches, this.profiles);
    const result: WedgeResult = { ...burst, matches, code: hit?.code ?? null, profileId: hit ? hit.profileId : null };
    if (end.by === 'suffix' || hit) this.tailUntil = -Infinity;
    if (hit) return this.onScan(hit.code!, result);
    const scanLike = chars >= SWALLOW_AFTER;
    // Cut short by a pause: what follows soon, up to the next suffix, is this burst's tail.
    if (end.by === 'silence' && scanLike) this.tailUntil = lastAt + TAIL_WINDOW_MS;
    if (end.by === 'suffix' || scanLike) this.onDiscard(discardReason(matches[0]!.mismatch, how), result);
  }
}

/**
 * Records raw bursts for the Devices screen's test box, cut only at Enter / Tab or a long
 * silence (not at any profile's gap), so an installer sees every key's gap even when the
 * scanner is slower than the profiles allow. Pair with `explainBurst` to say which profile
 * would take it and why not. Never sent anywhere: it lives only on the screen.
 */
export class WedgeRecorder {
  private keys: WedgeKey[] = [];
  private lastAt = -Infinity;

  constructor(
    private readonly onBurst: (burst: WedgeBurst) => void,
    private readonly silenceMs = 1000,
    private readonly maxKeys = 600,
  ) {}

  key(key: string, t: number, physical?: PhysicalKey): void {
    if (MODIFIERS.has(key)) return;
    const gap = t - this.lastAt;
    if (this.keys.length && (gap > this.silenceMs || gap < 0)) this.end({ by: 'silence', ms: Math.max(0, gap) });
    this.lastAt = t;
    this.keys.push({ key, t, gapMs: this.keys.length ? gap : null, ...(physical ? { code: physical.code, shift: physical.shift } : {}) });
    if (key === 'Enter' || key === 'Tab') this.end({ by: 'suffix', key });
    else if (this.keys.length >= this.maxKeys) this.end({ by: 'silence', ms: 0 });
  }

  flush(t: number): void {
    if (this.keys.length && t - this.lastAt > this.silenceMs) this.end({ by: 'silence', ms: t - this.lastAt });
  }

  private end(end: WedgeEnd): void {
    const keys = this.keys;
    this.keys = [];
    // A lone Enter or Backspace is not worth showing: only bursts that typed something.
    if (keys.some((k) => typesChar(k.key))) this.onBurst({ keys, end });
  }
}
