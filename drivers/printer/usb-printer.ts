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
 */
import { AppError } from '../../core/api/errors';
import { findInterface, isAccessDenied, isTimeout, openAndClaim, USB_CLASS_PRINTER, USB_CLASS_VENDOR, type UsbDeviceLike } from '../usb/webusb';
import { statusQuery } from './escpos';
import { PrinterErrors, type PrinterPort } from './port';
import { parseOfflineCause, parsePaperStatus, type PrinterStatus } from './status';

export interface UsbPrinterOptions {
  chunkSize?: number;
  writeTimeoutMs?: number;
  statusTimeoutMs?: number;
  /** Chosen by vendor:product id: a vendor-specific interface with bulk OUT is driven too. */
  vendorSpecific?: boolean;
}

export class UsbPrinter implements PrinterPort {
  private queue: Promise<unknown> = Promise.resolve();
  private claimed: { iface: number; out: number; in: number | null } | null = null;
  private readonly o: Required<UsbPrinterOptions>;

  constructor(private readonly device: UsbDeviceLike, opts: UsbPrinterOptions = {}) {
    this.o = { chunkSize: 4096, writeTimeoutMs: 5000, statusTimeoutMs: 500, vendorSpecific: false, ...opts };
  }

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
    }
  }

  status(): Promise<PrinterStatus> {
    return this.serial(async () => {
      const ep = await this.claim();
      if (ep.in === null) return { paperOut: false, paperNearEnd: false, coverOpen: false, error: false, offline: false };
      const paper = parsePaperStatus(await this.ask(ep, 4));
      const cause = parseOfflineCause(await this.ask(ep, 2));
      return { ...paper, coverOpen: cause.coverOpen, error: cause.error, paperOut: paper.paperOut || cause.paperOut, offline: false };
    });
  }

  /** Sends DLE EOT n and reads the one-byte reply (the last byte, should ASB bytes precede it). */
  private async ask(ep: { out: number; in: number | null }, n: 1 | 2 | 4): Promise<Uint8Array> {
    try {
      const w = await this.device.transferOut(ep.out, statusQuery(n), this.o.statusTimeoutMs);
      if (w.status !== 'ok') throw PrinterErrors.stalled();
      const r = await this.device.transferIn(ep.in!, 64, this.o.statusTimeoutMs);
      if (r.status !== 'ok' || !r.data || r.data.byteLength === 0) return new Uint8Array(0);
      return Uint8Array.of(r.data.getUint8(r.data.byteLength - 1));
    } catch (e) {
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
