/**
 * The USB VM's scanner checks beyond the boot-keyboard gadget (see guest.ts for the rest):
 * - keyboard wedge: QEMU's usb-kbd typed from the host, read as kernel input events and fed,
 *   with the kernel's timestamps, to the app's wedge detector (drivers/scanner/wedge.ts);
 * - the same keyboard chosen by a supervisor as a raw-HID scanner by its vendor:product id
 *   (QEMU's 0627:0001 is no scanner maker's), then unplugged and plugged back through QMP;
 * - a HID POS scanner (usage page 0x8C) decoded by drivers/scanner/hid.ts;
 * - a serial (CDC-ACM) scanner read through drivers/scanner/serial.ts, unplugged and replugged.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { DeviceManager } from '../../drivers/manager';
import { hidPosReports } from '../../drivers/scanner/hid';
import { DEFAULT_WEDGE, TAIL_WINDOW_MS, WedgeDetector } from '../../drivers/scanner/wedge';
import { findEventDevice, readKeys, type KeyEvent } from './evdev';
import { check, keyboard, plug, sleep, until, writeAsync, type Seen } from './lib';

const QEMU_KBD = 'QEMU QEMU USB Keyboard';
const PAY = '134567890123456789';
/**
 * "Scanner speed" through QEMU's keyboard. QEMU's usb-kbd queues 16 key events and the guest
 * polls it every 8 ms, one event (so one report) per poll: a key (press + release) costs 16 ms
 * on the wire. A wedge scan is sent as one burst (keyboard.mjs `burst`): all its key events at
 * once into that queue, so the emulated device itself spaces the keys, in the guest's time, and
 * no timer of the (possibly loaded) host stands between two keys. 16 events: 7 digits and Enter
 * (the default profile takes codes of 6 characters and more).
 */
const WEDGE_CODE = '1345678';
/** A fast human typist: 60 ms and more between keys. */
const TYPIST_GAP_MS = 60;

// HID POS barcode scanner (HID Point of Sale Usage Tables, page 0x8C), the Scanned Data Report
// drivers/scanner/hid.ts reads: report id 2, data length, 3 symbology-id bytes, 56 data bytes
// (Decoded Data, buffered), 2 reserved bytes, 1 bit "Decode Data Continued" + 7 bits padding = 64.
export const POS_DESC = Buffer.from(
  [
    '058c 0902 a101', // Usage Page (Barcode Scanner), Usage (Barcode Scanner), Collection (Application)
    '0912 a102 8502', //   Usage (Scanned Data Report), Collection (Logical), Report ID (2)
    '1500 26ff00 7508', //   Logical 0–255, 8-bit fields
    '0600ff 0901 9501 8102', //   data length (vendor usage), 1 byte, Input
    '058c 09fb 09fc 09fd 9503 8102', //   Symbology Identifier 1–3, Input
    '09fe 9538 820201', //   Decoded Data, 56 bytes, Input (Buffered Bytes)
    '0600ff 0902 9502 8102', //   reserved, 2 bytes
    '058c 09ff 2501 7501 9501 8102', //   Decode Data Continued, 1 bit
    '7507 9501 8103', //   padding
    'c0 c0',
  ]
    .join('')
    .replace(/\s/g, ''),
  'hex',
);

/** The kernel driver holding a USB device's first interface ('usbfs' once the app has claimed it), or null. */
function driverOf(vendorId: string, productId: string): string | null {
  const root = '/sys/bus/usb/devices';
  for (const d of fs.readdirSync(root)) {
    try {
      if (fs.readFileSync(`${root}/${d}/idVendor`, 'utf8').trim() !== vendorId || fs.readFileSync(`${root}/${d}/idProduct`, 'utf8').trim() !== productId) continue;
      return fs.readlinkSync(`${root}/${d}/${d}:1.0/driver`).split('/').pop() ?? null;
    } catch {
      // not a device (an interface, a hub port), or no driver bound yet
    }
  }
  return null;
}
const kbdDriver = () => driverOf('0627', '0001');
/** Whether this process (the device manager's serial reader) has the port open. */
function portOpen(dev: string): boolean {
  return fs.readdirSync('/proc/self/fd').some((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === dev;
    } catch {
      return false; // closed while we looked
    }
  });
}

