/**
 * The device manager: finds the printer and scanner, keeps their status, prints receipts and
 * opens the cash drawer. Demo mode (and tests) use the simulated twins; live mode uses USB.
 *
 * Invariants:
 * - printing never blocks or undoes a payment: `printReceipt` never throws and returns as soon as
 *   the job is queued or refused; a job that fails (paper out, unplugged …) is kept with its exact
 *   bytes and can be reprinted;
 * - one job at a time per printer, status polls queued behind jobs (usb-printer.ts);
 * - a job is `printed` only when the printer confirmed it (port.ts `confirm`); sent but not
 *   confirmed is `unconfirmed`, kept and listed so the cashier checks the paper. A job any byte of
 *   which reached the printer is reprinted marked 重打 / COPY, never as a second original; a job
 *   the printer stopped part-way (paper out) has the printer's buffer cleared at once (real-time
 *   clear), so new paper does not resume it beside the reprint;
 * - a printer whose status cannot be read (no bulk IN, ignores DLE EOT) prints anyway; its card
 *   says that its paper and cover are not known; the drawer is opened by the real-time pulse
 *   while the printer is stopped, and a drawer that may not have opened is reported;
 * - a device's trouble is an event (`devices:changed`) with a bilingual message, never a crash:
 *   a host without USB shows every USB device `unavailable` and carries on;
 * - raw-HID readers only ever claim a device that is a known scanner or the one an administrator
 *   chose (claiming detaches the kernel driver: it must never be the cashier's keyboard);
 * - only the selected scanner is read (raw HID or serial), and every complete code from it is one
 *   `scanner:scanned`; data it sends that is not a code is one `scanner:refused`, never a code.
 *   A supervisor selects a scanner by its id, or by `scanner:usb:vvvv:pppp` /
 *   `scanner:serial:vvvv:pppp` (vendor:product id, any port): that choice also lets a maker that
 *   is not in scanner/known.ts be read, and follows the scanner to whatever port it is plugged into.
 *   A printer likewise by `printer:usb:vvvv:pppp` (which also lets a vendor-specific interface be
 *   driven). Every choice by ids is checked first (`refuseChoice`) and a refused one changes
 *   nothing; the ids chosen are stored before the selection, so a restart never loses them.
 * - demo mode runs the same code on a simulated counter (usb/demo-counter.ts): a keyboard, a
 *   scanner of an unknown maker and a USB-serial adapter, for the trainer to show that flow.
 */
import { SERIAL_FLOW_CONTROLS, type DeviceInfo, type DeviceList, type DeviceState, type PrintJob, type PrinterCandidate, type UnrecognisedDevice, type UsbIdKind } from '../core/api/devices';
import type { EventPayload, Events } from '../core/api/contract';
import { AppError, isAppError, type AppErrorShape } from '../core/api/errors';
import type { Message } from '../core/api/payments';
import { columnsFor, encodeReceipt, encodeTestPage } from './printer/escpos';
import { PrinterErrors, type PrinterPort } from './printer/port';
import { parseReceipt, type PaperWidth, type Receipt } from './printer/receipt';
import { CupsPrinter } from './printer/cups-printer';
import { NetPrinter } from './printer/net-printer';
import type { RunCommand } from './printer/os-command';
import { parsePrinterPathId, PathErrors, QueueList, serialCandidate, viaFor } from './printer/paths';
import { SerialPrinter } from './printer/serial-printer';
import { WinSpoolerPrinter } from './printer/win-spooler';
import { SimulatedPrinter } from './printer/simulated';
import { UsbPrinter } from './printer/usb-printer';
import { KEYBOARD_VENDORS, keyboardEvidence, knownScannerName, parseHex4 } from './scanner/known';
import { DEFAULT_SERIAL_BAUD, loadSerial, parseSerialBaud, SerialScanner, serialPortKey, serialUsbIds, type SerialBaud, type SerialFlowControl, type SerialLib, type SerialPortInfo } from './scanner/serial';
import { HidScanner, hidPathFor, type HidVia } from './scanner/hid-path';
import type { ReaderEnd } from './scanner/hid-reader';
import { loadNodeHid, type HidLib } from './scanner/node-hid';
import { ListWatcher, loadUsbHost, UsbWatcher, type HostState, type UsbHost } from './usb/host';
import { DemoCounter } from './usb/demo-counter';
import { hex4, usbCapabilities, type UsbCapabilities, type UsbDeviceLike } from './usb/webusb';

export type Emit = <K extends keyof Events>(name: K, payload: EventPayload<K>) => void;

