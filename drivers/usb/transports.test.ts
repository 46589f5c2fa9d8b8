import { describe, expect, it } from 'vitest';
import type { AppError } from '../../core/api/errors';
import { encodeReceipt } from '../printer/escpos';
import { sampleReceipt } from '../printer/fixtures';
import { parseReceipt } from '../printer/receipt';
import { statusReply } from '../printer/status';
import { UsbPrinter } from '../printer/usb-printer';
import { hidPosReports, keyboardReports } from '../scanner/hid';
import { UsbHidScanner, type ReaderEnd } from '../scanner/usb-hid';
import { FakeUsbDevice, fakeHidConfig, fakePrinterConfig } from './fake-device';

/** A fake printer that answers DLE EOT like a real one, from its paper flag. */
function fakePrinter(state = { paperOut: false, coverOpen: false }) {
  const d = new FakeUsbDevice(0x0416, 0x5011, fakePrinterConfig(), 'POS-58');
  d.onOut = (_ep, data) => {
    if (data.length === 3 && data[0] === 0x10 && data[1] === 0x04) d.queueIn(2, Uint8Array.of(statusReply(data[2] as 1 | 2 | 4, state)));
  };
  return { d, state };
}
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as AppError).code;
  }
  return 'ok';
};
const receipt = encodeReceipt(parseReceipt(sampleReceipt(80)));

describe('USB printer transport', () => {
  it('detaches the kernel driver before claiming, then sends the job exactly, in chunks', async () => {
    const { d } = fakePrinter();
    const p = new UsbPrinter(d, { chunkSize: 256 });
    await p.write(receipt);
    expect(d.log.slice(0, 4)).toEqual(['open', 'config 1', 'detach 0', 'claim 0']);
    expect(d.sent(1)).toEqual(receipt);
    expect(d.out.every((o) => o.data.length <= 256)).toBe(true);
    expect(d.out.length).toBe(Math.ceil(receipt.length / 256));
  });

  it('claims directly where no kernel driver holds the interface (Windows/WinUSB)', async () => {
    const { d } = fakePrinter();
    d.kernelDriverBound = false;
    await new UsbPrinter(d).write(Uint8Array.of(0x1b, 0x40));
    expect(d.claimed.has(0)).toBe(true);
  });

  it('clears a stall and resends the chunk once', async () => {
    const { d } = fakePrinter();
    d.outFaults = ['stall'];
    await new UsbPrinter(d, { chunkSize: 512 }).write(receipt);
    expect(d.log).toContain('clearHalt out 1');
    expect(d.sent(1)).toEqual(receipt);
  });

  it('fails the job after a second stall in the same chunk', async () => {
    const { d } = fakePrinter();
    d.outFaults = ['stall', 'stall'];
    expect(await codeOf(new UsbPrinter(d).write(receipt))).toBe('printer.stalled');
  });

  it('sends the rest after a short write', async () => {
    const { d } = fakePrinter();
    d.outFaults = ['short'];
    await new UsbPrinter(d, { chunkSize: 1000 }).write(receipt);
    expect(d.sent(1)).toEqual(receipt);
  });

  it('reports a time-out as printer.timeout', async () => {
    const { d } = fakePrinter();
    d.outFaults = ['ok', 'timeout'];
    expect(await codeOf(new UsbPrinter(d, { chunkSize: 256 }).write(receipt))).toBe('printer.timeout');
  });

  it('reports an unplug mid-job as disconnected, and prints again after replug', async () => {
    const { d } = fakePrinter();
    const p = new UsbPrinter(d, { chunkSize: 256 });
    d.outFaults = ['ok', 'ok', 'disconnect'];
    expect(await codeOf(p.write(receipt))).toBe('printer.disconnected');
    expect(d.sent(1).length).toBe(512);
    d.unplugged = false;
    d.kernelDriverBound = true;
    d.out.length = 0;
    await p.write(receipt);
    expect(d.sent(1)).toEqual(receipt);
  });

  it('reads paper out and cover open through DLE EOT 4 and 2', async () => {
    const { d, state } = fakePrinter();
    const p = new UsbPrinter(d);
    expect(await p.status()).toMatchObject({ paperOut: false, coverOpen: false });
    state.paperOut = true;
    expect(await p.status()).toMatchObject({ paperOut: true });
    state.paperOut = false;
    state.coverOpen = true;
    expect(await p.status()).toMatchObject({ coverOpen: true, paperOut: false });
    expect(d.out.filter((o) => o.data.length === 3).map((o) => o.data[2])).toEqual([4, 2, 4, 2, 4, 2]);
  });

  it('refuses a reply that is not a status byte', async () => {
    const d = new FakeUsbDevice(0x0416, 0x5011, fakePrinterConfig());
    d.kernelDriverBound = false;
    d.onOut = () => d.queueIn(2, Uint8Array.of(0xff));
    expect(await codeOf(new UsbPrinter(d).status())).toBe('printer.bad_status');
  });

  it('reports a printer that never answers a status query as status unknown (null), not a failure', async () => {
    const d = new FakeUsbDevice(0x0416, 0x5011, fakePrinterConfig());
    expect(await new UsbPrinter(d).status()).toBeNull();
  });

  it('never interleaves a status query with a job', async () => {
    const { d } = fakePrinter();
    const p = new UsbPrinter(d, { chunkSize: 100 });
    await Promise.all([p.write(receipt), p.status(), p.write(receipt)]);
    const sizes = d.out.map((o) => o.data.length);
    const firstQuery = sizes.indexOf(3);
    expect(firstQuery).toBe(Math.ceil(receipt.length / 100));
  });
});

