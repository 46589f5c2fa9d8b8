/**
 * HID reports from a scanner → codes. Pure: report bytes in, codes (or a refusal) out. Two kinds:
 *
 * 1. Keyboard (boot protocol) reports, 8 bytes: [modifiers, reserved, key1…key6], key = HID
 *    usage id (Keyboard/Keypad page 0x07). What most scanners send, also when read raw over USB.
 *    A key counts when it first appears in a report (a scanner releases between characters, but a
 *    repeated character shows as press, release, press). Shift comes from the modifier byte; the
 *    scanner's keyboard-country setting picks the layout (`us`, the default nearly everywhere in
 *    China, or `fr`, where digits need Shift).
 * 2. HID POS barcode scanner reports (usage page 0x8C, Scanned Data Report), the layout Honeywell
 *    and Zebra use in "HID POS" mode, 64 bytes: [0x02 report id, data length 0–56, 3 bytes AIM
 *    symbology id, 56 data bytes, 2 reserved, flags (bit 0: more data follows)]. A code longer
 *    than 56 bytes spans several reports.
 *
 * Whatever does not fit (wrong length, reserved bits set, unknown usage, phantom/rollover state,
 * a code cut short) is refused with an AppError and the partial code is dropped: a scanner's
 * garbage must never become a payment code.
 *
 * The tail guard (the same rule as the wedge and serial readers): after a report is refused in
 * the middle of a code, what follows up to the end of that code (Enter / Tab; a HID POS report
 * without "more data") is its tail and is refused too — it is never a code of its own. A pause
 * of more than TAIL_MS before the next report ends the tail (a new scan). A code left unfinished
 * longer than its gap (KEYBOARD_GAP_MS, POS_GAP_MS: its next key or continued report never came) is refused when the next
 * report comes (or the reader's idle read sees it), and what soon follows is its tail;
 * `takeRefused()` hands out such refusals.
 */
import { AppError } from '../../core/api/errors';

export const HidErrors = {
  badReport: (why: string) =>
    new AppError('scanner.bad_report', '扫码枪发送了无法识别的数据，本次扫码已丢弃，请重扫。',
      'The scanner sent data that could not be read; this scan was discarded. Scan again.', { why }),
};

export const MAX_CODE = 512;
/** After a refusal, reports within this long (up to the code's end) are its tail. */
export const TAIL_MS = 1000;
/**
 * A scanner sends a code's reports milliseconds apart: a longer gap inside a code cuts it off.
 * HID POS continued reports go out back to back (one USB burst); keyboard reports are per key, and
 * a loaded PC (or a VM at load ~20) was seen to read a scan's keys over half a second apart.
 */
export const POS_GAP_MS = 500;
export const KEYBOARD_GAP_MS = 1500;

/**
 * The tail guard both decoders share: the partial code's timing, whether reports are the tail of
 * a refused code, and the refusals found between reports.
 */
class TailGuard {
  constructor(private readonly gapMs: number) {}
  tail = false;
  lastAt = -Infinity;
  private refused: AppError[] = [];
  /**
   * A reader that says how long the device had nothing to send (its reads that came back empty:
   * `idle(t, quietMs)`) has pauses counted in the device's silence, not in the reader's clock: a
   * report that reaches a slow machine late, with no empty read before it, was sent on time
   * (a real scanner holds its reports until polled), so it neither cuts a code nor ends a tail.
   * Without that (a decoder fed reports only), the gap between reports is the pause.
   */
  private quietMs: number | null = null;

  /** Before a report at `t`: a pause ends a tail; a partial code left too long is refused. */
  before(t: number, partial: boolean, drop: () => void): void {
    this.idle(t, partial, drop);
    this.lastAt = t;
    if (this.quietMs !== null) this.quietMs = 0;
  }
  /**
   * Time passes without a report (the reader's idle read, which waited `quietMs` for one): a
   * partial code left too long is refused now.
   */
  idle(t: number, partial: boolean, drop: () => void, quietMs?: number): void {
    if (quietMs !== undefined) this.quietMs = (this.quietMs ?? 0) + quietMs;
    const gap = this.quietMs ?? t - this.lastAt;
    if (this.tail && gap > TAIL_MS) this.tail = false;
    if (partial && gap > this.gapMs) {
      drop();
      this.refused.push(HidErrors.badReport('code cut off: its next report did not come'));
      // What comes within a second of when the cut could first be seen is the rest of that code,
      // not a new one; the window runs from now.
      this.tail = gap <= this.gapMs + TAIL_MS;
      this.lastAt = t;
      if (this.quietMs !== null) this.quietMs = 0;
    }
  }
  take(): AppError[] {
    const r = this.refused;
    this.refused = [];
    return r;
  }
  clear(): void {
    this.tail = false;
    this.lastAt = -Infinity;
    this.refused = [];
    if (this.quietMs !== null) this.quietMs = 0;
  }
}

