import { describe, expect, it } from 'vitest';
import type { EventPayload, Events } from '../core/api/contract';
import { events as eventSchemas } from '../core/api/contract';
import type { AppError } from '../core/api/errors';
import { DeviceManager, type DeviceSettings } from './manager';
import { sampleReceipt } from './printer/fixtures';
import { receiptText } from './printer/decode';
import { FakeSerialLib } from './scanner/fake-serial';
import type { DemoCounter } from './usb/demo-counter';
import { keyboardReports } from './scanner/hid';
import type { SerialLib } from './scanner/serial';
import { FakeEscPosPrinter } from './usb/fake-printer';
import { FakeUsbDevice, fakeHidConfig, fakeKeyboardMouseConfig, fakePrinterConfig, fakeVendorBulkConfig } from './usb/fake-device';
import type { UsbHost } from './usb/host';
import type { UsbDeviceLike } from './usb/webusb';

type Seen = { [K in keyof Events]?: EventPayload<K>[] };

function harness(mode: 'demo' | 'live', host?: UsbHost | null, platform: NodeJS.Platform = 'linux', serial: SerialLib | null = null) {
  const seen: Seen = {};
  const store = new Map<string, string>();
  const settings: DeviceSettings = { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) };
  const m = new DeviceManager({
    mode,
    platform,
    settings,
    emit: (name, payload) => {
      // Every payload must satisfy the contract, as the real event bus checks.
      eventSchemas[name].parse(payload);
      ((seen[name] ??= []) as unknown[]).push(payload);
    },
    loadUsb: async () => ({ host: host ?? null, reason: host === null ? 'no USB on this host' : '' }),
    // Unit tests never load the native serialport module: a fake or nothing.
    loadSerial: async () => ({ lib: serial, reason: serial ? '' : 'no serial ports in this test' }),
    statusPollMs: 60_000,
    usbPollMs: 60_000,
  });
  return { m, seen, store };
}
const state = (m: DeviceManager, id: string) => m.list().devices.find((d) => d.id === id)?.state;

describe('device manager, demo mode (simulated twins)', () => {
  it('lists the simulated printer and scanner, selected, plus the keyboard-wedge scanner', async () => {
    const { m } = harness('demo');
    await m.start();
    const l = m.list();
    expect(l.devices.map((d) => [d.id, d.selected, d.state])).toEqual([
      ['printer:sim', true, 'ready'],
      ['scanner:sim', true, 'ready'],
      ['scanner:wedge', false, 'ready'],
    ]);
  });

  it('prints a receipt and emits the decoded receipt the screen draws', async () => {
    const { m, seen } = harness('demo');
    await m.start();
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job.state).toBe('printed');
    const printed = seen['printer:printed']!;
    expect(printed).toHaveLength(1);
    expect(printed[0]!.jobId).toBe(job.id);
    expect(receiptText(printed[0]!.receipt)).toContain('示范村便民店');
  });

  it('keeps a receipt that failed for lack of paper, and reprints it once paper is back', async () => {
    const { m, seen } = harness('demo');
    await m.start();
    await m.simulate('paper_out');
    expect(state(m, 'printer:sim')).toBe('paper_out');
    const job = await m.printReceipt(sampleReceipt(80));
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('printer.paper_out');
    expect(m.list().failedJobs.map((j) => j.id)).toEqual([job.id]);
    expect(seen['printer:printed']).toBeUndefined();
    await m.simulate('paper_in');
    const again = await m.reprint(job.id);
    expect(again.state).toBe('printed');
    expect(m.list().failedJobs).toEqual([]);
    expect(seen['devices:changed']!.at(-1)!.devices.find((d) => d.id === 'printer:sim')!.state).toBe('ready');
  });

  it('never throws from printReceipt, even for an invalid receipt (which prints nothing)', async () => {
    const { m, seen } = harness('demo');
    await m.start();
    const job = await m.printReceipt({ ...sampleReceipt(58), maskedCode: '134567890123456789' });
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('printer.bad_receipt');
    expect(seen['printer:printed']).toBeUndefined();
  });

  it('refuses to reprint a job that is not a kept failed job', async () => {
    const { m } = harness('demo');
    await m.start();
    const job = await m.printReceipt(sampleReceipt(58));
    await expect(m.reprint(job.id)).rejects.toMatchObject({ code: 'devices.unknown_job' });
  });

  it('opens the drawer with a kick pulse through the printer', async () => {
    const { m, seen } = harness('demo');
    await m.start();
    expect(await m.openDrawer()).toEqual({ ok: true, error: null });
    expect(m.sim!.printed.at(-1)!.blocks).toEqual([{ kind: 'pulse', pin: 0, onMs: 100, offMs: 500 }]);
    expect(seen['printer:printed']).toBeUndefined(); // a pulse is not a receipt
  });

  it('still opens the drawer when the printer is out of paper (change must be given)', async () => {
    const { m } = harness('demo');
    await m.start();
    await m.simulate('paper_out');
    expect(await m.openDrawer()).toEqual({ ok: true, error: null });
  });

  it('reports a drawer that cannot be opened without throwing', async () => {
    const { m } = harness('live', null);
    await m.start();
    const r = await m.openDrawer();
    expect(r).toMatchObject({ ok: false, error: { code: 'printer.none' } });
    await expect(m.kickDrawer()).rejects.toMatchObject({ code: 'printer.none' });
  });

  it('emits a simulated scan, and refuses one while the scanner is unplugged', async () => {
    const { m, seen } = harness('demo');
    await m.start();
    await m.simulate('scan', '281234567890123456');
    expect(seen['scanner:scanned']!.map((s) => s.code)).toEqual(['281234567890123456']);
    await m.simulate('scanner_unplug');
    expect(state(m, 'scanner:sim')).toBe('disconnected');
    await expect(m.simulate('scan', '281234567890123456')).rejects.toMatchObject({ code: 'scanner.unplugged' });
    await m.simulate('scanner_replug');
    expect(state(m, 'scanner:sim')).toBe('ready');
  });

  it('remembers the paper width chosen', async () => {
    const { m, store } = harness('demo');
    await m.start();
    await m.select('printer:sim', 80);
    expect(store.get('devices.paperWidth')).toBe('80');
    expect(m.list().devices.find((d) => d.id === 'printer:sim')!.paperWidth).toBe(80);
  });

  it('refuses an unknown device id', async () => {
    const { m } = harness('demo');
    await m.start();
    await expect(m.select('printer:usb:nope')).rejects.toMatchObject({ code: 'devices.unknown' });
  });
});

