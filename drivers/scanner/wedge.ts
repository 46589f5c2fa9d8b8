/**
 * Keyboard-wedge scanner detection: tells a scanner's burst of keystrokes from a person typing,
 * by timing (and an optional prefix/suffix), whatever has focus. Pure logic, no DOM and no
 * Node: the renderer feeds it `KeyboardEvent.key` values with timestamps (see
 * renderer/src/features/devices/useWedgeScanner.ts) and the tests feed it scripted timings.
 *
 * How a scan is recognised (per scanner, `WedgeConfig`):
 * - a burst is a run of keys each at most `maxGapMs` after the previous one (scanners send a key
 *   every 1–20 ms; the fastest typists manage ~60 ms between keys, and rarely two keys in a row
 *   under 30 ms);
 * - the burst is a scan when it ends with the configured suffix key (Enter by default), starts with
 *   the configured prefix (if any), and its code is `minLength`–`maxLength` printable characters;
 * - with no suffix configured, the burst ends after `endTimeoutMs` of silence (call `flush`);
 * - anything else (too short, a slow key in the middle, a non-printable key, a missing suffix) is
 *   discarded whole: a half code is never sent to the payment engine. When a scan-like burst is
 *   cut by a pause, the keys after the pause up to the next suffix are its tail and are
 *   discarded too (else the last digits of a payment code would pass as a code of their own).
 *
 * Keys are reported `swallow` from the third fast key on (from the first with a prefix), so a
 * scan does not type into the focused field or press its default button with the final Enter,
 * while a person's occasional two-key roll is never eaten. The first keys of an unprefixed scan
 * do reach the focused field: the caller restores the field as it was at `burstStart`.
 */

export interface WedgeConfig {
  /** Longest pause between two keys of one scan, ms. */
  maxGapMs: number;
  minLength: number;
  maxLength: number;
  /** Characters the scanner is programmed to send before each code ('' = none). */
  prefix: string;
  /** The key the scanner sends after each code. */
  suffix: 'Enter' | 'Tab' | 'none';
  /** With suffix 'none': silence that ends a scan, ms. */
  endTimeoutMs: number;
}

export const DEFAULT_WEDGE: WedgeConfig = { maxGapMs: 30, minLength: 6, maxLength: 512, prefix: '', suffix: 'Enter', endTimeoutMs: 50 };

/** Checks a configuration from settings; returns the reason it is unusable, or null. */
export function wedgeConfigProblem(c: WedgeConfig): string | null {
  if (!Number.isInteger(c.maxGapMs) || c.maxGapMs < 5 || c.maxGapMs > 50) return 'maxGapMs must be 5–50 (a typist is ~60 ms)';
  if (!Number.isInteger(c.minLength) || c.minLength < 1 || c.minLength > c.maxLength || c.maxLength > 512) return 'lengths out of range';
  if (!/^[\x20-\x7e]{0,8}$/.test(c.prefix)) return 'prefix must be up to 8 printable ASCII characters';
  if (c.suffix === 'none' && (!Number.isInteger(c.endTimeoutMs) || c.endTimeoutMs <= c.maxGapMs || c.endTimeoutMs > 500)) {
    return 'endTimeoutMs must be longer than maxGapMs';
  }
  return null;
}

/** Keys that never break or extend a burst: the scanner presses Shift for capitals. */
const MODIFIERS = new Set(['Shift', 'CapsLock', 'Control', 'Alt', 'AltGraph', 'Meta']);
const SWALLOW_AFTER = 3;

export type WedgeVerdict = { action: 'pass' | 'swallow'; burstStart: boolean };

export class WedgeDetector {
  private keys: string[] = [];
  private lastAt = -Infinity;
  private broken = false;
  /** A scan-like burst was cut short: what follows up to the next suffix is its tail, not a code. */
  private tainted = false;

  constructor(
    private readonly config: WedgeConfig,
    private readonly onScan: (code: string) => void,
    private readonly onDiscard: (reason: string) => void = () => {},
  ) {
    const p = wedgeConfigProblem(config);
    if (p) throw new Error(`wedge config: ${p}`);
  }

  /** One keydown at time `t` (ms, monotonic). */
  key(key: string, t: number): WedgeVerdict {
    if (MODIFIERS.has(key)) return { action: this.swallowing() ? 'swallow' : 'pass', burstStart: false };
    if (this.config.suffix === 'none') this.flush(t);
    let burstStart = false;
    if (t - this.lastAt > this.config.maxGapMs || t < this.lastAt) {
      this.end('slow key');
      burstStart = true;
    }
    this.lastAt = t;

    if (this.config.suffix !== 'none' && key === this.config.suffix) {
      const swallow = this.swallowing();
      this.complete();
      return { action: swallow ? 'swallow' : 'pass', burstStart };
    }
    if (key.length !== 1 || key < ' ' || key > '~') {
      // Arrow keys, Backspace, Chinese IME input: a person is typing; this burst is no scan.
      if (this.keys.length) this.broken = true;
      return { action: 'pass', burstStart };
    }
    this.keys.push(key);
    return { action: this.swallowing() ? 'swallow' : 'pass', burstStart };
  }

  /** Time passes without keys (call from a timer): ends a suffix-less scan, drops a stale burst. */
  flush(t: number): void {
    if (!this.keys.length || t - this.lastAt <= this.config.maxGapMs) return;
    if (this.config.suffix === 'none' && t - this.lastAt >= this.config.endTimeoutMs) this.complete();
    else if (this.config.suffix !== 'none') this.end('no suffix');
  }

  private swallowing(): boolean {
    if (this.broken) return false;
    const { prefix } = this.config;
    if (prefix && this.keys.length > 0 && prefix.startsWith(this.keys.slice(0, prefix.length).join(''))) return true;
    return this.keys.length >= SWALLOW_AFTER;
  }

  private complete(): void {
    const { prefix, minLength, maxLength } = this.config;
    const raw = this.keys.join('');
    const broken = this.broken;
    const tainted = this.tainted;
    this.reset();
    this.tainted = false;
    if (!raw) return;
    if (broken) return this.onDiscard('non-printable key in burst');
    if (tainted) return this.onDiscard('tail of an interrupted burst');
    if (prefix && !raw.startsWith(prefix)) return this.onDiscard('prefix missing');
    const code = raw.slice(prefix.length);
    if (code.length < minLength || code.length > maxLength) return this.onDiscard('length');
    this.onScan(code);
  }

  private end(reason: string): void {
    if (this.keys.length >= SWALLOW_AFTER) {
      this.onDiscard(reason);
      this.tainted = reason === 'slow key';
    }
    this.reset();
  }

  private reset(): void {
    this.keys = [];
    this.broken = false;
  }
}
