/**
 * Raw-HID scanner over USB: focus-independent (the keyboard wedge needs the app's window to have
 * focus; this does not). Claims the scanner's HID interface (detaching usbhid on Linux), reads
 * interrupt reports in a loop and emits one code per complete scan.
 *
 * The read loop: `usb` v3 rejects a transferIn that saw no report within its time-out with
 * "Cancelled" — the normal case for an idle scanner — so the loop catches that and goes round.
 * Only one transfer is ever outstanding on the endpoint. Any other failure (unplug) ends the
 * loop and reports `disconnected`; the device manager starts a new reader on replug.
 * Report format is chosen per report: 64 bytes starting 0x02 → HID POS, else boot keyboard.
 */
import { isAppError, type AppError } from '../../core/api/errors';
import { findInterface, isAccessDenied, isTimeout, openAndClaim, USB_CLASS_HID, type UsbDeviceLike } from '../usb/webusb';
import { HID_POS_REPORT_ID, HID_POS_REPORT_LEN, HidKeyboardDecoder, HidPosDecoder, type KeyboardDecoderOptions } from './hid';

export type ReaderEnd = 'stopped' | 'disconnected' | 'no_permission' | 'not_a_scanner';

export interface HidReaderEvents {
  onCode(code: string): void;
  /** A report was refused (garbage); the partial code was dropped. */
  onRefused(e: AppError): void;
  onEnd(why: ReaderEnd): void;
}

export class UsbHidScanner {
  private running = false;
  /** Cleared by `stop()`: a stop while the device is still being claimed must win. */
  private wanted = false;
  private loop: Promise<void> | null = null;
  private readonly kbd: HidKeyboardDecoder;
  private readonly pos = new HidPosDecoder();

  constructor(
    private readonly device: UsbDeviceLike,
    private readonly events: HidReaderEvents,
    opts: KeyboardDecoderOptions & { readTimeoutMs?: number } = {},
  ) {
    this.kbd = new HidKeyboardDecoder(opts);
    this.readTimeoutMs = opts.readTimeoutMs ?? 1000;
  }
  private readonly readTimeoutMs: number;

  get active(): boolean {
    return this.running;
  }

  /** Claims the device and starts reading; resolves once claimed (or failed: see onEnd). */
  async start(): Promise<void> {
    if (this.running) return;
    this.wanted = true;
    let ep: { iface: number; endpoint: number; size: number };
    try {
      if (!this.device.opened) await this.device.open();
      if (!this.device.configuration) await this.device.selectConfiguration(1);
      const found = findInterface(this.device, USB_CLASS_HID, { in: 'interrupt' });
      if (!found) return this.events.onEnd('not_a_scanner');
      await openAndClaim(this.device, found.iface.interfaceNumber);
      ep = { iface: found.iface.interfaceNumber, endpoint: found.epIn!.endpointNumber, size: found.epIn!.packetSize };
    } catch (e) {
      return this.events.onEnd(isAccessDenied(e) ? 'no_permission' : 'disconnected');
    }
    if (!this.wanted) {
      await this.release(ep.iface);
      return this.events.onEnd('stopped');
    }
    this.running = true;
    this.loop = this.read(ep);
  }

  private async read(ep: { iface: number; endpoint: number; size: number }): Promise<void> {
    let end: ReaderEnd = 'stopped';
    while (this.running) {
      let r;
      try {
        r = await this.device.transferIn(ep.endpoint, Math.max(ep.size, HID_POS_REPORT_LEN), this.readTimeoutMs);
      } catch (e) {
        if (isTimeout(e)) continue;
        end = 'disconnected';
        break;
      }
      if (r.status !== 'ok' || !r.data) continue; // a stalled interrupt read: the next one recovers
      const report = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
      // A zero-length packet (some devices end a full-size report with one) carries no report: it
      // must not be refused, which would drop the first part of a code spanning several reports.
      if (!report.length) continue;
      try {
        const isPos = report.length === HID_POS_REPORT_LEN && report[0] === HID_POS_REPORT_ID;
        const code = isPos ? this.pos.push(report) : this.kbd.push(report);
        if (code !== null) this.events.onCode(code);
      } catch (e) {
        if (!isAppError(e)) throw e;
        // A report cut short on the wire no longer looks like a HID POS one and is refused by the
        // keyboard decoder: the other decoder's partial code must go too, or its first part would
        // be glued to the next code.
        this.kbd.reset();
        this.pos.reset();
        this.events.onRefused(e);
      }
    }
    this.running = false;
    this.kbd.reset();
    this.pos.reset();
    await this.release(ep.iface);
    this.events.onEnd(end);
  }

  private async release(iface: number): Promise<void> {
    try {
      await this.device.releaseInterface(iface);
      await this.device.close();
    } catch {
      // The device is gone; there is nothing to release.
    }
  }

  /** Stops after the outstanding read returns (at most one read time-out), or once a claim under way is done. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.running = false;
    await this.loop;
  }
}
