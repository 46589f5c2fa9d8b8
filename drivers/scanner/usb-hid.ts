/**
 * Raw-HID scanner over USB: focus-independent (the keyboard wedge needs the app's window to have
 * focus; this does not). Claims the scanner's HID interface (detaching usbhid on Linux), reads
 * interrupt reports in a loop and emits one code per complete scan.
 *
 * The read loop: `usb` v3 rejects a transferIn that saw no report within its time-out with
 * "Cancelled" — the normal case for an idle scanner — so the loop catches that and goes round.
 * Only one transfer is ever outstanding on the endpoint. Any other failure (unplug) ends the
 * loop and reports `disconnected`; the device manager starts a new reader on replug.
 * The report descriptor is read here (GET_DESCRIPTOR 0x22); decoding it and the reports — one
 * path for every transport, the tail guard included — is hid-reader.ts.
 */
import { findInterface, isAccessDenied, isTimeout, openAndClaim, USB_CLASS_HID, type UsbDeviceLike } from '../usb/webusb';
import { HID_POS_REPORT_LEN, type KeyboardDecoderOptions } from './hid';
import { READ_TIMEOUT_MS } from './hid-reader';
import { HidReportReader, layoutFromDescriptor, type HidReaderEvents, type HidReportSource, type ReaderEnd } from './hid-reader';

export type { HidReaderEvents, HidReportSource, ReaderEnd } from './hid-reader';

/** Reads the interface's HID report descriptor (GET_DESCRIPTOR, type 0x22) and parses it. */
export async function readReportLayout(device: UsbDeviceLike, iface: number): Promise<HidReportSource> {
  if (!device.controlTransferIn) return { from: 'guess', why: 'no control transfers on this host' };
  try {
    const r = await device.controlTransferIn({ requestType: 'standard', recipient: 'interface', request: 0x06, value: 0x2200, index: iface }, 4096);
    if (r.status !== 'ok' || !r.data || !r.data.byteLength) return { from: 'guess', why: `descriptor request ${r.status}` };
    return layoutFromDescriptor(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
  } catch (e) {
    return { from: 'guess', why: e instanceof Error ? e.message : String(e) };
  }
}

export class UsbHidScanner {
  private running = false;
  /** Cleared by `stop()`: a stop while the device is still being claimed must win. */
  private wanted = false;
  private loop: Promise<void> | null = null;
  private readonly decode: HidReportReader;
  /** How reports are told apart, once claimed (null before). */
  layout: HidReportSource | null = null;

  constructor(
    private readonly device: UsbDeviceLike,
    private readonly events: HidReaderEvents,
    opts: KeyboardDecoderOptions & { readTimeoutMs?: number } = {},
  ) {
    this.decode = new HidReportReader(events, opts);
    this.readTimeoutMs = opts.readTimeoutMs ?? READ_TIMEOUT_MS;
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
      this.decode.use(this.layout);
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
          this.decode.idle(Date.now(), this.readTimeoutMs);
          continue;
        }
        end = 'disconnected';
        break;
      }
      if (r.status !== 'ok' || !r.data) continue; // a stalled interrupt read: the next one recovers
      this.decode.transfer(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength), Date.now());
    }
    this.running = false;
    this.decode.reset();
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
