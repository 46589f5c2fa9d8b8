/**
 * Serial scanners: a scanner set to "USB serial" (USB CDC-ACM: /dev/ttyACM* on Linux, a COM
 * port on Windows 10+ with its built-in driver) or an RS-232 scanner on a USB-serial adapter.
 * Focus-independent like raw HID, and nothing needs detaching: the port is the scanner's alone.
 *
 * Two parts, as in every driver here:
 * - `SerialFramer` (pure): bytes with arrival times in, codes or refusals out. A code ends with
 *   CR or LF (CR LF counts once); its bytes come in one go, so a pause longer than
 *   `interByteTimeoutMs` inside a code means it was cut off: the part before the pause is
 *   refused, and so is what follows it up to the next CR/LF (else the last digits of a payment
 *   code would pass as a code of their own). A code is printable ASCII, `minLength`–`maxLength`
 *   characters; anything else is refused whole with a bilingual error and nothing is emitted.
 *   (The `serialport` package's parsers split on one delimiter or on silence, buffer without
 *   bound and decode to text, which hides the bytes we must refuse: hence this small framer.)
 * - `SerialScanner` (transport): opens the port at the configured baud rate, feeds the framer,
 *   emits one code per scan and ends with `disconnected` when the port goes away (unplug), so the
 *   device manager can open it again when it comes back. `loadSerial` loads the `serialport`
 *   package lazily (like `usb` in usb/host.ts): unit tests and hosts without it never load it.
 */
import { SERIAL_BAUD_RATES, type SERIAL_FLOW_CONTROLS } from '../../core/api/devices';
import type { AppError } from '../../core/api/errors';
import { hex4, isAccessDenied } from '../usb/webusb';
import { HidErrors, MAX_CODE } from './hid';
import type { ReaderEnd } from './usb-hid';

export interface SerialFrameOptions {
  /** Longest pause between two bytes of one code, ms. */
  interByteTimeoutMs: number;
  minLength: number;
  maxLength: number;
}

export const DEFAULT_SERIAL_FRAME: SerialFrameOptions = { interByteTimeoutMs: 100, minLength: 1, maxLength: MAX_CODE };

/** What follows a code cut off by a pause within this long is its tail, not a code. */
const TAIL_MS = 1000;
const CR = 0x0d;
const LF = 0x0a;

export type FrameResult = { code: string } | { refused: AppError };

export class SerialFramer {
  private buf: number[] = [];
  private lastAt = -Infinity;
  /** Why the frame being received is already refused (it is skipped up to its CR/LF). */
  private bad: string | null = null;
  /** A code was cut off at this time: what follows soon after, up to CR/LF, is its tail. */
  private cutAt = -Infinity;
  private readonly o: SerialFrameOptions;

  constructor(opts: Partial<SerialFrameOptions> = {}) {
    this.o = { ...DEFAULT_SERIAL_FRAME, ...opts };
  }

  get timeoutMs(): number {
    return this.o.interByteTimeoutMs;
  }

  /** Bytes that arrived at time `t` (ms). */
  push(bytes: Uint8Array, t: number): FrameResult[] {
    const out = this.flush(t);
    for (const b of bytes) {
      if (b === CR || b === LF) {
        this.end(out);
        continue;
      }
      if (this.bad === 'too_long') continue; // already refused: skip to its end
      if (!this.buf.length && !this.bad && t - this.cutAt <= TAIL_MS) this.bad = 'tail of a code cut off by a pause';
      if (b < 0x20 || b > 0x7e) this.bad ??= `byte 0x${b.toString(16).padStart(2, '0')} is not printable ASCII`;
      this.buf.push(b);
      if (this.buf.length > this.o.maxLength) {
        // Refused at once (not at its end, which may never come); the rest of the line is skipped.
        out.push({ refused: HidErrors.badReport(`code longer than ${this.o.maxLength} characters`) });
        this.buf = [];
        this.bad = 'too_long';
      }
    }
    if (bytes.length) this.lastAt = t;
    return out;
  }

