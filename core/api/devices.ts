/**
 * Devices as the UI sees them: the receipt printer (and the cash drawer on its kick port), the
 * barcode/QR scanner, the face camera. The device manager (drivers/manager.ts) owns them; this
 * file is only the contract. A device's trouble (paper out, unplugged, udev permissions) arrives
 * as `devices:changed` with a bilingual message; it never blocks or undoes a payment.
 *
 * Device states:
 * - `ready`          usable now
 * - `busy`           printing (jobs queue behind it)
 * - `paper_out`      the printer reported paper end (DLE EOT 4)
 * - `cover_open`     the printer reported its cover open (DLE EOT 2)
 * - `error`          the printer reported an error, or a transfer failed
 * - `disconnected`   selected but not attached (unplugged); it is picked up again on replug
 * - `no_permission`  attached but the OS refused access (Linux: udev rule missing; Windows: no WinUSB driver)
 * - `unavailable`    this host has no USB access at all
 */
import { z } from 'zod';
import { Id, method, Ok } from './define';
import { AppErrorShape } from './errors';
import { Message } from './payments';

export const DeviceKind = z.enum(['printer', 'scanner', 'camera']);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const DeviceState = z.enum(['ready', 'busy', 'paper_out', 'cover_open', 'error', 'disconnected', 'no_permission', 'unavailable']);
export type DeviceState = z.infer<typeof DeviceState>;

/** Baud rates a serial scanner may be set to (the scanner's own setting must match; USB CDC-ACM ignores it). */
export const SERIAL_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
/** Flow control a serial printer may be set to (the printer's DIP switches or setup page say which). */
export const SERIAL_FLOW_CONTROLS = ['none', 'rtscts', 'xonxoff'] as const;