/** Where selections live (the settings table in the composition root; a Map in tests). */
export interface DeviceSettings {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

export interface DeviceManagerOptions {
  mode: 'demo' | 'live';
  emit: Emit;
  settings: DeviceSettings;
  /** Live mode: how to reach USB (the real `usb` module unless a test gives a fake host). */
  loadUsb?: () => Promise<{ host: UsbHost | null; reason: string }>;
  /** Live mode: how to reach serial ports (the real `serialport` package unless a test gives a fake). */
  loadSerial?: () => Promise<{ lib: SerialLib | null; reason: string }>;
  platform?: NodeJS.Platform;
  /**
   * Raw-HID scanners: the transport, if not the OS's own (scanner/hid-path.ts: node-hid on Windows
   * and macOS, libusb on Linux). The tests and the USB VM's hidraw check force node-hid.
   */
  hidTransport?: HidVia;
  /** How to reach node-hid (the real module unless a test gives the twin). */
  loadHid?: () => Promise<{ lib: HidLib | null; reason: string }>;
  now?: () => number;
  statusPollMs?: number;
  usbPollMs?: number;
  /** The CUPS server for `printer:cups:*` queues (`lp -h`); default the PC's own. The tests run a private one. */
  cupsServer?: string;
  /** How OS print commands run (lp, lpstat, PowerShell); a fake in unit tests. */
  runCommand?: RunCommand;
  /** How often the OS print queues are listed again (a command runs each time); default 30 s. */
  queuePollMs?: number;
  /** How often serial ports are listed (Linux: `serialport` runs `udevadm info -e` each time); default usbPollMs. */
  serialPollMs?: number;
  log?: (msg: string) => void;
  /**
   * Told when a receipt job ends (printed or failed), whoever started it — so core/receipts can
   * keep its record right when a kept job is reprinted from the Devices screen. Must not throw.
   */
  onReceiptJob?: (job: PrintJob) => void;
}

export const DeviceErrors = {
  demoOnly: () => new AppError('devices.demo_only', '仅培训模式可模拟设备。', 'Devices can only be simulated in training mode.'),
  unknownDevice: () => new AppError('devices.unknown', '没有这个设备，请刷新设备列表。', 'No such device. Refresh the device list.'),
  unknownJob: () => new AppError('devices.unknown_job', '找不到该打印任务（只保留失败的任务）。', 'No such print job (only failed jobs are kept).'),
  scannerUnplugged: () => new AppError('scanner.unplugged', '扫码枪已拔出。', 'The scanner is unplugged.'),
  badFlow: () => new AppError('devices.bad_flow', '不支持该流控方式，请选择：无、RTS/CTS 或 XON/XOFF。', 'Unsupported flow control; choose none, RTS/CTS or XON/XOFF.'),
  badBaud: () => new AppError('devices.bad_baud', '不支持该波特率，请选择 1200–115200 之间的标准值。', 'Unsupported baud rate; choose a standard rate from 1200 to 115200.'),
  badUsbId: (field: UsbIdField) =>
    new AppError(
      'devices.bad_usb_id',
      `${USB_ID_FIELD[field].zh}须为 4 位十六进制数（0–9、A–F），例如 1A86。可在设备标签、Windows 设备管理器（VID_1A86&PID_E026）或下面“未识别的 USB 设备”中找到。`,
      `The ${USB_ID_FIELD[field].en} must be 4 hex digits (0–9, A–F), e.g. 1A86: see the device's label, Windows Device Manager (VID_1A86&PID_E026) or "Unrecognised USB devices" below.`,
      { field },
    ),
  zeroUsbId: (field: UsbIdField, value: number) =>
    new AppError(
      'devices.zero_usb_id',
      `${USB_ID_FIELD[field].zh} ${hex4(value).toUpperCase()} 不是真实设备的编号（0000 和 FFFF 是空白或读错的编号）。请对照设备标签重新输入。`,
      `${hex4(value).toUpperCase()} is no real device's ${USB_ID_FIELD[field].en} (0000 and FFFF mean blank or misread). Check the device's label.`,
      { field },
    ),
  keyboardMaker: (ids: string, maker: string) =>
    new AppError(
      'devices.keyboard',
      `${ids} 属于 ${maker}：这家厂商做键盘和鼠标，不做扫码枪或小票打印机。这是电脑的键盘或鼠标，不能选用（选用后它将不能再打字）。请对照扫码枪标签上的编号。`,
      `${ids} belongs to ${maker}, a maker of keyboards and mice, not of scanners or receipt printers: this is the computer's keyboard or mouse and cannot be used (claimed, it would stop typing). Check the id on the scanner's label.`,
      { reason: 'keyboard_maker' },
    ),
  mouse: (ids: string) =>
    new AppError(
      'devices.keyboard',
      `插着的 ${ids} 带鼠标接口：它是鼠标、键鼠套装或无线键鼠接收器，不是扫码枪，不能选用（选用后键盘和鼠标都将失灵）。`,
      `The attached ${ids} has a mouse interface: it is a mouse, a keyboard-and-mouse set or its wireless receiver, not a scanner, and cannot be used (claimed, the keyboard and mouse would stop working).`,
      { reason: 'mouse' },
    ),
  notHid: (ids: string) =>
    new AppError(
      'devices.not_hid',
      `插着的 ${ids} 没有 HID 输入接口，不能作为 HID 扫码枪读取。若它是串口模式的扫码枪，请选“串口扫码枪”。`,
      `The attached ${ids} has no HID input interface and cannot be read as a raw-HID scanner. If it is a scanner in serial mode, choose "Serial scanner".`,
    ),
  notPrinter: (ids: string) =>
    new AppError(
      'devices.not_printer',
      `插着的 ${ids} 没有打印机接口（打印机类，或厂商自定义接口上的批量输出端点），或者它是 USB 串口，不能作为打印机使用。`,
      `The attached ${ids} has no printer interface (printer class, or bulk OUT on a vendor-specific interface), or it is a USB serial port: it cannot be used as a printer.`,
    ),
  notSerial: (ids: string) =>
    new AppError(
      'devices.not_serial',
      `插着的 ${ids} 没有串口。请先扫扫码枪厂商的“USB 串口（USB COM）”设置码；切换后它的产品编号常会改变，请按新编号选择。`,
      `The attached ${ids} has no serial port. Scan the maker's "USB serial (USB COM)" setup code first; the product id often changes with the mode, so choose it by the new id.`,
    ),
};

type UsbIdField = 'vendorId' | 'productId';
const USB_ID_FIELD: Record<UsbIdField, Message> = {
  vendorId: { zh: '厂商编号（VID）', en: 'vendor id (VID)' },
  productId: { zh: '产品编号（PID）', en: 'product id (PID)' },
};

const MSG: Record<Exclude<DeviceState, 'ready' | 'busy'>, Message> = {
  paper_out: { zh: '打印机缺纸，请装纸。未打印的小票可在“设备”中重打。', en: 'The printer is out of paper. Load paper; unprinted receipts can be reprinted under Devices.' },
  cover_open: { zh: '打印机盖未关好。', en: 'The printer cover is open.' },
  error: { zh: '打印机报告故障（卡纸或过热），请检查。', en: 'The printer reports an error (jam or overheating). Check it.' },
  disconnected: { zh: '设备未连接，请检查连线；插回后会自动恢复。', en: 'The device is not connected. Check the cable; it resumes by itself when plugged back in.' },
  no_permission: { zh: '系统不允许访问该设备。', en: 'The system does not allow access to this device.' },
  unavailable: { zh: '本机无法访问 USB 设备；可使用扫码枪的键盘模式。', en: 'This computer cannot reach USB devices; the scanner still works in keyboard mode.' },
};

/** A printer that prints but does not answer status: ready as far as the app can tell, and says what it cannot tell. */
const STATUS_UNKNOWN: Message = {
  zh: '打印机不回报状态：无法得知是否缺纸、开盖，也无法确认小票已打出（标为“已发送，未确认”）。打印后请看一眼纸。',
  en: 'The printer does not report its status: paper out or an open cover cannot be seen, and receipts cannot be confirmed as printed (marked "sent, unconfirmed"). Check the paper after printing.',
};

/** The udev rule that gives the logged-in cashier access to one device (resources/linux/ has the general file). */
export function udevRuleFor(vendorId: number, productId: number): string {
  return `SUBSYSTEM=="usb", ATTRS{idVendor}=="${hex4(vendorId)}", ATTRS{idProduct}=="${hex4(productId)}", MODE="0660", GROUP="plugdev", TAG+="uaccess"`;
}

/** The udev rule that lets the cashier open one serial scanner's port (Linux; or add the cashier to `dialout`). */
export function serialUdevRuleFor(vendorId: number, productId: number): string {
  return `SUBSYSTEM=="tty", ATTRS{idVendor}=="${hex4(vendorId)}", ATTRS{idProduct}=="${hex4(productId)}", MODE="0660", GROUP="dialout", TAG+="uaccess"`;
}

function serialPermissionMessage(platform: NodeJS.Platform, path: string): Message {
  if (platform === 'linux') {
    return {
      zh: `系统不允许打开串口 ${path}。请管理员把收银员的账号加入 dialout 组（sudo usermod -aG dialout 用户名，然后重新登录），或把下面的规则加入 /etc/udev/rules.d/70-village-cashier.rules，运行 sudo udevadm control --reload && sudo udevadm trigger，再重新插拔扫码枪。`,
      en: `The system does not allow opening the serial port ${path}. An administrator adds the cashier's account to the dialout group (sudo usermod -aG dialout USER, then log in again), or adds the rule below to /etc/udev/rules.d/70-village-cashier.rules, runs sudo udevadm control --reload && sudo udevadm trigger, then replugs the scanner.`,
    };
  }
  return busyMessage(path);
}

function busyMessage(path: string): Message {
  // Windows answers "Access denied" for a COM port another program holds open.
  return {
    zh: `串口 ${path} 被其他程序占用（例如扫码枪厂商的设置工具）。请关闭该程序，再重新插拔扫码枪。`,
    en: `The serial port ${path} is held by another program (for example the scanner maker's setup tool). Close it, then replug the scanner.`,
  };
}

function permissionMessage(platform: NodeJS.Platform, vendorId: number, productId: number): Message {
  if (platform === 'linux') {
    return {
      zh: `系统未授权访问 USB 设备 ${hex4(vendorId)}:${hex4(productId)}。请管理员把下面的规则加入 /etc/udev/rules.d/70-village-cashier.rules，然后运行 sudo udevadm control --reload && sudo udevadm trigger，再重新插拔设备。`,
      en: `Access to USB device ${hex4(vendorId)}:${hex4(productId)} is not allowed. An administrator adds the rule below to /etc/udev/rules.d/70-village-cashier.rules, runs sudo udevadm control --reload && sudo udevadm trigger, then replugs the device.`,
    };
  }
  if (platform === 'win32') {
    return {
      zh: '该设备没有 WinUSB 驱动。请用 Zadig 为它安装 WinUSB，或把扫码枪留在键盘模式。',
      en: 'This device has no WinUSB driver. Install WinUSB for it with Zadig, or keep the scanner in keyboard mode.',
    };
  }
  return MSG.no_permission;
}

interface Job extends PrintJob {
  bytes: Uint8Array | null;
  /** The receipt it was encoded from: re-encoded with the 重打 mark when it may have printed. */
  receipt: Receipt | null;
}

/** A scanner reader (raw HID or serial): reads while active, ends through its onEnd callback. */
interface ScannerReader {
  readonly active: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** An attached USB device as read once when it appeared (see DeviceManager.usbSeen). */
interface UsbSeen {
  vendorId: number;
  productId: number;
  caps: UsbCapabilities;
  name: string | null;
}

interface Entry {
  info: DeviceInfo;
  usb?: UsbDeviceLike;
  /** Serial scanners: the port's path (`/dev/ttyACM0`, `COM3`) while it is listed. */
  serialPath?: string;
  port?: PrinterPort;
  reader?: ScannerReader;
}

/** A device chosen by vendor:product id alone (any port), e.g. `scanner:serial:05e0:1701`. */
const BY_IDS = /^(scanner:usb|scanner:serial|printer:usb):([0-9a-f]{4}):([0-9a-f]{4})$/;
/** A USB or serial device's id, attached or not: by ids alone, or with where it is plugged. */
const IDS_ID = /^(scanner:usb|scanner:serial|printer:usb):([0-9a-f]{4}):([0-9a-f]{4})(:[a-z0-9._-]+)?$/;
const KIND_OF_PREFIX: Record<string, UsbIdKind> = { 'scanner:usb': 'hid_scanner', 'scanner:serial': 'serial_scanner', 'printer:usb': 'printer' };
const PREFIX_OF_KIND: Record<UsbIdKind, string> = { hid_scanner: 'scanner:usb', serial_scanner: 'scanner:serial', printer: 'printer:usb' };
/** What a stored selection must look like (as `devices:select` accepts it). */
const DEVICE_ID = /^[a-z]+:[a-z0-9_:.-]+$/;
const VIDPID = /^[0-9a-f]{4}:[0-9a-f]{4}$/;

const KEEP_FAILED = 50;

export class DeviceManager {
  private readonly entries = new Map<string, Entry>();
  private readonly jobs = new Map<string, Job>();
  private selected = {
    printer: null as string | null, scanner: null as string | null, paperWidth: 58 as PaperWidth, serialBaud: DEFAULT_SERIAL_BAUD as SerialBaud,
    /** A serial printer's port settings (its own: a counter may have a serial scanner at another rate). */
    printerBaud: DEFAULT_SERIAL_BAUD as SerialBaud, printerFlow: 'none' as SerialFlowControl,
  };
  /** The OS print queues (CUPS, Windows), listed now and then. */
  private readonly queues: QueueList;
  private queuesAt = -Infinity;
  private queue: Promise<unknown> = Promise.resolve();
  private jobSeq = 0;
  private watcher: UsbWatcher | null = null;
  private serialWatcher: ListWatcher<SerialPortInfo> | null = null;
  private serialLib: SerialLib | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  /** `vvvv:pppp` of scanners chosen by ids (raw HID or serial): read even if the maker is unknown. */
  private chosenScanners = new Set<string>();
  /** `vvvv:pppp` of printers chosen by ids: listed even on a vendor-specific interface. */
  private chosenPrinters = new Set<string>();
  /**
   * What each attached USB device said when it appeared, by its key, as plain values: `usb` v3's
   * getters (even `vendorId`) go to the native device — they throw once it is gone, and while a
   * transfer is under way ("cannot be borrowed mutably") — and a list is built on every change.
   */
  private readonly usbSeen = new Map<string, UsbSeen>();
  /** Attached devices whose descriptors could not be read yet (describeAgain). */
  private readonly undescribed = new Set<string>();
  /** Demo mode's simulated USB host and serial ports. */
  private readonly demo: DemoCounter | null;
  /** Readers still winding down per device id: a replug waits for them before claiming again. */
  private readonly stopping = new Map<string, Promise<void>>();
  private hostState: HostState = { available: true };
  private readonly now: () => number;
  private readonly platform: NodeJS.Platform;
  private readonly log: (m: string) => void;
  readonly sim: SimulatedPrinter | null;