  /** Time passes without bytes (call from a timer): a code left unfinished too long is refused. */
  flush(t: number): FrameResult[] {
    if (t - this.lastAt <= this.o.interByteTimeoutMs || (!this.buf.length && !this.bad)) return [];
    const out: FrameResult[] = [];
    const partial = this.buf.length > 0 && this.bad !== 'too_long';
    if (partial) out.push({ refused: HidErrors.badReport(this.bad ?? 'code cut off before its CR/LF') });
    this.buf = [];
    this.bad = null;
    if (partial) this.cutAt = t;
    return out;
  }

  /** Drops whatever was half received (after an unplug). */
  reset(): void {
    this.buf = [];
    this.bad = null;
    this.lastAt = -Infinity;
    this.cutAt = -Infinity;
  }

  private end(out: FrameResult[]): void {
    const bytes = this.buf;
    const bad = this.bad;
    this.buf = [];
    this.bad = null;
    this.cutAt = -Infinity;
    if (bad === 'too_long') return; // refused when it overflowed
    if (bad) return void out.push({ refused: HidErrors.badReport(bad) });
    if (!bytes.length) return; // the LF of CR LF, or a blank line
    if (bytes.length < this.o.minLength) return void out.push({ refused: HidErrors.badReport(`code shorter than ${this.o.minLength} characters`) });
    out.push({ code: String.fromCharCode(...bytes) });
  }
}

// --- transport ---------------------------------------------------------------------------------

/** A port as `serialport` lists it (vendor/product ids are hex strings, where the OS knows them). */
export interface SerialPortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
}

/** The slice of a `serialport` SerialPort the readers and the serial printer use (a fake one in the tests). */
export interface SerialPortLike {
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'end', fn: (err?: Error | null) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  /** Resolves once the bytes left this side (drained to the OS driver); under flow control that waits for the device. */
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** `rtscts`: hardware (RTS/CTS) flow control; `xonxoff`: software (XON/XOFF bytes); a scanner uses `none`. */
export type SerialFlowControl = (typeof SERIAL_FLOW_CONTROLS)[number];

export interface SerialLib {
  list(): Promise<SerialPortInfo[]>;
  open(path: string, baudRate: number, opts?: { flowControl?: SerialFlowControl }): Promise<SerialPortLike>;
}

export type SerialBaud = (typeof SERIAL_BAUD_RATES)[number];
export const DEFAULT_SERIAL_BAUD: SerialBaud = 9600;

export function parseSerialBaud(v: unknown): SerialBaud | null {
  const n = typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : v;
  return (SERIAL_BAUD_RATES as readonly unknown[]).includes(n) ? (n as SerialBaud) : null;
}

/** A port's USB ids as numbers, or null for a port that is not on USB (or ids the OS did not give). */
export function serialUsbIds(p: SerialPortInfo): { vendorId: number; productId: number } | null {
  if (!p.vendorId || !p.productId || !/^[0-9a-f]{4}$/i.test(p.vendorId) || !/^[0-9a-f]{4}$/i.test(p.productId)) return null;
  return { vendorId: parseInt(p.vendorId, 16), productId: parseInt(p.productId, 16) };
}

/** A stable id for a listed port: its USB ids and the port's name (`ttyacm0`, `com3`). */
export function serialPortKey(p: SerialPortInfo): string {
  const ids = serialUsbIds(p);
  const name = (p.path.split(/[\\/]/).pop() ?? p.path).toLowerCase().replace(/[^a-z0-9._-]/g, '');
  return ids ? `${hex4(ids.vendorId)}:${hex4(ids.productId)}:${name}` : `port:${name}`;
}

/** The `serialport` classes' shape: the real SerialPort, or SerialPortMock over a twin's binding. */
export interface SerialPortClass {
  list(): Promise<SerialPortInfo[]>;
  new (
    opts: { path: string; baudRate: number; autoOpen: false; rtscts?: boolean; xon?: boolean; xoff?: boolean },
    cb?: undefined,
  ): {
    open(cb: (err: Error | null) => void): void;
    on(event: string, fn: (...a: never[]) => void): unknown;
    write(data: Uint8Array, cb: (err: Error | null | undefined) => void): unknown;
    drain(cb: (err: Error | null) => void): void;
    close(cb: (err: Error | null) => void): void;
    readonly isOpen: boolean;
  };
}

/** A SerialLib over a `serialport` class (the real one from loadSerial; a twin's in the tests). */
export function serialLibOf(SerialPort: SerialPortClass): SerialLib {
  return {
    list: () => SerialPort.list(),
    open: (path, baudRate, opts = {}) =>
      new Promise<SerialPortLike>((res, rej) => {
        // `lock` (the default) opens the port exclusively on Linux/macOS: a second reader,
        // or another program, gets an error instead of stealing half the bytes.
        const flow = opts.flowControl ?? 'none';
        const port = new SerialPort({ path, baudRate, autoOpen: false, rtscts: flow === 'rtscts', xon: flow === 'xonxoff', xoff: flow === 'xonxoff' }, undefined);
        port.open((err) => {
          if (err) return rej(err);
          res({
            on: port.on.bind(port) as SerialPortLike['on'],
            write: (data) =>
              new Promise<void>((done, fail) => {
                port.write(data, (e) => (e ? fail(e) : port.drain((e2) => (e2 ? fail(e2) : done()))));
              }),
            close: () => new Promise<void>((done) => (port.isOpen ? port.close(() => done()) : done())),
          });
        });
      }),
  };
}

/** Loads `serialport` on demand; resolves null (with the reason) where it cannot load. */
export async function loadSerial(): Promise<{ lib: SerialLib | null; reason: string }> {
  try {
    const { SerialPort } = await import('serialport');
    return { lib: serialLibOf(SerialPort as unknown as SerialPortClass), reason: '' };
  } catch (e) {
    return { lib: null, reason: e instanceof Error ? e.message : String(e) };
  }
}

export interface SerialReaderEvents {
  onCode(code: string): void;
  /** Data was refused (garbage, a code cut off or too long): nothing was emitted for it. */
  onRefused(e: AppError): void;
  onEnd(why: ReaderEnd | 'busy'): void;
}

export class SerialScanner {
  private port: SerialPortLike | null = null;
  private running = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly framer: SerialFramer;
  private readonly now: () => number;

