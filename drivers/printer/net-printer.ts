/**
 * A network ESC/POS printer: raw TCP (port 9100, "JetDirect"/"RAW" on Chinese-market LAN
 * printers), the job and the status queries on the same socket, as Epson's and most clones'
 * Ethernet interfaces take them. Status, completion, buffer clear and drawer go through the
 * shared session (session.ts), the socket being its channel.
 *
 * - One connection, opened on first use and again after the printer closed it (a reset, a power
 *   cycle); a connect that does not succeed within `connectTimeoutMs` is printer.timeout, a
 *   refused one printer.disconnected.
 * - A write resolves once the bytes are handed to the socket (`sent`): they may be in flight, so
 *   a failure after any is "may have printed", like USB. Replies, the queue: stream-printer.ts.
 */
import net from 'node:net';
import { PrinterErrors } from './port';
import { StreamPrinter } from './stream-printer';

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

export class NetPrinter extends StreamPrinter {
  private socket: net.Socket | null = null;
  private readonly o: Required<NetPrinterOptions>;

  constructor(readonly host: string, readonly port: number, opts: NetPrinterOptions = {}) {
    const o = { connectTimeoutMs: 3000, writeTimeoutMs: 10_000, statusTimeoutMs: 500, confirmPollMs: 250, silentRounds: 3, epson: false, ...opts };
    super(o.epson, o);
    this.o = o;
  }

  protected get linked(): boolean {
    return this.socket !== null;
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
        this.linkOpened();
        resolve(s);
      });
      s.on('data', (d: Buffer) => this.received(d));
      s.on('error', () => {
        clearTimeout(t);
        reject(PrinterErrors.disconnected());
      });
      s.on('close', () => {
        if (this.socket === s) this.socket = null;
        this.linkClosed();
      });
    });
  }

  protected async send(data: Uint8Array): Promise<void> {
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

  async close(): Promise<void> {
    this.socket?.destroy();
    this.socket = null;
  }
}