  constructor(private readonly o: DeviceManagerOptions) {
    this.now = o.now ?? Date.now;
    this.platform = o.platform ?? process.platform;
    this.log = o.log ?? (() => {});
    this.sim = o.mode === 'demo' ? new SimulatedPrinter(() => columnsFor(this.selected.paperWidth)) : null;
    this.demo = o.mode === 'demo' ? new DemoCounter(this.platform) : null;
    // Demo mode lists no OS queues: a training PC's real printers are not the lesson's.
    this.queues = new QueueList({ platform: o.mode === 'demo' ? 'aix' : this.platform, cupsServer: o.cupsServer, run: o.runCommand });
  }

  async start(): Promise<void> {
    const s = this.o.settings;
    const pw = await s.get('devices.paperWidth');
    this.selected.paperWidth = pw === '80' ? 80 : 58;
    this.selected.printer = await this.storedId('devices.printer');
    this.selected.scanner = await this.storedId('devices.scanner');
    const baud = await s.get('devices.serialBaud');
    this.selected.serialBaud = parseSerialBaud(baud) ?? DEFAULT_SERIAL_BAUD;
    if (baud !== null && !parseSerialBaud(baud)) this.log(`devices.serialBaud ${JSON.stringify(baud)} is not a standard rate: ${DEFAULT_SERIAL_BAUD} used`);
    this.selected.printerBaud = parseSerialBaud(await s.get('devices.printerBaud')) ?? DEFAULT_SERIAL_BAUD;
    this.selected.printerFlow = parseFlow(await s.get('devices.printerFlow')) ?? 'none';
    // Not awaited: listing runs a command (PowerShell takes seconds to start); the list follows.
    void this.refreshQueues(true);
    await this.loadChosen('devices.chosenScanners', this.chosenScanners);
    await this.loadChosen('devices.chosenPrinters', this.chosenPrinters);
    // A selection by ids always brings its ids (both are written, ids first; this mends older data).
    for (const [sel, set] of [[this.selected.scanner, this.chosenScanners], [this.selected.printer, this.chosenPrinters]] as const) {
      const m = sel ? IDS_ID.exec(sel) : null;
      if (m && !keyboardEvidence(parseInt(m[2]!, 16), null)) set.add(`${m[2]}:${m[3]}`);
    }

    this.put({ id: 'scanner:wedge', kind: 'scanner', transport: 'wedge', name: '键盘模式扫码枪 Keyboard-mode scanner', state: 'ready' });
    if (this.demo) {
      this.put({ id: 'printer:sim', kind: 'printer', transport: 'simulated', name: '模拟打印机 Simulated printer', state: 'ready' }, { port: this.sim! });
      this.put({ id: 'scanner:sim', kind: 'scanner', transport: 'simulated', name: '模拟扫码枪 Simulated scanner', state: 'ready' });
      this.selected.printer ??= 'printer:sim';
      this.selected.scanner ??= 'scanner:sim';
    } else {
      this.selected.scanner ??= 'scanner:wedge';
    }
    if (this.selected.printer) {
      try {
        this.pathEntry(this.selected.printer);
      } catch (e) {
        this.log(`devices.printer ${this.selected.printer}: ${isAppError(e) ? e.en : String(e)}`); // e.g. a CUPS queue on a PC moved to Windows
      }
    }
    {
      const { host, reason } = this.demo ? { host: this.demo.host, reason: '' } : await (this.o.loadUsb ?? loadUsbHost)();
      if (!host) this.onHostState({ available: false, reason });
      else {
        this.watcher = new UsbWatcher(host, {
          onAttach: (k, d) => this.onAttach(k, d),
          onDetach: (k) => {
            this.usbSeen.delete(k);
            this.undescribed.delete(k);
            this.onDetach(`printer:usb:${k}`, `scanner:usb:${k}`);
          },
          onState: (st) => this.onHostState(st),
          onPolled: () => this.describeAgain(),
        }, this.o.usbPollMs ?? 2000);
        await this.watcher.start();
      }
      const serial = this.demo ? { lib: this.demo.serial, reason: '' } : await (this.o.loadSerial ?? loadSerial)();
      if (!serial.lib) this.log(`serial ports unavailable: ${serial.reason}`);
      else {
        this.serialLib = serial.lib;
        this.serialWatcher = new ListWatcher(() => serial.lib!.list(), serialPortKey, {
          onAttach: (k, p) => this.onSerialAttach(k, p),
          onDetach: (k) => this.onDetach(`scanner:serial:${k}`, `printer:serial:${k}`),
          onState: (st) => void (st.available || this.log(`serial ports unavailable: ${st.reason}`)),
          onPolled: () => this.reviveSerial(),
        }, this.o.serialPollMs ?? this.o.usbPollMs ?? 2000);
        await this.serialWatcher.start();
      }
      if (!this.demo) {
        this.statusTimer = setInterval(() => void this.pollStatus(), this.o.statusPollMs ?? 5000);
        this.statusTimer.unref?.();
      }
    }
    this.placeholderForSelected();
    this.changed();
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    this.serialWatcher?.stop();
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const e of this.entries.values()) {
      await e.reader?.stop();
      await e.port?.close();
    }
  }

