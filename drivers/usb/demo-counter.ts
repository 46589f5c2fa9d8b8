/**
 * Demo mode's simulated counter PC: a USB host and serial ports on the same interfaces as the
 * real ones, so the device manager runs its live code on them and a trainer can show an
 * installer's "use a device by USB id" flow without hardware. Plugged in, as at a real counter:
 * - the cashier's keyboard, a Logitech (046d:c31c): listed as not recognised, refused if chosen;
 * - a barcode scanner of a maker the app does not know (1a86:e026, HID): chosen as a raw-HID scanner;
 * - an RS-232 scanner on a CH340 USB-serial adapter (1a86:7523): chosen as a serial scanner, where
 *   the baud rate matters.
 * The simulated printer and scanner (`printer:sim`, `scanner:sim`) are not here: they stay the
 * lessons' devices. Once one of these is the selected scanner, "scan", "unplug" and "replug" act
 * on it (scanner/hid.ts turns a code into the keyboard reports the scanner would send).
 */
import { FakeSerialLib } from '../scanner/fake-serial';
import { keyboardReports } from '../scanner/hid';
import { FakeUsbDevice, fakeHidConfig, fakeVendorBulkConfig } from './fake-device';
import type { UsbHost } from './host';
import type { UsbDeviceLike } from './webusb';

interface Plug {
  make: () => FakeUsbDevice;
  /** The serial port the device shows up as, if it is a USB-serial device. */
  serialPath?: string;
}

export class DemoCounter {
  readonly serial = new FakeSerialLib();
  readonly host: UsbHost = { getDevices: async () => [...this.attached.values()] };
  private readonly attached = new Map<Plug, FakeUsbDevice>();
  private readonly plugs: Plug[];

  constructor(platform: NodeJS.Platform) {
    const device = (vid: number, pid: number, config: ReturnType<typeof fakeHidConfig>, name: string, maker: string | null, port: number) => () => {
      const d = new FakeUsbDevice(vid, pid, config, name, '1', [port]);
      d.manufacturerName = maker;
      d.idleWaitMs = null; // a reader waits the real time-out between reports: no busy loop
      return d;
    };
    this.plugs = [
      { make: device(0x046d, 0xc31c, fakeHidConfig(), 'USB Keyboard', 'Logitech', 1) },
      { make: device(0x1a86, 0xe026, fakeHidConfig(), 'Barcode Scanner', null, 2) },
      { make: device(0x1a86, 0x7523, fakeVendorBulkConfig(), 'USB Serial', null, 3), serialPath: platform === 'win32' ? 'COM3' : '/dev/ttyUSB0' },
    ];
    this.replug();
  }

  /** Plugs back whatever is out: each as a fresh device, as after a real replug. */
  replug(): void {
    for (const p of this.plugs) if (!this.attached.has(p)) this.attached.set(p, p.make());
    this.serial.ports = this.plugs.filter((p) => p.serialPath).map((p) => ({ path: p.serialPath!, vendorId: '1a86', productId: '7523', manufacturer: 'wch.cn' }));
  }

  /** Pulls out the device behind a USB device or serial port of this counter; false if it is not one. */
  unplug(target: { usb?: UsbDeviceLike; serialPath?: string }): boolean {
    const p = this.plugFor(target);
    if (!p) return false;
    this.attached.get(p)!.unplugged = true;
    this.attached.delete(p);
    if (p.serialPath) {
      this.serial.ports = this.serial.ports.filter((x) => x.path !== p.serialPath);
      for (const port of this.serial.opened) if (port.path === p.serialPath && !port.closed) port.unplug();
    }
    return true;
  }

  /** The scanner behind this USB device or serial port sends a code; false if it is not one of this counter's. */
  scan(target: { usb?: UsbDeviceLike; serialPath?: string }, code: string): boolean {
    const p = this.plugFor(target);
    if (!p) return false;
    if (p.serialPath) {
      const port = this.serial.opened.filter((x) => x.path === p.serialPath && !x.closed).at(-1);
      if (!port) return false; // not opened (yet): the code is lost, as with a real scanner
      port.feed(`${code}\r`);
    } else {
      for (const r of keyboardReports(code)) this.attached.get(p)!.queueIn(1, r);
    }
    return true;
  }

  private plugFor(target: { usb?: UsbDeviceLike; serialPath?: string }): Plug | undefined {
    return this.plugs.find((p) => (target.serialPath ? p.serialPath === target.serialPath : target.usb !== undefined && this.attached.get(p) === target.usb));
  }
}