export const DeviceInfo = z.object({
  /** Stable id: `printer:sim`, `scanner:usb:0c2e:0b61:1-2`, `scanner:serial:05e0:1701:ttyacm0`, `scanner:wedge`; chosen by ids alone: `scanner:usb:1a86:e026` … */
  id: z.string(),
  kind: DeviceKind,
  /**
   * `serial`: a scanner in USB-serial mode (CDC-ACM, a COM port on Windows) or on an RS-232 adapter.
   * `network`: a raw-TCP (port 9100) ESC/POS printer, chosen as `printer:net:HOST:PORT`.
   * `serial` is also a serial / virtual-COM ESC/POS printer, `printer:serial:<port key>`.
   * `queue`: a printer through the OS print queue, raw (CUPS `printer:cups:QUEUE`, the Windows
   * spooler `printer:win:<hex of the name>`): the queue cannot tell the printer's status.
   */
  transport: z.enum(['usb', 'serial', 'wedge', 'simulated', 'network', 'queue']),
  /** Model name from the table of known devices, or the USB product string. */
  name: z.string(),
  vendorId: z.number().int().min(0).max(0xffff).nullable(),
  productId: z.number().int().min(0).max(0xffff).nullable(),
  selected: z.boolean(),
  state: DeviceState,
  /** What is wrong and what to do, in both languages; null when ready. */
  message: Message.nullable(),
  /** Linux only, with `no_permission`: the udev rule an installer adds. */
  udevRule: z.string().nullable(),
  /** Printers: paper width in mm. */
  paperWidth: z.union([z.literal(58), z.literal(80)]).nullable(),
  /** Serial scanners and printers: the baud rate the port is opened at. */
  serialBaud: z.literal(SERIAL_BAUD_RATES).nullable(),
  /** Serial printers: the flow control the port is opened with. */
  flowControl: z.enum(SERIAL_FLOW_CONTROLS).nullable().optional(),
  /**
   * Printers: which path the app prints through, and what it cannot know there (status); raw-HID
   * scanners: which path reads them (node-hid / hidapi, or libusb) and why, per OS. In both languages.
   */
  via: Message.nullable().optional(),
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;

/**
 * `printed`: the printer confirmed completion (drivers/printer/confirm.ts); `unconfirmed`: sent,
 * but the printer cannot or did not confirm it (no status channel) — check the paper.
 */
export const PrintJobState = z.enum(['queued', 'printing', 'printed', 'unconfirmed', 'failed']);
export const PrintJob = z.object({
  id: z.string(),
  kind: z.enum(['receipt', 'test']),
  orderNo: z.string().nullable(),
  state: PrintJobState,
  /** Why it failed (paper out, unplugged …); the job is kept for `devices:reprint`. */
  error: AppErrorShape.nullable(),
  createdAt: z.number().int(),
  /** Bytes of it reached the printer (unconfirmed, or stopped part-way): a reprint is marked 重打 / COPY. */
  mayHavePrinted: z.boolean().optional(),
});
export type PrintJob = z.infer<typeof PrintJob>;

/** What a device chosen by its USB vendor:product id is to be used as. */
export const UsbIdKind = z.enum(['hid_scanner', 'serial_scanner', 'printer']);
export type UsbIdKind = z.infer<typeof UsbIdKind>;

/**
 * A USB device (or a USB serial port) attached now that the app does not use by itself: not a
 * printer-class device, not a scanner of a maker in drivers/scanner/known.ts, not chosen yet.
 * Hubs, and devices with nothing a scanner or printer could use (USB sticks, cameras), are left out.
 */
export const UnrecognisedDevice = z.object({
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  /** The product (or maker) string the device reports, if any. */
  name: z.string().nullable(),
  /** Serial ports: where it is (`COM3`, `/dev/ttyUSB0`). */
  port: z.string().nullable(),
  /** What it could be used as, by what its descriptors offer (a serial port makes it serial only). */
  kinds: z.array(UsbIdKind),
  /** Set when choosing it would be refused (a keyboard or mouse, as far as the app can tell): why. */
  refusal: Message.nullable(),
});
export type UnrecognisedDevice = z.infer<typeof UnrecognisedDevice>;

/**
 * A printer the app could print to by another path than USB: a serial port (any listed, with or
 * without USB ids), a CUPS queue, a Windows printer. `id` is what `devices:select` takes.
 */
export const PrinterCandidate = z.object({
  id: z.string(),
  path: z.enum(['serial', 'cups', 'windows']),
  /** The port (`/dev/ttyUSB0`, `COM3`) or the queue's / printer's name. */
  name: z.string(),
  /** What the OS says of it (maker, queue device, driver), if anything. */
  detail: z.string().nullable(),
});
export type PrinterCandidate = z.infer<typeof PrinterCandidate>;

export const DeviceList = z.object({
  devices: z.array(DeviceInfo),
  /** Jobs that failed and are kept for reprinting, newest first. */
  failedJobs: z.array(PrintJob),
  /** Attached USB devices and USB serial ports not recognised (yet), for the "by USB id" form. */
  unrecognised: z.array(UnrecognisedDevice),
  /** Serial ports, CUPS queues and Windows printers a receipt printer could be used through. */
  printerCandidates: z.array(PrinterCandidate).optional(),
});
export type DeviceList = z.infer<typeof DeviceList>;

/** One run of text on a printed line, with the style the printer applied to it. */
export const PrintedRun = z.object({
  text: z.string(),
  bold: z.boolean(),
  /** Character magnification (GS !): 1–8 each way. */
  width: z.number().int().min(1).max(8),
  height: z.number().int().min(1).max(8),
});
export const PrintedBlock = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), align: z.enum(['left', 'center', 'right']), runs: z.array(PrintedRun) }),
  /** `matrix`: one string per row, '1' = dark module, rebuilt from the QR data the printer received. */
  /** `dots` (QR and barcode): the printed width in dots, computed from the bytes (symbol × module width). */
  z.object({ kind: z.literal('qr'), align: z.enum(['left', 'center', 'right']), content: z.string(), moduleSize: z.number().int(), errorLevel: z.enum(['L', 'M', 'Q', 'H']), matrix: z.array(z.string()), dots: z.number().int().optional() }),
  z.object({ kind: z.literal('barcode'), align: z.enum(['left', 'center', 'right']), symbology: z.string(), content: z.string(), showText: z.boolean(), dots: z.number().int().optional() }),
  z.object({ kind: z.literal('cut'), partial: z.boolean() }),
  z.object({ kind: z.literal('pulse'), pin: z.number().int().min(0).max(1), onMs: z.number().int(), offMs: z.number().int() }),
]);
export type PrintedBlock = z.infer<typeof PrintedBlock>;

/** What the simulated printer made of the bytes it received: what the paper would show. */
export const PrintedReceipt = z.object({
  columns: z.number().int(),
  blocks: z.array(PrintedBlock),
});
export type PrintedReceipt = z.infer<typeof PrintedReceipt>;

