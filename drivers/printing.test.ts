/**
 * What "printed" means (issue 15, defects 3–5): the device manager over the USB transport and a
 * fake ESC/POS printer with a receive buffer (usb/fake-printer.ts), and over the simulated printer.
 * A job is printed only when the printer confirms it; a job that may be on paper is reprinted
 * marked 重打 / COPY and never resumes beside it; a printer without status still prints, saying
 * what is not known; the drawer opens by the real-time pulse while the printer is stopped.
 */
import { describe, expect, it } from 'vitest';
import { DeviceManager, type DeviceSettings } from './manager';
import { decodeEscPos, receiptText } from './printer/decode';
import { sampleReceipt } from './printer/fixtures';
import { FakeEscPosPrinter, type FakePrinterBehaviour } from './usb/fake-printer';
import { FakeUsbDevice, fakePrinterConfig } from './usb/fake-device';
import type { UsbHost } from './usb/host';
import type { UsbDeviceLike } from './usb/webusb';

function live(device: UsbDeviceLike) {
  const store = new Map<string, string>();
  const settings: DeviceSettings = { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) };
  const host: UsbHost = { getDevices: async () => [device] };
  return new DeviceManager({ mode: 'live', platform: 'linux', settings, emit: () => {}, loadUsb: async () => ({ host, reason: '' }),
    loadSerial: async () => ({ lib: null, reason: 'none' }), statusPollMs: 60_000, usbPollMs: 60_000 });
}
async function withPrinter(b: Partial<FakePrinterBehaviour> = {}, vendorId = 0x0416) {
  const fake = FakeEscPosPrinter.usb(b, vendorId);
  const m = live(fake.device);
  await m.start();
  return { m, fake, id: m.list().devices.find((d) => d.kind === 'printer')!.id };
}
const paperText = (fake: FakeEscPosPrinter, from = 0) => receiptText(decodeEscPos(Uint8Array.from(fake.paper.slice(from)), 32));

describe('a job is printed only when the printer confirms it', () => {
  it('waits for the in-order answer (GS r 1) of a printer still printing after the transfer completed', async () => {
    const { m, fake } = await withPrinter({ printDelayMs: 40 });
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job).toMatchObject({ state: 'printed', error: null });
    expect(paperText(fake)).toContain('示范村便民店');
    // The request follows the job's cut (GS V 1, LF): answered only once all of it is printed.
    expect(fake.device.out.map((o) => Buffer.from(o.data).toString('hex'))).toContain('1d7201');
    expect(Buffer.from(fake.device.sent(1)).toString('hex')).toMatch(/1d56010a(100402100404)*1d7201/);
  });

  it('uses the process-ID response (GS ( H) on an Epson printer', async () => {
    const { m, fake } = await withPrinter({ processId: true, answersInOrder: false, printDelayMs: 20 }, 0x04b8);
    expect((await m.printReceipt(sampleReceipt(58))).state).toBe('printed');
    expect(Buffer.from(fake.device.sent(1)).toString('hex')).toMatch(/1d284806003030(3[0-9]){4}/);
  });

  it('says "sent, unconfirmed" when the printer answers status but never the completion request, and lists it', async () => {
    const { m } = await withPrinter({ answersInOrder: false });
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job).toMatchObject({ state: 'unconfirmed', mayHavePrinted: true, error: { code: 'printer.unconfirmed' } });
    expect(m.list().failedJobs.map((j) => [j.id, j.state])).toEqual([[job.id, 'unconfirmed']]);
    // Remembered: the next job does not wait for an answer that never comes.
    const t0 = Date.now();
    expect((await m.printReceipt(sampleReceipt(58))).state).toBe('unconfirmed');
    expect(Date.now() - t0).toBeLessThan(300);
  });
});

describe('waits that follow the printer, not the clock (test:usb under load)', () => {
  it('prints and confirms on a printer whose every answer comes 1.2 s late (more than the 500 ms status time-out)', async () => {
    const { m, fake } = await withPrinter({ replyDelayMs: 1200 });
    fake.device.idleWaitMs = null; // reads wait their real time-out, as on a device
    const job = await m.printReceipt(sampleReceipt(58));
    // Before: the status query timed out and the job failed before a byte was written.
    expect(job.state).toBe('printed');
    expect(paperText(fake)).toContain('示范村便民店');
  });
});

