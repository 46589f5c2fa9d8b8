/**
 * The USB VM's check of the node-hid path (drivers/scanner/node-hid.ts) on a real hidraw node:
 * the HID POS gadget (05e0:1300) stays bound to the kernel's usbhid, which gives it
 * `/dev/hidrawN`; a second device manager, forced onto node-hid (`hidTransport`, as Windows and
 * macOS use it by default), opens that node through hidapi — the real node-hid binary of
 * node_modules, in the guest — and reads what the gadget writes: whole codes, then the same
 * crafted reports the libusb check sends (a long code's first report, one cut short on the wire,
 * one with a data length over 56, the tail), through the one decoding path both transports share.
 * A second reader on the node records what hidraw delivered: the kernel drops the report cut short
 * (shorter than the descriptor's) before hidraw, so that one is not seen here at all.
 * Run before hidPosChecks, which claims the same gadget over libusb (detaching usbhid).
 */
import fs from 'node:fs';
import { DeviceManager } from '../../drivers/manager';
import { hidPosReports } from '../../drivers/scanner/hid';
import { loadUsbHost } from '../../drivers/usb/host';
import { check, sleep, until, writeAsync, type Seen } from './lib';

const PAY = '134567890123456789';

/** The hidraw nodes this process has open. */
function openHidraw(): string[] {
  return fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const l = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return /^\/dev\/hidraw\d+$/.test(l) ? [l] : [];
    } catch {
      return []; // closed while we looked
    }
  });
}

export async function nodeHidChecks(): Promise<void> {
  const nodes = fs.readdirSync('/dev').filter((d) => /^hidraw\d+$/.test(d));
  check('hidraw: the guest kernel gives the HID gadgets hidraw nodes (CONFIG_HIDRAW)', nodes.length > 0, fs.readdirSync('/dev').join(','));
  if (!nodes.length) return;
  const seen: Seen = {};
  const store = new Map<string, string>();
  const m = new DeviceManager({
    mode: 'live',
    hidTransport: 'node-hid',
    emit: (name, payload) => void ((seen[name] ??= []) as unknown[]).push(payload),
    settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) },
    // This manager sees the HID POS scanner only: the printer and the other scanners belong to the main one.
    loadUsb: async () => {
      const { host, reason } = await loadUsbHost();
      return { host: host && { getDevices: async () => (await host.getDevices()).filter((d) => d.vendorId === 0x05e0) }, reason };
    },
    loadSerial: async () => ({ lib: null, reason: 'not used by this check' }),
    usbPollMs: 500,
    statusPollMs: 60_000,
    log: (s) => console.log(`[devices/node-hid] ${s}`),
  });
  await m.start();
  const pos = () => m.list().devices.find((d) => d.id.startsWith('scanner:usb:05e0:1300'));
  await until(() => !!pos(), 15_000);
  const id = pos()?.id;
  if (!id) {
    await m.stop();
    return check('node-hid: HID POS scanner listed', false, JSON.stringify(m.list().devices));
  }
  await m.select(id);
  const opened = await until(() => openHidraw().length > 0 && pos()?.state === 'ready', 20_000);
  const via = pos()?.via?.en ?? '';
  check('node-hid: the HID POS scanner is opened through hidapi on its hidraw node (usbhid stays bound)', opened && /node-hid/.test(via), JSON.stringify({ open: openHidraw(), device: pos() }));
  if (!opened) {
    await m.stop();
    return;
  }
  const scans = () => seen['scanner:scanned'] ?? [];
  const refusals = () => seen['scanner:refused'] ?? [];
  const fd = fs.openSync('/dev/hidg1', 'r+');
  const send = async (reports: Uint8Array[]) => {
    for (const r of reports) await writeAsync(fd, r);
  };
  const c24 = '281234567890123456789012';
  await send(hidPosReports(c24));
  await until(() => scans().length > 0, 15_000);
  check('node-hid: a 24-digit code arrives as one code through hidraw', scans().map((s) => s.code).join() === c24, JSON.stringify(scans()));

  // A witness on the same node (hidraw gives every open file each report): what the kernel delivered.
  const witness: string[] = [];
  const wfd = fs.openSync(`/dev/${openHidraw()[0]!.split('/').pop()}`, 'r');
  let watching = true;
  void (async () => {
    const buf = Buffer.alloc(256);
    while (watching) {
      const k = await new Promise<number>((res) => fs.read(wfd, buf, 0, buf.length, null, (e, got) => res(e ? -1 : got)));
      if (k < 0) break;
      witness.push(`${k}:${buf.subarray(0, Math.min(k, 8)).toString('hex')}`);
    }
  })();
  let n = scans().length;
  const r0 = refusals().length;
  // As a device would send them, back to back: a long code's first report, one cut short on the
  // wire, one with a data length over 56, the next last report (the tail), then a whole code.
  const bad = hidPosReports('2')[0]!;
  bad[1] = 200;
  await send([hidPosReports('7'.repeat(70))[0]!, hidPosReports('1')[0]!.subarray(0, 10), bad, ...hidPosReports('3'.repeat(18)), ...hidPosReports(PAY)]);
  await until(() => scans().length > n, 15_000);
  await sleep(300);
  const after = scans().slice(n).map((s) => s.code);
  const refused = refusals().slice(r0).map((r) => String(r.error.detail?.why));
  console.log(`node-hid: refused ${JSON.stringify(refused)}; hidraw delivered ${JSON.stringify(witness)}`);
  // The kernel passes hidraw only reports as long as the descriptor says: the one cut short on the
  // wire never reaches it (libusb sees it, and refuses it). What does arrive is decoded as over
  // libusb: the long code's first part is dropped with the garbage, its tail refused, the next
  // code whole.
  const delivered = witness.map((w) => w.split(':')[0]);
  check(
    'node-hid: through hidraw a report cut short never arrives (the kernel drops it); the garbage is refused, its tail too, and the next code is whole',
    after.join() === PAY && !delivered.includes('10') && JSON.stringify(refused) === JSON.stringify(['data length over 56', 'tail of a refused scan']) &&
      refusals().slice(r0).every((r) => r.error.code === 'scanner.bad_report' && r.error.zh && r.error.en),
    JSON.stringify({ after, refused, witness }),
  );
  watching = false;
  fs.closeSync(fd);
  n = openHidraw().length;
  await m.stop();
  await sleep(100);
  check('node-hid: stopping closes the hidraw node', openHidraw().length < n, JSON.stringify(openHidraw()));
}