type Layout = Record<number, [string, string]>;

function baseUs(): Layout {
  const l: Layout = {};
  for (let u = 0x04; u <= 0x1d; u++) {
    const c = String.fromCharCode(0x61 + u - 0x04);
    l[u] = [c, c.toUpperCase()];
  }
  const digits = '1234567890';
  const shifted = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) l[0x1e + i] = [digits[i]!, shifted[i]!];
  Object.assign(l, {
    0x2c: [' ', ' '], 0x2d: ['-', '_'], 0x2e: ['=', '+'], 0x2f: ['[', '{'], 0x30: [']', '}'], 0x31: ['\\', '|'],
    0x33: [';', ':'], 0x34: ["'", '"'], 0x35: ['`', '~'], 0x36: [',', '<'], 0x37: ['.', '>'], 0x38: ['/', '?'],
    // Keypad: scanners in "numeric keypad" mode send digits here, whatever NumLock says.
    0x54: ['/', '/'], 0x55: ['*', '*'], 0x56: ['-', '-'], 0x57: ['+', '+'], 0x63: ['.', '.'],
  });
  for (let i = 0; i < 9; i++) l[0x59 + i] = [String(i + 1), String(i + 1)];
  l[0x62] = ['0', '0'];
  return l;
}

/** AZERTY as a scanner set to "France" sends it: the digit row needs Shift; a/q, z/w, m moved. */
function frAzerty(): Layout {
  const l = baseUs();
  const unshifted = ['&', 'é', '"', "'", '(', '-', 'è', '_', 'ç', 'à'];
  for (let i = 0; i < 10; i++) l[0x1e + i] = [unshifted[i]!, String((i + 1) % 10)];
  l[0x04] = ['q', 'Q'];
  l[0x14] = ['a', 'A'];
  l[0x1a] = ['z', 'Z'];
  l[0x1d] = ['w', 'W'];
  l[0x33] = ['m', 'M'];
  l[0x10] = [',', '?'];
  l[0x36] = [';', '.'];
  l[0x37] = [':', '/'];
  l[0x38] = ['!', '§'];
  l[0x2d] = [')', '°'];
  l[0x2e] = ['=', '+'];
  return l;
}

export const LAYOUTS = { us: baseUs(), fr: frAzerty() } as const;
export type LayoutName = keyof typeof LAYOUTS;

const ENTER = new Set([0x28, 0x58]);
const TAB = 0x2b;
const SHIFT = 0x02 | 0x20;
const CTRL_ALT_GUI = 0x01 | 0x04 | 0x08 | 0x10 | 0x80; // right Alt (0x40) is AltGr on non-US layouts
const ROLLOVER = 0x01;

export interface KeyboardDecoderOptions {
  layout?: LayoutName;
  /** Devices with several reports prefix each with its id; the keyboard report's id, if any. */
  reportId?: number | null;
  /** The key that ends a code: Enter (default) or Tab. */
  suffix?: 'Enter' | 'Tab';
  minLength?: number;
}

/** Decodes one scanner's keyboard reports into codes. Keep one per device: it tracks pressed keys. */
export class HidKeyboardDecoder {
  private readonly layout: Layout;
  private pressed = new Set<number>();
  private buf = '';
  private readonly o: Required<KeyboardDecoderOptions>;
  private readonly guard = new TailGuard(KEYBOARD_GAP_MS);
  /** The refusal being thrown ended a code (at its suffix): no tail follows it. */
  private atEnd = false;

  constructor(opts: KeyboardDecoderOptions = {}) {
    this.o = { layout: 'us', reportId: null, suffix: 'Enter', minLength: 1, ...opts };
    this.layout = LAYOUTS[this.o.layout];
  }

