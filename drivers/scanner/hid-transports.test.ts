/**
 * One table of crafted HID transfers, run through every transport a raw-HID scanner can be read
 * by: libusb (usb-hid.ts over a fake USB device) and hidapi (node-hid.ts over a fake node-hid) —
 * with the report descriptor Linux gives through sysfs, and with only the collection's usage
 * (macOS, Windows). The decoding is one path (hid-reader.ts): every transport must give the same
 * codes and the same refusals, case by case.
 */
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../core/api/errors';
import { FakeUsbDevice, fakeHidConfig } from '../usb/fake-device';
import { FakeHidDevice, FakeHidLib } from './fake-node-hid';
import { hidPosReports, keyboardReports } from './hid';
import { HidScanner, WINDOWS_KEYBOARD, hidPathFor } from './hid-path';
import type { ReaderEnd } from './hid-reader';
import { hidrawDescriptor, type HidLib } from './node-hid';

const rep = (...b: number[]) => Uint8Array.from(b);
// Boot keyboard (HID 1.11 B.1) and the HID POS Scanned Data Report (as the VM gadgets use).
const KBD_DESC = Buffer.from('05010906a101050719e029e715002501750195088102950175088103950575010508190129059102950175039103950675081500256505071900296581' + '00c0', 'hex');
const POS_DESC = Buffer.from('058c0902a1010912a1028502150026ff0075080600ff0901950181020' + '58c09fb09fc09fd9503810209fe95388202010600ff09029502810205' + '8c09ff2501750195018102750795018103c0c0', 'hex');
const SCAN = '134567890123456789';

interface Case {
  name: string;
  device: 'keyboard' | 'pos';
  /** The device's report descriptor; null: it gives none (libusb then guesses, hidapi goes by the usage). */
  descriptor: Buffer | null;
  transfers: Uint8Array[];
  codes: string[];
  /** The refusals' reasons, in order. */
  refused: RegExp[];
}

const scan = keyboardReports(SCAN);
const broken = (bad: Uint8Array) => [...scan.slice(0, 8), bad, ...scan.slice(8), ...keyboardReports('654321')];
const coalesced = (reps: Uint8Array[]) => {
  const out: Uint8Array[] = [];
  for (let k = 0; k < reps.length; k += 8) out.push(Uint8Array.from(reps.slice(k, k + 8).flatMap((x) => [...x])));
  return out;
};

