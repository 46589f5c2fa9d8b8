/**
 * The device manager reads a raw-HID scanner on its OS's path (scanner/hid-path.ts) and says which
 * and why on the device: node-hid on Windows and macOS, libusb on Linux, over the twins.
 */
import { describe, expect, it } from 'vitest';
import type { EventPayload, Events } from '../core/api/contract';
import { events as eventSchemas } from '../core/api/contract';
import { DeviceManager } from './manager';
import { FakeHidDevice, FakeHidLib } from './scanner/fake-node-hid';
import { hidPosReports, keyboardReports } from './scanner/hid';
import { WINDOWS_KEYBOARD } from './scanner/hid-path';
import { FakeUsbDevice, fakeHidConfig } from './usb/fake-device';
import type { UsbDeviceLike } from './usb/webusb';

type Seen = { [K in keyof Events]?: EventPayload<K>[] };
const CODE = '134567890123456789';

function harness(platform: NodeJS.Platform, lib: FakeHidLib, attached: UsbDeviceLike[]) {
  const seen: Seen = {};
  const store = new Map<string, string>();
  const m = new DeviceManager({
    mode: 'live',
    platform,
    settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) },
    emit: (name, payload) => {
      eventSchemas[name].parse(payload); // as the real event bus checks
      ((seen[name] ??= []) as unknown[]).push(payload);
    },
    loadUsb: async () => ({ host: { getDevices: async () => [...attached] }, reason: '' }),
    loadSerial: async () => ({ lib: null, reason: 'no serial ports in this test' }),
    loadHid: async () => ({ lib, reason: '' }),
    statusPollMs: 60_000,
    usbPollMs: 60_000,
  });
  return { m, seen };
}
const until = async (f: () => boolean) => {
  for (let i = 0; i < 400 && !f(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('device manager: the raw-HID scanner\'s path per OS', () => {
  it('Windows: reads a HID POS scanner through node-hid (no driver touched over libusb) and says so', async () => {
    const usb = new FakeUsbDevice(0x05e0, 0x1300, fakeHidConfig(64), 'Zebra DS2208', '1', [4]);
    const lib = new FakeHidLib();
    const hid = lib.add(new FakeHidDevice({ path: '\\\\?\\hid#vid_05e0&pid_1300', vendorId: 0x05e0, productId: 0x1300, interface: 0, usagePage: 0x8c, usage: 0x02 }));
    const { m, seen } = harness('win32', lib, [usb]);
    await m.start();
    const id = 'scanner:usb:05e0:1300:1.4';
    expect(m.list().devices.find((d) => d.id === id)?.via?.en).toMatch(/node-hid.*no Zadig/);
    await m.select(id);
    await until(() => hid.opens > 0);
    for (const r of hidPosReports(CODE)) hid.send(r);
    await until(() => !!seen['scanner:scanned']);
    expect(seen['scanner:scanned']!.map((s) => [s.deviceId, s.code])).toEqual([[id, CODE]]);
    expect(usb.log).toEqual([]); // never opened, detached or claimed over libusb
    await m.stop();
  });

  it('Windows: a keyboard-mode scanner shows why it cannot be read raw (and what to do), never claimed', async () => {
    const usb = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig(), 'Voyager', '1', [3]);
    const lib = new FakeHidLib();
    const hid = lib.add(new FakeHidDevice({ path: 'kbd', vendorId: 0x0c2e, productId: 0x0b61, interface: 0, usagePage: 0x01, usage: 0x06 }));
    const { m } = harness('win32', lib, [usb]);
    await m.start();
    const id = 'scanner:usb:0c2e:0b61:1.3';
    await m.select(id);
    await until(() => m.list().devices.find((d) => d.id === id)?.state === 'error');
    const d = m.list().devices.find((x) => x.id === id)!;
    expect(d.state).toBe('error');
    expect(d.message).toEqual(WINDOWS_KEYBOARD);
    expect(d.message!.en).toMatch(/HID POS/);
    expect(hid.opens).toBe(0);
    expect(usb.log).toEqual([]);
    await m.stop();
  });

  it('Linux: reads over libusb (usbhid detached) and says why not hidraw', async () => {
    const usb = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig(), 'Voyager', '1', [3]);
    const lib = new FakeHidLib();
    const { m, seen } = harness('linux', lib, [usb]);
    await m.start();
    const id = 'scanner:usb:0c2e:0b61:1.3';
    expect(m.list().devices.find((d) => d.id === id)?.via?.en).toMatch(/libusb.*twice/);
    await m.select(id);
    for (const r of keyboardReports(CODE)) usb.queueIn(1, r);
    await until(() => !!seen['scanner:scanned']);
    expect(seen['scanner:scanned']!.map((s) => s.code)).toEqual([CODE]);
    expect(usb.log).toContain('detach 0');
    await m.stop();
  });
});

describe('device manager: a device whose descriptors could not be read when it appeared', () => {
  it('is looked at again at the next poll and listed then (a read cancelled on a loaded machine)', async () => {
    const usb = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig(), 'Voyager', '1', [3]);
    let fail = true;
    const flaky = new Proxy(usb, {
      get: (t, k, r) => {
        if (k === 'productName' && fail) throw new Error('getString error: transfer was cancelled');
        return Reflect.get(t, k, r);
      },
    });
    const { m } = harness('linux', new FakeHidLib(), [flaky]);
    await m.start();
    expect(m.list().devices.map((d) => d.id)).toEqual(['scanner:wedge']); // before: never listed until replugged
    fail = false;
    await (m as unknown as { watcher: { poll(): Promise<void> } }).watcher.poll();
    expect(m.list().devices.map((d) => d.id)).toEqual(['scanner:usb:0c2e:0b61:1.3', 'scanner:wedge']);
    await m.stop();
  });
});