  /** Drops any partial code and forgets the tail (after an unplug). */
  reset(): void {
    this.pressed = new Set();
    this.buf = '';
    this.guard.clear();
  }

  /** Another decoder of the same device refused a report: a partial code here is dropped, its rest is a tail. */
  cut(): void {
    if (this.buf) this.guard.tail = true;
    this.buf = '';
  }

  /** Refusals found between reports (a code cut off by a pause). */
  takeRefused(): AppError[] {
    return this.guard.take();
  }

  /** No report for a while (at `t`; a read waited `quietMs` for one): a code left unfinished is refused (see takeRefused). */
  idle(t: number, quietMs?: number): void {
    this.guard.idle(t, this.buf.length > 0, () => (this.buf = ''), quietMs);
  }

  /**
   * One interrupt report. Returns the completed code, or null while a code is still coming.
   * A refused report drops the partial code; the keys it shows held stay known as held, so a
   * device repeating its state (HID idle reports, every 500 ms by default where no driver set
   * the idle rate, e.g. under WinUSB) does not have one held key refused over and over.
   */
  push(report: Uint8Array, t: number = Date.now()): string | null {
    this.guard.before(t, this.buf.length > 0, () => (this.buf = ''));
    this.atEnd = false;
    try {
      return this.decode(report);
    } catch (e) {
      this.buf = '';
      if (!this.atEnd) this.guard.tail = true;
      throw e;
    }
  }

  private decode(raw: Uint8Array): string | null {
    let r = raw;
    if (this.o.reportId !== null) {
      if (r.length !== 9 || r[0] !== this.o.reportId) throw HidErrors.badReport(`expected 9 bytes with report id ${this.o.reportId}`);
      r = r.subarray(1);
    }
    const now = this.keysOf(r);
    const mods = r[0]!;
    const before = this.pressed;
    // Whatever follows, these are the keys held now (a refusal below still leaves them held).
    this.pressed = now;
    let done: string | null = null;
    for (const k of now) {
      if (before.has(k)) continue;
      if ((this.o.suffix === 'Enter' && ENTER.has(k)) || (this.o.suffix === 'Tab' && k === TAB)) {
        const code = this.buf;
        this.buf = '';
        this.atEnd = true;
        if (this.guard.tail) {
          this.guard.tail = false;
          throw HidErrors.badReport('tail of a refused scan');
        }
        if (code.length < this.o.minLength) throw HidErrors.badReport('code too short');
        done = code;
        this.atEnd = false;
        continue;
      }
      if (this.guard.tail) continue; // the rest of a refused scan: read (keys held), never kept
      if (mods & CTRL_ALT_GUI) throw HidErrors.badReport('control key combination');
      const entry = this.layout[k];
      if (!entry) throw HidErrors.badReport(`usage 0x${k.toString(16)} is not a character`);
      this.buf += entry[mods & SHIFT ? 1 : 0];
      if (this.buf.length > MAX_CODE) throw HidErrors.badReport('code too long');
    }
    return done;
  }

  /** The keys a well-formed report shows held; a malformed one is refused and forgets them all. */
  private keysOf(r: Uint8Array): Set<number> {
    try {
      if (r.length !== 8) throw HidErrors.badReport(`keyboard report of ${r.length} bytes (8 expected)`);
      if (r[1] !== 0) throw HidErrors.badReport('reserved byte set');
      const keys = [...r.subarray(2)];
      if (keys.every((k) => k === ROLLOVER)) throw HidErrors.badReport('keyboard rollover error');
      const now = new Set<number>();
      let seenEmpty = false;
      for (const k of keys) {
        if (k === 0) {
          seenEmpty = true;
          continue;
        }
        // Usages are packed from the left; a key after an empty slot, or twice, is not a real report.
        if (seenEmpty || now.has(k)) throw HidErrors.badReport('malformed key array');
        now.add(k);
      }
      return now;
    } catch (e) {
      this.pressed = new Set();
      throw e;
    }
  }
}

export const HID_POS_REPORT_ID = 0x02;
export const HID_POS_REPORT_LEN = 64;
const POS_DATA_MAX = 56;

/** Decodes HID POS Scanned Data Reports (usage page 0x8C) into codes, joining continued reports. */
export class HidPosDecoder {
  private buf: number[] = [];
  symbology = '';
  private readonly guard = new TailGuard(POS_GAP_MS);
  private atEnd = false;
  /** The symbology of the code being joined: a continued report of another is not its continuation. */
  private joining = '';