describe('USB raw-HID scanner transport', () => {
  function reader(d: FakeUsbDevice) {
    const codes: string[] = [];
    const refused: string[] = [];
    const ends: ReaderEnd[] = [];
    let ended: () => void = () => {};
    const done = new Promise<void>((r) => (ended = r));
    const s = new UsbHidScanner(d, {
      onCode: (c) => codes.push(c),
      onRefused: (e) => refused.push(e.code),
      onEnd: (w) => {
        ends.push(w);
        ended();
      },
    }, { readTimeoutMs: 2 });
    return { s, codes, refused, ends, done };
  }
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 2));
  };

  it('detaches the kernel driver, claims, and emits one event per complete code across idle time-outs', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig());
    const r = reader(d);
    await r.s.start();
    expect(d.log).toEqual(['open', 'config 1', 'detach 0', 'claim 0']);
    await new Promise((res) => setTimeout(res, 20)); // several "Cancelled" time-outs go by
    for (const rep of keyboardReports('134567890123456789')) d.queueIn(1, rep);
    await until(() => r.codes.length > 0);
    expect(r.codes).toEqual(['134567890123456789']);
    await r.s.stop();
    expect(r.ends).toEqual(['stopped']);
  });

  it('reads HID POS reports from the same endpoint', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig(64));
    const r = reader(d);
    await r.s.start();
    const code = 'x'.repeat(70);
    for (const rep of hidPosReports(code)) d.queueIn(1, rep);
    await until(() => r.codes.length > 0);
    expect(r.codes).toEqual([code]);
    await r.s.stop();
  });

  it('refuses a garbage report, drops the partial code and keeps reading', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig());
    const r = reader(d);
    await r.s.start();
    const reps = keyboardReports('99999');
    d.queueIn(1, reps[0]!);
    d.queueIn(1, Uint8Array.of(0, 0, 4));
    // The rest of that scan up to its Enter is its tail: refused, never a code (scanner/hid.ts).
    for (const rep of keyboardReports('123456')) d.queueIn(1, rep);
    for (const rep of keyboardReports('654321')) d.queueIn(1, rep);
    await until(() => r.codes.length > 0);
    expect(r.refused).toEqual(['scanner.bad_report', 'scanner.bad_report']);
    expect(r.codes).toEqual(['654321']);
    await r.s.stop();
  });

  it('drops the first part of a long HID POS code when a truncated report follows it', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig(64));
    const r = reader(d);
    await r.s.start();
    d.queueIn(1, hidPosReports('9'.repeat(70))[0]!); // "more data follows"
    d.queueIn(1, new Uint8Array(0)); // a zero-length packet after a full-size report: no report, no refusal
    d.queueIn(1, hidPosReports('1')[0]!.subarray(0, 10)); // cut short on the wire
    // The next last report may be the rest of the cut code: refused as its tail, never glued.
    for (const rep of hidPosReports('999999999999999999')) d.queueIn(1, rep);
    for (const rep of hidPosReports('134567890123456789')) d.queueIn(1, rep);
    await until(() => r.codes.length > 0);
    expect(r.refused).toEqual(['scanner.bad_report', 'scanner.bad_report']);
    expect(r.codes).toEqual(['134567890123456789']);
    await r.s.stop();
  });

  // Boot keyboard (HID 1.11 B.1) and the HID POS Scanned Data Report (as the VM gadgets use).
  const KBD_DESC = Buffer.from('05010906a101050719e029e715002501750195088102950175088103950575010508190129059102950175039103950675081500256505071900296581' + '00c0', 'hex');
  const POS_DESC = Buffer.from('058c0902a1010912a1028502150026ff0075080600ff0901950181020' + '58c09fb09fc09fd9503810209fe95388202010600ff09029502810205' + '8c09ff2501750195018102750795018103c0c0', 'hex');

  it('reads coalesced keyboard reports (a 64-byte transfer of 8 reports) from a device whose descriptor says keyboard', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig(64));
    d.reportDescriptor = KBD_DESC;
    const r = reader(d);
    await r.s.start();
    expect(r.s.layout).toEqual({ from: 'descriptor', layout: { keyboard: { reportId: null, length: 8 }, pos: null } });
    // "ABCD" + Enter: shifted keys, so the transfer starts 0x02 and is 64 bytes — what the old
    // per-report guess took for a HID POS report (and refused).
    const reps = keyboardReports('ABCDABCD');
    for (let k = 0; k < reps.length; k += 8) d.queueIn(1, Uint8Array.from(reps.slice(k, k + 8).flatMap((x) => [...x])));
    await until(() => r.codes.length > 0);
    expect(r.codes).toEqual(['ABCDABCD']);
    expect(r.refused).toEqual([]);
    await r.s.stop();
  });

  it('reads HID POS by its descriptor, and refuses a transfer that is not whole reports of the device', async () => {
    const d = new FakeUsbDevice(0x05e0, 0x1300, fakeHidConfig(64));
    d.reportDescriptor = POS_DESC;
    const r = reader(d);
    await r.s.start();
    expect(r.s.layout).toEqual({ from: 'descriptor', layout: { keyboard: null, pos: { reportId: 2, length: 64 } } });
    d.queueIn(1, keyboardReports('1')[0]!); // 8 bytes: no report of this device
    for (const rep of hidPosReports('134567890123456789')) d.queueIn(1, rep);
    for (const rep of hidPosReports('134567890123456780')) d.queueIn(1, rep);
    await until(() => r.codes.length > 0);
    expect(r.refused.length).toBeGreaterThan(0);
    expect(r.codes).toEqual(['134567890123456780']);
    await r.s.stop();
  });

  it('says it is guessing when the device gives no report descriptor', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig());
    const r = reader(d);
    await r.s.start();
    expect(r.s.layout).toMatchObject({ from: 'guess' });
    await r.s.stop();
  });

  it('ends with disconnected on unplug mid-code, and a new reader works after replug', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig());
    const r = reader(d);
    await r.s.start();
    const reps = keyboardReports('555555');
    for (const rep of reps.slice(0, 5)) d.queueIn(1, rep);
    await until(() => (d.inQueue.get(1)?.length ?? 0) === 0);
    d.unplugged = true;
    await r.done;
    expect(r.ends).toEqual(['disconnected']);
    expect(r.codes).toEqual([]);
    d.unplugged = false;
    d.kernelDriverBound = true;
    d.inQueue.clear();
    const r2 = reader(d);
    await r2.s.start();
    for (const rep of keyboardReports('777777')) d.queueIn(1, rep);
    await until(() => r2.codes.length > 0);
    expect(r2.codes).toEqual(['777777']); // nothing of the half code before the unplug
    await r2.s.stop();
  });

  it('stops a reader that is stopped while it is still claiming the device', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig());
    const r = reader(d);
    const starting = r.s.start();
    await r.s.stop();
    await starting;
    expect(r.s.active).toBe(false);
    expect(r.ends).toEqual(['stopped']);
    expect(d.claimed.size).toBe(0); // released again
  });

  it('reports a device with no HID interrupt endpoint as not a scanner', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakePrinterConfig());
    const r = reader(d);
    await r.s.start();
    expect(r.ends).toEqual(['not_a_scanner']);
  });

  it('reports access refused by the OS as no_permission', async () => {
    const d = new FakeUsbDevice(0x0c2e, 0x0b61, fakeHidConfig());
    d.open = async () => {
      throw new Error('LIBUSB_ERROR_ACCESS: Access denied (insufficient permissions)');
    };
    const r = reader(d);
    await r.s.start();
    expect(r.ends).toEqual(['no_permission']);
  });
});
