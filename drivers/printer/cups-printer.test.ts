/**
 * Printing through a CUPS raw queue, against Debian's real cupsd run privately by the test
 * (cups-twin.ts: its own folder and port, never the machine's CUPS): the queue's socket://
 * backend delivers to a TCP server here, and the bytes that arrive must be exactly the golden
 * receipt. Also: what a queue cannot know (status) said plainly, a stopped queue, a missing one,
 * a job the printer never takes cancelled when the app gives up on it, hostile names refused.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceManager } from '../manager';
import { CupsPrinter, listCupsQueues, parseQueueName, QueueErrors } from './cups-printer';
import { startPrivateCups, type PrivateCups } from './cups-twin';
import { encodeReceipt } from './escpos';
import { sampleReceipt } from './fixtures';
import type { RunCommand } from './os-command';
import { parseReceipt } from './receipt';

/** A TCP "printer" that keeps what each connection delivered (the socket backend connects once per job). */
async function sink(): Promise<{ port: number; jobs: Buffer[]; next: () => Promise<Buffer>; close: () => Promise<void> }> {
  const jobs: Buffer[] = [];
  const waiting: ((b: Buffer) => void)[] = [];
  const server = net.createServer((c) => {
    const parts: Buffer[] = [];
    c.on('data', (d: Buffer) => parts.push(d));
    c.on('end', () => {
      const b = Buffer.concat(parts);
      const w = waiting.shift();
      if (w) w(b);
      else jobs.push(b);
      c.end();
    });
    c.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    jobs,
    next: () => new Promise<Buffer>((r) => (jobs.length ? r(jobs.shift()!) : waiting.push(r))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const goldenHex = (name: string) => fs.readFileSync(path.join(__dirname, 'golden', name), 'utf8').replace(/\n/g, '');
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

let cups: PrivateCups;
let printer: Awaited<ReturnType<typeof sink>>;

beforeAll(async () => {
  cups = await startPrivateCups();
  printer = await sink();
  await cups.addRawQueue('Receipt_58', `socket://127.0.0.1:${printer.port}`);
}, 60_000);
afterAll(async () => {
  await cups?.stop();
  await printer?.close();
});

describe('CUPS raw queue (a private cupsd)', () => {
  it('lists the queue with its device', async () => {
    expect(await listCupsQueues({ server: cups.server })).toContainEqual({ name: 'Receipt_58', device: `socket://127.0.0.1:${printer.port}` });
  });

  it('delivers the receipt bytes exactly (golden ESC/POS), the job "sent to the queue", never "printed"', async () => {
    const p = new CupsPrinter('Receipt_58', { server: cups.server });
    expect(await p.status()).toBeNull(); // the queue is there and enabled; the paper cannot be seen
    const bytes = encodeReceipt(parseReceipt(sampleReceipt(58)));
    await p.write(bytes);
    expect(p.sent).toBe(bytes.length);
    const got = await printer.next();
    expect(got.toString('hex')).toBe(goldenHex('receipt-58.hex'));
    expect(await p.confirm()).toBe('unconfirmed');
    const e = p.unconfirmedError();
    expect(e.code).toBe('printer.queued');
    expect(e.detail).toMatchObject({ state: 'completed' });
    expect(e.zh).toContain('Receipt_58');
    expect(p.unknownStatus.zh).toContain('无法得知打印机是否缺纸');
  }, 30_000);

  it('prints through the device manager as printer:cups:QUEUE: listed as a candidate, card says what is not known', async () => {
    const store = new Map<string, string>();
    const m = new DeviceManager({ mode: 'live', platform: 'linux', cupsServer: cups.server, settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib: null, reason: 'none' }), statusPollMs: 60_000, usbPollMs: 60_000 });
    await m.start();
    try {
      // The queues are listed beside the start (a command runs), then announced.
      await expect.poll(() => m.list().printerCandidates, { timeout: 10_000 }).toContainEqual(expect.objectContaining({ id: 'printer:cups:receipt_58', path: 'cups', name: 'Receipt_58' }));
      await m.select('printer:cups:receipt_58', 80);
      const job = await m.printReceipt(sampleReceipt(80));
      expect(job).toMatchObject({ state: 'unconfirmed', error: { code: 'printer.queued' }, mayHavePrinted: true });
      expect((await printer.next()).toString('hex')).toBe(goldenHex('receipt-80.hex'));
      const card = m.list().devices.find((d) => d.id === 'printer:cups:receipt_58')!;
      expect(card).toMatchObject({ transport: 'queue', selected: true, state: 'ready' });
      expect(card.via?.en).toContain('CUPS "Receipt_58" (raw)');
      expect(card.message?.en).toContain('cannot see whether the printer is out of paper');
      // The receipt is listed to be checked on paper, and a reprint of it is marked COPY.
      expect(m.list().failedJobs[0]).toMatchObject({ id: job.id, state: 'unconfirmed' });
      await m.reprint(job.id);
      const copy = (await printer.next()).toString('latin1');
      expect(copy).toContain('REPRINT');
    } finally {
      await m.stop();
    }
  }, 30_000);

  it('refuses to queue on a stopped queue (nothing sent), with the reason, in both languages', async () => {
    await cups.addRawQueue('Stopped_Q', `socket://127.0.0.1:${printer.port}`);
    await cups.disable('Stopped_Q', 'paper jam');
    const p = new CupsPrinter('Stopped_Q', { server: cups.server });
    const e = await p.status().catch((x: { code: string; zh: string; en: string }) => x);
    expect(e).toMatchObject({ code: 'printer.queue_stopped' });
    expect((e as { en: string }).en).toContain('Stopped_Q');
  }, 30_000);

  it('a queue that does not exist is printer.queue_missing', async () => {
    const p = new CupsPrinter('No_Such_Queue', { server: cups.server });
    expect(await code(p.status())).toBe('printer.queue_missing');
    expect(await code(p.write(Uint8Array.of(0x1b, 0x40)))).toBe('printer.queue_missing');
    expect(p.sent).toBe(0);
  }, 30_000);

  it('a job the printer never takes stays "in the queue" (do not reprint), and is cancelled when the app gives up on it', async () => {
    const gone = net.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as net.AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    await cups.addRawQueue('Dead_Q', `socket://127.0.0.1:${port}`);
    const p = new CupsPrinter('Dead_Q', { server: cups.server, confirmPolls: 4, pollMs: 250 });
    await p.write(Uint8Array.of(0x1b, 0x40, 0x41));
    expect(await p.confirm()).toBe('unconfirmed');
    const e = p.unconfirmedError();
    expect(['pending', 'processing']).toContain((e.detail as { state: string }).state);
    expect(e.en).toContain('do not reprint');
    expect(await p.clearBuffer()).toBe(true);
    const job = (e.detail as { job: string }).job;
    for (let k = 0; k < 20 && !(await p.jobState(job)); k++) await new Promise((r) => setTimeout(r, 100));
    expect(await p.jobState(job)).toBe('canceled');
  }, 30_000);
});

describe('CUPS commands (no server needed)', () => {
  it('runs lp with the queue as one argument, raw, the bytes on standard input, never through a shell', async () => {
    const calls: { cmd: string; args: readonly string[]; input?: Uint8Array }[] = [];
    const run: RunCommand = async (cmd, args, o) => {
      calls.push({ cmd, args, input: o?.input });
      return { code: 0, stdout: 'request id is Receipt_58-7 (0 file(s))\n', stderr: '' };
    };
    const p = new CupsPrinter('Receipt_58', { run, server: '127.0.0.1:631' });
    await p.write(Uint8Array.of(1, 2, 3));
    expect(calls[0]).toEqual({ cmd: 'lp', args: ['-h', '127.0.0.1:631', '-d', 'Receipt_58', '-o', 'raw', '-t', 'receipt'], input: Uint8Array.of(1, 2, 3) });
  });

  it('refuses queue names that are not plain, and replies it cannot read', async () => {
    for (const bad of ['', 'a b', 'q;rm -rf', '-d', 'q/x', '.hidden', 'x'.repeat(128), 'q\n']) expect(parseQueueName(bad)).toBeNull();
    expect(() => new CupsPrinter('a b')).toThrow(QueueErrors.badName().en);
    const p = new CupsPrinter('Q', { run: async () => ({ code: 0, stdout: 'request id is ../../etc (0 file(s))', stderr: '' }) });
    expect(await code(p.write(Uint8Array.of(1)))).toBe('printer.queue_bad_reply');
    expect(p.sent).toBe(0);
    const list = await listCupsQueues({ run: async () => ({ code: 0, stdout: 'device for ok_q: usb://X\ndevice for bad;q: file:/x\ngarbage\n', stderr: '' }) });
    expect(list).toEqual([{ name: 'ok_q', device: 'usb://X' }]);
  });

  it('says plainly when CUPS is not there', async () => {
    const p = new CupsPrinter('Q', { run: async () => ({ code: -1, stdout: '', stderr: 'spawn lp ENOENT' }) });
    expect(await code(p.write(Uint8Array.of(1)))).toBe('printer.queue_unavailable');
  });
});