describe('paper running out part-way: never two originals', () => {
  it('fails the job as maybe printed, clears the printer buffer, and reprints it marked 重打 REPRINT only', async () => {
    const { m, fake } = await withPrinter({ paperBytes: 400 });
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job).toMatchObject({ state: 'failed', mayHavePrinted: true, error: { code: 'printer.paper_out', detail: { mayHavePrinted: true } } });
    expect(fake.clears).toBe(1);
    const before = fake.paper.length;
    fake.loadPaper();
    // Nothing of the stopped job resumes on the new roll.
    expect(fake.paper.length).toBe(before);
    const again = await m.reprint(job.id);
    expect(again.state).toBe('printed');
    const copy = paperText(fake, before);
    expect(copy[0]).toBe('重打 REPRINT');
    expect(copy.filter((l) => l === '示范村便民店')).toHaveLength(1);
  });

  it('does the same on the simulated printer (demo mode): the paper shows part of the original, then one copy', async () => {
    const store = new Map<string, string>();
    const m = new DeviceManager({ mode: 'demo', settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) }, emit: () => {}, statusPollMs: 60_000, usbPollMs: 60_000 });
    await m.start();
    m.sim!.paperBlocks = 6;
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job).toMatchObject({ state: 'failed', mayHavePrinted: true });
    const n = m.sim!.printed.length;
    await m.simulate('paper_in');
    expect(m.sim!.printed.length).toBe(n); // the cleared rest does not print by itself
    expect((await m.reprint(job.id)).state).toBe('printed');
    expect(receiptText(m.sim!.printed.at(-1)!)[0]).toBe('重打 REPRINT');
  });

  it('a job refused before any byte went out is reprinted as the original', async () => {
    const { m, fake } = await withPrinter();
    fake.paperOut = true;
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job).toMatchObject({ state: 'failed', mayHavePrinted: false, error: { code: 'printer.paper_out' } });
    fake.loadPaper();
    expect((await m.reprint(job.id)).state).toBe('printed');
    expect(paperText(fake)[0]).not.toBe('重打 REPRINT');
  });
});

describe('printers that do not answer status', () => {
  it('prints on a printer with no bulk IN endpoint, as unconfirmed, and its card says status is unknown', async () => {
    const cfg = fakePrinterConfig();
    cfg.interfaces[0]!.alternate.endpoints = cfg.interfaces[0]!.alternate.endpoints.filter((e) => e.direction === 'out');
    const fake = new FakeEscPosPrinter(new FakeUsbDevice(0x0416, 0x5011, cfg, 'POS-58'), { paperBytes: 10 });
    const m = live(fake.device);
    await m.start();
    const job = await m.printReceipt(sampleReceipt(58));
    // Out of paper after 10 bytes: never reported as printed.
    expect(job).toMatchObject({ state: 'unconfirmed', error: { code: 'printer.unconfirmed' } });
    const card = m.list().devices.find((d) => d.kind === 'printer')!;
    expect(card.state).toBe('ready');
    expect(card.message?.en).toMatch(/does not report its status/);
  });

  it('prints on a printer that has bulk IN but ignores DLE EOT (every job used to time out before writing)', async () => {
    const { m, fake } = await withPrinter({ answersStatus: false, answersInOrder: false });
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job.state).toBe('unconfirmed');
    expect(paperText(fake)).toContain('示范村便民店');
  });
});

describe('the drawer while the printer is stopped', () => {
  it('uses the real-time pulse (DLE DC4 1) at paper end, and reports that another maker\'s printer may not have run it', async () => {
    const { m, fake } = await withPrinter();
    fake.paperOut = true;
    expect(await m.openDrawer()).toMatchObject({ ok: false, error: { code: 'printer.drawer_uncertain' } });
    expect(fake.pulses).toEqual(['realtime']);
  });

  it('opens an Epson printer\'s drawer by DLE DC4 1 at paper end, certain', async () => {
    const { m, fake } = await withPrinter({ processId: true }, 0x04b8);
    fake.paperOut = true;
    expect(await m.openDrawer()).toEqual({ ok: true, error: null });
    expect(fake.pulses).toEqual(['realtime']);
  });

  it('uses ESC p on a running printer', async () => {
    const { m, fake } = await withPrinter();
    expect(await m.openDrawer()).toEqual({ ok: true, error: null });
    expect(fake.pulses).toEqual(['buffered']);
  });

  it('reports a drawer that may not have opened when the printer\'s status cannot be read', async () => {
    const { m, fake } = await withPrinter({ answersStatus: false });
    fake.paperOut = true; // unknown to the app: ESC p waits in the buffer
    expect(await m.openDrawer()).toMatchObject({ ok: false, error: { code: 'printer.drawer_uncertain' } });
    expect(fake.pulses).toEqual([]);
  });
});