  /** A stored selection, or null (logged) when the settings hold something no device id looks like. */
  private async storedId(key: string): Promise<string | null> {
    const v = await this.o.settings.get(key);
    if (v === null || (v.length <= 160 && DEVICE_ID.test(v))) return v;
    this.log(`${key} ${JSON.stringify(v.slice(0, 100))} is not a device id: ignored`);
    return null;
  }

  /** Stored `vvvv:pppp` choices; anything else (or a keyboard maker's id) is dropped, logged. */
  private async loadChosen(key: string, into: Set<string>): Promise<void> {
    for (const x of (await this.o.settings.get(key))?.split(',').filter(Boolean) ?? []) {
      if (VIDPID.test(x) && !keyboardEvidence(parseInt(x, 16), null)) into.add(x);
      else this.log(`${key}: ${JSON.stringify(x.slice(0, 40))} dropped (not a vendor:product id, or a keyboard maker's)`);
    }
  }

  list(): DeviceList {
    const devices = [...this.entries.values()].map((e) => ({
      ...e.info,
      selected: this.isSelected(e.info.kind, e.info.id),
      paperWidth: e.info.kind === 'printer' ? this.selected.paperWidth : null,
      serialBaud: e.info.transport !== 'serial' ? null : e.info.kind === 'printer' ? this.selected.printerBaud : this.selected.serialBaud,
      ...(e.info.kind === 'printer' ? this.printerPath(e) : {}),
    }));
    devices.sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
    const failedJobs = [...this.jobs.values()].filter((j) => j.state === 'failed' || j.state === 'unconfirmed').sort((a, b) => b.createdAt - a.createdAt).map(publicJob);
    return { devices, failedJobs, unrecognised: this.unrecognised(), printerCandidates: this.printerCandidates() };
  }

  /**
   * An installer's "use a device by USB id": the ids as typed (4 hex digits each), checked here
   * (bilingual error, nothing changed), then selected as `devices:select` does.
   */
  async chooseByIds(kind: UsbIdKind, vendorText: string, productText: string): Promise<DeviceList> {
    const vendorId = parseHex4(vendorText);
    if (vendorId === null) throw DeviceErrors.badUsbId('vendorId');
    const productId = parseHex4(productText);
    if (productId === null) throw DeviceErrors.badUsbId('productId');
    return this.select(`${PREFIX_OF_KIND[kind]}:${hex4(vendorId)}:${hex4(productId)}`);
  }

  async select(deviceId: string, paperWidth?: PaperWidth, serialBaud?: number, flowControl?: string): Promise<DeviceList> {
    let baud: SerialBaud | null = null;
    if (serialBaud !== undefined && !(baud = parseSerialBaud(serialBaud))) throw DeviceErrors.badBaud();
    const flow = flowControl === undefined ? null : parseFlow(flowControl);
    if (flowControl !== undefined && !flow) throw DeviceErrors.badFlow();
    const e = this.entries.get(deviceId) ?? this.pathEntry(deviceId) ?? undefined;
    const ids = IDS_ID.exec(deviceId);
    if (!e && !ids) throw DeviceErrors.unknownDevice();
    // Checked before anything changes: a refused choice leaves the selection and settings as they were.
    if (ids) this.refuseChoice(KIND_OF_PREFIX[ids[1]!]!, parseInt(ids[2]!, 16), parseInt(ids[3]!, 16));
    const kind = e?.info.kind ?? (ids?.[1] === 'printer:usb' ? 'printer' : 'scanner');
    if (kind === 'printer') {
      if (ids) {
        // Stored before the selection: a selection by ids never comes back without its ids.
        this.chosenPrinters.add(`${ids[2]}:${ids[3]}`);
        await this.o.settings.set('devices.chosenPrinters', [...this.chosenPrinters].join(','));
      }
      this.selected.printer = deviceId;
      await this.o.settings.set('devices.printer', deviceId);
      if (e?.info.transport === 'serial') await this.setSerialPrinter(e, baud, flow);
      if (ids) this.offerAttached();
      this.pruneGone();
      void this.pollStatus();
    } else if (kind === 'scanner') {
      if (ids) {
        // An administrator's explicit choice: this device may be read even if its maker is unknown.
        this.chosenScanners.add(`${ids[2]}:${ids[3]}`);
        await this.o.settings.set('devices.chosenScanners', [...this.chosenScanners].join(','));
      }
      const old = this.selected.scanner;
      this.selected.scanner = deviceId;
      await this.o.settings.set('devices.scanner', deviceId);
      const baudChanged = baud !== null && baud !== this.selected.serialBaud;
      if (baud !== null) {
        this.selected.serialBaud = baud;
        await this.o.settings.set('devices.serialBaud', String(baud));
      }
      // Readers of what is no longer selected stop (a serial one also when it must reopen at a new rate).
      for (const x of this.entries.values()) {
        if (x.reader && (!this.isSelected('scanner', x.info.id) || (baudChanged && x.serialPath))) await x.reader.stop();
      }
      if (old !== deviceId) this.pruneGone();
      if (ids) {
        this.offerAttached();
        for (const x of this.entries.values()) if (this.isSelected('scanner', x.info.id)) this.startReader(x);
      }
    }
    if (paperWidth) {
      this.selected.paperWidth = paperWidth;
      await this.o.settings.set('devices.paperWidth', String(paperWidth));
    }
    this.placeholderForSelected();
    this.changed();
    return this.list();
  }

  get paperWidth(): PaperWidth {
    return this.selected.paperWidth;
  }

  /**
   * Prints a receipt after a payment (see drivers/printer/receipt.ts for the description).
   * Never throws, never waits for paper: resolves with the job once it is printed or failed.
   * A failed job is kept for `reprint`; an invalid description fails at once and prints nothing.
   */
  async printReceipt(receipt: unknown): Promise<PrintJob> {
    let bytes: Uint8Array;
    let r: Receipt;
    try {
      // Laid out for the paper in the printer: an 80 mm layout's barcode is wider than a 58 mm head.
      r = { ...parseReceipt(receipt), paperWidth: this.selected.paperWidth };
      bytes = encodeReceipt(r);
    } catch (e) {
      this.log(`receipt refused: ${isAppError(e) ? JSON.stringify(e.detail) : String(e)}`);
      return publicJob(this.newJob('receipt', null, null, isAppError(e) ? e.toShape() : PrinterErrors.error().toShape()));
    }
    return this.run(this.newJob('receipt', r.orderNo, bytes, null, r));
  }

  async testPrint(): Promise<PrintJob> {
    const e = this.printerEntry();
    return this.run(this.newJob('test', null, encodeTestPage(this.selected.paperWidth, e?.info.name ?? '', this.now())));
  }