const scans = (seen: Seen) => seen['scanner:scanned'] ?? [];
const refusals = (seen: Seen) => seen['scanner:refused'] ?? [];

export async function wedgeChecks(): Promise<void> {
  let dev: string | null = null;
  await until(() => (dev = findEventDevice(QEMU_KBD)) !== null, 15_000);
  check("QEMU's USB keyboard is a kernel input device", dev !== null, fs.readdirSync('/sys/class/input').join(','));
  if (!dev) return;
  const got: string[] = [];
  const discarded: string[] = [];
  const keys: KeyEvent[] = [];
  const detector = new WedgeDetector(DEFAULT_WEDGE, (code) => got.push(code), (why) => discarded.push(why));
  const reader = readKeys(dev, (k) => {
    keys.push(k);
    detector.key(k.key, k.t);
  });
  await sleep(300);
  const max = DEFAULT_WEDGE.maxGapMs;
  /**
   * Types `text` and returns what the detector made of it. The checks are about the detector
   * given real kernel timings, so a try whose timing the emulated link did not keep (a busy
   * build machine stalls QEMU, and the guest, for tens of ms) is typed again, at most TRIES times:
   * a try costs about a second, and only one the link kept is judged.
   */
  const TRIES = 12;
  const typed = async (text: string, pace: number | 'burst', enter: boolean, kept: (gaps: number[]) => boolean) => {
    for (let attempt = 1; ; attempt++) {
      keys.length = 0;
      got.length = 0;
      discarded.length = 0;
      const want = text.length + (enter ? 1 : 0);
      const r = pace === 'burst' ? await keyboard({ op: 'burst', text, enter }) : await byHand(text, pace, enter);
      if (!r.ok) console.log(`keyboard agent: ${r.error}`);
      await until(() => keys.filter((k) => k.key !== 'Shift').length >= want, 5000);
      await sleep(300); // a key beyond those typed would show here
      const t = keys.filter((k) => k.key !== 'Shift').map((k) => k.t);
      // Time passing ends a burst that has no suffix: the renderer's timer calls `flush`. Here
      // it is called in the kernel's time, once every key typed is in: a timer on this
      // (emulated, sometimes stalled) machine's clock could overtake keys still on their way.
      if (t.length) detector.flush(t.at(-1)! + detector.flushAfterMs);
      const gaps = t.slice(1).map((x, i) => x - t[i]!);
      const how = gaps.length ? `kernel saw ${t.length} keys ${Math.min(...gaps).toFixed(0)}–${Math.max(...gaps).toFixed(0)} ms apart` : 'no keys seen';
      if ((t.length === want && kept(gaps)) || attempt === TRIES) return { got: [...got], discarded: [...discarded], how };
      console.log(`wedge: the emulated link did not keep the timing (${how}); typing again`);
      await sleep(TAIL_WINDOW_MS); // so the next try is not taken for the tail of this one
    }
  };
  /**
   * A person typing: one key at a time, the next only once the guest kernel has seen the one
   * before and `gapMs` of the guest's time has passed — so a stalled guest can never see keys
   * bunched together: the gaps only grow.
   */
  const byHand = async (text: string, gapMs: number, enter: boolean) => {
    for (const ch of [...text, ...(enter ? [''] : [])]) {
      const seenBefore = keys.filter((k) => k.key !== 'Shift').length;
      const r = await keyboard({ op: 'burst', text: ch, enter: ch === '' });
      if (!r.ok) return r;
      await until(() => keys.filter((k) => k.key !== 'Shift').length > seenBefore, 5000);
      await sleep(gapMs);
    }
    return { ok: true };
  };
  const fast = (gaps: number[]) => gaps.every((g) => g <= max);
  const slow = (gaps: number[]) => gaps.every((g) => g > max);

  let r = await typed(WEDGE_CODE, 'burst', true, fast);
  console.log(`wedge: scan: ${r.how}`);
  check('wedge: a code typed at scanner speed with an Enter suffix arrives as exactly one code', r.got.length === 1 && r.got[0] === WEDGE_CODE && !r.discarded.length, `${JSON.stringify(r)}`);

  r = await typed(WEDGE_CODE, TYPIST_GAP_MS, true, slow);
  console.log(`wedge: typist: ${r.how}`);
  check(`wedge: the same code typed at a typist's ${TYPIST_GAP_MS} ms per key is not taken as a scan`, r.got.length === 0, JSON.stringify(r));

  r = await typed(WEDGE_CODE, 'burst', false, fast);
  console.log(`wedge: cut-off burst: ${r.how}`);
  const cut = r;
  // Keys soon after a cut-off burst are its tail (the detector discards them too): the next
  // scan comes later than that.
  await sleep(TAIL_WINDOW_MS);
  r = await typed(WEDGE_CODE, 'burst', true, fast);
  check('wedge: a burst cut off before its suffix is discarded, and the next scan arrives', !cut.got.length && cut.discarded.includes('no suffix') && r.got.join() === WEDGE_CODE, JSON.stringify({ cut, next: r }));

  reader.stop();
}