const CASES: Case[] = [
  { name: 'a keyboard scan', device: 'keyboard', descriptor: KBD_DESC, transfers: scan, codes: [SCAN], refused: [] },
  { name: 'a keyboard scan from a device with no descriptor', device: 'keyboard', descriptor: null, transfers: scan, codes: [SCAN], refused: [] },
  { name: 'a HID POS code over two reports', device: 'pos', descriptor: POS_DESC, transfers: hidPosReports('x'.repeat(70)), codes: ['x'.repeat(70)], refused: [] },
  { name: 'a HID POS code from a device with no descriptor', device: 'pos', descriptor: null, transfers: hidPosReports('x'.repeat(70)), codes: ['x'.repeat(70)], refused: [] },
  ...([
    ['a rollover error', rep(0, 0, 1, 1, 1, 1, 1, 1), /rollover/],
    ['a phantom state (a key after an empty slot)', rep(0, 0, 0, 0x20, 0, 0, 0, 0), /malformed/],
    ['Ctrl with a key', rep(0x01, 0, 0x06, 0, 0, 0, 0, 0), /control|not whole|bytes/],
    ['a report cut short', rep(0, 0, 0x20), /3 bytes/],
  ] as const).map(([what, bad, why]): Case => ({
    name: `keyboard: ${what} mid-scan — the rest of the scan is its tail, the next scan reads`,
    device: 'keyboard', descriptor: KBD_DESC, transfers: broken(bad), codes: ['654321'], refused: [why, /tail/],
  })),
  {
    name: 'keyboard: 600 digits (over 512) end as no code, the next scan reads',
    device: 'keyboard', descriptor: KBD_DESC, transfers: [...keyboardReports('7'.repeat(600)), ...scan], codes: [SCAN], refused: [/too long/, /tail/],
  },
  {
    name: 'keyboard: 64-byte transfers of 8 coalesced reports (shifted keys: they start 0x02) are split, not refused',
    device: 'keyboard', descriptor: KBD_DESC, transfers: coalesced(keyboardReports('ABCDABCD')), codes: ['ABCDABCD'], refused: [],
  },
  {
    name: 'HID POS: a zero-length packet is no report; a report cut short drops the long code, the next last report is its tail',
    device: 'pos', descriptor: POS_DESC,
    transfers: [hidPosReports('9'.repeat(70))[0]!, new Uint8Array(0), hidPosReports('1')[0]!.subarray(0, 10), ...hidPosReports('999999999999999999'), ...hidPosReports(SCAN)],
    codes: [SCAN], refused: [/10 bytes|not whole/, /tail/],
  },
  {
    name: 'HID POS: a transfer that is no report of the device is refused, its tail too, the next code reads',
    device: 'pos', descriptor: POS_DESC,
    transfers: [keyboardReports('1')[0]!, ...hidPosReports('134567890123456780'), ...hidPosReports(SCAN)], codes: [SCAN], refused: [/8 bytes/, /tail/],
  },
  {
    name: 'HID POS: a data length over 56 is refused, its tail too',
    device: 'pos', descriptor: POS_DESC,
    transfers: [(() => { const r = hidPosReports('2')[0]!; r[1] = 200; return r; })(), ...hidPosReports('3'.repeat(18)), ...hidPosReports(SCAN)], codes: [SCAN], refused: [/over 56/, /tail/],
  },
];

interface Outcome {
  codes: string[];
  refused: string[];
  ends: ReaderEnd[];
}

function events() {
  const o: Outcome = { codes: [], refused: [], ends: [] };
  return {
    o,
    ev: {
      onCode: (c: string) => o.codes.push(c),
      onRefused: (e: AppError) => o.refused.push(String(e.detail?.why)),
      onEnd: (w: ReaderEnd) => o.ends.push(w),
    },
  };
}
const until = async (f: () => boolean) => {
  for (let i = 0; i < 1000 && !f(); i++) await new Promise((r) => setTimeout(r, 2));
};
const USAGE = { keyboard: { usagePage: 0x01, usage: 0x06 }, pos: { usagePage: 0x8c, usage: 0x02 } };
const VID = { keyboard: 0x0c2e, pos: 0x05e0 };

/** Runs a case's transfers through one transport; resolves once all were read. */
type Transport = (c: Case) => Promise<Outcome>;

const libusb: Transport = async (c) => {
  const d = new FakeUsbDevice(VID[c.device], 0x1300, fakeHidConfig(64));
  if (c.descriptor) d.reportDescriptor = c.descriptor;
  const { o, ev } = events();
  const s = new HidScanner({ platform: 'linux', usb: d, vendorId: VID[c.device], productId: 0x1300, loadHid: () => Promise.reject(new Error('not on Linux')), readTimeoutMs: 2 }, ev);
  await s.start();
  expect(s.path.via).toBe('libusb');
  for (const t of c.transfers) d.queueIn(1, t);
  await until(() => (d.inQueue.get(1)?.length ?? 0) === 0 && o.codes.length >= c.codes.length);
  await s.stop();
  return o;
};