  async reprint(jobId: string): Promise<PrintJob> {
    const j = this.jobs.get(jobId);
    if (!j || (j.state !== 'failed' && j.state !== 'unconfirmed') || !j.bytes) throw DeviceErrors.unknownJob();
    if (j.mayHavePrinted && j.receipt && !j.receipt.reprint) {
      // Part or all of it may be on paper already: the copy says so, it is never a second original.
      j.receipt = { ...j.receipt, reprint: true };
      j.bytes = encodeReceipt(j.receipt);
    }
    return this.run(j);
  }

  /** For the RPC (supervisor/admin): throws a bilingual error when the drawer cannot be opened. */
  async kickDrawer(): Promise<void> {
    const e = this.printerEntry();
    if (!e?.port) throw PrinterErrors.none();
    const port = e.port;
    const uncertain = await this.serial(async () => {
      const s = await port.status();
      // ESC p waits in the buffer behind a job stopped at paper end: use the real-time pulse then.
      const stopped = s !== null && (s.paperOut || s.coverOpen || s.error);
      const { certain } = await port.pulse(stopped);
      return certain && s !== null ? null : stopped ? 'stopped' as const : 'status_unknown' as const;
    });
    if (uncertain) throw PrinterErrors.drawerUncertain(uncertain);
  }

  /** For the payments engine after a cash sale: never throws (the sale stands either way). */
  async openDrawer(): Promise<{ ok: boolean; error: AppErrorShape | null }> {
    try {
      await this.kickDrawer();
      return { ok: true, error: null };
    } catch (e) {
      return { ok: false, error: isAppError(e) ? e.toShape() : PrinterErrors.error().toShape() };
    }
  }

  /**
   * Demo mode: device trouble and scans for a lesson. They act on the simulated scanner, or on
   * the demo counter's USB or serial scanner when a trainer has chosen one (then through the
   * real reader: keyboard reports or serial bytes, unplugged and plugged back as a device is).
   */
  async simulate(action: 'paper_out' | 'paper_in' | 'scanner_unplug' | 'scanner_replug' | 'scan', code?: string): Promise<void> {
    if (!this.demo || !this.sim) throw DeviceErrors.demoOnly();
    const scanner = this.entries.get('scanner:sim')!;
    const chosen = [...this.entries.values()].filter((x) => (x.info.transport === 'usb' || x.info.transport === 'serial') && this.isSelected('scanner', x.info.id));
    const plugged = chosen.find((x) => x.usb || x.serialPath);
    switch (action) {
      case 'paper_out':
      case 'paper_in':
        if (action === 'paper_in') this.sim.loadPaper();
        else this.sim.paperOut = true;
        this.setState('printer:sim', this.sim.paperOut ? 'paper_out' : 'ready');
        break;
      case 'scanner_unplug':
        if (plugged) {
          this.demo.unplug(plugged);
          await this.pollDevices();
        } else this.setState('scanner:sim', 'disconnected');
        break;
      case 'scanner_replug':
        this.demo.replug();
        await this.pollDevices();
        this.setState('scanner:sim', 'ready');
        break;
      case 'scan':
        if (chosen.length) {
          if (plugged?.info.state !== 'ready' || !this.demo.scan(plugged, code ?? '134567890123456789')) throw DeviceErrors.scannerUnplugged();
          break;
        }
        if (scanner.info.state !== 'ready') throw DeviceErrors.scannerUnplugged();
        this.o.emit('scanner:scanned', { deviceId: 'scanner:sim', code: code ?? '134567890123456789', at: this.now() });
        break;
    }
  }

  /** One look at the USB devices and serial ports now (demo mode: right after a simulated plug). */
  private async pollDevices(): Promise<void> {
    await this.watcher?.poll();
    await this.serialWatcher?.poll();
  }

  // --- jobs ---------------------------------------------------------------------------------

  private newJob(kind: 'receipt' | 'test', orderNo: string | null, bytes: Uint8Array | null, error: AppErrorShape | null = null, receipt: Receipt | null = null): Job {
    const id = `J${this.now().toString(36).toUpperCase()}${(++this.jobSeq).toString(36).toUpperCase()}`;
    const j: Job = { id, kind, orderNo, state: error ? 'failed' : 'queued', error, createdAt: this.now(), bytes, receipt, mayHavePrinted: false };
    if (bytes) this.jobs.set(id, j);
    return j;
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => {});
    return run;
  }

  private run(j: Job): Promise<PrintJob> {
    j.state = 'queued';
    j.error = null;
    return this.serial(async () => {
      const e = this.printerEntry();
      let sent = false;
      const simBefore = this.sim?.printed.length ?? 0;
      try {
        if (!e?.port) throw e ? PrinterErrors.disconnected() : PrinterErrors.none();
        const port = e.port;
        j.state = 'printing';
        this.setState(e.info.id, 'busy');
        const before = await port.status();
        if (before) throwFor(before);
        try {
          await port.write(j.bytes!);
        } finally {
          sent = port.sent > 0;
          if (sent) j.mayHavePrinted = true;
        }
        const done = await port.confirm();
        j.state = done;
        j.error = done === 'unconfirmed' ? (port.unconfirmedError?.() ?? PrinterErrors.unconfirmed()).toShape() : null;
        this.setState(e.info.id, 'ready', before === null ? { message: port.unknownStatus ?? STATUS_UNKNOWN, udevRule: null } : undefined);
        if (e.port === this.sim && this.sim.printed.length) {
          this.o.emit('printer:printed', { jobId: j.id, deviceId: e.info.id, receipt: this.sim.printed[this.sim.printed.length - 1]! });
          if (this.sim.printed.length > 20) this.sim.printed.splice(0, this.sim.printed.length - 20);
        }
        if (done === 'printed') this.jobs.delete(j.id);
        else this.changed(); // listed: "sent, unconfirmed", for the cashier to check the paper
      } catch (err0) {
        let err = isAppError(err0) ? err0 : PrinterErrors.error();
        if (sent && e?.port) {
          err = PrinterErrors.stoppedMidJob(err);
          // The rest of the job waits in the printer: cleared now, so new paper does not print it
          // beside the reprint (which carries the 重打 mark). A printer gone cannot be cleared.
          if (err.code !== 'printer.disconnected') await e.port.clearBuffer().catch(() => false);
        }
        j.state = 'failed';
        j.error = err.toShape();
        // The trainee sees what reached paper before the roll ran out.
        if (e && e.port === this.sim && this.sim.printed.length > simBefore) {
          this.o.emit('printer:printed', { jobId: j.id, deviceId: e.info.id, receipt: this.sim.printed[this.sim.printed.length - 1]! });
        }
        if (e) this.setState(e.info.id, stateForError(j.error.code), j.error.code === 'device.no_permission' ? this.permission(e) : undefined);
        this.trimFailed();
        this.changed(); // the failed job is now listed for reprinting
      }
      if (j.kind === 'receipt') {
        try {
          this.o.onReceiptJob?.(publicJob(j));
        } catch (err) {
          this.log(`receipt job listener failed: ${String(err)}`); // printing must not fail because a listener did
        }
      }
      return publicJob(j);
    });
  }

  private trimFailed(): void {
    const failed = [...this.jobs.values()].filter((x) => x.state === 'failed' || x.state === 'unconfirmed').sort((a, b) => a.createdAt - b.createdAt);
    for (const x of failed.slice(0, Math.max(0, failed.length - KEEP_FAILED))) this.jobs.delete(x.id);
  }

  /** The selected printer: the one attached if it was chosen by ids (any port), else its stand-in. */
  private printerEntry(): Entry | undefined {
    const all = [...this.entries.values()].filter((x) => x.info.kind === 'printer' && this.isSelected('printer', x.info.id));
    return all.find((x) => x.port) ?? all[0];
  }