  constructor(
    private readonly lib: SerialLib,
    private readonly path: string,
    private readonly baudRate: number,
    private readonly events: SerialReaderEvents,
    opts: Partial<SerialFrameOptions> & { now?: () => number } = {},
  ) {
    this.framer = new SerialFramer(opts);
    this.now = opts.now ?? Date.now;
  }

  get active(): boolean {
    return this.running;
  }

  /** Opens the port and starts reading; resolves once open (or failed: see onEnd). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let port: SerialPortLike;
    try {
      port = await this.lib.open(this.path, this.baudRate);
    } catch (e) {
      this.running = false;
      const m = e instanceof Error ? e.message : String(e);
      // Linux: EACCES without the dialout group; "Cannot lock port" when another program has it.
      return this.events.onEnd(/lock|busy/i.test(m) ? 'busy' : isAccessDenied(e) ? 'no_permission' : 'disconnected');
    }
    if (!this.running) {
      await port.close().catch(() => {}); // stopped while opening
      return this.events.onEnd('stopped');
    }
    this.port = port;
    const gone = () => this.finish(port, this.running ? 'disconnected' : 'stopped');
    port.on('data', (chunk) => {
      if (this.port === port) this.deliver(this.framer.push(chunk, this.now()));
    });
    // An unplugged port closes with a "disconnected" error, or ends, or errors, by platform.
    port.on('close', gone);
    port.on('end', gone);
    port.on('error', gone);
    // A code cut off by a pause is refused even when no byte follows it.
    this.timer = setInterval(() => this.deliver(this.framer.flush(this.now())), Math.max(20, this.framer.timeoutMs));
    this.timer.unref?.();
  }

  /** Closes the port; resolves once it is closed. */
  async stop(): Promise<void> {
    this.running = false;
    const port = this.port;
    if (!port) return;
    await port.close().catch(() => {}); // an unplugged port may refuse to close: it is gone anyway
    this.finish(port, 'stopped');
  }

  private finish(port: SerialPortLike, why: ReaderEnd): void {
    if (this.port !== port) return; // already ended
    this.port = null;
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.framer.reset(); // half a code from before an unplug is never completed by the next one
    this.events.onEnd(why);
  }

  private deliver(results: FrameResult[]): void {
    for (const r of results) {
      if ('code' in r) this.events.onCode(r.code);
      else this.events.onRefused(r.refused);
    }
  }
}