describe('device manager, live mode', () => {
  it('refuses simulation', async () => {
    const { m } = harness('live', null);
    await m.start();
    await expect(m.simulate('paper_out')).rejects.toMatchObject({ code: 'devices.demo_only' });
  });

  it('carries on without USB: the wedge scanner stays usable, a receipt fails and is kept', async () => {
    const { m } = harness('live', null);
    await m.start();
    expect(state(m, 'scanner:wedge')).toBe('ready');
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('printer.none');
  });

  it('survives a host whose getDevices rejects', async () => {
    const host: UsbHost = { getDevices: () => Promise.reject(new Error('LIBUSB_ERROR_OTHER: no USB')) };
    const { m } = harness('live', host);
    await m.start();
    expect(m.list().devices.map((d) => d.id)).toEqual(['scanner:wedge']);
  });

  function liveBus() {
    const attached: UsbDeviceLike[] = [];
    const host: UsbHost = { getDevices: async () => [...attached] };
    const printer = new FakeUsbDevice(0x0416, 0x5011, fakePrinterConfig(), 'POS-58', '1', [2]);
    // Answers DLE EOT and GS r 1 as a printer does (drivers/usb/fake-printer.ts).
    const paper = new FakeEscPosPrinter(printer);
    const scanner = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig(), 'Voyager', '1', [3]);
    const keyboard = new FakeUsbDevice(0x046d, 0xc31c, fakeHidConfig(), 'Logitech keyboard', '1', [4]);
    return { attached, host, paper, printer, scanner, keyboard };
  }
  const poll = (m: DeviceManager) => (m as unknown as { watcher: { poll(): Promise<void> } }).watcher.poll();

  it('finds a USB printer, selects it, prints exactly, and reports paper out as an event', async () => {
    const b = liveBus();
    b.attached.push(b.printer);
    const { m, seen } = harness('live', b.host);
    await m.start();
    const id = 'printer:usb:0416:5011:1.2';
    expect(m.list().devices.find((d) => d.id === id)).toMatchObject({ selected: true, name: 'POS-58' });
    const ok = await m.printReceipt(sampleReceipt(58));
    expect(ok.state).toBe('printed');
    b.paper.paperOut = true;
    const failed = await m.printReceipt(sampleReceipt(58));
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'printer.paper_out' } });
    expect(seen['devices:changed']!.at(-1)!.devices.find((d) => d.id === id)!.state).toBe('paper_out');
  });

  it('keeps a job cut off by an unplug, shows the printer disconnected, and reprints after replug', async () => {
    const b = liveBus();
    b.attached.push(b.printer);
    const { m } = harness('live', b.host);
    await m.start();
    const id = 'printer:usb:0416:5011:1.2';
    b.printer.outFaults = ['ok', 'ok', 'ok', 'disconnect']; // two status queries, then part of the job
    const job = await m.printReceipt(sampleReceipt(80));
    expect(job).toMatchObject({ state: 'failed', error: { code: 'printer.disconnected' } });
    b.attached.length = 0;
    await poll(m);
    expect(state(m, id)).toBe('disconnected');
    b.printer.unplugged = false;
    b.printer.kernelDriverBound = true;
    b.printer.out.length = 0;
    b.attached.push(b.printer);
    await poll(m);
    const again = await m.reprint(job.id);
    expect(again.state).toBe('printed');
  });

  it('reads a selected raw-HID scanner, survives unplug and replug, and never touches a keyboard', async () => {
    const b = liveBus();
    b.attached.push(b.scanner, b.keyboard);
    const { m, seen } = harness('live', b.host);
    await m.start();
    const id = 'scanner:usb:0c2e:0b61:1.3';
    expect(m.list().devices.map((d) => d.id)).toEqual([id, 'scanner:wedge']);
    await m.select(id);
    for (const r of keyboardReports('134567890123456789')) b.scanner.queueIn(1, r);
    for (let i = 0; i < 200 && !seen['scanner:scanned']; i++) await new Promise((r) => setTimeout(r, 5));
    expect(seen['scanner:scanned']!.map((s) => [s.deviceId, s.code])).toEqual([[id, '134567890123456789']]);
    expect(b.keyboard.log).toEqual([]); // the cashier's keyboard is never opened or detached

    b.scanner.unplugged = true;
    b.attached.splice(0, 1);
    await poll(m);
    for (let i = 0; i < 200 && state(m, id) !== 'disconnected'; i++) await new Promise((r) => setTimeout(r, 5));
    expect(state(m, id)).toBe('disconnected');

    b.scanner.unplugged = false;
    b.scanner.kernelDriverBound = true;
    b.attached.push(b.scanner);
    await poll(m);
    for (const r of keyboardReports('281234567890123456')) b.scanner.queueIn(1, r);
    for (let i = 0; i < 300 && seen['scanner:scanned']!.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(seen['scanner:scanned']!.map((s) => s.code)).toEqual(['134567890123456789', '281234567890123456']);
    await m.stop();
  });

  it('shows the udev rule when Linux refuses access to the printer', async () => {
    const b = liveBus();
    b.printer.open = async () => {
      throw new Error('LIBUSB_ERROR_ACCESS: Access denied (insufficient permissions)');
    };
    b.attached.push(b.printer);
    const { m } = harness('live', b.host, 'linux');
    await m.start();
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job.error?.code).toBe('device.no_permission');
    const d = m.list().devices.find((x) => x.kind === 'printer')!;
    expect(d.state).toBe('no_permission');
    expect(d.udevRule).toBe('SUBSYSTEM=="usb", ATTRS{idVendor}=="0416", ATTRS{idProduct}=="5011", MODE="0660", GROUP="plugdev", TAG+="uaccess"');
    expect(d.message!.zh).toContain('udevadm');
  });

  it('points Windows installers to Zadig/WinUSB instead', async () => {
    const b = liveBus();
    b.printer.open = async () => {
      throw new Error('LIBUSB_ERROR_NOT_SUPPORTED');
    };
    b.attached.push(b.printer);
    const { m } = harness('live', b.host, 'win32');
    await m.start();
    await m.printReceipt(sampleReceipt(58));
    const d = m.list().devices.find((x) => x.kind === 'printer')!;
    expect(d.message!.en).toContain('Zadig');
    expect(d.udevRule).toBeNull();
  });

  it('reads a keyboard of an unknown maker only once a supervisor chooses it by vendor:product id, while it is attached', async () => {
    const b = liveBus();
    const qemuKbd = new FakeUsbDevice(0x0627, 0x0001, fakeHidConfig(), 'QEMU USB Keyboard', '1', [5]);
    b.attached.push(qemuKbd, b.keyboard, b.printer);
    const { m, seen, store } = harness('live', b.host);
    await m.start();
    expect((await m.printReceipt(sampleReceipt(58))).state).toBe('printed'); // the printer's port is open
    const printerBefore = m.list().devices.find((d) => d.kind === 'printer')!;
    const printerLog = b.printer.log.length;
    expect(m.list().devices.filter((d) => d.kind === 'scanner').map((d) => d.id)).toEqual(['scanner:wedge']); // an unknown HID device is never listed as a scanner
    await m.select('scanner:usb:0627:0001');
    expect(m.list().devices.find((d) => d.kind === 'printer')).toEqual(printerBefore);
    expect(b.printer.log.length).toBe(printerLog); // the printer's port was left alone
    expect(store.get('devices.chosenScanners')).toBe('0627:0001');
    const id = 'scanner:usb:0627:0001:1.5';
    expect(m.list().devices.filter((d) => d.kind === 'scanner').map((d) => [d.id, d.selected, d.state])).toEqual([[id, true, 'ready'], ['scanner:wedge', false, 'ready']]);
    for (const r of keyboardReports('Fp3X-134567890')) qemuKbd.queueIn(1, r);
    for (let i = 0; i < 200 && !seen['scanner:scanned']; i++) await new Promise((r) => setTimeout(r, 5));
    expect(seen['scanner:scanned']!.map((s) => [s.deviceId, s.code])).toEqual([[id, 'Fp3X-134567890']]);
    expect(b.keyboard.log).toEqual([]);
    expect(state(m, id)).toBe('ready');
    expect(qemuKbd.log.filter((l) => l.startsWith('detach') || l.startsWith('claim'))).toEqual(['detach 0', 'claim 0']); // one reader, claimed once

    // Unplugged: still listed (selected) as disconnected; back at another port: read there.
    qemuKbd.unplugged = true;
    b.attached.splice(b.attached.indexOf(qemuKbd), 1);
    await poll(m);
    expect(state(m, id)).toBe('disconnected');
    const again = new FakeUsbDevice(0x0627, 0x0001, fakeHidConfig(), 'QEMU USB Keyboard', '1', [6]);
    b.attached.push(again);
    await poll(m);
    expect(state(m, 'scanner:usb:0627:0001:1.6')).toBe('ready');
    // the port it was unplugged from is no longer listed: one scanner, one entry
    expect(m.list().devices.filter((d) => d.kind === 'scanner').map((d) => [d.id, d.selected])).toEqual([['scanner:usb:0627:0001:1.6', true], ['scanner:wedge', false]]);
    for (const r of keyboardReports('281234567890123456')) again.queueIn(1, r);
    for (let i = 0; i < 300 && seen['scanner:scanned']!.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(seen['scanner:scanned']!.map((s) => s.code)).toEqual(['Fp3X-134567890', '281234567890123456']);
    await m.stop();
  });

  it('shows a scanner chosen by ids as not connected until it is plugged in', async () => {
    const b = liveBus();
    const { m } = harness('live', b.host);
    await m.start();
    await m.select('scanner:usb:1a86:e026');
    expect(m.list().devices.map((d) => [d.id, d.selected, d.state])).toEqual([['scanner:usb:1a86:e026', true, 'disconnected'], ['scanner:wedge', false, 'ready']]);
    b.attached.push(new FakeUsbDevice(0x1a86, 0xe026, fakeHidConfig(), 'Generic scanner', '1', [7]));
    await poll(m);
    expect(m.list().devices.map((d) => [d.id, d.selected, d.state])).toEqual([['scanner:usb:1a86:e026:1.7', true, 'ready'], ['scanner:wedge', false, 'ready']]);
    await m.stop();
  });
});

