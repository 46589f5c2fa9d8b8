/**
 * Raw-HID scanner over USB: focus-independent (the keyboard wedge needs the app's window to have
 * focus; this does not). Claims the scanner's HID interface (detaching usbhid on Linux), reads
 * interrupt reports in a loop and emits one code per complete scan.
 *
 * The read loop: `usb` v3 rejects a transferIn that saw no report within its time-out with
 * "Cancelled" — the normal case for an idle scanner — so the loop catches that and goes round.
 * Only one transfer is ever outstanding on the endpoint. Any other failure (unplug) ends the
 * loop and reports `disconnected`; the device manager starts a new reader on replug.
 * The report format comes from the device's HID report descriptor (hid-descriptor.ts): a
 * keyboard collection's reports go to the keyboard decoder, a Bar Code Scanner (0x8C) one's to
 * the HID POS decoder, and a transfer holding several reports (coalesced keyboard reports) is
 * split. Only a device whose descriptor cannot be read is guessed at per report (64 bytes
 * starting 0x02 → HID POS, else keyboard), and `layout` says so.
 * After any refused report the rest of that scan is its tail (hid.ts), for both decoders.
 */
import { isAppError, type AppError } from '../../core/api/errors';
import { findInterface, isAccessDenied, isTimeout, openAndClaim, USB_CLASS_HID, type UsbDeviceLike } from '../usb/webusb';
import { HID_POS_REPORT_ID, HID_POS_REPORT_LEN, HidKeyboardDecoder, HidPosDecoder, type KeyboardDecoderOptions } from './hid';
import { parseReportDescriptor, splitTransfer, type HidLayout } from './hid-descriptor';

/** What the reader knows of the device's reports: from its descriptor, or guessed (it gave none). */
export type HidReportSource = { from: 'descriptor'; layout: HidLayout } | { from: 'guess'; why: string };

/** Reads the interface's HID report descriptor (GET_DESCRIPTOR, type 0x22) and parses it. */
export async function readReportLayout(device: UsbDeviceLike, iface: number): Promise<HidReportSource> {
  if (!device.controlTransferIn) return { from: 'guess', why: 'no control transfers on this host' };
  try {
    const r = await device.controlTransferIn({ requestType: 'standard', recipient: 'interface', request: 0x06, value: 0x2200, index: iface }, 4096);
    if (r.status !== 'ok' || !r.data || !r.data.byteLength) return { from: 'guess', why: `descriptor request ${r.status}` };
    const layout = parseReportDescriptor(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
    if (!layout) return { from: 'guess', why: 'malformed report descriptor' };
    if (!layout.keyboard && !layout.pos) return { from: 'guess', why: 'no keyboard or bar code scanner collection' };
    return { from: 'descriptor', layout };
  } catch (e) {
    return { from: 'guess', why: e instanceof Error ? e.message : String(e) };
  }
}

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
  private kbd: HidKeyboardDecoder;
  private readonly kbdOpts: KeyboardDecoderOptions;
  private readonly pos = new HidPosDecoder();
  /** How reports are told apart, once claimed (null before). */
  layout: HidReportSource | null = null;

  constructor(
    private readonly device: UsbDeviceLike,
    private readonly events: HidReaderEvents,
    opts: KeyboardDecoderOptions & { readTimeoutMs?: number } = {},
  ) {
    this.kbdOpts = opts;
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
      this.layout = await readReportLayout(this.device, ep.iface);
      const kb = this.layout.from === 'descriptor' ? this.layout.layout.keyboard : null;
      // A keyboard collection with a report id: the keyboard decoder expects that id in front.
      if (kb?.reportId != null && this.kbdOpts.reportId == null) this.kbd = new HidKeyboardDecoder({ ...this.kbdOpts, reportId: kb.reportId });
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
        if (isTimeout(e)) {
          // No report for a while: a code left unfinished is refused now, not glued to the next one.
          this.kbd.idle(Date.now());
          this.pos.idle(Date.now());
          this.reportRefusals();
          continue;
        }
        end = 'disconnected';
        break;
      }
      if (r.status !== 'ok' || !r.data) continue; // a stalled interrupt read: the next one recovers
      const report = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
      // A zero-length packet (some devices end a full-size report with one) carries no report: it
      // must not be refused, which would drop the first part of a code spanning several reports.
      if (!report.length) continue;
      const t = Date.now();
      for (const { kind, report: one } of this.reports(report)) {
        try {
          const code = kind === 'pos' ? this.pos.push(one, t) : this.kbd.push(one, t);
          this.reportRefusals();
          if (code !== null) this.events.onCode(code);
        } catch (e) {
          if (!isAppError(e)) throw e;
          this.reportRefusals();
          // A report cut short on the wire may no longer look like its kind: the other decoder's
          // partial code goes too (its rest is a tail), or its first part would be glued to the next code.
          if (kind === 'pos') this.kbd.cut();
          else this.pos.cut();
          this.events.onRefused(e);
        }
      }
    }
    this.running = false;
    this.kbd.reset();
    this.pos.reset();
    await this.release(ep.iface);
    this.events.onEnd(end);
  }

  /** The reports in one transfer, each with its kind; a transfer that is none is one refused keyboard report. */
  private reports(t: Uint8Array): { kind: 'keyboard' | 'pos'; report: Uint8Array }[] {
    const l = this.layout;
    if (l?.from === 'descriptor') {
      const split = splitTransfer(t, l.layout);
      if (split) return split;
      // Not whole reports of this device: refused by the decoder it would be for (with its tail).
      return [{ kind: l.layout.pos && !l.layout.keyboard ? 'pos' : 'keyboard', report: t }];
    }
    return [{ kind: t.length === HID_POS_REPORT_LEN && t[0] === HID_POS_REPORT_ID ? 'pos' : 'keyboard', report: t }];
  }

  private reportRefusals(): void {
    for (const e of [...this.kbd.takeRefused(), ...this.pos.takeRefused()]) this.events.onRefused(e);
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
