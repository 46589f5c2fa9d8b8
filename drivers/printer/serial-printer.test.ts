/**
 * The serial / virtual-COM ESC/POS printer against its twin (serial-twin.ts: `serialport`'s
 * stream over its mock binding, an ESC/POS printer behind it): the job and DLE EOT on one port,
 * completion by GS r 1, baud rate and flow control as configured, paper out part-way, a slow
 * printer, a reset, an unplug, a printer that does not answer status, the port held elsewhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceManager } from '../manager';
import { FakeSerialLib } from '../scanner/fake-serial';
import { decodeEscPos, receiptText } from './decode';
import { encodeReceipt } from './escpos';
import { sampleReceipt } from './fixtures';
import { parseReceipt } from './receipt';
import { SerialPrinter } from './serial-printer';
import { startSerialTwin } from './serial-twin';

const job = encodeReceipt(parseReceipt(sampleReceipt(58)));
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);
let printer: SerialPrinter | null = null;
afterEach(async () => {
  await printer?.close();
  printer = null;
});

describe('serial printer (serialport, DLE EOT on the same port)', () => {
  it('prints a job, reads status and confirms completion on the same port, opened as configured', async () => {
    const twin = await startSerialTwin();
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 19200, flowControl: 'rtscts' });
    expect(await printer.status()).toMatchObject({ paperOut: false, coverOpen: false });
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
    expect(Uint8Array.from(twin.printer.paper.slice(0, 20))).toEqual(job.slice(0, 20));
    expect(receiptText(decodeEscPos(Uint8Array.from(twin.printer.paper), 32))).toContain('示范村便民店');
    expect(twin.opened()).toEqual({ baudRate: 19200, rtscts: true, xon: false, xoff: false });
    expect(twin.opens()).toBe(1);
  });

  it('opens with XON/XOFF when set, and takes the flow bytes out of what the printer sends', async () => {
    const twin = await startSerialTwin();
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'xonxoff' });
    await printer.write(job);
    expect(twin.opened()).toMatchObject({ xon: true, xoff: true, rtscts: false });
    twin.noise([0x13, 0x11]); // XOFF, XON as a driver may pass them through
    expect(await printer.status()).toMatchObject({ paperOut: false });
    expect(await printer.confirm()).toBe('printed');
  });

  it('refuses bytes that are no reply it asked for (line noise), with a bilingual error', async () => {
    const twin = await startSerialTwin({ answersStatus: false });
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'none' });
    await printer.write(Uint8Array.of(0x1b, 0x40));
    twin.noise([0xff, 0xfe]);
    const e = await printer.status().catch((x: { code: string; zh: string; en: string }) => x);
    expect(e).toMatchObject({ code: 'printer.bad_status' });
    expect((e as { zh: string }).zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('waits for a slow printer instead of giving up on a clock', async () => {
    const twin = await startSerialTwin({ printDelayMs: 1200 });
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'none', confirmPollMs: 100 });
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
  });

  it('reports paper out part-way and clears the printer\'s buffer, so new paper does not resume the job', async () => {
    const twin = await startSerialTwin({ paperBytes: 300 });
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'none' });
    await printer.write(job);
    expect(await code(printer.confirm())).toBe('printer.paper_out');
    expect(await printer.clearBuffer()).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(twin.printer.clears).toBe(1);
    twin.printer.loadPaper();
    expect(twin.printer.paper.length).toBe(300);
  });

  it('prints on a printer that does not answer status: status unknown, the job sent but unconfirmed', async () => {
    const twin = await startSerialTwin({ answersStatus: false, answersInOrder: false });
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'none', statusTimeoutMs: 50, confirmPollMs: 50 });
    expect(await printer.status()).toBeNull();
    await printer.write(job);
    expect(await printer.confirm()).toBe('unconfirmed');
    expect(twin.printer.paper.length).toBeGreaterThan(job.length - 20);
  });

  it('a printer reset mid-job loses the job: it stays unconfirmed (reprinted as a copy), the next one prints', async () => {
    const twin = await startSerialTwin({ printDelayMs: 200 });
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'none', confirmPollMs: 50 });
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
    await printer.write(job);
    // Switched off and on while printing: the job and the completion request behind it are gone.
    const confirmed = printer.confirm();
    await new Promise((r) => setTimeout(r, 50));
    twin.reset();
    expect(await confirmed).toBe('unconfirmed');
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
  });

  it('an unplugged virtual-COM printer fails the job as disconnected; plugged back, the port is opened again', async () => {
    const twin = await startSerialTwin({ printDelayMs: 300 });
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'none', confirmPollMs: 50 });
    await printer.write(job);
    twin.unplug();
    expect(await code(printer.confirm())).toBe('printer.disconnected');
    expect(await code(printer.write(job))).toBe('printer.disconnected');
    twin.replug();
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
    expect(twin.opens()).toBe(2);
  });

  it('under RTS/CTS a printer holding the line makes the write time out instead of hanging', async () => {
    const twin = await startSerialTwin();
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'rtscts', writeTimeoutMs: 200 });
    twin.holdLine(true);
    expect(await code(printer.write(job))).toBe('printer.timeout');
    twin.holdLine(false);
  });

  it('a port another program holds is printer.busy, in both languages', async () => {
    const twin = await startSerialTwin();
    const other = await twin.lib.open(twin.path, 9600);
    printer = new SerialPrinter(twin.lib, twin.path, { baudRate: 9600, flowControl: 'none' });
    const e = await printer.write(job).catch((x: { code: string; zh: string; en: string }) => x);
    expect(e).toMatchObject({ code: 'printer.busy' });
    expect((e as { en: string }).en).toContain(twin.path);
    await other.close();
  });
});

describe('serial printer in the device manager (printer:serial:<port key>)', () => {
  it('lists every serial port as a candidate, prints there at the chosen rate and flow control, confirmed, and keeps the choice', async () => {
    const twin = await startSerialTwin({ vendorId: '0416', productId: '5011' });
    const store = new Map<string, string>();
    const make = () => new DeviceManager({ mode: 'live', platform: 'linux', settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib: twin.lib, reason: '' }), runCommand: async () => ({ code: 1, stdout: '', stderr: '' }),
      statusPollMs: 60_000, usbPollMs: 60_000 });
    const m = make();
    await m.start();
    const name = twin.path.split('/').pop()!.toLowerCase();
    const id = `printer:serial:0416:5011:${name}`;
    expect(m.list().printerCandidates).toContainEqual({ id, path: 'serial', name: twin.path, detail: 'Twin printer 0416:5011' });
    expect(await code(m.select(id, 58, 19200, 'bogus'))).toBe('devices.bad_flow');
    expect(store.has('devices.printer')).toBe(false); // refused: nothing changed
    await m.select(id, 58, 19200, 'rtscts');
    expect((await m.printReceipt(sampleReceipt(58))).state).toBe('printed');
    expect(twin.opened()).toMatchObject({ baudRate: 19200, rtscts: true });
    const card = m.list().devices.find((d) => d.id === id)!;
    expect(card).toMatchObject({ transport: 'serial', selected: true, serialBaud: 19200, flowControl: 'rtscts', state: 'ready' });
    expect(card.via?.zh).toContain(`串口 ${twin.path}，19200 波特，硬件流控 RTS/CTS`);
    twin.printer.paperOut = true;
    expect(await m.printReceipt(sampleReceipt(58))).toMatchObject({ state: 'failed', error: { code: 'printer.paper_out' } });
    await m.stop();
    twin.printer.loadPaper();
    // After a restart: the same port, rate and flow control from the stored choice.
    const m2 = make();
    await m2.start();
    expect((await m2.printReceipt(sampleReceipt(58))).state).toBe('printed');
    expect(twin.opened()).toMatchObject({ baudRate: 19200, rtscts: true });
    await m2.stop();
  });

  it('a serial printer that does not answer prints anyway: status unknown on its card, receipts "sent, unconfirmed"', async () => {
    const twin = await startSerialTwin({ answersStatus: false, answersInOrder: false });
    const m = new DeviceManager({ mode: 'live', platform: 'linux', settings: { get: async () => null, set: async () => {} }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib: twin.lib, reason: '' }), runCommand: async () => ({ code: 1, stdout: '', stderr: '' }),
      statusPollMs: 60_000, usbPollMs: 60_000 });
    await m.start();
    const id = `printer:serial:port:${twin.path.split('/').pop()!.toLowerCase()}`;
    await m.select(id);
    const job = await m.printReceipt(sampleReceipt(58));
    expect(job).toMatchObject({ state: 'unconfirmed', error: { code: 'printer.unconfirmed' }, mayHavePrinted: true });
    expect(m.list().devices.find((d) => d.id === id)!.message?.en).toContain('does not report its status');
    await m.stop();
  }, 30_000);

  it('does not offer the port the selected serial scanner reads; offers it once the scanner is deselected', async () => {
    const lib = new FakeSerialLib();
    lib.ports = [{ path: '/dev/ttyACM0', vendorId: '1eab', productId: '1d06', manufacturer: 'Newland' }, { path: '/dev/ttyS0' }];
    const m = new DeviceManager({ mode: 'live', platform: 'linux', settings: { get: async () => null, set: async () => {} }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib, reason: '' }), runCommand: async () => ({ code: 1, stdout: '', stderr: '' }),
      statusPollMs: 60_000, usbPollMs: 60_000 });
    await m.start();
    await m.select('scanner:serial:1eab:1d06:ttyacm0');
    expect(m.list().printerCandidates?.map((c) => c.name)).toEqual(['/dev/ttyS0']);
    await m.select('scanner:wedge');
    expect(m.list().printerCandidates?.map((c) => c.name).sort()).toEqual(['/dev/ttyACM0', '/dev/ttyS0']);
    await m.stop();
  });

  it('refuses malformed serial, queue and Windows printer ids with nothing changed', async () => {
    const m = new DeviceManager({ mode: 'live', platform: 'linux', settings: { get: async () => null, set: async () => {} }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib: null, reason: 'none' }), runCommand: async () => ({ code: 1, stdout: '', stderr: '' }),
      statusPollMs: 60_000, usbPollMs: 60_000 });
    await m.start();
    for (const bad of ['printer:serial:ttyusb0', 'printer:serial:port:', 'printer:cups:-x', 'printer:cups:.q', 'printer:win:zz', 'printer:win:0']) {
      expect(await code(m.select(bad))).toBe('devices.unknown');
    }
    await m.stop();
  });
});