export async function chosenKeyboardChecks(m: DeviceManager, seen: Seen): Promise<void> {
  const isKbd = (id: string) => id.startsWith('scanner:usb:0627:0001:');
  check("QEMU's keyboard (unknown maker) is not listed as a scanner before it is chosen", !m.list().devices.some((d) => isKbd(d.id)), JSON.stringify(m.list().devices.map((d) => d.id)));
  // The installer's list, from real descriptors: the keyboard offered as a HID scanner, no hub (root hubs included).
  const rows = m.list().unrecognised;
  const row = rows.find((r) => r.vendorId === 0x0627 && r.productId === 0x0001);
  check("the unrecognised devices list QEMU's keyboard as a possible HID scanner, and no hub", row?.kinds.join() === 'hid_scanner' && row.refusal === null && !rows.some((r) => r.vendorId === 0x1d6b), JSON.stringify(rows));
  // Chosen as the Devices screen's form does: the ids as typed.
  await m.chooseByIds('hid_scanner', '0627', '0001');
  const kbd = () => m.list().devices.find((d) => isKbd(d.id));
  // Claiming it detaches usbhid (its input device goes away) and binds the interface to usbfs.
  const claimed = await until(() => kbd()?.state === 'ready' && kbdDriver() === 'usbfs' && findEventDevice(QEMU_KBD) === null, 8000);
  check('raw HID: the keyboard chosen by vendor:product id is claimed (usbhid detached)', claimed, JSON.stringify({ kbd: kbd(), driver: kbdDriver() }));

  const code = 'Fp-3X'; // Shift, letters, digits and '-': 16 key events with Enter, one burst
  const got = await rawScan(seen, code);
  check('raw HID: a code typed on the chosen keyboard arrives (Shift and all)', got.length === 1 && got[0]!.code === code && isKbd(got[0]!.deviceId), JSON.stringify(got));

  const del = await keyboard({ op: 'unplug' });
  const gone = del.ok && (await until(() => kbd()?.state === 'disconnected', 15_000));
  check('raw HID: device_del of the chosen keyboard is reported as disconnected', gone, JSON.stringify({ del, kbd: kbd() }));
  await sleep(500);
  const add = await keyboard({ op: 'plug' });
  const back = add.ok && (await until(() => m.list().devices.some((d) => isKbd(d.id) && d.state === 'ready') && kbdDriver() === 'usbfs', 20_000));
  check('raw HID: after device_add it is back and claimed again', back, JSON.stringify({ add, driver: kbdDriver(), devices: m.list().devices.filter((d) => isKbd(d.id)) }));

  const after = await rawScan(seen, WEDGE_CODE);
  if (!after.length) console.log(`raw HID after replug: driver ${kbdDriver()}, input device ${findEventDevice(QEMU_KBD)}, ${JSON.stringify(m.list().devices.filter((d) => isKbd(d.id)))}`);
  check('raw HID: a scan after the replug arrives', after.map((s) => s.code).join() === WEDGE_CODE, JSON.stringify(after));
}

