/**
 * A network ESC/POS printer: raw TCP (port 9100, "JetDirect"/"RAW" on Chinese-market LAN
 * printers), the job and the status queries on the same socket, as Epson's and most clones'
 * Ethernet interfaces take them. Status, completion, buffer clear and drawer go through the
 * shared session (session.ts), the socket being its channel.
 *
 * - One connection, opened on first use and again after the printer closed it (a reset, a power
 *   cycle); a connect that does not succeed within `connectTimeoutMs` is printer.timeout, a
 *   refused one printer.disconnected.
 * - What the printer sends back is kept in order until read; a write resolves once the bytes are
 *   handed to the socket (`sent`): they may be in flight, so a failure after any is "may have
 *   printed", like USB.
 * - One thing at a time (a queue), so a status query never lands inside a job.
 */
import net from 'node:net';
import { PrinterErrors, type Confirmation, type PrinterPort } from './port';
import { PrinterSession, type ByteChannel } from './session';
import type { PrinterStatus } from './status';

export interface NetPrinterOptions {
  connectTimeoutMs?: number;
  writeTimeoutMs?: number;
  statusTimeoutMs?: number;
  confirmPollMs?: number;
  silentRounds?: number;
  /** The printer is an Epson (GS ( H, DLE DC4 1 certain); others get GS r 1. */
  epson?: boolean;
}

/** `host:port` as a device id part: an IPv4 address or a plain host name, port 1–65535. */
export function parseNetAddress(s: string): { host: string; port: number } | null {
  const m = /^([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?):(\d{1,5})$/i.exec(s);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!.toLowerCase(), port } : null;
}

export class NetPrinter implements PrinterPort {
  sent = 0;
  private socket: net.Socket | null = null;
  private inbox: number[] = [];
  private wake: (() => void) | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly session: PrinterSession;
  private readonly o: Required<NetPrinterOptions>;

  constructor(readonly host: string, readonly port: number, opts: NetPrinterOptions = {}) {
    this.o = { connectTimeoutMs: 3000, writeTimeoutMs: 10_000, statusTimeoutMs: 500, confirmPollMs: 250, silentRounds: 3, epson: false, ...opts };
    this.session = new PrinterSession(this.o);
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => {});
    return run;
  }

  private connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port });
      s.setNoDelay(true);
      const t = setTimeout(() => {
        s.destroy();
        reject(PrinterErrors.timeout());
      }, this.o.connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        this.socket = s;
        this.inbox = [];
        resolve(s);
      });
      s.on('data', (d: Buffer) => {
        this.inbox.push(...d);
        this.wake?.();
      });
      s.on('error', () => {
        clearTimeout(t);
        reject(PrinterErrors.disconnected());
      });
      s.on('close', () => {
        if (this.socket === s) this.socket = null;
        this.wake?.();
      });
    });
  }

  private async send(data: Uint8Array): Promise<void> {
    const s = await this.connect();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(PrinterErrors.timeout()), this.o.writeTimeoutMs);
      s.write(data, (err) => {
        clearTimeout(t);
        if (err) reject(PrinterErrors.disconnected());
        else resolve();
      });
    });
  }

  private async read(timeoutMs: number): Promise<Uint8Array> {
    if (!this.inbox.length && this.socket) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          this.wake = null;
          r();
        }, timeoutMs);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          r();
        };
      });
    }
    if (!this.inbox.length && !this.socket) throw PrinterErrors.disconnected();
    return Uint8Array.from(this.inbox.splice(0));
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.serial(async () => {
      this.sent = 0;
      await this.send(bytes);
      this.sent = bytes.length;
    });
  }

  status(): Promise<PrinterStatus | null> {
    return this.serial(() => this.session.status(this.ch()));
  }

  confirm(): Promise<Confirmation> {
    return this.serial(() => this.session.confirm(this.ch()));
  }

  clearBuffer(): Promise<boolean> {
    return this.serial(() => this.session.clearBuffer(this.ch()));
  }

  pulse(stopped: boolean): Promise<{ certain: boolean }> {
    return this.serial(() => this.session.pulse(this.ch(), stopped));
  }

  private ch(): ByteChannel {
    return { canRead: true, epson: this.o.epson, send: (b) => this.send(b), read: (ms) => this.read(ms) };
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    this.socket = null;
  }
}