  private async pollStatus(): Promise<void> {
    const e = this.printerEntry();
    if (this.now() - this.queuesAt >= (this.o.queuePollMs ?? 30_000)) void this.refreshQueues(true);
    if (!e?.port || e.info.transport === 'simulated' || e.info.state === 'busy') return;
    await this.serial(async () => {
      try {
        const s = await e.port!.status();
        if (s === null) this.setState(e.info.id, 'ready', { message: e.port!.unknownStatus ?? STATUS_UNKNOWN, udevRule: null });
        else this.setState(e.info.id, s.paperOut ? 'paper_out' : s.coverOpen ? 'cover_open' : s.error ? 'error' : 'ready');
      } catch (err) {
        const code = isAppError(err) ? err.code : 'printer.error';
        this.setState(e.info.id, stateForError(code), code === 'device.no_permission' ? this.permission(e) : undefined);
      }
    });
  }

  // --- USB discovery -----------------------------------------------------------------------

  private onHostState(s: HostState): void {
    this.hostState = s;
    if (!s.available) this.log(`USB unavailable: ${s.reason}`);
    for (const e of this.entries.values()) if (e.info.transport === 'usb') this.setState(e.info.id, s.available ? 'disconnected' : 'unavailable');
    this.changed();
  }

  private onAttach(key: string, d: UsbDeviceLike): void {
    const seen = this.describe(key, d);
    if (!seen) return;
    // From here on only what was read when it appeared (a device being offered again may be busy).
    const { vendorId, productId, caps } = seen;
    const vidpid = `${hex4(vendorId)}:${hex4(productId)}`;
    const name = seen.name ?? vidpid;
    if (caps.printer || (caps.vendorBulkOut && this.chosenPrinters.has(vidpid))) {
      const id = `printer:usb:${key}`;
      const old = this.entries.get(id);
      void old?.port?.close();
      this.put({ id, kind: 'printer', transport: 'usb', name, vendorId, productId, state: 'ready' }, { usb: d, port: new UsbPrinter(d, { vendorSpecific: !caps.printer }) });
      this.selected.printer ??= id;
      if (this.isSelected('printer', id)) {
        this.pruneGone();
        void this.pollStatus();
      }
    } else if (caps.hidIn && (knownScannerName(vendorId) || (this.chosenScanners.has(vidpid) && !this.refusal(vendorId, productId, caps)))) {
      // A choice made while the device was unplugged is checked again now that it can be seen:
      // a mouse or a keyboard-and-mouse receiver is never claimed (it stays listed as refused).
      const id = `scanner:usb:${key}`;
      const via = hidPathFor(this.platform, this.demo ? 'demo' : this.o.hidTransport).why; // the path it will be read through, and why
      const e = this.put({ id, kind: 'scanner', transport: 'usb', name: `${knownScannerName(vendorId) ?? ''} ${name}`.trim(), vendorId, productId, state: 'ready', via }, { usb: d });
      if (this.isSelected('scanner', id)) {
        this.pruneGone();
        this.startReader(e);
      }
    }
    this.changed(); // listed, or now among the unrecognised devices
  }

  /** A serial port appeared: listed if a known maker's or chosen by its ids (other ports are modems, consoles …). */
  private onSerialAttach(key: string, p: SerialPortInfo): void {
    const printer = this.entries.get(`printer:serial:${key}`);
    if (printer) this.attachSerialPrinter(printer, p);
    const ids = serialUsbIds(p);
    if (!ids) return;
    const known = knownScannerName(ids.vendorId);
    if (!known && !this.chosenScanners.has(`${hex4(ids.vendorId)}:${hex4(ids.productId)}`)) return this.changed(); // among the unrecognised
    const id = `scanner:serial:${key}`;
    const name = `${known ?? p.manufacturer ?? ''} ${p.path}`.trim();
    const e = this.put({ id, kind: 'scanner', transport: 'serial', name, ...ids, state: 'ready' }, { serialPath: p.path });
    if (this.isSelected('scanner', id)) {
      this.pruneGone();
      this.startReader(e);
    }
    this.changed();
  }

  /**
   * A selected serial port whose reader ended while the port stayed listed (unplugged and back
   * within one poll, or opened too early) is opened again; one try per poll.
   */
  private reviveSerial(): void {
    for (const e of this.entries.values()) {
      if (e.serialPath && !e.reader && e.info.state === 'disconnected' && this.isSelected('scanner', e.info.id)) this.startReader(e);
    }
  }

  /** After a choice by ids: devices attached before it (and so not listed) are looked at again. */
  private offerAttached(): void {
    // Only what is not listed yet: a listed printer must keep its port (it may be printing).
    for (const [k, d] of this.watcher?.current() ?? []) if (!this.entries.has(`scanner:usb:${k}`) && !this.entries.has(`printer:usb:${k}`)) this.onAttach(k, d);
    for (const [k, p] of this.serialWatcher?.current() ?? []) if (!this.entries.has(`scanner:serial:${k}`)) this.onSerialAttach(k, p);
  }

  // --- choices by USB id -------------------------------------------------------------------

  /** A device that appeared: its descriptors, read once (null, logged, if they cannot be read). */
  private describe(key: string, d: UsbDeviceLike): UsbSeen | null {
    const known = this.usbSeen.get(key);
    if (known) return known;
    try {
      const seen = { vendorId: d.vendorId, productId: d.productId, caps: usbCapabilities(d), name: d.productName || d.manufacturerName || null };
      this.usbSeen.set(key, seen);
      this.undescribed.delete(key);
      return seen;
    } catch (e) {
      if (!this.undescribed.has(key)) this.log(`USB ${key}: descriptors unreadable (${e instanceof Error ? e.message : String(e)}); looked at again at each poll`);
      this.undescribed.add(key);
      return null;
    }
  }

  /**
   * A device whose descriptors could not be read when it appeared (a read cancelled on a loaded
   * machine, a device still settling after a replug) is looked at again at each poll, rather than
   * never listed until it is unplugged and plugged back.
   */
  private describeAgain(): void {
    if (!this.undescribed.size) return;
    for (const [k, d] of this.watcher?.current() ?? []) if (this.undescribed.has(k)) this.onAttach(k, d);
  }

  /** What the attached USB devices with these ids offer (as read when they appeared). */
  private attachedWith(vendorId: number, productId: number): UsbCapabilities[] {
    return [...this.usbSeen.values()].filter((x) => x.vendorId === vendorId && x.productId === productId).map((x) => x.caps);
  }

  /** Listed serial ports with these USB ids. */
  private portsWith(vendorId: number, productId: number): SerialPortInfo[] {
    return [...(this.serialWatcher?.current().values() ?? [])].filter((p) => {
      const ids = serialUsbIds(p);
      return ids?.vendorId === vendorId && ids.productId === productId;
    });
  }

  /** Why a device with these ids is a keyboard or mouse, as far as the app can tell (see known.ts), or null. */
  private refusal(vendorId: number, productId: number, caps: UsbCapabilities | null): AppError | null {
    const ids = `${hex4(vendorId)}:${hex4(productId)}`.toUpperCase();
    switch (keyboardEvidence(vendorId, caps)) {
      case 'keyboard_maker': return DeviceErrors.keyboardMaker(ids, KEYBOARD_VENDORS[vendorId]!);
      case 'mouse': return DeviceErrors.mouse(ids);
      default: return null;
    }
  }

  /**
   * Throws when a choice by ids must be refused: 0000/FFFF; a keyboard or mouse as far as the app
   * can tell; an attached device with these ids that offers nothing of the kind chosen. A device
   * not plugged in can only be checked by its ids: it is checked again when it appears (onAttach).
   */
  private refuseChoice(kind: UsbIdKind, vendorId: number, productId: number): void {
    if (vendorId === 0 || vendorId === 0xffff) throw DeviceErrors.zeroUsbId('vendorId', vendorId);
    if (productId === 0 || productId === 0xffff) throw DeviceErrors.zeroUsbId('productId', productId);
    const caps = this.attachedWith(vendorId, productId);
    const refused = this.refusal(vendorId, productId, caps.find((c) => c.bootMouse) ?? null);
    if (refused) throw refused;
    if (!caps.length) return;
    const ids = `${hex4(vendorId)}:${hex4(productId)}`.toUpperCase();
    const serialPort = this.portsWith(vendorId, productId).length > 0;
    if (kind === 'hid_scanner' && !caps.some((c) => c.hidIn)) throw DeviceErrors.notHid(ids);
    if (kind === 'printer' && !caps.some((c) => c.printer || (c.vendorBulkOut && !serialPort))) throw DeviceErrors.notPrinter(ids);
    if (kind === 'serial_scanner' && !serialPort && !caps.some((c) => c.cdc || c.vendorBulkOut)) throw DeviceErrors.notSerial(ids);
  }

