/**
 * Telling a keyboard-wedge scanner from a person typing, from key timing alone (DOM-free, so
 * it is unit-tested). A scanner "types" a whole code within milliseconds and ends it with Enter;
 * a person leaves far longer gaps. Keys that follow the previous one faster than `maxGapMs`
 * belong to a burst; a burst of at least `minLength` characters closed by Enter is a scan.
 *
 * When the drivers' detector (drivers/scanner/wedge.ts) lands, this file can give way to it.
 */
export interface WedgeOptions {
  maxGapMs?: number;
  minLength?: number;
}

export type WedgeVerdict =
  /**
   * Let the key through. `start`: this printable key may open a scan — if a scan follows, the
   * key already reached the page, so its effect must be undone (see scanner.ts).
   */
  | { kind: 'pass'; start?: true }
  /** Part of a burst: swallow the key so it does not land in a focused field. */
  | { kind: 'swallow' }
  /** Enter closed a scan: the code, and its first character (which reached the page before the burst was recognised). */
  | { kind: 'scan'; code: string; first: string };

export class WedgeDetector {
  private buf = '';
  private last = -Infinity;
  private readonly maxGap: number;
  private readonly minLength: number;

  constructor(opts: WedgeOptions = {}) {
    this.maxGap = opts.maxGapMs ?? 50;
    this.minLength = opts.minLength ?? 8;
  }

  key(key: string, atMs: number): WedgeVerdict {
    // Scanners emulating a keyboard press Shift for capitals and symbols: part of the burst.
    if (key === 'Shift') return this.buf ? { kind: 'swallow' } : { kind: 'pass' };
    // Once a burst is clearly a scanner's, allow a longer hiccup (a busy PC, a USB hub) before
    // calling it over: a long code split in two would otherwise leak its tail into the page.
    const gap = this.buf.length >= 4 ? this.maxGap * 4 : this.maxGap;
    const fast = atMs - this.last <= gap;
    this.last = atMs;
    // A scanner sends printable characters only: a function key or an arrow ends any
    // burst, and the next key starts afresh (a digit typed right after F5 is a person's).
    if (key !== 'Enter' && (key.length !== 1 || key < ' ' || key > '~')) {
      this.buf = '';
      this.last = -Infinity;
      return { kind: 'pass' };
    }
    if (key === 'Enter') {
      const code = this.buf;
      this.buf = '';
      this.last = -Infinity; // the key after Enter starts afresh, however soon it comes
      if (fast && code.length >= this.minLength) return { kind: 'scan', code, first: code[0] };
      return { kind: 'pass' };
    }
    if (!fast) {
      this.buf = key;
      return { kind: 'pass', start: true };
    }
    this.buf += key;
    if (this.buf.length > 512) this.buf = '';
    // Swallow from the third fast key on: a person's occasional two-key roll is never eaten;
    // the first two keys of a scan reach the page and are undone when the scan completes.
    return this.buf.length >= 3 ? { kind: 'swallow' } : { kind: 'pass' };
  }
}
