/**
 * Crash test of refunds of confirmed offline payments: the terminal (offline-refund-worker.ts)
 * is killed with SIGKILL at each named step of a refund (refund row durable, request written,
 * answer read); the offline acquirer runs here and survives. After each kill a fresh process
 * recovers, and then: no refund is left open, the terminal and the acquirer agree on every
 * refund number and every order's refunded sum, no order is refunded beyond what was paid,
 * every wallet's balance is what it was issued minus its debits plus its refunds, and the
 * journal's chain holds. The kills accumulate on one pair of files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOfflineAcquirerServer, type OfflineAcquirer } from '../../acquirer/simulator/offline-routes';
import { OfflineClient } from '../../forward/client';
import { Forwarder } from '../../forward/forwarder';
import { verifyJournal } from '../../ledger/journal';
import { newWallet, openAcquirer, openSyncedStore, openTerminalDb } from '../../offline/test-kit';
import { Db } from '../../store/db';
import { runChild } from './child';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'offline-refund-worker.ts');
const ISSUED_FEN = 100_00;
let dir: string;
let acq: OfflineAcquirer;
let acqDb: Db;
let server: { port: number; close(): Promise<void> };
let key: string;

function runWorker(mode: 'run' | 'recover', crashAt?: string) {
  return runChild(worker, { DATA_DIR: dir, ACQ_URL: `http://127.0.0.1:${server.port}`, ACQ_KEY: key, MODE: mode }, crashAt);
}

async function withTerminal<T>(f: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  try {
    return await f(db);
  } finally {
    await db.close();
  }
}

const openRefunds = () => withTerminal(async (db) => (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM refunds WHERE state IN ('created','pending')"))!.n);

/** Every disagreement between the terminal and the acquirer, in words (empty when none). */
async function problems(): Promise<{ problems: string[]; refunded: number }> {
  const out: string[] = [];
  const local = await withTerminal(async (db) => ({
    refunds: await db.all<{ refund_no: string; order_no: string; amount_fen: number; state: string }>('SELECT refund_no, order_no, amount_fen, state FROM refunds'),
    items: await db.all<{ order_no: string; amount_fen: number }>("SELECT order_no, amount_fen FROM offline_items WHERE status = 'accepted'"),
    journal: (await verifyJournal(db)).ok,
    journalRefunds: (await db.get<{ s: number | null }>("SELECT SUM(amount_fen) AS s FROM journal WHERE kind = 'refund.succeeded'"))!.s ?? 0,
  }));
  const there = new Map((await acq.refunds('T0001')).map((r) => [r.refundNo, r]));
  for (const r of local.refunds) {
    if (r.state === 'created' || r.state === 'pending') out.push(`refund ${r.refund_no} left ${r.state}`);
    const at = there.get(r.refund_no);
    if (r.state === 'succeeded' && (!at || at.amountFen !== r.amount_fen)) out.push(`refund ${r.refund_no} succeeded here, not at the acquirer`);
    if (r.state === 'failed' && at) out.push(`refund ${r.refund_no} failed here, but the acquirer paid it`);
  }
  for (const refundNo of there.keys()) if (!local.refunds.some((r) => r.refund_no === refundNo)) out.push(`refund ${refundNo} unknown to the terminal`);
  let refunded = 0;
  for (const it of local.items) {
    const here = local.refunds.filter((r) => r.order_no === it.order_no && r.state === 'succeeded').reduce((s, r) => s + r.amount_fen, 0);
    const atAcq = [...there.values()].filter((r) => r.orderNo === it.order_no).reduce((s, r) => s + r.amountFen, 0);
    if (here !== atAcq) out.push(`order ${it.order_no}: refunded ${here} here, ${atAcq} at the acquirer`);
    if (here > it.amount_fen) out.push(`order ${it.order_no}: refunded ${here} of ${it.amount_fen}`);
    refunded += here;
  }
  for (const w of await acqDb.all<{ wallet_id: string; balance_fen: number }>('SELECT wallet_id, balance_fen FROM sim_offline_wallets')) {
    const debits = (await acqDb.get<{ s: number | null }>('SELECT SUM(amount_fen) AS s FROM sim_offline_ledger WHERE wallet_id = ?', [w.wallet_id]))!.s ?? 0;
    const credits = (await acqDb.get<{ s: number | null }>('SELECT SUM(amount_fen) AS s FROM sim_offline_refunds WHERE wallet_id = ?', [w.wallet_id]))!.s ?? 0;
    if (w.balance_fen !== ISSUED_FEN - debits + credits) out.push(`wallet ${w.wallet_id}: balance ${w.balance_fen}, expected ${ISSUED_FEN - debits + credits}`);
  }
  if (!local.journal) out.push('journal chain broken');
  if (local.journalRefunds !== -refunded) out.push(`journal refunds ${local.journalRefunds}, refunded ${refunded}`);
  return { problems: out, refunded };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-crash-offline-refund-'));
  ({ acq, db: acqDb } = await openAcquirer(dir));
  server = await startOfflineAcquirerServer(acq);
  key = await acq.provisionTerminal('T0001');
  // Eight offline payments, accepted, forwarded and confirmed before the first kill.
  const db = await openTerminalDb(dir);
  const store = await openSyncedStore(db, acq, { bus: null });
  for (let i = 0; i < 8; i += 1) {
    const w = await newWallet(acq, { balanceFen: ISSUED_FEN });
    await store.accept({ amountFen: 300 + i * 37, code: w.nextCode(Date.now()), operatorId: 'crash' });
  }
  const client = new OfflineClient({ baseUrl: `http://127.0.0.1:${server.port}`, terminalId: 'T0001', key });
  await new Forwarder(store, client, null, { terminalId: 'T0001', log: () => undefined }).drain();
  client.close();
  expect((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM offline_items WHERE status = 'accepted'"))!.n).toBe(8);
  await db.close();
});
afterAll(async () => {
  await server.close();
  await acqDb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL at every step of an offline payment’s refund', () => {
  const cases = (['refund_after_intent', 'refund_request_sent', 'refund_after_response'] as const).flatMap((p) => [[p, 1], [p, 3]] as const);
  it.each(cases)('killed at %s (hit %i): recovery leaves terminal and acquirer in agreement', async (point, hit) => {
    const crashed = await runWorker('run', `${point}:${hit}`);
    expect(crashed.signal, `${point}: ${crashed.stderr}`).toBe('SIGKILL');
    expect(await openRefunds()).toBeGreaterThan(0);
    const recovered = await runWorker('recover');
    expect(recovered.status, recovered.stderr).toBe(0);
    const report = await problems();
    expect(report.problems).toEqual([]);
    expect(report.refunded).toBeGreaterThan(0);
  });

  it('a run without a crash completes and keeps the invariants', async () => {
    const before = (await problems()).refunded;
    const r = await runWorker('run');
    expect(r.status, r.stderr).toBe(0);
    const report = await problems();
    expect(report.problems).toEqual([]);
    expect(report.refunded).toBeGreaterThan(before);
  });
});