  /**
   * Attached USB devices and USB serial ports that nothing listed answers, one row per
   * vendor:product id, with what each could be used as and, for a keyboard or mouse, why it
   * would be refused. Hubs and devices that offer nothing a scanner or printer uses are left out.
   */
  private unrecognised(): UnrecognisedDevice[] {
    const listed = new Set([...this.entries.values()].filter((e) => e.usb || e.serialPath).map((e) => `${e.info.vendorId}:${e.info.productId}`));
    const rows = new Map<string, UnrecognisedDevice>();
    for (const d of this.usbSeen.values()) {
      const { caps, name } = d;
      const key = `${d.vendorId}:${d.productId}`;
      if (listed.has(key) || rows.has(key) || caps.hub) continue;
      const port = this.portsWith(d.vendorId, d.productId)[0]?.path ?? null;
      // A device with a serial port is a serial device (a USB-serial chip looks like a vendor printer).
      const kinds: UsbIdKind[] = port
        ? ['serial_scanner']
        : [...(caps.hidIn ? ['hid_scanner' as const] : []), ...(caps.cdc ? ['serial_scanner' as const] : []), ...(caps.printer || caps.vendorBulkOut ? ['printer' as const] : [])];
      if (!kinds.length) continue;
      const refused = this.refusal(d.vendorId, d.productId, caps);
      rows.set(key, { vendorId: d.vendorId, productId: d.productId, name, port, kinds, refusal: refused && { zh: refused.zh, en: refused.en } });
    }
    for (const p of this.serialWatcher?.current().values() ?? []) {
      const ids = serialUsbIds(p);
      const key = ids && `${ids.vendorId}:${ids.productId}`;
      if (!ids || !key || listed.has(key) || rows.has(key)) continue;
      const refused = this.refusal(ids.vendorId, ids.productId, null);
      rows.set(key, { ...ids, name: p.manufacturer ?? null, port: p.path, kinds: ['serial_scanner'], refusal: refused && { zh: refused.zh, en: refused.en } });
    }
    return [...rows.values()].sort((a, b) => a.vendorId - b.vendorId || a.productId - b.productId);
  }

  /** Is this the selected printer or scanner (by its exact id, or by the vendor:product ids it was chosen by)? */
  private isSelected(kind: DeviceInfo['kind'], id: string): boolean {
    const sel = kind === 'printer' ? this.selected.printer : kind === 'scanner' ? this.selected.scanner : null;
    return !!sel && (id === sel || (BY_IDS.test(sel) && id.startsWith(`${sel}:`)));
  }

  /**
   * USB and serial devices with nothing behind them stay listed only while they are the
   * selection and nothing attached answers it (so the cashier sees "not connected"): the stand-in
   * for a choice by ids, or the port a device was unplugged from, goes once it is back elsewhere
   * or another one is chosen.
   */
  private pruneGone(): void {
    for (const kind of ['printer', 'scanner'] as const) {
      const gone = (x: Entry) => x.info.kind === kind && (x.info.transport === 'usb' || x.info.transport === 'serial') && !x.usb && !x.serialPath;
      const answered = [...this.entries.values()].some((x) => x.info.kind === kind && !gone(x) && this.isSelected(kind, x.info.id));
      for (const [id, x] of this.entries) if (gone(x) && (answered || !this.isSelected(kind, id))) this.entries.delete(id);
    }
  }

