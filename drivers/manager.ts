/**
 * The device manager: finds the printer and scanner, keeps their status, prints receipts and
 * opens the cash drawer. Demo mode (and tests) use the simulated twins; live mode uses USB.
 *
 * Invariants:
 * - printing never blocks or undoes a payment: `printReceipt` never throws and returns as soon as
 *   the job is queued or refused; a job that fails (paper out, unplugged …) is kept with its exact
 *   bytes and can be reprinted;
 * - one job at a time per printer, status polls queued behind jobs (usb-printer.ts);
 * - a device's trouble is an event (`devices:changed`) with a bilingual message, never a crash:
 *   a host without USB shows every USB device `unavailable` and carries on;
 * - raw-HID readers only ever claim a device that is a known scanner or the one an administrator
 *   chose (claiming detaches the kernel driver: it must never be the cashier's keyboard).
 */
import type { DeviceInfo, DeviceList, DeviceState, PrintJob } from '../core/api/devices';
import type { EventPayload, Events } from '../core/api/contract';
import { AppError, isAppError, type AppErrorShape } from '../core/api/errors';
import type { Message } from '../core/api/payments';
import { columnsFor, encodeDrawerPulse, encodeReceipt, encodeTestPage } from './printer/escpos';
import { PrinterErrors, type PrinterPort } from './printer/port';
import { parseReceipt, type PaperWidth } from './printer/receipt';
import { SimulatedPrinter } from './printer/simulated';
import { isUsbPrinter, UsbPrinter } from './printer/usb-printer';
import { knownScannerName } from './scanner/known';
import { UsbHidScanner, type ReaderEnd } from './scanner/usb-hid';
import { loadUsbHost, UsbWatcher, type HostState, type UsbHost } from './usb/host';
import { findInterface, hex4, USB_CLASS_HID, type UsbDeviceLike } from './usb/webusb';

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
  platform?: NodeJS.Platform;
  now?: () => number;
  statusPollMs?: number;
  usbPollMs?: number;
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
};

const MSG: Record<Exclude<DeviceState, 'ready' | 'busy'>, Message> = {
  paper_out: { zh: '打印机缺纸，请装纸。未打印的小票可在“设备”中重打。', en: 'The printer is out of paper. Load paper; unprinted receipts can be reprinted under Devices.' },
  cover_open: { zh: '打印机盖未关好。', en: 'The printer cover is open.' },
  error: { zh: '打印机报告故障（卡纸或过热），请检查。', en: 'The printer reports an error (jam or overheating). Check it.' },
  disconnected: { zh: '设备未连接，请检查连线；插回后会自动恢复。', en: 'The device is not connected. Check the cable; it resumes by itself when plugged back in.' },
  no_permission: { zh: '系统不允许访问该设备。', en: 'The system does not allow access to this device.' },
  unavailable: { zh: '本机无法访问 USB 设备；可使用扫码枪的键盘模式。', en: 'This computer cannot reach USB devices; the scanner still works in keyboard mode.' },
};

/** The udev rule that gives the logged-in cashier access to one device (resources/linux/ has the general file). */
export function udevRuleFor(vendorId: number, productId: number): string {
  return `SUBSYSTEM=="usb", ATTRS{idVendor}=="${hex4(vendorId)}", ATTRS{idProduct}=="${hex4(productId)}", MODE="0660", GROUP="plugdev", TAG+="uaccess"`;
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
}

interface Entry {
  info: DeviceInfo;
  usb?: UsbDeviceLike;
  port?: PrinterPort;
  reader?: UsbHidScanner;
}

const KEEP_FAILED = 50;