/** hidapi as node-hid gives it: with the descriptor from sysfs (Linux), or only the collection's usage (macOS). */
const nodeHid = (platform: 'linux' | 'darwin'): Transport => async (c) => {
  const lib = new FakeHidLib();
  const dev = lib.add(new FakeHidDevice({ path: '/dev/hidraw3', vendorId: VID[c.device], productId: 0x1300, interface: 0, ...USAGE[c.device] }, platform === 'linux' ? c.descriptor : null));
  const { o, ev } = events();
  const s = new HidScanner({ platform, force: platform === 'linux' ? 'node-hid' : undefined, usb: new FakeUsbDevice(0, 0, fakeHidConfig()), vendorId: VID[c.device], productId: 0x1300, loadHid: async () => ({ lib, reason: '' }), readTimeoutMs: 2 }, ev);
  await s.start();
  expect(s.path.via).toBe('node-hid');
  for (const t of c.transfers) dev.send(t);
  await until(() => dev.queue.length === 0 && o.codes.length >= c.codes.length);
  await s.stop();
  return o;
};

describe('the crafted HID cases give the same codes and refusals through every transport', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const results = {
        libusb: await libusb(c),
        'node-hid (Linux hidraw, descriptor from sysfs)': await nodeHid('linux')(c),
        'node-hid (macOS/Windows: the collection usage only)': await nodeHid('darwin')(c),
      };
      for (const [name, r] of Object.entries(results)) {
        expect(r.codes, name).toEqual(c.codes);
        expect(r.refused.length, `${name}: ${JSON.stringify(r.refused)}`).toBe(c.refused.length);
        r.refused.forEach((why, i) => expect(why, name).toMatch(c.refused[i]!));
        expect(r.ends, name).toEqual(['stopped']);
      }
      // Not just alike in count: the very same reasons, in the same order.
      expect(results['node-hid (Linux hidraw, descriptor from sysfs)'].refused).toEqual(results.libusb.refused);
    });
  }
});

