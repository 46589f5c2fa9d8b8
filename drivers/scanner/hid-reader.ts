/**
 * The one decoding path of a raw HID scanner, whatever carries its reports: libusb
 * (usb-hid.ts, interrupt transfers) or hidapi through `node-hid` (node-hid.ts, hidraw on Linux,
 * the OS's HID stack on Windows and macOS). A transport hands over each transfer as it came, and
 * the time passing when none came; everything else is here and nowhere else:
 * - the report format comes from the device's HID report descriptor (hid-descriptor.ts): a
 *   keyboard collection's reports go to the keyboard decoder, a Bar Code Scanner (0x8C) one's to
 *   the HID POS decoder, and a transfer holding several reports (coalesced keyboard reports) is
 *   split. Where a transport has no descriptor (hidapi on Windows and macOS gives none) the
 *   collection's usage, which the OS reports, says the kind; only a device that gives neither is
 *   guessed at per report (64 bytes starting 0x02 → HID POS, else keyboard), and `source` says so;
 * - after any refused report the rest of that scan is its tail (hid.ts), for both decoders;
 * - a code left unfinished is refused when time passes without its next report (`idle`).
 */
import { isAppError, type AppError } from '../../core/api/errors';
import { HID_POS_REPORT_ID, HID_POS_REPORT_LEN, HidKeyboardDecoder, HidPosDecoder, type KeyboardDecoderOptions } from './hid';
import { parseReportDescriptor, splitTransfer, type HidLayout } from './hid-descriptor';

/**
 * What the reader knows of the device's reports: from its descriptor; from the usage of its
 * collection as the OS reports it (no descriptor through that transport); or guessed.
 */
export type HidReportSource =
  | { from: 'descriptor'; layout: HidLayout }
  | { from: 'usage'; layout: HidLayout }
  | { from: 'guess'; why: string };

export type ReaderEnd = 'stopped' | 'disconnected' | 'no_permission' | 'not_a_scanner';

/**
 * How long a transport's read waits for a report. Pauses inside a code are counted in these empty
 * reads (the device's silence, not the machine's speed), so it stays well under POS_GAP_MS: a
 * HID POS scanner that stops half-way shows as two empty reads before its next code.
 */
export const READ_TIMEOUT_MS = 200;

export interface HidReaderEvents {
  onCode(code: string): void;
  /** A report was refused (garbage); the partial code was dropped. */
  onRefused(e: AppError): void;
  onEnd(why: ReaderEnd): void;
}

/** A report descriptor's bytes → what the reader knows (guessing, and saying why, when they tell nothing). */
export function layoutFromDescriptor(d: Uint8Array): HidReportSource {
  const layout = parseReportDescriptor(d);
  if (!layout) return { from: 'guess', why: 'malformed report descriptor' };
  if (!layout.keyboard && !layout.pos) return { from: 'guess', why: 'no keyboard or bar code scanner collection' };
  return { from: 'descriptor', layout };
}

/**
 * The collection's usage as the OS lists it (hidapi's usagePage/usage) → the kind of its reports,
 * in their standard form: the boot keyboard's 8 bytes, the Scanned Data Report's 64 with id 2.
 * A device that sends them otherwise has its reports refused (never misread) by the decoders.
 */
export function layoutFromUsage(usagePage: number | undefined, usage: number | undefined): HidReportSource {
  if (usagePage === 0x8c) return { from: 'usage', layout: { keyboard: null, pos: { reportId: HID_POS_REPORT_ID, length: HID_POS_REPORT_LEN } } };
  if (usagePage === 0x01 && usage === 0x06) return { from: 'usage', layout: { keyboard: { reportId: null, length: 8 }, pos: null } };
  return { from: 'guess', why: `collection usage ${usagePage ?? '?'}:${usage ?? '?'} is neither a keyboard nor a bar code scanner` };
}

/** Decodes one scanner's transfers into codes and refusals. Keep one per device. */
export class HidReportReader {
  private kbd: HidKeyboardDecoder;
  private readonly pos = new HidPosDecoder();
  /** How reports are told apart (set once the transport knows; a guess before). */
  source: HidReportSource = { from: 'guess', why: 'not read yet' };

  constructor(
    private readonly events: Pick<HidReaderEvents, 'onCode' | 'onRefused'>,
    private readonly kbdOpts: KeyboardDecoderOptions = {},
  ) {
    this.kbd = new HidKeyboardDecoder(kbdOpts);
  }

  /** Takes what the transport learnt of the device's reports. */
  use(source: HidReportSource): void {
    this.source = source;
    const kb = source.from === 'guess' ? null : source.layout.keyboard;
    // A keyboard collection with a report id: the keyboard decoder expects that id in front.
    if (kb?.reportId != null && this.kbdOpts.reportId == null) this.kbd = new HidKeyboardDecoder({ ...this.kbdOpts, reportId: kb.reportId });
  }

  /** One transfer as it came off the device, at `t`. */
  transfer(bytes: Uint8Array, t: number): void {
    // A zero-length packet (some devices end a full-size report with one) carries no report: it
    // must not be refused, which would drop the first part of a code spanning several reports.
    if (!bytes.length) return;
    for (const { kind, report } of this.reports(bytes)) {
      try {
        const code = kind === 'pos' ? this.pos.push(report, t) : this.kbd.push(report, t);
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

  /**
   * A read came back empty at `t` after waiting `quietMs`: the device had nothing to send. A code
   * left unfinished longer than its gap of such silence is refused now, not glued to the next one;
   * a report that is merely late (the machine slow to ask) cuts nothing (hid.ts, TailGuard).
   */
  idle(t: number, quietMs: number): void {
    this.kbd.idle(t, quietMs);
    this.pos.idle(t, quietMs);
    this.reportRefusals();
  }

  /** The device went away or the reader stopped: nothing half read survives. */
  reset(): void {
    this.kbd.reset();
    this.pos.reset();
  }

  /** The reports in one transfer, each with its kind; a transfer that is none is one refused report. */
  private reports(t: Uint8Array): { kind: 'keyboard' | 'pos'; report: Uint8Array }[] {
    const s = this.source;
    if (s.from !== 'guess') {
      const split = splitTransfer(t, s.layout);
      if (split) return split;
      // Not whole reports of this device: refused by the decoder it would be for (with its tail).
      return [{ kind: s.layout.pos && !s.layout.keyboard ? 'pos' : 'keyboard', report: t }];
    }
    return [{ kind: t.length === HID_POS_REPORT_LEN && t[0] === HID_POS_REPORT_ID ? 'pos' : 'keyboard', report: t }];
  }

  private reportRefusals(): void {
    for (const e of [...this.kbd.takeRefused(), ...this.pos.takeRefused()]) this.events.onRefused(e);
  }
}