export class DeviceManager {
  private readonly entries = new Map<string, Entry>();
  private readonly jobs = new Map<string, Job>();
  private selected = { printer: null as string | null, scanner: null as string | null, paperWidth: 58 as PaperWidth };
  private queue: Promise<unknown> = Promise.resolve();
  private jobSeq = 0;
  private watcher: UsbWatcher | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private chosenScanners = new Set<string>();
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
  }

  async start(): Promise<void> {
    const s = this.o.settings;
    const pw = await s.get('devices.paperWidth');
    this.selected.paperWidth = pw === '80' ? 80 : 58;
    this.selected.printer = await s.get('devices.printer');
    this.selected.scanner = await s.get('devices.scanner');
    for (const id of (await s.get('devices.chosenScanners'))?.split(',').filter(Boolean) ?? []) this.chosenScanners.add(id);

    this.put({ id: 'scanner:wedge', kind: 'scanner', transport: 'wedge', name: '键盘模式扫码枪 Keyboard-mode scanner', state: 'ready' });
    if (this.o.mode === 'demo') {
      this.put({ id: 'printer:sim', kind: 'printer', transport: 'simulated', name: '模拟打印机 Simulated printer', state: 'ready' }, { port: this.sim! });
      this.put({ id: 'scanner:sim', kind: 'scanner', transport: 'simulated', name: '模拟扫码枪 Simulated scanner', state: 'ready' });
      this.selected.printer ??= 'printer:sim';
      this.selected.scanner ??= 'scanner:sim';
    } else {
      this.selected.scanner ??= 'scanner:wedge';
      const { host, reason } = await (this.o.loadUsb ?? loadUsbHost)();
      if (!host) this.onHostState({ available: false, reason });
      else {
        this.watcher = new UsbWatcher(host, {
          onAttach: (k, d) => this.onAttach(k, d),
          onDetach: (k) => this.onDetach(k),
          onState: (st) => this.onHostState(st),
        }, this.o.usbPollMs ?? 2000);
        await this.watcher.start();
      }
      this.statusTimer = setInterval(() => void this.pollStatus(), this.o.statusPollMs ?? 5000);
      this.statusTimer.unref?.();
    }
    this.placeholderForSelected();
    this.changed();
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const e of this.entries.values()) {
      await e.reader?.stop();
      await e.port?.close();
    }
  }

  list(): DeviceList {
    const devices = [...this.entries.values()].map((e) => ({
      ...e.info,
      selected: e.info.id === this.selected.printer || e.info.id === this.selected.scanner,
      paperWidth: e.info.kind === 'printer' ? this.selected.paperWidth : null,
    }));
    devices.sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
    const failedJobs = [...this.jobs.values()].filter((j) => j.state === 'failed').sort((a, b) => b.createdAt - a.createdAt).map(publicJob);
    return { devices, failedJobs };
  }

  async select(deviceId: string, paperWidth?: PaperWidth): Promise<DeviceList> {
    const e = this.entries.get(deviceId);
    if (!e && !/^scanner:usb:[0-9a-f]{4}:[0-9a-f]{4}/.test(deviceId)) throw DeviceErrors.unknownDevice();
    const kind = e?.info.kind ?? 'scanner';
    if (kind === 'printer') {
      this.selected.printer = deviceId;
      await this.o.settings.set('devices.printer', deviceId);
    } else if (kind === 'scanner') {
      const old = this.selected.scanner;
      this.selected.scanner = deviceId;
      await this.o.settings.set('devices.scanner', deviceId);
      if (old && old !== deviceId) await this.entries.get(old)?.reader?.stop();
      if (deviceId.startsWith('scanner:usb:')) {
        // An administrator's explicit choice: this HID device may be claimed even if its vendor is unknown.
        this.chosenScanners.add(deviceId.split(':').slice(2, 4).join(':'));
        await this.o.settings.set('devices.chosenScanners', [...this.chosenScanners].join(','));
        if (e?.usb) this.startReader(e);
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
    let orderNo: string | null = null;
    try {
      const r = parseReceipt(receipt);
      orderNo = r.orderNo;
      bytes = encodeReceipt(r);
    } catch (e) {
      this.log(`receipt refused: ${isAppError(e) ? JSON.stringify(e.detail) : String(e)}`);
      return publicJob(this.newJob('receipt', null, null, isAppError(e) ? e.toShape() : PrinterErrors.error().toShape()));
    }
    return this.run(this.newJob('receipt', orderNo, bytes));
  }

  async testPrint(): Promise<PrintJob> {
    const e = this.printerEntry();
    return this.run(this.newJob('test', null, encodeTestPage(this.selected.paperWidth, e?.info.name ?? '', this.now())));
  }

  async reprint(jobId: string): Promise<PrintJob> {
    const j = this.jobs.get(jobId);
    if (!j || j.state !== 'failed' || !j.bytes) throw DeviceErrors.unknownJob();
    return this.run(j);
  }

  /** For the RPC (supervisor/admin): throws a bilingual error when the drawer cannot be opened. */
  async kickDrawer(): Promise<void> {
    const e = this.printerEntry();
    if (!e?.port) throw PrinterErrors.none();
    const port = e.port;
    await this.serial(() => port.write(encodeDrawerPulse()));
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

  async simulate(action: 'paper_out' | 'paper_in' | 'scanner_unplug' | 'scanner_replug' | 'scan', code?: string): Promise<void> {
    if (this.o.mode !== 'demo' || !this.sim) throw DeviceErrors.demoOnly();
    const scanner = this.entries.get('scanner:sim')!;
    switch (action) {
      case 'paper_out':
      case 'paper_in':
        this.sim.paperOut = action === 'paper_out';
        this.setState('printer:sim', this.sim.paperOut ? 'paper_out' : 'ready');
        break;
      case 'scanner_unplug':
      case 'scanner_replug':
        this.setState('scanner:sim', action === 'scanner_unplug' ? 'disconnected' : 'ready');
        break;
      case 'scan':
        if (scanner.info.state !== 'ready') throw DeviceErrors.scannerUnplugged();
        this.o.emit('scanner:scanned', { deviceId: 'scanner:sim', code: code ?? '134567890123456789', at: this.now() });
        break;
    }
  }

  // --- jobs ---------------------------------------------------------------------------------

  private newJob(kind: 'receipt' | 'test', orderNo: string | null, bytes: Uint8Array | null, error: AppErrorShape | null = null): Job {
    const id = `J${this.now().toString(36).toUpperCase()}${(++this.jobSeq).toString(36).toUpperCase()}`;
    const j: Job = { id, kind, orderNo, state: error ? 'failed' : 'queued', error, createdAt: this.now(), bytes };
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
      try {
        if (!e?.port) throw e ? PrinterErrors.disconnected() : PrinterErrors.none();
        j.state = 'printing';
        this.setState(e.info.id, 'busy');
        const before = await e.port.status();
        throwFor(before);
        await e.port.write(j.bytes!);
        if (e.info.transport === 'usb') throwFor(await e.port.status()); // paper ran out during the job?
        j.state = 'printed';
        this.setState(e.info.id, 'ready');
        if (e.port === this.sim && this.sim.printed.length) {
          this.o.emit('printer:printed', { jobId: j.id, deviceId: e.info.id, receipt: this.sim.printed[this.sim.printed.length - 1]! });
          if (this.sim.printed.length > 20) this.sim.printed.splice(0, this.sim.printed.length - 20);
        }
        this.jobs.delete(j.id);
      } catch (err) {
        j.state = 'failed';
        j.error = isAppError(err) ? err.toShape() : PrinterErrors.error().toShape();
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
    const failed = [...this.jobs.values()].filter((x) => x.state === 'failed').sort((a, b) => a.createdAt - b.createdAt);
    for (const x of failed.slice(0, Math.max(0, failed.length - KEEP_FAILED))) this.jobs.delete(x.id);
  }

  private printerEntry(): Entry | undefined {
    return this.selected.printer ? this.entries.get(this.selected.printer) : undefined;
  }

  private async pollStatus(): Promise<void> {
    const e = this.printerEntry();
    if (!e?.port || e.info.transport !== 'usb' || e.info.state === 'busy') return;
    await this.serial(async () => {
      try {
        const s = await e.port!.status();
        this.setState(e.info.id, s.paperOut ? 'paper_out' : s.coverOpen ? 'cover_open' : s.error ? 'error' : 'ready');
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
    const vidpid = `${hex4(d.vendorId)}:${hex4(d.productId)}`;
    const name = d.productName || d.manufacturerName || vidpid;
    if (isUsbPrinter(d)) {
      const id = `printer:usb:${key}`;
      const old = this.entries.get(id);
      void old?.port?.close();
      const e = this.put({ id, kind: 'printer', transport: 'usb', name, vendorId: d.vendorId, productId: d.productId, state: 'ready' }, { usb: d, port: new UsbPrinter(d) });
      this.selected.printer ??= id;
      if (this.selected.printer === id) void this.pollStatus();
      void e;
    } else if (findInterface(d, USB_CLASS_HID, { in: 'interrupt' }) && (knownScannerName(d.vendorId) || this.chosenScanners.has(vidpid))) {
      const id = `scanner:usb:${key}`;
      const e = this.put({ id, kind: 'scanner', transport: 'usb', name: `${knownScannerName(d.vendorId) ?? ''} ${name}`.trim(), vendorId: d.vendorId, productId: d.productId, state: 'ready' }, { usb: d });
      if (this.selected.scanner === id) this.startReader(e);
    } else return;
    this.changed();
  }

  private onDetach(key: string): void {
    for (const id of [`printer:usb:${key}`, `scanner:usb:${key}`]) {
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
      // A selected device stays listed as disconnected so the cashier sees why; others just go.
      if (id === this.selected.printer || id === this.selected.scanner) this.setState(id, 'disconnected');
      else this.entries.delete(id);
    }
    this.changed();
  }

  private startReader(e: Entry): void {
    if (!e.usb || e.reader?.active) return;
    const id = e.info.id;
    const reader = new UsbHidScanner(e.usb, {
      onCode: (code) => this.o.emit('scanner:scanned', { deviceId: id, code, at: this.now() }),
      onRefused: (err) => this.log(`${id}: ${err.code} ${JSON.stringify(err.detail)}`),
      onEnd: (why: ReaderEnd) => {
        if (e.reader === reader) delete e.reader;
        if (why === 'stopped') return;
        this.setState(id, why === 'no_permission' ? 'no_permission' : why === 'not_a_scanner' ? 'error' : 'disconnected', why === 'no_permission' ? this.permission(e) : undefined);
        this.changed();
      },
    });
    e.reader = reader;
    void (this.stopping.get(id) ?? Promise.resolve()).then(() => reader.start());
  }

  // --- state --------------------------------------------------------------------------------

  private permission(e: Entry): { message: Message; udevRule: string | null } {
    const v = e.info.vendorId ?? 0;
    const p = e.info.productId ?? 0;
    return { message: permissionMessage(this.platform, v, p), udevRule: this.platform === 'linux' ? udevRuleFor(v, p) : null };
  }

  private put(i: Pick<DeviceInfo, 'id' | 'kind' | 'transport' | 'name' | 'state'> & Partial<DeviceInfo>, extra: Partial<Entry> = {}): Entry {
    const e: Entry = {
      info: { vendorId: null, productId: null, selected: false, message: null, udevRule: null, paperWidth: null, ...i },
      ...extra,
    };
    this.entries.set(i.id, e);
    return e;
  }

  /** A selected device not (yet) attached is shown, so the cashier sees "disconnected", not nothing. */
  private placeholderForSelected(): void {
    for (const [kind, id] of [['printer', this.selected.printer], ['scanner', this.selected.scanner]] as const) {
      if (!id || this.entries.has(id)) continue;
      const m = /:usb:([0-9a-f]{4}):([0-9a-f]{4})/.exec(id);
      this.put({
        id, kind, transport: 'usb', name: m ? `${m[1]}:${m[2]}` : id,
        vendorId: m ? parseInt(m[1]!, 16) : null, productId: m ? parseInt(m[2]!, 16) : null,
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
  return { id: j.id, kind: j.kind, orderNo: j.orderNo, state: j.state, error: j.error, createdAt: j.createdAt };
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
