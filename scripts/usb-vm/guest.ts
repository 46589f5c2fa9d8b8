/**
 * Runs INSIDE the USB VM (see run.sh): plays both sides of real USB links through dummy_hcd.
 * Gadget side (configfs): a printer (f_printer, 0416:5011) that answers DLE EOT from a paper
 * flag, a HID keyboard scanner (f_hid, 0c2e:0b61), a HID POS scanner (f_hid, 05e0:1300) and a
 * serial scanner (f_acm, 1eab:1d06); besides them QEMU's own USB keyboard on an xHCI controller,
 * typed on from the host (keyboard.mjs). Host side: the app's own DeviceManager in live mode over
 * the real `usb` v3 module and `serialport`. Prints one `PASS name` / `FAIL name: why` per check
 * and writes result.json to the shared output folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { DeviceManager } from '../../drivers/manager';
import { encodeReceipt } from '../../drivers/printer/escpos';
import { sampleReceipt } from '../../drivers/printer/fixtures';
import { parseReceipt } from '../../drivers/printer/receipt';
import { statusReply } from '../../drivers/printer/status';
import { keyboardReports } from '../../drivers/scanner/hid';
import { nodeHidChecks } from './guest-nodehid';
import { chosenKeyboardChecks, hidPosChecks, POS_DESC, serialChecks, wedgeChecks } from './guest-scanners';
import { serialPrinterChecks } from './guest-serial-printer';
import { check, gadget, OUT, plug, results, sleep, until, writeAsync, type Seen } from './lib';

// Boot keyboard report descriptor (HID 1.11, appendix B.1).
const KBD_DESC = Buffer.from('05010906a101050719e029e715002501750195088102950175088103950575010508190129059102950175039103950675081500256505071900296581' + '00c0', 'hex');

async function main(): Promise<void> {
  // QEMU's keyboard as a keyboard wedge, read through the kernel's input layer: first, while the
  // guest is idle (key timing is what these checks are about).
  await wedgeChecks();

  const udcs = fs.readdirSync('/sys/class/udc').sort();
  check('four dummy UDCs present', udcs.length >= 4, udcs.join(','));
  const udcOfPrinter = udcs[0]!;
  gadget('prn', udcs[0]!, 0x0416, 0x5011, 'VM printer', 'printer.usb0', { pnp_string: 'MFG:usb-vm;MDL:printer;CMD:ESC/POS;', q_len: '10' });
  gadget('scn', udcs[1]!, 0x0c2e, 0x0b61, 'VM scanner', 'hid.usb0', { protocol: '1', subclass: '1', report_length: '8', report_desc: KBD_DESC });
  // HID POS: a known maker's vendor id (Zebra/Symbol); the product id is this harness's own.
  gadget('pos', udcs[2]!, 0x05e0, 0x1300, 'VM HID POS scanner', 'hid.usb1', { protocol: '0', subclass: '0', report_length: '64', report_desc: POS_DESC });
  // A scanner in USB-serial mode (CDC-ACM): a known maker's vendor id (Newland), the harness's product id.
  gadget('acm', udcs[3]!, 0x1eab, 0x1d06, 'VM serial scanner', 'acm.usb0', {});
  check('gadget device nodes', await until(() => ['/dev/g_printer0', '/dev/hidg0', '/dev/hidg1', '/dev/ttyGS0'].every((f) => fs.existsSync(f)), 5000));

  // --- gadget side of the printer: record every byte, answer DLE EOT from the paper flag ---
  const paper = { paperOut: false };
  const received: Buffer[] = [];
  /** Unplug the printer once this many more bytes have arrived (the mid-job unplug test). */
  let unplugAfter = null as number | null;
  // f_printer refuses open (ENODEV) until the host side has configured the device; after an
  // unplug the old descriptor only returns errors, so the reader opens it afresh.
  let pfd = -1;
  const openPrinter = () =>
    until(() => {
      try {
        pfd = fs.openSync('/dev/g_printer0', 'r+');
        return true;
      } catch {
        return false;
      }
    }, 10_000);
  check('printer gadget configured by the host', await openPrinter());
  let stopPrinter = false;
  void (async () => {
    // Larger than all f_printer can hold (q_len 10 × 8 KiB), so every read drains whole requests.
    // A request left half read when the gadget is unbound is freed by printer_func_unbind but
    // stays the function's `current_rx_req`; the first read after the replug puts the freed
    // request back on a list, and the guest kernel dies in rx_complete (list corruption): the
    // unplug-mid-job check used to trip over this kernel bug.
    const buf = Buffer.alloc(256 * 1024);
    while (!stopPrinter) {
      const n = await new Promise<number>((res) => fs.read(pfd, buf, 0, buf.length, null, (err, k) => res(err ? -1 : k)));
      if (n < 0) {
        // The link went down (unplug test): reopen once the host has configured it again.
        try {
          fs.closeSync(pfd);
        } catch {
          // already unusable
        }
        await sleep(100);
        await openPrinter();
        continue;
      }
      const chunk = Buffer.from(buf.subarray(0, n));
      received.push(chunk);
      if (unplugAfter !== null && (unplugAfter -= n) <= 0) {
        unplugAfter = null;
        plug('prn', ''); // pulled out in the middle of the job
      }
      // Requests at the end of what arrived (a loaded machine may hand several transfers over in
      // one read): DLE EOT n is answered at once, GS r 1 (in order: the job before it is
      // "printed") unless the paper is out — a stopped printer answers it only after new paper.
      const replies: number[] = [];
      let end = chunk.length;
      while (end >= 3) {
        const [a, b, c] = chunk.subarray(end - 3, end);
        if (a === 0x10 && b === 0x04 && (c === 1 || c === 2 || c === 4)) replies.unshift(statusReply(c, paper));
        else if (a === 0x1d && b === 0x72 && c === 1) {
          if (!paper.paperOut) replies.unshift(0x00);
        } else break;
        end -= 3;
      }
      if (replies.length) fs.write(pfd, Buffer.from(replies), () => {});
    }
  })();

  // --- host side: the app's device manager, live mode, real usb module ---
  const seen: Seen = {};
  const store = new Map<string, string>();
  const m = new DeviceManager({
    mode: 'live',
    emit: (name, payload) => void ((seen[name] ??= []) as unknown[]).push(payload),
    settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) },
    usbPollMs: 300,
    // Listing serial ports spawns `udevadm info -e`: costly in the emulated guest, so less often.
    serialPollMs: 2000,
    statusPollMs: 60_000,
    log: (s) => console.log(`[devices] ${s}`),
  });
  await m.start();
  const has = (prefix: string) => m.list().devices.some((d) => d.id.startsWith(prefix));
  // Serial ports are listed through udev's database, which a loaded machine fills slowly.
  const found = await until(() => has('printer:usb:0416:5011') && has('scanner:usb:0c2e:0b61') && has('scanner:usb:05e0:1300') && has('scanner:serial:1eab:1d06'), 90_000);
  check('printer, HID, HID POS and serial scanners discovered over real USB', found, JSON.stringify(m.list().devices.map((d) => d.id)));

  // The manager lays a receipt out for the paper in the printer (58 mm unless chosen otherwise).
  const receipt = encodeReceipt(parseReceipt(sampleReceipt(m.paperWidth)));
  const job = await m.printReceipt(sampleReceipt(80));
  await sleep(300);
  const all = Buffer.concat(received);
  // Printed = the printer answered GS r 1 after the job (the gadget does once it has the bytes).
  check('receipt printed (confirmed by the printer)', job.state === 'printed', JSON.stringify(job));
  check('receipt bytes arrive exact at the printer gadget', all.indexOf(Buffer.from(receipt)) >= 0, `got ${all.length} bytes`);

  paper.paperOut = true;
  const out = await m.printReceipt(sampleReceipt(58));
  check('paper out reported', out.state === 'failed' && out.error?.code === 'printer.paper_out', JSON.stringify(out));
  const prn = m.list().devices.find((d) => d.kind === 'printer')!;
  check('paper out surfaced as device state', prn.state === 'paper_out', prn.state);
  paper.paperOut = false;
  const again = await m.reprint(out.id);
  check('kept job reprinted after paper is loaded', again.state === 'printed', JSON.stringify(again));

  // --- raw HID scan after detaching usbhid ---
  const scanner = m.list().devices.find((d) => d.id.startsWith('scanner:usb:0c2e:0b61'))!;
  await m.select(scanner.id);
  await sleep(1500); // claim (detaching usbhid) happens asynchronously
  const hfd = fs.openSync('/dev/hidg0', 'r+');
  // Async writes (see writeAsync): a writeSync would deadlock this process.
  for (const r of keyboardReports('134567890123456789')) await writeAsync(hfd, r);
  const scanned = await until(() => (seen['scanner:scanned'] ?? []).length > 0, 5000);
  check('scan arrives through the raw-HID path', scanned && seen['scanner:scanned']![0]!.code === '134567890123456789', JSON.stringify(seen['scanner:scanned']));

  // --- unplug the printer mid-job ---
  const big = { ...sampleReceipt(80), items: Array.from({ length: 150 }, (_, i) => ({ name: `测试商品${i}`, qty: 1, unitFen: 100, totalFen: 100 })), totals: { subtotalFen: 15000, discountFen: 0, totalFen: 15000 }, tender: { kind: 'wechat' as const, paidFen: 15000 } };
  unplugAfter = 4000;
  const cut = await m.printReceipt(big);
  check('unplug mid-job fails the job, nothing crashes', cut.state === 'failed', JSON.stringify(cut));
  await sleep(800);
  plug('prn', udcOfPrinter);
  const back = await until(() => m.list().devices.find((d) => d.kind === 'printer')?.state === 'ready', 8000);
  check('printer back after replug', back, JSON.stringify(m.list().devices));
  const before = Buffer.concat(received).length;
  const re = cut.state === 'failed' ? await m.reprint(cut.id) : cut;
  check('job cut by the unplug reprints after replug', re.state === 'printed', JSON.stringify(re));
  // Part of it reached the printer before the unplug: the reprint says 重打 REPRINT, never a second original.
  const mark = iconv.encode('重打 REPRINT', 'gb18030');
  check('the reprint of a job that may have printed is marked 重打 REPRINT', Buffer.concat(received).subarray(before).indexOf(mark) >= 0, `${cut.mayHavePrinted}`);

  // --- scanners: QEMU's keyboard chosen as a raw-HID scanner by its ids; HID POS; serial ---
  await chosenKeyboardChecks(m, seen);
  // node-hid on the HID POS gadget's hidraw node, before hidPosChecks claims it over libusb.
  await nodeHidChecks();
  await hidPosChecks(m, seen);
  await serialChecks(m, seen, udcs[3]!);
  // The same CDC-ACM gadget as a serial ESC/POS printer (the scanner deselected first).
  await serialPrinterChecks(m);

  stopPrinter = true;
  await m.stop();
}

main()
  .catch((e) => check('guest script ran to the end', false, e instanceof Error ? e.stack ?? e.message : String(e)))
  .finally(() => {
    fs.writeFileSync(path.join(OUT, 'result.json'), JSON.stringify(results, null, 2));
    console.log(`USB-VM ${results.every((r) => r.ok) ? 'OK' : 'FAILED'} ${results.filter((r) => r.ok).length}/${results.length}`);
    // A read still blocked on /dev/g_printer0 in libuv's thread pool would hold process exit:
    // unbinding the gadgets ends it. init.sh's timeout is the backstop.
    for (const g of ['prn', 'scn', 'pos', 'acm']) {
      try {
        plug(g, '');
      } catch {
        // not created (an early failure): nothing to unbind
      }
    }
    // Only result.json matters now: end at once, even with a read still blocked in the pool.
    process.kill(process.pid, 'SIGKILL');
  });