  private onDetach(...ids: string[]): void {
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      if (e.reader) {
        const done = e.reader.stop().finally(() => this.stopping.delete(id));
        this.stopping.set(id, done);
      }
      void e.port?.close();
      delete e.reader;
      delete e.port;
      delete e.usb;
      delete e.serialPath;
      // A selected device stays listed as disconnected so the cashier sees why; others just go.
      if (this.isSelected('printer', id) || this.isSelected('scanner', id)) this.setState(id, 'disconnected');
      else this.entries.delete(id);
    }
    this.changed();
  }

  private startReader(e: Entry): void {
    // One reader per device, also while it is still claiming/opening (a second would fight it for the claim).
    if ((!e.usb && !e.serialPath) || e.reader) return;
    const id = e.info.id;
    const events = {
      onCode: (code: string) => this.o.emit('scanner:scanned', { deviceId: id, code, at: this.now() }),
      onRefused: (err: AppError) => {
        this.log(`${id}: ${err.code} ${JSON.stringify(err.detail)}`);
        this.o.emit('scanner:refused', { deviceId: id, error: err.toShape(), at: this.now() });
      },
      onEnd: (why: ReaderEnd | 'busy') => {
        if (e.reader === reader) delete e.reader;
        if (why === 'stopped') return;
        if (why === 'busy') this.setState(id, 'error', { message: busyMessage(e.serialPath ?? id), udevRule: null });
        // A raw-HID scanner its path cannot read (Windows: a keyboard-mode one): the path says why.
        else if (why === 'not_a_scanner' && reader instanceof HidScanner) this.setState(id, 'error', { message: reader.path.why, udevRule: null });
        else if (why === 'no_permission') this.setState(id, 'no_permission', this.permission(e));
        else this.setState(id, why === 'not_a_scanner' ? 'error' : 'disconnected');
        this.changed();
      },
    };
    const reader: ScannerReader = e.serialPath
      ? new SerialScanner(this.serialLib!, e.serialPath, this.selected.serialBaud, events)
      : this.hidScanner(e, events);
    e.reader = reader;
    void (this.stopping.get(id) ?? Promise.resolve())
      .then(() => reader.start())
      .then(() => {
        // Reading again (a serial port reopened after an unplug, or one that was busy): ready.
        if (reader.active && e.reader === reader) this.setState(id, 'ready');
        if (reader instanceof HidScanner) this.showHidPath(e, reader);
      });
  }

  /** A raw-HID scanner's reader on its OS's path (scanner/hid-path.ts); the entry shows which and why. */
  private hidScanner(e: Entry, events: ConstructorParameters<typeof HidScanner>[1]): HidScanner {
    const reader = new HidScanner({
      platform: this.platform,
      force: this.demo ? 'demo' : this.o.hidTransport,
      usb: e.usb!,
      vendorId: e.info.vendorId ?? 0,
      productId: e.info.productId ?? 0,
      loadHid: this.o.loadHid ?? (() => loadNodeHid(this.platform)),
    }, events);
    this.showHidPath(e, reader);
    return reader;
  }

  private showHidPath(e: Entry, reader: HidScanner): void {
    if (e.info.via === reader.path.why) return;
    e.info = { ...e.info, via: reader.path.why };
    this.changed();
  }

  // --- state --------------------------------------------------------------------------------

  private permission(e: Entry): { message: Message; udevRule: string | null } {
    const v = e.info.vendorId ?? 0;
    const p = e.info.productId ?? 0;
    const linux = this.platform === 'linux';
    if (e.info.transport === 'serial') return { message: serialPermissionMessage(this.platform, e.serialPath ?? ''), udevRule: linux ? serialUdevRuleFor(v, p) : null };
    return { message: permissionMessage(this.platform, v, p), udevRule: linux ? udevRuleFor(v, p) : null };
  }

  private put(i: Pick<DeviceInfo, 'id' | 'kind' | 'transport' | 'name' | 'state'> & Partial<DeviceInfo>, extra: Partial<Entry> = {}): Entry {
    const e: Entry = {
      info: { vendorId: null, productId: null, selected: false, message: null, udevRule: null, paperWidth: null, serialBaud: null, ...i },
      ...extra,
    };
    this.entries.set(i.id, e);
    return e;
  }

  /**
   * A printer on another path than USB (printer/paths.ts), listed once chosen: a network printer
   * (raw TCP, one socket), a CUPS queue or a Windows printer (the OS queue, raw) have their port at
   * once; a serial printer gets its port when its port is listed (onSerialAttach), else shows
   * "not connected". Null: not such an id. Throws on an OS without that path (refused, nothing changed).
   */
  private pathEntry(id: string): Entry | null {
    const p = parsePrinterPathId(id);
    if (!p) return null;
    const old = this.entries.get(id);
    if (old) return old;
    switch (p.path) {
      case 'net':
        return this.put({ id, kind: 'printer', transport: 'network', name: `网络打印机 Network printer ${p.host}:${p.port}`, state: 'ready' }, { port: new NetPrinter(p.host, p.port) });
      case 'serial': {
        const e = this.put({ id, kind: 'printer', transport: 'serial', name: `串口打印机 Serial printer ${p.key.split(':').pop()}`, state: 'ready' });
        const listed = this.serialWatcher?.current().get(p.key);
        if (listed) this.attachSerialPrinter(e, listed);
        else this.setState(id, 'disconnected');
        return e;
      }
      case 'cups': {
        if (this.platform !== 'linux' || this.demo) throw PathErrors.wrongOs('cups');
        const q = this.queues.cupsName(p.queue);
        return this.put({ id, kind: 'printer', transport: 'queue', name: `CUPS 打印队列 queue ${q}`, state: 'ready' }, { port: new CupsPrinter(q, { server: this.o.cupsServer, run: this.o.runCommand }) });
      }
      case 'win':
        if (this.platform !== 'win32' || this.demo) throw PathErrors.wrongOs('win');
        return this.put({ id, kind: 'printer', transport: 'queue', name: `Windows 打印机 printer ${p.name}`, state: 'ready' }, { port: new WinSpoolerPrinter(p.name, { run: this.o.runCommand }) });
    }
  }

  /** A serial printer's port is listed: driven there at the printer's baud rate and flow control. */
  private attachSerialPrinter(e: Entry, p: SerialPortInfo): void {
    if (!this.serialLib) return;
    void e.port?.close();
    const ids = serialUsbIds(p);
    e.serialPath = p.path;
    e.port = new SerialPrinter(this.serialLib, p.path, { baudRate: this.selected.printerBaud, flowControl: this.selected.printerFlow });
    e.info = { ...e.info, name: `串口打印机 Serial printer ${p.path}`, vendorId: ids?.vendorId ?? null, productId: ids?.productId ?? null };
    this.setState(e.info.id, 'ready');
    if (this.isSelected('printer', e.info.id)) void this.pollStatus();
  }

  /** A serial printer's baud rate / flow control chosen: stored, and its port opened again with them. */
  private async setSerialPrinter(e: Entry, baud: SerialBaud | null, flow: SerialFlowControl | null): Promise<void> {
    const changed = (baud !== null && baud !== this.selected.printerBaud) || (flow !== null && flow !== this.selected.printerFlow);
    if (baud !== null) {
      this.selected.printerBaud = baud;
      await this.o.settings.set('devices.printerBaud', String(baud));
    }
    if (flow !== null) {
      this.selected.printerFlow = flow;
      await this.o.settings.set('devices.printerFlow', flow);
    }
    const key = e.info.id.slice('printer:serial:'.length);
    const listed = this.serialWatcher?.current().get(key);
    if (changed && listed) this.attachSerialPrinter(e, listed);
  }

  /** Which path a printer prints through and what is not known there; a serial printer's port settings. */
  private printerPath(e: Entry): Pick<DeviceInfo, 'via' | 'flowControl'> {
    if (e.info.transport === 'usb') return { via: viaFor({ path: 'usb' }), flowControl: null };
    const p = parsePrinterPathId(e.info.id);
    if (!p) return { via: null, flowControl: null };
    if (p.path === 'cups') return { via: viaFor({ ...p, queue: this.queues.cupsName(p.queue) }), flowControl: null };
    if (p.path !== 'serial') return { via: viaFor(p), flowControl: null };
    return {
      via: viaFor(p, { port: e.serialPath ?? null, baud: this.selected.printerBaud, flow: this.selected.printerFlow }),
      flowControl: this.selected.printerFlow,
    };
  }

  /** Serial ports (but the selected serial scanner's own), then the OS queues, a receipt printer could be used through. */
  private printerCandidates(): PrinterCandidate[] {
    const scannerPorts = new Set([...this.entries.values()].filter((x) => x.info.kind === 'scanner' && x.serialPath && this.isSelected('scanner', x.info.id)).map((x) => x.serialPath));
    const serial = [...(this.serialWatcher?.current().values() ?? [])].filter((p) => !scannerPorts.has(p.path)).map(serialCandidate);
    return [...serial, ...this.queues.candidates()];
  }

  /** Lists the OS queues again; tells the screen when the list changed. */
  private async refreshQueues(announce = false): Promise<void> {
    this.queuesAt = this.now();
    const before = JSON.stringify(this.queues.candidates());
    try {
      await this.queues.refresh();
    } catch (e) {
      this.log(`print queues not listed: ${String(e)}`);
    }
    if (announce && JSON.stringify(this.queues.candidates()) !== before) this.changed();
  }

  /** A selected device not (yet) attached is shown, so the cashier sees "disconnected", not nothing. */
  private placeholderForSelected(): void {
    for (const [kind, id] of [['printer', this.selected.printer], ['scanner', this.selected.scanner]] as const) {
      if (!id || this.entries.has(id)) continue;
      if ([...this.entries.values()].some((x) => x.info.kind === kind && this.isSelected(kind, x.info.id))) continue;
      const m = /:(usb|serial):([0-9a-f]{4}):([0-9a-f]{4})/.exec(id);
      this.put({
        id, kind, transport: m?.[1] === 'serial' ? 'serial' : 'usb', name: m ? `${m[2]}:${m[3]}` : id,
        vendorId: m ? parseInt(m[2]!, 16) : null, productId: m ? parseInt(m[3]!, 16) : null,
        state: this.hostState.available ? 'disconnected' : 'unavailable',
      });
      this.setState(id, this.hostState.available ? 'disconnected' : 'unavailable');
    }
  }

  private setState(id: string, state: DeviceState, detail?: { message: Message; udevRule: string | null }): void {
    const e = this.entries.get(id);
    if (!e) return;
    const message = detail?.message ?? (state === 'ready' || state === 'busy' ? null : MSG[state]);
    const udevRule = detail?.udevRule ?? null;
    if (e.info.state === state && e.info.message === message) return;
    e.info = { ...e.info, state, message, udevRule };
    if (state !== 'busy') this.changed();
  }

  private changed(): void {
    this.o.emit('devices:changed', this.list());
  }
}

function publicJob(j: Job | PrintJob): PrintJob {
  return { id: j.id, kind: j.kind, orderNo: j.orderNo, state: j.state, error: j.error, createdAt: j.createdAt, mayHavePrinted: j.mayHavePrinted ?? false };
}

function parseFlow(v: unknown): SerialFlowControl | null {
  return (SERIAL_FLOW_CONTROLS as readonly unknown[]).includes(v) ? (v as SerialFlowControl) : null;
}

function throwFor(s: { paperOut: boolean; coverOpen: boolean; error: boolean }): void {
  if (s.paperOut) throw PrinterErrors.paperOut();
  if (s.coverOpen) throw PrinterErrors.coverOpen();
  if (s.error) throw PrinterErrors.error();
}

function stateForError(code: string): DeviceState {
  switch (code) {
    case 'printer.paper_out': return 'paper_out';
    case 'printer.cover_open': return 'cover_open';
    case 'printer.disconnected': return 'disconnected';
    case 'device.no_permission': return 'no_permission';
    case 'printer.none': return 'disconnected';
    default: return 'error';
  }
}