describe('device manager, serial scanners', () => {
  const PAY = '134567890123456789';
  const port = { path: '/dev/ttyACM0', vendorId: '05e0', productId: '1701', manufacturer: 'Zebra' };
  const id = 'scanner:serial:05e0:1701:ttyacm0';
  const serialPoll = (m: DeviceManager) => (m as unknown as { serialWatcher: { poll(): Promise<void> } }).serialWatcher.poll();
  const tick = async (f: () => boolean) => {
    for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  /** A live manager with the Zebra serial port listed and selected, its port opened (unless opening fails). */
  async function selected(openError: string | null = null) {
    const lib = new FakeSerialLib();
    lib.ports = [port];
    lib.openError = openError;
    const h = harness('live', null, 'linux', lib);
    await h.m.start();
    await h.m.select(id);
    if (!openError) await tick(() => lib.opened.length > 0);
    return { lib, ...h };
  }

  it('lists the serial port of a known maker, reads it once selected, and emits one event per code', async () => {
    const lib = new FakeSerialLib();
    lib.ports = [port, { path: '/dev/ttyS0' }, { path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523' }];
    const { m, seen } = harness('live', null, 'linux', lib);
    await m.start();
    expect(m.list().devices.filter((d) => d.kind === 'scanner').map((d) => [d.id, d.transport, d.selected])).toEqual([
      [id, 'serial', false],
      ['scanner:wedge', 'wedge', true],
    ]);
    expect(lib.opened).toEqual([]); // nothing is opened before a supervisor selects it
    await m.select(id);
    await tick(() => lib.opened.length > 0);
    expect(lib.last.baudRate).toBe(9600);
    lib.last.feed(`${PAY}\r\n281234567890123456\r\n`);
    expect(seen['scanner:scanned']!.map((s) => [s.deviceId, s.code])).toEqual([[id, PAY], [id, '281234567890123456']]);
    await m.stop();
  });

  it('refuses garbage with a bilingual scanner:refused event and no scan', async () => {
    const { lib, m, seen } = await selected();
    lib.last.feed(Buffer.of(0x31, 0x32, 0x00, 0x9f, 0x0d));
    expect(seen['scanner:scanned']).toBeUndefined();
    expect(seen['scanner:refused']).toHaveLength(1);
    expect(seen['scanner:refused']![0]).toMatchObject({ deviceId: id, error: { code: 'scanner.bad_report', zh: expect.stringMatching(/重扫/), en: expect.stringMatching(/Scan again/) } });
    await m.stop();
  });

  it('survives unplug and replug: disconnected while gone, reads the next code after', async () => {
    const { lib, m, seen } = await selected();
    lib.last.feed('13456789');
    lib.last.unplug();
    lib.ports = [];
    await serialPoll(m);
    expect(state(m, id)).toBe('disconnected');
    lib.ports = [port];
    await serialPoll(m);
    await tick(() => lib.opened.length > 1 && state(m, id) === 'ready');
    expect(state(m, id)).toBe('ready');
    lib.last.feed(`${PAY}\r`);
    expect(seen['scanner:scanned']!.map((s) => s.code)).toEqual([PAY]); // the half code from before the unplug is gone
    await m.stop();
  });

  it('opens the port again when it was unplugged and back within one poll', async () => {
    const { lib, m, seen } = await selected();
    lib.last.unplug();
    expect(state(m, id)).toBe('disconnected');
    await serialPoll(m); // still listed: opened again
    await tick(() => lib.opened.length > 1 && state(m, id) === 'ready');
    lib.last.feed(`${PAY}\r`);
    expect(seen['scanner:scanned']!.map((s) => s.code)).toEqual([PAY]);
    await m.stop();
  });

  it('reads the port of an unknown maker chosen by vendor:product id, at the baud rate chosen', async () => {
    const lib = new FakeSerialLib();
    lib.ports = [{ path: 'COM7', vendorId: '1A86', productId: '7523' }];
    const { m, store } = harness('live', null, 'win32', lib);
    await m.start();
    expect(m.list().devices.map((d) => d.id)).toEqual(['scanner:wedge']);
    await m.select('scanner:serial:1a86:7523', undefined, 115200);
    await tick(() => lib.opened.length > 0);
    expect([lib.last.path, lib.last.baudRate]).toEqual(['COM7', 115200]);
    expect(store.get('devices.serialBaud')).toBe('115200');
    expect(m.list().devices.find((d) => d.selected)!.id).toBe('scanner:serial:1a86:7523:com7');
    await expect(m.select('scanner:serial:1a86:7523', undefined, 9601)).rejects.toMatchObject({ code: 'devices.bad_baud' });
    await m.stop();
  });

  it('tells the Linux installer about the dialout group and the tty udev rule when the port is refused', async () => {
    const { m } = await selected('Error: Permission denied, cannot open /dev/ttyACM0');
    await tick(() => state(m, id) === 'no_permission');
    const d = m.list().devices.find((x) => x.id === id)!;
    expect(d.state).toBe('no_permission');
    expect(d.message!.zh).toContain('dialout');
    expect(d.udevRule).toBe('SUBSYSTEM=="tty", ATTRS{idVendor}=="05e0", ATTRS{idProduct}=="1701", MODE="0660", GROUP="dialout", TAG+="uaccess"');
  });

  it('says which program to close when the port is held by another one', async () => {
    const { m } = await selected('Error Resource temporarily unavailable Cannot lock port');
    await tick(() => state(m, id) === 'error');
    expect(m.list().devices.find((x) => x.id === id)!.message!.en).toContain('held by another program');
  });
});

describe('device manager, a device used by its USB id (the installer\'s form)', () => {
  const tick = async (f: () => boolean, n = 200) => {
    for (let i = 0; i < n && !f(); i++) await new Promise((r) => setTimeout(r, 5));
  };
  const poll = (m: DeviceManager) => (m as unknown as { watcher: { poll(): Promise<void> } }).watcher.poll();
  /** A printer with paper that answers DLE EOT status queries. */
  const answersStatus = (d: FakeUsbDevice) => {
    new FakeEscPosPrinter(d);
    return d;
  };

  /** A counter PC: its keyboard, a wireless keyboard-and-mouse receiver, a scanner of an unknown maker, a CH340 adapter with its port, a vendor-class printer, a hub, a USB stick. */
  function counter() {
    const keyboard = new FakeUsbDevice(0x046d, 0xc31c, fakeHidConfig(), 'USB Keyboard', '1', [1]);
    const receiver = new FakeUsbDevice(0x1ea7, 0x0064, fakeKeyboardMouseConfig(), '2.4G Mouse', '1', [2]);
    const scanner = new FakeUsbDevice(0x1a86, 0xe026, fakeHidConfig(), 'Barcode Scanner', '1', [3]);
    const ch340 = new FakeUsbDevice(0x1a86, 0x7523, fakeVendorBulkConfig(), 'USB Serial', '1', [4]);
    const printer = answersStatus(new FakeUsbDevice(0x0483, 0x5720, fakeVendorBulkConfig(), 'POS80', '1', [5]));
    const hub = Object.assign(new FakeUsbDevice(0x05e3, 0x0608, { configurationValue: 1, interfaces: [] }, 'USB2.0 Hub', '1', [6]), { deviceClass: 9 });
    const stick = new FakeUsbDevice(0x0781, 0x5567, { configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternate: { interfaceClass: 8, interfaceSubclass: 6, interfaceProtocol: 0x50, endpoints: [{ endpointNumber: 1, direction: 'out', type: 'bulk', packetSize: 512 }] } }] }, 'Cruzer', '1', [7]);
    const attached: UsbDeviceLike[] = [keyboard, receiver, scanner, ch340, printer, hub, stick];
    const serial = new FakeSerialLib();
    serial.ports = [{ path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523', manufacturer: '1a86' }];
    return { keyboard, receiver, scanner, ch340, printer, attached, serial, host: { getDevices: async () => [...attached] } as UsbHost };
  }

  it('lists the attached devices it does not use, with what each could be, and says which it would refuse', async () => {
    const c = counter();
    const { m } = harness('live', c.host, 'linux', c.serial);
    await m.start();
    const rows = m.list().unrecognised;
    expect(rows.map((r) => [r.vendorId.toString(16), r.productId.toString(16), r.name, r.port, r.kinds, r.refusal !== null])).toEqual([
      ['46d', 'c31c', 'USB Keyboard', null, ['hid_scanner'], true],
      ['483', '5720', 'POS80', null, ['printer'], false],
      ['1a86', '7523', 'USB Serial', '/dev/ttyUSB0', ['serial_scanner'], false], // the port makes it serial, not a printer
      ['1a86', 'e026', 'Barcode Scanner', null, ['hid_scanner'], false],
      ['1ea7', '64', '2.4G Mouse', null, ['hid_scanner'], true],
    ]); // no hub, no USB stick
    expect(rows[0]!.refusal!.zh).toContain('Logitech');
    expect(rows[4]!.refusal!.en).toContain('mouse interface');
    // usb v3's getters go to the native device and throw once it is gone, or while a transfer is
    // under way (both seen on real USB): the list is built from what was read when each device
    // appeared, never from the getters again.
    for (const prop of ['vendorId', 'productId', 'configuration', 'configurations', 'productName']) {
      Object.defineProperty(c.ch340, prop, { get: () => { throw new Error('The same native value cannot be borrowed mutably while another borrow is active'); } });
    }
    expect(m.list().unrecognised.find((r) => r.productId === 0x7523)).toMatchObject({ name: 'USB Serial', kinds: ['serial_scanner'] });
    // Once chosen, a device is listed as a scanner and leaves the unrecognised ones.
    await m.chooseByIds('hid_scanner', '1a86', 'e026');
    expect(m.list().unrecognised.map((r) => r.productId)).not.toContain(0xe026);
    expect(m.list().devices.some((d) => d.id === 'scanner:usb:1a86:e026:1.3' && d.selected)).toBe(true);
    await m.stop();
  });

  const refused: Array<[string, Parameters<DeviceManager['chooseByIds']>, string, Record<string, unknown> | undefined]> = [
    ['a vendor id that is not hex', ['hid_scanner', 'zz12', 'e026'], 'devices.bad_usb_id', { field: 'vendorId' }],
    ['a product id of 3 digits', ['hid_scanner', '1a86', 'e02'], 'devices.bad_usb_id', { field: 'productId' }],
    ['a 0x prefix', ['hid_scanner', '0x1a86', 'e026'], 'devices.bad_usb_id', { field: 'vendorId' }],
    ['full-width digits', ['hid_scanner', '１a86', 'e026'], 'devices.bad_usb_id', { field: 'vendorId' }],
    ['vendor 0000', ['hid_scanner', '0000', 'e026'], 'devices.zero_usb_id', { field: 'vendorId' }],
    ['product FFFF', ['serial_scanner', '1a86', 'FFFF'], 'devices.zero_usb_id', { field: 'productId' }],
    ['the Logitech keyboard', ['hid_scanner', '046d', 'c31c'], 'devices.keyboard', { reason: 'keyboard_maker' }],
    ['a keyboard maker\'s id even when nothing with it is plugged in', ['serial_scanner', '045e', '0750'], 'devices.keyboard', { reason: 'keyboard_maker' }],
    ['a keyboard-and-mouse receiver', ['hid_scanner', '1ea7', '0064'], 'devices.keyboard', { reason: 'mouse' }],
    ['a USB-serial adapter as a raw-HID scanner', ['hid_scanner', '1a86', '7523'], 'devices.not_hid', undefined],
    ['a HID scanner as a printer', ['printer', '1a86', 'e026'], 'devices.not_printer', undefined],
    ['a USB-serial adapter as a printer', ['printer', '1a86', '7523'], 'devices.not_printer', undefined],
    ['a HID-only scanner as a serial one', ['serial_scanner', '1a86', 'e026'], 'devices.not_serial', undefined],
  ];
  for (const [what, args, code, detail] of refused) {
    it(`refuses ${what} with a bilingual error and changes nothing`, async () => {
      const c = counter();
      const { m, seen, store } = harness('live', c.host, 'linux', c.serial);
      await m.start();
      const before = { list: JSON.stringify(m.list()), store: JSON.stringify([...store]), events: seen['devices:changed']!.length };
      const err = await m.chooseByIds(...args).then(() => null, (e: unknown) => e as AppError);
      expect(err).toMatchObject({ code });
      if (detail) expect(err!.detail).toEqual(detail);
      expect(err!.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(err!.en).toMatch(/^[\x20-\x7e–]+$/);
      expect(JSON.stringify(m.list())).toBe(before.list);
      expect(JSON.stringify([...store])).toBe(before.store);
      expect(seen['devices:changed']!.length).toBe(before.events);
      for (const d of [c.keyboard, c.receiver, c.scanner, c.ch340, c.printer]) expect(d.log).toEqual([]); // nothing opened, nothing detached
      expect(c.serial.opened).toEqual([]);
      await m.stop();
    });
  }

  it('refuses the same through devices:select by ids, so no path claims a keyboard', async () => {
    const c = counter();
    const { m, store } = harness('live', c.host, 'linux', c.serial);
    await m.start();
    await expect(m.select('scanner:usb:046d:c31c')).rejects.toMatchObject({ code: 'devices.keyboard' });
    await expect(m.select('scanner:usb:1ea7:0064:1.2')).rejects.toMatchObject({ code: 'devices.keyboard' });
    expect(store.has('devices.chosenScanners')).toBe(false);
    expect(c.keyboard.log).toEqual([]);
    await m.stop();
  });

  it('reads a scanner chosen by typed ids (any case), keeps the choice, and reads it again after a restart at another port', async () => {
    const c = counter();
    const { m, seen, store } = harness('live', c.host, 'linux', c.serial);
    await m.start();
    await m.chooseByIds('hid_scanner', ' 1A86', 'E026 ');
    const id = 'scanner:usb:1a86:e026:1.3';
    expect(m.list().devices.find((d) => d.selected && d.kind === 'scanner')).toMatchObject({ id, state: 'ready', name: 'Barcode Scanner' });
    expect([store.get('devices.chosenScanners'), store.get('devices.scanner')]).toEqual(['1a86:e026', 'scanner:usb:1a86:e026']);
    await tick(() => c.scanner.claimed.size > 0);
    for (const r of keyboardReports('134567890123456789')) c.scanner.queueIn(1, r);
    await tick(() => !!seen['scanner:scanned']);
    expect(seen['scanner:scanned']!.map((s) => [s.deviceId, s.code])).toEqual([[id, '134567890123456789']]);
    expect(c.keyboard.log).toEqual([]);
    await m.stop();

    // Restart: the same settings, the scanner now at another port.
    const again = new FakeUsbDevice(0x1a86, 0xe026, fakeHidConfig(), 'Barcode Scanner', '2', [1]);
    c.attached.splice(c.attached.indexOf(c.scanner), 1, again);
    const events: string[] = [];
    const m2 = new DeviceManager({
      mode: 'live', platform: 'linux', settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) },
      emit: (name, payload) => void (name === 'scanner:scanned' && events.push((payload as { code: string }).code)),
      loadUsb: async () => ({ host: c.host, reason: '' }), loadSerial: async () => ({ lib: c.serial, reason: '' }), statusPollMs: 60_000, usbPollMs: 60_000,
    });
    await m2.start();
    expect(m2.list().devices.find((d) => d.selected && d.kind === 'scanner')).toMatchObject({ id: 'scanner:usb:1a86:e026:2.1', state: 'ready' });
    await tick(() => again.claimed.size > 0);
    for (const r of keyboardReports('281234567890123456')) again.queueIn(1, r);
    await tick(() => events.length > 0);
    expect(events).toEqual(['281234567890123456']);
    await m2.stop();
  });

  it('mends and cleans what it reads back: a selection by ids without its stored ids, and stored ids that are not ids', async () => {
    const c = counter();
    const { m, store } = harness('live', c.host, 'linux', c.serial);
    // As after a crash between the two writes of an older version, plus hand-edited rubbish.
    store.set('devices.scanner', 'scanner:usb:1a86:e026');
    store.set('devices.chosenScanners', 'zz,046d:c31c,1a86:7523;DROP');
    store.set('devices.printer', '<script>');
    await m.start();
    expect(m.list().devices.find((d) => d.selected && d.kind === 'scanner')?.id).toBe('scanner:usb:1a86:e026:1.3');
    expect(m.list().devices.some((d) => d.vendorId === 0x046d)).toBe(false); // a keyboard maker's stored id is never honoured
    expect(m.list().devices.filter((d) => d.kind === 'printer')).toEqual([]); // the rubbish selection is ignored
    await tick(() => c.scanner.claimed.size > 0);
    expect(c.keyboard.log).toEqual([]);
    await m.stop();
  });

  it('drives a vendor-class printer chosen by its ids, and follows it to another port', async () => {
    const c = counter();
    const { m, store } = harness('live', c.host, 'linux', c.serial);
    await m.start();
    expect(m.list().devices.filter((d) => d.kind === 'printer')).toEqual([]); // vendor class: not a printer by itself
    await m.chooseByIds('printer', '0483', '5720');
    expect([store.get('devices.chosenPrinters'), store.get('devices.printer')]).toEqual(['0483:5720', 'printer:usb:0483:5720']);
    expect(m.list().devices.filter((d) => d.kind === 'printer').map((d) => [d.id, d.selected, d.state])).toEqual([['printer:usb:0483:5720:1.5', true, 'ready']]);
    expect((await m.printReceipt(sampleReceipt(58))).state).toBe('printed');
    expect(c.printer.sent(1).length).toBeGreaterThan(100);

    c.printer.unplugged = true;
    c.attached.splice(c.attached.indexOf(c.printer), 1);
    await poll(m);
    expect(m.list().devices.filter((d) => d.kind === 'printer').map((d) => [d.id, d.state])).toEqual([['printer:usb:0483:5720:1.5', 'disconnected']]);
    const moved = answersStatus(new FakeUsbDevice(0x0483, 0x5720, fakeVendorBulkConfig(), 'POS80', '1', [8]));
    c.attached.push(moved);
    await poll(m);
    expect(m.list().devices.filter((d) => d.kind === 'printer').map((d) => [d.id, d.selected, d.state])).toEqual([['printer:usb:0483:5720:1.8', true, 'ready']]);
    expect((await m.printReceipt(sampleReceipt(58))).state).toBe('printed');
    expect(moved.sent(1).length).toBeGreaterThan(100);
    await m.stop();
  });

  it('does not claim a device chosen while unplugged that turns out to be a keyboard-and-mouse receiver', async () => {
    const c = counter();
    c.attached.splice(c.attached.indexOf(c.receiver), 1);
    const { m } = harness('live', c.host, 'linux', c.serial);
    await m.start();
    await m.chooseByIds('hid_scanner', '1ea7', '0064'); // cannot be told from its ids alone
    expect(m.list().devices.find((d) => d.selected && d.kind === 'scanner')).toMatchObject({ id: 'scanner:usb:1ea7:0064', state: 'disconnected' });
    c.attached.push(c.receiver);
    await poll(m);
    expect(m.list().devices.find((d) => d.selected && d.kind === 'scanner')).toMatchObject({ id: 'scanner:usb:1ea7:0064', state: 'disconnected' });
    expect(m.list().unrecognised.find((r) => r.vendorId === 0x1ea7)?.refusal?.zh).toContain('鼠标');
    expect(c.receiver.log).toEqual([]);
    await m.stop();
  });

  it('demo mode: the simulated counter offers an unknown scanner, which reads, unplugs and replugs like a real one', async () => {
    const { m, seen } = harness('demo');
    await m.start();
    expect(m.list().unrecognised.map((r) => `${r.vendorId.toString(16)}:${r.productId.toString(16)} ${r.refusal ? 'refused' : r.kinds.join('+')}`)).toEqual([
      '46d:c31c refused', '1a86:7523 serial_scanner', '1a86:e026 hid_scanner',
    ]);
    await expect(m.chooseByIds('hid_scanner', '046d', 'c31c')).rejects.toMatchObject({ code: 'devices.keyboard' });
    await m.chooseByIds('hid_scanner', '1a86', 'e026');
    const id = m.list().devices.find((d) => d.selected && d.kind === 'scanner')!.id;
    expect(id).toMatch(/^scanner:usb:1a86:e026:/);
    await tick(() => state(m, id) === 'ready');
    await m.simulate('scan', '281234567890123456');
    await tick(() => !!seen['scanner:scanned']);
    expect(seen['scanner:scanned']!.map((s) => [s.deviceId, s.code])).toEqual([[id, '281234567890123456']]);
    await m.simulate('scanner_unplug');
    await tick(() => state(m, id) === 'disconnected');
    expect(state(m, id)).toBe('disconnected');
    await expect(m.simulate('scan', '281234567890123456')).rejects.toMatchObject({ code: 'scanner.unplugged' });
    await m.simulate('scanner_replug');
    await tick(() => state(m, id) === 'ready');
    await m.simulate('scan', '134567890123456789');
    await tick(() => seen['scanner:scanned']!.length > 1);
    expect(seen['scanner:scanned']!.map((s) => s.code)).toEqual(['281234567890123456', '134567890123456789']);

    // The CH340 adapter as a serial scanner, then back to the simulated scanner of the lessons.
    await m.chooseByIds('serial_scanner', '1a86', '7523');
    const serialId = m.list().devices.find((d) => d.selected && d.kind === 'scanner')!.id;
    expect(serialId).toMatch(/^scanner:serial:1a86:7523:/);
    await tick(() => (m as unknown as { demo: DemoCounter }).demo.serial.opened.length > 0);
    await m.simulate('scan', 'ABC-123');
    expect(seen['scanner:scanned']!.at(-1)).toMatchObject({ deviceId: serialId, code: 'ABC-123' });
    await m.select('scanner:sim');
    await m.simulate('scan', '134567890123456789');
    expect(seen['scanner:scanned']!.at(-1)!.deviceId).toBe('scanner:sim');
    await m.stop();
  });
});