describe('node-hid transport', () => {
  const posDev = (lib: FakeHidLib, extra: Partial<FakeHidDevice['info']> = {}) =>
    lib.add(new FakeHidDevice({ path: '\\\\?\\hid#vid_05e0&pid_1300#col01', vendorId: 0x05e0, productId: 0x1300, interface: 0, ...USAGE.pos, ...extra }));
  const scanner = (platform: NodeJS.Platform, lib: HidLib | null, ev: ReturnType<typeof events>['ev'], usb = new FakeUsbDevice(0x05e0, 0x1300, fakeHidConfig(64))) =>
    new HidScanner({ platform, usb, vendorId: 0x05e0, productId: 0x1300, loadHid: async () => ({ lib, reason: lib ? '' : 'no prebuilt binary for this machine' }), readTimeoutMs: 2 }, ev);

  it('is the path on Windows and macOS; Linux stays on libusb (usbhid detached: no code typed twice)', () => {
    expect(hidPathFor('win32').via).toBe('node-hid');
    expect(hidPathFor('darwin').via).toBe('node-hid');
    expect(hidPathFor('linux').via).toBe('libusb');
    expect(hidPathFor('linux').why.en).toMatch(/twice/);
    expect(hidPathFor('win32').why.zh).toMatch(/Zadig/);
    expect(hidPathFor('linux', 'node-hid').via).toBe('node-hid');
  });

  it('reads a HID POS scanner on Windows without touching its driver (nothing detached or claimed over libusb)', async () => {
    const lib = new FakeHidLib();
    const dev = posDev(lib);
    const usb = new FakeUsbDevice(0x05e0, 0x1300, fakeHidConfig(64));
    const { o, ev } = events();
    const s = scanner('win32', lib, ev, usb);
    await s.start();
    for (const r of hidPosReports(SCAN)) dev.send(r);
    await until(() => o.codes.length > 0);
    expect(o.codes).toEqual([SCAN]);
    expect(s.layout).toMatchObject({ from: 'usage' });
    expect(usb.log).toEqual([]);
    await s.stop();
    expect(dev.closes).toBe(1);
  });

  it('prefers the HID POS collection of a scanner that also offers a keyboard one', async () => {
    const lib = new FakeHidLib();
    lib.add(new FakeHidDevice({ path: 'kbd', vendorId: 0x05e0, productId: 0x1300, interface: 0, ...USAGE.keyboard }));
    const pos = posDev(lib, { path: 'pos' });
    const { o, ev } = events();
    const s = scanner('win32', lib, ev);
    await s.start();
    for (const r of hidPosReports(SCAN)) pos.send(r);
    await until(() => o.codes.length > 0);
    expect(o.codes).toEqual([SCAN]);
    await s.stop();
  });

  it('on Windows, refuses a keyboard-mode scanner with the reason (Windows keeps keyboards) and opens nothing', async () => {
    const lib = new FakeHidLib();
    const kbd = lib.add(new FakeHidDevice({ path: 'kbd', vendorId: 0x05e0, productId: 0x1300, interface: 0, ...USAGE.keyboard }));
    const { o, ev } = events();
    const s = scanner('win32', lib, ev);
    await s.start();
    expect(o.ends).toEqual(['not_a_scanner']);
    expect(s.path).toEqual({ via: 'node-hid', why: WINDOWS_KEYBOARD });
    expect(kbd.opens).toBe(0);
  });

  it('on Windows, reads over libusb a device hidapi does not list (its driver replaced with WinUSB by Zadig)', async () => {
    const usb = new FakeUsbDevice(0x05e0, 0x1300, fakeHidConfig(64));
    usb.kernelDriverBound = false;
    const { o, ev } = events();
    const s = scanner('win32', new FakeHidLib(), ev, usb);
    await s.start();
    expect(s.path.via).toBe('libusb');
    expect(s.path.why.en).toMatch(/WinUSB/);
    for (const r of hidPosReports(SCAN)) usb.queueIn(1, r);
    await until(() => o.codes.length > 0);
    expect(o.codes).toEqual([SCAN]);
    await s.stop();
  });

  it('falls back to libusb, saying why, where node-hid cannot load', async () => {
    const usb = new FakeUsbDevice(0x05e0, 0x1300, fakeHidConfig(64));
    const { ev } = events();
    const s = scanner('darwin', null, ev, usb);
    await s.start();
    expect(s.path.via).toBe('libusb');
    expect(s.path.why.en).toMatch(/no prebuilt binary/);
    await s.stop();
  });

  it('ends with disconnected on unplug mid-code, and a new reader after replug reads whole codes only', async () => {
    const lib = new FakeHidLib();
    const dev = posDev(lib);
    const { o, ev } = events();
    await scanner('win32', lib, ev).start();
    dev.send(hidPosReports('5'.repeat(70))[0]!);
    await until(() => dev.queue.length === 0);
    dev.unplug();
    await until(() => o.ends.length > 0);
    expect(o.ends).toEqual(['disconnected']);
    expect(o.codes).toEqual([]);
    dev.unplugged = false;
    const again = events();
    const s2 = scanner('win32', lib, again.ev);
    await s2.start();
    for (const r of hidPosReports(SCAN)) dev.send(r);
    await until(() => again.o.codes.length > 0);
    expect(again.o.codes).toEqual([SCAN]);
    await s2.stop();
  });

  it('reports an open refused by the OS (hidraw without its udev rule) as no_permission', async () => {
    const lib = new FakeHidLib();
    posDev(lib).openError = 'Permission denied';
    const { o, ev } = events();
    await scanner('darwin', lib, ev).start();
    expect(o.ends).toEqual(['no_permission']);
  });

  it('stops a reader that is stopped while it is still opening the device', async () => {
    const lib = new FakeHidLib();
    const dev = posDev(lib);
    const { o, ev } = events();
    const s = scanner('win32', lib, ev);
    const starting = s.start();
    await s.stop();
    await starting;
    expect(s.active).toBe(false);
    expect(o.ends).toEqual(['stopped']);
    expect(dev.opens - dev.closes).toBe(0);
  });

  it('reads a hidraw node\'s descriptor from sysfs only for a /dev/hidrawN path', async () => {
    expect(await hidrawDescriptor('/dev/../etc/passwd')).toBeNull();
    expect(await hidrawDescriptor(undefined)).toBeNull();
    expect(await hidrawDescriptor('/dev/hidraw999')).toBeNull(); // no such node here
  });
});
