/**
 * Crash tests of store-and-forward: the terminal runs in a child process (crash-child.ts) and is
 * killed with SIGKILL at each named point of offline accept and of each forwarding step; the
 * acquirer simulator runs here, in the parent, and survives. After a restart nothing accepted
 * is lost, nothing is applied twice at the simulator, and the journal's chain still holds.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOfflineAcquirerServer, type OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { verifyJournal } from '../ledger/journal';
import { Db } from '../store/db';
import { cleanTempDirs, newWallet, openAcquirer, openTerminalDb, tempDir } from './test-kit';
import { beijingDay } from './store';
import { reconcile } from '../reconcile/reconcile';
import type { OfflineWallet } from './wallet';

// Removes the vc-* folders this file made (after its own hooks have closed the databases).
afterAll(cleanTempDirs);

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.ts');

let acq: OfflineAcquirer;
let acqDb: Db;
let server: { port: number; close(): Promise<void> };
let wallets: OfflineWallet[];
let terminalKey: string;

beforeAll(async () => {
  ({ acq, db: acqDb } = await openAcquirer(tempDir('crash-acq')));
  server = await startOfflineAcquirerServer(acq);
  terminalKey = await acq.provisionTerminal('T0001');
  wallets = [];
  for (let i = 0; i < 8; i++) wallets.push(await newWallet(acq));
});
afterAll(async () => {
  await server.close();
  await acqDb.close();
});

function run(dir: string, mode: 'accept' | 'burst' | 'forward', crashAt?: string, nth = 1): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, VC_DIR: dir, VC_MODE: mode, VC_ACQ_URL: `http://127.0.0.1:${server.port}`, VC_TERMINAL_KEY: terminalKey } as NodeJS.ProcessEnv;
    delete env.VC_OFFLINE_CRASH_AT;
    if (crashAt) {
      env.VC_OFFLINE_CRASH_AT = crashAt;
      env.VC_OFFLINE_CRASH_NTH = String(nth);
    }
    const p = spawn(process.execPath, ['--import', 'tsx', child], { env });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

function accepted(out: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of out.split('\n')) {
    const r = /^ACCEPTED (\d+) (\S+)$/.exec(line);
    if (r) m.set(Number(r[1]), r[2]);
  }
  return m;
}

async function terminalState(dir: string) {
  const db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  try {
    const items = await db.all<{ order_no: string; status: string; amount_fen: number }>('SELECT order_no, status, amount_fen FROM offline_items');
    const journal = await verifyJournal(db);
    return { items, journal };
  } finally {
    await db.close();
  }
}

async function freshTerminal(n: number): Promise<{ dir: string; codes: Array<{ code: string; amountFen: number }> }> {
  const dir = tempDir('crash-term');
  await (await openTerminalDb(dir)).close();
  const codes = Array.from({ length: n }, (_, i) => ({ code: wallets[i % wallets.length].nextCode(), amountFen: 100 + i }));
  fs.writeFileSync(path.join(dir, 'codes.json'), JSON.stringify(codes));
  return { dir, codes };
}

describe('offline accept survives SIGKILL', () => {
  it('killed inside the commit: the interrupted payment is not recorded, every earlier one is, and its code still works once', async () => {
    const { dir, codes } = await freshTerminal(8);
    const r = await run(dir, 'accept', 'accept.before-commit', 5);
    expect(r.signal).toBe('SIGKILL');
    const reported = accepted(r.out);
    expect([...reported.keys()]).toEqual([0, 1, 2, 3]);
    const s = await terminalState(dir);
    expect(s.items.map((i) => i.order_no).sort()).toEqual([...reported.values()].sort());
    expect(s.journal.ok).toBe(true);
    // Restart: the same codes are presented again (the customer shows the phone again).
    const again = await run(dir, 'accept');
    expect(again.code, again.err).toBe(0);
    const lines = again.out.trim().split('\n');
    expect(lines.slice(0, 4).every((l) => l.endsWith('offline.code.replayed'))).toBe(true);
    expect(accepted(again.out).size).toBe(codes.length - 4);
  }, 120_000);

  it('killed after the commit but before the answer: the payment is recorded, and re-scanning its code is refused as a replay', async () => {
    const { dir } = await freshTerminal(6);
    const r = await run(dir, 'accept', 'accept.after-commit', 3);
    expect(r.signal).toBe('SIGKILL');
    expect(accepted(r.out).size).toBe(2);
    const s = await terminalState(dir);
    expect(s.items).toHaveLength(3); // the third was durable though never shown
    expect(s.journal.ok).toBe(true);
    const again = await run(dir, 'accept');
    expect(again.out.split('\n')[2]).toBe('REFUSED 2 offline.code.replayed');
  }, 120_000);

  it('killed inside a group commit with many codes in flight on the verification threads: the group is not recorded, nothing else is lost', async () => {
    const { dir, codes } = await freshTerminal(24);
    // All 24 at once: the first is committed alone, the others verify on the threads meanwhile
    // and are committed together next — where the kill lands.
    const r = await run(dir, 'burst', 'accept.before-commit', 2);
    expect(r.signal).toBe('SIGKILL');
    const reported = accepted(r.out);
    const s = await terminalState(dir);
    expect(s.items.map((i) => i.order_no).sort()).toEqual([...reported.values()].sort());
    expect(reported.size).toBeLessThan(codes.length);
    expect(s.journal.ok).toBe(true);
    // Shown again after the restart: each code paid once, the ones recorded refused as replays.
    const again = await run(dir, 'burst');
    expect(again.code, again.err).toBe(0);
    const replays = again.out.split('\n').filter((l) => l.endsWith('offline.code.replayed'));
    expect(replays).toHaveLength(reported.size);
    expect(accepted(again.out).size).toBe(codes.length - reported.size);
    expect((await terminalState(dir)).items).toHaveLength(codes.length);
  }, 120_000);
});

describe('forwarding survives SIGKILL at each step, and nothing is applied twice', () => {
  for (const [point, nth] of [
    ['forward.after-mark', 2],
    ['forward.after-response', 2],
    ['forward.mid-apply', 3],
    ['forward.after-apply', 2],
  ] as const) {
    it(`killed at ${point}: after a restart every payment reaches the acquirer exactly once`, async () => {
      const { dir } = await freshTerminal(20);
      const a = await run(dir, 'accept');
      expect(a.code, a.err).toBe(0);
      const orders = [...accepted(a.out).values()];
      expect(orders).toHaveLength(20);
      const k = await run(dir, 'forward', point, nth);
      expect(k.signal).toBe('SIGKILL');
      const f = await run(dir, 'forward');
      expect(f.code, f.err).toBe(0);
      expect(f.out).toContain('DRAINED');
      const counts = await acq.applyCounts('T0001');
      for (const o of orders) expect(counts.get(o), o).toBe(1);
      const s = await terminalState(dir);
      expect(s.items.every((i) => i.status === 'accepted')).toBe(true);
      expect(s.journal.ok).toBe(true);
      const day = beijingDay(Date.now());
      const local = s.items.map((i) => ({ orderNo: i.order_no, amountFen: i.amount_fen, status: i.status }));
      const stmt = (await acq.statement('T0001', day)).filter((l) => orders.includes(l.orderNo));
      expect(reconcile(day, local, stmt).counts).toMatchObject({ matched: 20, duplicate: 0, missing_at_acquirer: 0, missing_locally: 0 });
    }, 120_000);
  }
});
