/**
 * Runs INSIDE the USB VM, after the serial scanner's checks: the same CDC-ACM gadget (1eab:1d06,
 * /dev/ttyGS0 ↔ the host's /dev/ttyACM0 through the kernel's cdc_acm) now plays a serial ESC/POS
 * printer. Its side reads the bytes as a printer does (drivers/printer/escpos-twin.ts: buffer,
 * paper, DLE EOT and GS r 1 answered on the same line); the app's side is the device manager's
 * serial printer over the real `serialport`. The scanner is deselected first: a port is opened
 * by one program (and one reader) at a time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { DeviceManager } from '../../drivers/manager';
import { EscPosTwin } from '../../drivers/printer/escpos-twin';
import { encodeReceipt } from '../../drivers/printer/escpos';
import { sampleReceipt } from '../../drivers/printer/fixtures';
import { parseReceipt } from '../../drivers/printer/receipt';
import { check, sleep, until } from './lib';

export async function serialPrinterChecks(m: DeviceManager): Promise<void> {
  // The serial scanner's reader lets the port go (a port in use by the selected scanner is not offered).
  await m.select('scanner:wedge');
  await sleep(500);
  const candidate = () => m.list().printerCandidates?.find((c) => c.id.startsWith('printer:serial:1eab:1d06:'));
  await until(() => !!candidate(), 10_000);
  const c = candidate();
  check('serial printer: the CDC-ACM port is offered as a printer', !!c, JSON.stringify(m.list().printerCandidates));
  if (!c) return;

  // Gadget side: non-blocking reads on a timer (a blocking read would hold a libuv pool thread).
  execFileSync('stty', ['-F', '/dev/ttyGS0', 'raw', '-echo']);
  const fd = fs.openSync('/dev/ttyGS0', fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  const printer = new EscPosTwin((bytes) => {
    try {
      fs.writeSync(fd, Buffer.from(bytes));
    } catch (e) {
      console.log(`serial printer gadget: reply not written (${String(e)})`);
    }
  });
  const buf = Buffer.alloc(64 * 1024);
  const timer = setInterval(() => {
    for (;;) {
      let n = 0;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch {
        return; // EAGAIN: nothing now
      }
      if (n <= 0) return;
      printer.receiveStream(Uint8Array.from(buf.subarray(0, n)));
    }
  }, 5);

  try {
    await m.select(c.id, 58, 19200, 'none');
    const card = () => m.list().devices.find((d) => d.id === c.id);
    check('serial printer: chosen, its card says the path (port, rate, flow control)', card()?.selected === true && /19200 baud, no flow control/.test(card()?.via?.en ?? ''), JSON.stringify(card()));

    const bytes = encodeReceipt(parseReceipt(sampleReceipt(58)));
    const job = await m.printReceipt(sampleReceipt(58));
    check('serial printer: a receipt printed, confirmed by GS r 1 on the same port', job.state === 'printed', JSON.stringify(job));
    check('serial printer: the receipt bytes arrive exact at the gadget', Buffer.from(printer.paper).indexOf(Buffer.from(bytes)) >= 0, `got ${printer.paper.length} of ${bytes.length} bytes`);
    check('serial printer: status read by DLE EOT (no "unknown" on its card)', card()?.state === 'ready' && !card()?.message, JSON.stringify(card()));

    printer.paperOut = true;
    const out = await m.printReceipt(sampleReceipt(58));
    check('serial printer: paper out reported by DLE EOT, the job kept', out.state === 'failed' && out.error?.code === 'printer.paper_out' && card()?.state === 'paper_out', JSON.stringify({ out, card: card() }));
    printer.loadPaper();

    // A printer that does not answer (no return line): it prints, status unknown, "sent, unconfirmed".
    printer.b.answersStatus = false;
    printer.b.answersInOrder = false;
    const before = printer.paper.length;
    const blind = await m.printReceipt(sampleReceipt(58));
    check('serial printer: no answer → printed anyway, "sent, unconfirmed", status unknown said',
      blind.state === 'unconfirmed' && printer.paper.length - before >= bytes.length && /does not report its status/.test(card()?.message?.en ?? ''),
      JSON.stringify({ blind, card: card(), printed: printer.paper.length - before }));
  } finally {
    clearInterval(timer);
    fs.closeSync(fd);
  }
}
