/**
 * The network ESC/POS printer (raw TCP 9100) against its local TCP twin (tcp-twin.ts): the job
 * and DLE EOT on one socket, completion by GS r 1, paper out part-way, a slow printer, a reset.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceManager } from '../manager';
import { receiptText, decodeEscPos } from './decode';
import { encodeReceipt } from './escpos';
import { sampleReceipt } from './fixtures';
import { NetPrinter, parseNetAddress } from './net-printer';
import { parseReceipt } from './receipt';
import { startTcpTwin, type TcpTwin } from './tcp-twin';

const job = encodeReceipt(parseReceipt(sampleReceipt(58)));
let twin: TcpTwin | null = null;
let printer: NetPrinter | null = null;
afterEach(async () => {
  await printer?.close();
  await twin?.close();
  twin = null;
  printer = null;
});
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

describe('network printer (raw TCP 9100)', () => {
  it('prints a job, reads status and confirms completion on the same socket', async () => {
    twin = await startTcpTwin();
    printer = new NetPrinter('127.0.0.1', twin.port);
    expect(await printer.status()).toMatchObject({ paperOut: false, coverOpen: false });
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
    expect(receiptText(decodeEscPos(Uint8Array.from(twin.printer.paper), 32))).toContain('示范村便民店');
    expect(twin.connections()).toBe(1);
  });

  it('waits for a slow printer instead of giving up on a clock', async () => {
    twin = await startTcpTwin({ printDelayMs: 1200 });
    printer = new NetPrinter('127.0.0.1', twin.port, { confirmPollMs: 100 });
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
  });

  it('reports paper out part-way, and clears the printer\'s buffer so new paper does not resume the job', async () => {
    twin = await startTcpTwin({ paperBytes: 300 });
    printer = new NetPrinter('127.0.0.1', twin.port);
    await printer.write(job);
    expect(await code(printer.confirm())).toBe('printer.paper_out');
    expect(await printer.clearBuffer()).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(twin.printer.clears).toBe(1);
    twin.printer.loadPaper();
    expect(twin.printer.paper.length).toBe(300);
  });

  it('survives a printer reset mid-job: the job fails as disconnected, the next one reconnects and prints', async () => {
    twin = await startTcpTwin({ printDelayMs: 300 });
    printer = new NetPrinter('127.0.0.1', twin.port, { confirmPollMs: 50 });
    await printer.write(job);
    twin.reset();
    expect(await code(printer.confirm())).toBe('printer.disconnected');
    await printer.write(job);
    expect(await printer.confirm()).toBe('printed');
    expect(twin.connections()).toBe(2);
  });

  it('reports a printer that is not there as disconnected', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    printer = new NetPrinter('127.0.0.1', port);
    expect(await code(printer.write(job))).toBe('printer.disconnected');
  });

  it('accepts host:port ids only', () => {
    expect(parseNetAddress('192.168.1.50:9100')).toEqual({ host: '192.168.1.50', port: 9100 });
    expect(parseNetAddress('printer.local:9100')).toEqual({ host: 'printer.local', port: 9100 });
    for (const bad of ['192.168.1.50', ':9100', '1.2.3.4:0', '1.2.3.4:70000', 'a b:9100', 'x:9100;rm']) expect(parseNetAddress(bad)).toBeNull();
  });

  it('is chosen in the device manager as printer:net:HOST:PORT and prints receipts there, confirmed', async () => {
    twin = await startTcpTwin();
    const store = new Map<string, string>();
    const m = new DeviceManager({ mode: 'live', settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib: null, reason: 'none' }), statusPollMs: 60_000, usbPollMs: 60_000 });
    await m.start();
    const id = `printer:net:127.0.0.1:${twin.port}`;
    await m.select(id);
    expect(m.list().devices.find((d) => d.id === id)).toMatchObject({ transport: 'network', selected: true });
    expect((await m.printReceipt(sampleReceipt(58))).state).toBe('printed');
    twin.printer.paperOut = true;
    expect(await m.printReceipt(sampleReceipt(58))).toMatchObject({ state: 'failed', error: { code: 'printer.paper_out' } });
    // Chosen again after a restart from the stored selection.
    await m.stop();
    const m2 = new DeviceManager({ mode: 'live', settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib: null, reason: 'none' }), statusPollMs: 60_000, usbPollMs: 60_000 });
    await m2.start();
    twin.printer.loadPaper();
    expect((await m2.printReceipt(sampleReceipt(58))).state).toBe('printed');
    await m2.stop();
  });
});