  /** Drops any partial code and forgets the tail (after an unplug). */
  reset(): void {
    this.buf = [];
    this.guard.clear();
  }

  /** Another decoder of the same device refused a report: a partial code here is dropped, its rest is a tail. */
  cut(): void {
    if (this.buf.length) this.guard.tail = true;
    this.buf = [];
  }

  takeRefused(): AppError[] {
    return this.guard.take();
  }

  idle(t: number, quietMs?: number): void {
    this.guard.idle(t, this.buf.length > 0, () => (this.buf = []), quietMs);
  }

  push(r: Uint8Array, t: number = Date.now()): string | null {
    this.guard.before(t, this.buf.length > 0, () => (this.buf = []));
    this.atEnd = false;
    try {
      return this.decode(r);
    } catch (e) {
      this.buf = [];
      if (!this.atEnd) this.guard.tail = true;
      throw e;
    }
  }

  private decode(r: Uint8Array): string | null {
    if (r.length !== HID_POS_REPORT_LEN) throw HidErrors.badReport(`HID POS report of ${r.length} bytes (64 expected)`);
    if (r[0] !== HID_POS_REPORT_ID) throw HidErrors.badReport(`report id ${r[0]} is not a scanned-data report`);
    const len = r[1]!;
    if (len > POS_DATA_MAX) throw HidErrors.badReport('data length over 56');
    if (r[61] !== 0 || r[62] !== 0 || (r[63]! & 0xfe) !== 0) throw HidErrors.badReport('reserved bits set');
    const more = (r[63]! & 1) === 1;
    if (this.guard.tail) {
      // The rest of a refused code, up to its last report: refused once, at its end.
      if (more) return null;
      this.guard.tail = false;
      this.atEnd = true;
      throw HidErrors.badReport('tail of a refused scan');
    }
    const symbology = String.fromCharCode(...r.subarray(2, 5)).replace(/\0/g, '');
    if (this.buf.length && symbology !== this.joining) throw HidErrors.badReport('continued report of another symbology');
    const data = r.subarray(5, 5 + len);
    for (const b of data) if (b < 0x20 || b > 0x7e) throw HidErrors.badReport('non-printable byte in code');
    this.buf.push(...data);
    this.joining = symbology;
    if (this.buf.length > MAX_CODE) throw HidErrors.badReport('code too long');
    if (more) return null;
    this.atEnd = true;
    if (!this.buf.length) throw HidErrors.badReport('empty code');
    this.atEnd = false;
    this.symbology = symbology;
    const code = String.fromCharCode(...this.buf);
    this.buf = [];
    return code;
  }
}

/** Builds the reports a HID POS scanner sends for a code: used by the simulated scanner, fakes and the VM gadget. */
export function hidPosReports(code: string, symbology = ']Q1'): Uint8Array[] {
  const bytes = [...code].map((c) => c.charCodeAt(0));
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += POS_DATA_MAX) {
    const chunk = bytes.slice(i, i + POS_DATA_MAX);
    const r = new Uint8Array(HID_POS_REPORT_LEN);
    r[0] = HID_POS_REPORT_ID;
    r[1] = chunk.length;
    r.set([...symbology].slice(0, 3).map((c) => c.charCodeAt(0)), 2);
    r.set(chunk, 5);
    r[63] = i + POS_DATA_MAX < bytes.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

/** The keyboard reports (press, release per character, then Enter) a US-layout scanner sends for a code. */
export function keyboardReports(code: string): Uint8Array[] {
  const us = LAYOUTS.us;
  const out: Uint8Array[] = [];
  const up = new Uint8Array(8);
  for (const ch of code) {
    const hit = Object.entries(us).find(([, v]) => v[0] === ch || v[1] === ch);
    if (!hit) throw new Error(`no key for ${JSON.stringify(ch)}`);
    const usage = Number(hit[0]);
    const shift = hit[1][0] === ch ? 0 : 0x02;
    out.push(Uint8Array.of(shift, 0, usage, 0, 0, 0, 0, 0), up);
  }
  out.push(Uint8Array.of(0, 0, 0x28, 0, 0, 0, 0, 0), up);
  return out;
}