export const SimulateAction = z.enum(['paper_out', 'paper_in', 'scanner_unplug', 'scanner_replug', 'scan']);

export const deviceMethods = {
  /** Every known device with its status, and the failed print jobs kept for reprinting. */
  'devices:list': method({ input: z.object({}).strict(), output: DeviceList, access: 'operator' }),
  /**
   * Choose the printer or scanner to use (and the printer's paper width, a serial scanner's baud
   * rate). A scanner whose maker the app does not know is chosen by `scanner:usb:vvvv:pppp` or
   * `scanner:serial:vvvv:pppp` (its USB vendor:product id, whatever port it is plugged into), a
   * printer likewise by `printer:usb:vvvv:pppp`; such a choice is checked as `devices:chooseByIds`.
   * Other printer paths (`printerCandidates`): `printer:serial:<port key>` (with `serialBaud` and
   * `flowControl`), `printer:cups:QUEUE`, `printer:win:<hex>`, `printer:net:HOST:PORT`.
   */
  'devices:select': method({
    input: z
      .object({
        deviceId: z.string().min(1).max(160).regex(/^[a-z]+:[a-z0-9_:.-]+$/),
        paperWidth: z.union([z.literal(58), z.literal(80)]).optional(),
        serialBaud: z.literal(SERIAL_BAUD_RATES).optional(),
        /** A serial printer's flow control. */
        flowControl: z.enum(SERIAL_FLOW_CONTROLS).optional(),
      })
      .strict(),
    output: DeviceList,
    access: ['supervisor', 'admin', 'trainer'],
  }),
  /**
   * Use a device by its USB vendor:product id (any port), as an installer types it from the label
   * or picks it from `unrecognised`: a raw-HID scanner, a serial scanner, or a printer. The ids
   * come as typed (4 hex digits each) and are checked by the device manager, which refuses with
   * a bilingual error and changes nothing: not 4 hex digits, 0000/FFFF, a keyboard or mouse as far
   * as it can tell, or an attached device that offers nothing of the kind chosen. Then as
   * `devices:select` of `scanner:usb:vvvv:pppp`, `scanner:serial:vvvv:pppp` or `printer:usb:vvvv:pppp`:
   * kept across unplugging and restarts.
   */
  'devices:chooseByIds': method({
    input: z.object({ kind: UsbIdKind, vendorId: z.string().max(32), productId: z.string().max(32) }).strict(),
    output: DeviceList,
    access: ['supervisor', 'admin', 'trainer'],
  }),
  /** Print a test page (Chinese, QR, barcode) on the selected printer. */
  'devices:testPrint': method({ input: z.object({}).strict(), output: PrintJob, access: 'operator' }),
  /** Open the cash drawer through the printer's kick port. (A cash sale opens it through the service, not this call.) */
  'devices:kickDrawer': method({ input: z.object({}).strict(), output: Ok, access: ['supervisor', 'admin'] }),
  /** Print a kept failed job again. */
  'devices:reprint': method({ input: z.object({ jobId: Id }).strict(), output: PrintJob, access: 'operator' }),
  /**
   * Demo mode only: act out device trouble for a lesson (paper out/in, scanner unplug/replug)
   * or a scan from the simulated scanner (`code`, printable ASCII). Refused in live mode.
   */
  'devices:simulate': method({
    input: z.object({ action: SimulateAction, code: z.string().min(1).max(128).regex(/^[\x20-\x7e]+$/).optional() }).strict(),
    output: Ok,
    access: 'operator',
  }),
} as const;

export const deviceEvents = {
  /** Any device's status changed (attached, detached, paper out, selected …): the full list. */
  'devices:changed': DeviceList,
  /** One complete code from a raw-HID, serial (or simulated) scanner. Keyboard-wedge scans never come here: the renderer detects them. */
  'scanner:scanned': z.object({ deviceId: z.string(), code: z.string().min(1).max(512), at: z.number().int() }),
  /** The selected scanner sent data that is no code (garbage, a code cut off or too long): it was discarded; the cashier scans again. */
  'scanner:refused': z.object({ deviceId: z.string(), error: AppErrorShape, at: z.number().int() }),
  /** The simulated printer printed: the decoded receipt, so the UI can draw what the paper shows. */
  'printer:printed': z.object({ jobId: z.string(), deviceId: z.string(), receipt: PrintedReceipt }),
} as const;
