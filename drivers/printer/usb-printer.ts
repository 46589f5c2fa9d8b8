/**
 * ESC/POS over USB: a printer-class interface (class 7) with a bulk OUT endpoint for the job and
 * a bulk IN endpoint for status replies. A printer an installer chose by its vendor:product id
 * may instead offer a vendor-specific interface (class 0xff, same endpoints): some Chinese-market
 * printers do; it is only ever used for a device chosen so, since USB-serial chips look alike.
 *
 * - Jobs go out in chunks (4 KiB: small enough that a time-out loses little, large enough for
 *   full-speed bulk), each with its own time-out; a short write sends the rest.
 * - A stall is cleared (clearHalt) and the chunk retried once; a second stall fails the job.
 * - One transfer at a time per endpoint: writes and status queries share one queue, so a status
 *   poll never interleaves its DLE EOT with a job's bytes.
 * - Status, completion, buffer clear and drawer pulse go through the shared session
 *   (session.ts), bulk OUT/IN being its channel; without bulk IN the status is unknown.
 */
import { AppError } from '../../core/api/errors';
import { findInterface, isAccessDenied, isTimeout, openAndClaim, USB_CLASS_PRINTER, USB_CLASS_VENDOR, type UsbDeviceLike } from '../usb/webusb';
import { PrinterErrors, type Confirmation, type PrinterPort } from './port';
import { PrinterSession, type ByteChannel } from './session';
import type { PrinterStatus } from './status';

const EPSON = 0x04b8;

export interface UsbPrinterOptions {
  chunkSize?: number;
  writeTimeoutMs?: number;
  statusTimeoutMs?: number;
  /** Chosen by vendor:product id: a vendor-specific interface with bulk OUT is driven too. */
  vendorSpecific?: boolean;
  /** How long one read for the completion answer waits before the printer is asked DLE EOT 2. */
  confirmPollMs?: number;
  /** Status rounds the printer may stay silent (no answer at all) before a job is `unconfirmed`. */
  silentRounds?: number;
}

export class UsbPrinter implements PrinterPort {
  private queue: Promise<unknown> = Promise.resolve();
  private claimed: { iface: number; out: number; in: number | null } | null = null;
  private readonly o: Required<UsbPrinterOptions>;

  constructor(private readonly device: UsbDeviceLike, opts: UsbPrinterOptions = {}) {
    this.o = { chunkSize: 4096, writeTimeoutMs: 5000, statusTimeoutMs: 500, vendorSpecific: false, confirmPollMs: 250, silentRounds: 3, ...opts };
    this.session = new PrinterSession({ statusTimeoutMs: this.o.statusTimeoutMs, confirmPollMs: this.o.confirmPollMs, silentRounds: this.o.silentRounds });
  }

  sent = 0;
  private readonly session: PrinterSession;

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => {});
    return run;
  }

  private async claim(): Promise<{ out: number; in: number | null }> {
    if (this.claimed) return this.claimed;
    try {
      if (!this.device.opened) await this.device.open();
      if (!this.device.configuration) await this.device.selectConfiguration(1);
      const found = findInterface(this.device, USB_CLASS_PRINTER, { out: 'bulk' })
        ?? (this.o.vendorSpecific ? findInterface(this.device, USB_CLASS_VENDOR, { out: 'bulk' }) : null);
      if (!found) throw PrinterErrors.stalled();
      await openAndClaim(this.device, found.iface.interfaceNumber);
      const epIn = found.iface.alternate.endpoints.find((e) => e.direction === 'in' && e.type === 'bulk');
      this.claimed = { iface: found.iface.interfaceNumber, out: found.epOut!.endpointNumber, in: epIn?.endpointNumber ?? null };
      return this.claimed;
    } catch (e) {
      throw mapError(e);
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.serial(async () => {
      this.sent = 0;
      const ep = await this.claim();
      for (let off = 0; off < bytes.length; off += this.o.chunkSize) {
        await this.sendChunk(ep.out, bytes.subarray(off, Math.min(bytes.length, off + this.o.chunkSize)));
      }
    });
  }

  private async sendChunk(ep: number, chunk: Uint8Array): Promise<void> {
    let rest = chunk;
    let stalls = 0;
    while (rest.length) {
      let r;
      try {
        r = await this.device.transferOut(ep, rest, this.o.writeTimeoutMs);
      } catch (e) {
        throw this.failed(e);
      }
      if (r.status === 'stall') {
        if (++stalls > 1) throw PrinterErrors.stalled();
        try {
          await this.device.clearHalt('out', ep);
        } catch (e) {
          throw this.failed(e);
        }
        continue;
      }
      if (r.status !== 'ok' || r.bytesWritten < 0 || r.bytesWritten > rest.length) throw PrinterErrors.stalled();
      if (r.bytesWritten === 0) {
        if (++stalls > 1) throw PrinterErrors.timeout();
        continue;
      }
      rest = rest.subarray(r.bytesWritten);
      this.sent += r.bytesWritten;
    }
  }

  /** The endpoints as the shared session sees them (session.ts). */
  private channel(ep: { out: number; in: number | null }): ByteChannel {
    return {
      canRead: ep.in !== null,
      epson: this.device.vendorId === EPSON,
      send: (data) => this.out(ep.out, data),
      read: (ms) => this.readIn(ep.in!, ms),
    };
  }

  status(): Promise<PrinterStatus | null> {
    return this.serial(async () => this.session.status(this.channel(await this.claim())));
  }

  confirm(): Promise<Confirmation> {
    return this.serial(async () => this.session.confirm(this.channel(await this.claim())));
  }

  clearBuffer(): Promise<boolean> {
    return this.serial(async () => this.session.clearBuffer(this.channel(await this.claim())));
  }

  pulse(stopped: boolean): Promise<{ certain: boolean }> {
    return this.serial(async () => this.session.pulse(this.channel(await this.claim()), stopped));
  }

  private async out(ep: number, data: Uint8Array): Promise<void> {
    try {
      const w = await this.device.transferOut(ep, data, this.o.statusTimeoutMs);
      if (w.status !== 'ok') throw PrinterErrors.stalled();
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** One read of bulk IN; a time-out is an empty answer (the printer said nothing yet). */
  private async readIn(ep: number, timeoutMs: number): Promise<Uint8Array> {
    try {
      const r = await this.device.transferIn(ep, 64, timeoutMs);
      if (r.status !== 'ok' || !r.data) return new Uint8Array(0);
      return new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    } catch (e) {
      if (isTimeout(e)) return new Uint8Array(0);
      throw this.failed(e);
    }
  }

  private failed(e: unknown): AppError {
    const mapped = mapError(e);
    if (mapped.code === 'printer.disconnected') this.claimed = null;
    return mapped;
  }

  async close(): Promise<void> {
    const c = this.claimed;
    this.claimed = null;
    try {
      if (c) await this.device.releaseInterface(c.iface);
      if (this.device.opened) await this.device.close();
    } catch {
      // Closing a device that is already gone: nothing left to release.
    }
  }
}

function mapError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (isTimeout(e)) return PrinterErrors.timeout();
  if (isAccessDenied(e)) return PrinterErrors.noPermission();
  return PrinterErrors.disconnected();
}
