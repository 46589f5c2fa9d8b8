/**
 * Which transport reads a raw-HID scanner, per OS, and why (the Devices screen shows both):
 *
 * - Windows: hidapi (`node-hid`). Windows' HID driver owns the device; libusb could open it only
 *   after its driver is replaced with WinUSB (Zadig), which an installer should not have to do.
 *   Windows keeps keyboards to itself (no program reads a keyboard collection's reports), so a
 *   scanner in keyboard mode is not readable this way: it stays a keyboard-mode scanner, and the
 *   screen says to switch it to HID POS. A device Windows no longer lists as HID (WinUSB put on
 *   it with Zadig) is read over libusb as before.
 * - macOS: hidapi, for the same reason (the OS owns HID devices).
 * - Linux: libusb (`usb`), deliberately, though hidraw would work: the app detaches the kernel's
 *   `usbhid`, so a scanner's reports come to the app alone. hidraw reads beside the keyboard
 *   driver, which goes on typing a keyboard-mode scanner's codes into the window in front: every
 *   code would arrive twice. The .deb's udev rules already open the known makers' USB devices;
 *   hidraw would need a second rule (`SUBSYSTEM=="hidraw"`). `hidTransport: 'node-hid'` forces
 *   hidapi (the tests, and the USB VM's hidraw check).
 * - node-hid that cannot load (no binary for this machine) falls back to libusb, saying so.
 */
import type { Message } from '../../core/api/payments';
import type { UsbDeviceLike } from '../usb/webusb';
import { keyboardOnly, NodeHidScanner, pickCollection, type HidLib } from './node-hid';
import type { HidReaderEvents, HidReportSource } from './hid-reader';
import { UsbHidScanner } from './usb-hid';

export type HidVia = 'libusb' | 'node-hid';
export interface HidPath {
  via: HidVia;
  why: Message;
}

const WHY = {
  linux: {
    zh: 'Linux：经 libusb 读取，本程序卸下内核的 usbhid 驱动，扫码枪的数据只交给本程序；若经 hidraw 读取，键盘驱动仍会把每个码打进前台窗口，一个码会来两次。.deb 的 udev 规则已开放常见厂商的设备。',
    en: "Linux: read over libusb, the app detaching the kernel's usbhid driver, so the scanner's reports come to the app alone; read through hidraw, the keyboard driver would still type each code into the window in front, and every code would arrive twice. The .deb's udev rules already open the known makers' devices.",
  },
  win32: {
    zh: 'Windows：经 hidapi（node-hid）读取，使用 Windows 自带的 HID 驱动，无需用 Zadig 替换驱动。',
    en: "Windows: read through hidapi (node-hid) on Windows' own HID driver: no driver to replace (no Zadig).",
  },
  darwin: {
    zh: 'macOS：经 hidapi（node-hid）读取：HID 设备归系统所有，libusb 无法占用。',
    en: 'macOS: read through hidapi (node-hid): the OS owns HID devices and libusb cannot claim them.',
  },
  forced: {
    zh: '按本机配置经 hidapi（node-hid）读取（Linux 上为 hidraw）。',
    en: 'Read through hidapi (node-hid; hidraw on Linux), as this computer is configured.',
  },
  winusb: {
    zh: 'Windows 未把它列为 HID 设备（已用 Zadig 换成 WinUSB 驱动），因此经 libusb 读取。',
    en: 'Windows does not list it as a HID device (its driver was replaced with WinUSB by Zadig), so it is read over libusb.',
  },
  demo: {
    zh: '培训：模拟柜台上的扫码枪经 libusb 路径读取。',
    en: "Training: the simulated counter's scanner is read through the libusb path.",
  },
} satisfies Record<string, Message>;

/** Windows keeps keyboards to itself: a keyboard-mode scanner cannot be read raw without replacing its driver. */
export const WINDOWS_KEYBOARD: Message = {
  zh: '这把扫码枪处于键盘模式：Windows 独占键盘，本程序读不到它的原始数据（它仍可作为键盘模式扫码枪使用）。要不依赖窗口焦点读取，请扫厂商的“HID POS”设置码；或用 Zadig 把它的驱动换成 WinUSB。',
  en: 'This scanner is in keyboard mode: Windows keeps keyboards to itself, so the app cannot read its reports (it still works as a keyboard-mode scanner). To read it whatever has focus, scan the maker\'s "HID POS" setup code, or replace its driver with WinUSB using Zadig.',
};

/** The OS's path for raw-HID scanners (a forced one, or training's simulated counter, aside). */
export function hidPathFor(platform: NodeJS.Platform, force?: HidVia | 'demo'): HidPath {
  if (force === 'demo') return { via: 'libusb', why: WHY.demo };
  if (force === 'node-hid') return { via: 'node-hid', why: WHY.forced };
  if (force === 'libusb' || platform === 'linux') return { via: 'libusb', why: WHY.linux };
  if (platform === 'win32') return { via: 'node-hid', why: WHY.win32 };
  if (platform === 'darwin') return { via: 'node-hid', why: WHY.darwin };
  return { via: 'libusb', why: WHY.linux };
}

export interface HidScannerOptions {
  platform: NodeJS.Platform;
  force?: HidVia | 'demo';
  usb: UsbDeviceLike;
  vendorId: number;
  productId: number;
  loadHid: () => Promise<{ lib: HidLib | null; reason: string }>;
  readTimeoutMs?: number;
}

/**
 * A raw-HID scanner on the path its OS calls for: picks the transport at `start` (node-hid needs
 * a look at what hidapi lists), then reads through it. `path` says which and why.
 */
export class HidScanner {
  path: HidPath;
  private inner: UsbHidScanner | NodeHidScanner | null = null;
  private wanted = false;

  constructor(
    private readonly o: HidScannerOptions,
    private readonly events: HidReaderEvents,
  ) {
    this.path = hidPathFor(o.platform, o.force);
  }

  get active(): boolean {
    return this.inner?.active ?? false;
  }

  /** How the chosen transport tells reports apart (null before it opened the device). */
  get layout(): HidReportSource | null {
    return this.inner?.layout ?? null;
  }

  async start(): Promise<void> {
    this.wanted = true;
    const opts = { readTimeoutMs: this.o.readTimeoutMs };
    if (this.path.via === 'node-hid') {
      const { lib, reason } = await this.o.loadHid();
      const list = lib ? await lib.devices(this.o.vendorId, this.o.productId).catch(() => []) : [];
      const pick = pickCollection(list);
      if (!lib) {
        this.path = {
          via: 'libusb',
          why: { zh: `node-hid 无法加载（${reason}），改经 libusb 读取。`, en: `node-hid could not load (${reason}): read over libusb instead.` },
        };
      } else if (!pick && this.o.platform === 'win32') {
        this.path = { via: 'libusb', why: WHY.winusb };
      } else if (!pick) {
        return this.events.onEnd('disconnected');
      } else if (this.o.platform === 'win32' && keyboardOnly(list)) {
        this.path = { via: 'node-hid', why: WINDOWS_KEYBOARD };
        return this.events.onEnd('not_a_scanner');
      } else {
        this.inner = new NodeHidScanner(lib, pick, this.events, opts);
      }
    }
    this.inner ??= new UsbHidScanner(this.o.usb, this.events, opts);
    if (!this.wanted) return this.events.onEnd('stopped');
    await this.inner.start();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    await this.inner?.stop();
  }
}