/** Whether `part` is `whole` with some characters left out (keys the emulated link lost). */
const keysLost = (part: string, whole: string) => {
  let k = 0;
  for (const ch of whole) if (part[k] === ch) k++;
  return k === part.length && part.length < whole.length;
};

/**
 * Sends a code on QEMU's keyboard for the app's raw-HID reader, in one burst of at most 16 key
 * events: QEMU holds them and hands out one per poll, as a real scanner holds its reports until
 * polled, so the reader takes them at its own pace and no timer of the loaded host (whose keyboard
 * agent can be seconds late at load ~20) stands between two keys. Should the emulated link still
 * lose the scan (a code with keys missing, or one refused as cut off), the try is sent again, at
 * most three times, saying so; any other code, and every code that arrives whole, is judged as it is.
 */
async function rawScan(seen: Seen, code: string): Promise<NonNullable<Seen['scanner:scanned']>> {
  for (let attempt = 1; ; attempt++) {
    const n = scans(seen).length;
    const r0 = refusals(seen).length;
    await keyboard({ op: 'burst', text: code, enter: true });
    if (!(await until(() => scans(seen).length > n, 10_000))) await sleep(3000); // a code cut off is refused after its gap
    const got = scans(seen).slice(n);
    const refused = refusals(seen).slice(r0).map((r) => String(r.error.detail?.why));
    const lost = (got.length > 0 || refused.length > 0) && got.every((g) => keysLost(g.code, code)) && refused.every((w) => /cut off|tail/.test(w));
    if (!lost || attempt === 3) return got;
    console.log(`raw HID: the emulated link lost keys (${JSON.stringify({ got: got.map((g) => g.code), refused })}); typing again`);
    await sleep(4000); // past the cut-off code's tail window (drivers/scanner/hid.ts)
  }
}

export async function hidPosChecks(m: DeviceManager, seen: Seen): Promise<void> {
  const pos = m.list().devices.find((d) => d.id.startsWith('scanner:usb:05e0:1300'));
  if (!pos) return check('HID POS: scanner listed', false, JSON.stringify(m.list().devices));
  await m.select(pos.id);
  const claimed = await until(() => driverOf('05e0', '1300') === 'usbfs', 20_000); // claimed asynchronously, detaching usbhid
  if (!claimed) console.log(`HID POS: not claimed: ${driverOf('05e0', '1300')}`);
  const fd = fs.openSync('/dev/hidg1', 'r+');
  const send = async (reports: Uint8Array[]) => {
    for (const r of reports) await writeAsync(fd, r);
  };
  const c24 = '281234567890123456789012'; // a 24-digit code (Alipay's longest)
  let n = scans(seen).length;
  await send(hidPosReports(c24));
  await until(() => scans(seen).length > n, 15_000);
  check('HID POS: a 24-digit code arrives as one code', scans(seen).slice(n).map((s) => s.code).join() === c24, JSON.stringify(scans(seen).slice(n)));

  n = scans(seen).length;
  await send(hidPosReports(PAY));
  await until(() => scans(seen).length > n, 15_000);
  check('HID POS: an 18-digit code arrives as one code', scans(seen).slice(n).map((s) => s.code).join() === PAY && scans(seen).at(-1)!.deviceId === pos.id, JSON.stringify(scans(seen).slice(n)));

  // The first report of a long code ("more follows"), then a report cut short on the wire, then
  // one with a data length over 56: all refused, nothing emitted, and the next code is whole.
  n = scans(seen).length;
  const r0 = refusals(seen).length;
  await send([hidPosReports('7'.repeat(70))[0]!, hidPosReports('1')[0]!.subarray(0, 10)]);
  const bad = hidPosReports('2')[0]!;
  bad[1] = 200;
  await send([bad]);
  await until(() => refusals(seen).length >= r0 + 2, 10_000);
  // The next last report is the broken code's tail (drivers/scanner/hid.ts): refused, never a code.
  await send(hidPosReports('3'.repeat(18)));
  await until(() => refusals(seen).length >= r0 + 3, 10_000);
  await send(hidPosReports(PAY));
  await until(() => scans(seen).length > n, 15_000);
  const after = scans(seen).slice(n).map((s) => s.code);
  const refused = refusals(seen).slice(r0);
  check(
    'HID POS: truncated and garbage reports are refused, the tail too, and change nothing',
    after.join() === PAY && refused.length === 3 && refused.every((r) => r.error.code === 'scanner.bad_report' && r.error.zh && r.error.en),
    JSON.stringify({ after, refused }),
  );
  fs.closeSync(fd);
}

export async function serialChecks(m: DeviceManager, seen: Seen, udc: string): Promise<void> {
  const isAcm = (id: string) => id.startsWith('scanner:serial:1eab:1d06:');
  const acm = () => m.list().devices.find((d) => isAcm(d.id));
  const first = acm();
  if (!first) return check('serial: scanner listed', false, JSON.stringify(m.list().devices));
  await m.select(first.id);
  // The gadget's tty must pass bytes as they are (no CR/LF translation, no echo).
  const openTty = () => {
    execFileSync('stty', ['-F', '/dev/ttyGS0', 'raw', '-echo']);
    return fs.openSync('/dev/ttyGS0', 'r+');
  };
  // The reader opens the port asynchronously; bytes sent before would wait in the gadget.
  const opened = () => fs.readdirSync('/dev').some((d) => /^ttyACM\d+$/.test(d) && portOpen(`/dev/${d}`));
  if (!(await until(opened, 20_000))) console.log('serial: the port was not opened');
  let tty = openTty();
  let n = scans(seen).length;
  fs.writeSync(tty, `${PAY}\r\n`);
  await until(() => scans(seen).length > n, 15_000);
  check('serial: a code written by the CDC-ACM gadget arrives as one code', scans(seen).slice(n).map((s) => `${s.deviceId} ${s.code}`).join() === `${first.id} ${PAY}`, JSON.stringify(scans(seen).slice(n)));

  const r0 = refusals(seen).length;
  n = scans(seen).length;
  fs.writeSync(tty, Buffer.concat([Buffer.from('1345'), Buffer.of(0x00, 0xff, 0x1b), Buffer.from('678\r\n')]));
  await until(() => refusals(seen).length > r0, 10_000);
  await sleep(300);
  const refused = refusals(seen).slice(r0);
  check('serial: garbage is refused with a bilingual error and emits no code', scans(seen).length === n && refused.length === 1 && !!refused[0]!.error.zh && !!refused[0]!.error.en, JSON.stringify({ refused, scans: scans(seen).slice(n) }));

  // Unplug the gadget (gently: dummy_hcd can oops on a fast unplug/replug), then plug it back.
  fs.closeSync(tty);
  plug('acm', '');
  const gone = await until(() => acm()?.state === 'disconnected', 15_000);
  check('serial: unplugging the scanner is reported as disconnected', gone, JSON.stringify(acm()));
  await sleep(1000);
  plug('acm', udc);
  const back = await until(() => acm()?.state === 'ready' && opened(), 30_000);
  check('serial: after replug the scanner is ready again (its port open)', back, JSON.stringify(acm()));
  tty = openTty();
  n = scans(seen).length;
  fs.writeSync(tty, `${PAY}\r\n`);
  await until(() => scans(seen).length > n, 15_000);
  check('serial: a code after the replug arrives', scans(seen).slice(n).map((s) => s.code).join() === PAY, JSON.stringify({ scans: scans(seen).slice(n), acm: acm() }));
  fs.closeSync(tty);
}
