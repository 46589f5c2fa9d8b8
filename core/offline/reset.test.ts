/**
 * "Reset to the seeded state" (demo:reset) and store-and-forward: the embedded offline
 * acquirer's wallets, items and statement go back to the seed, the terminal's offline budget
 * follows its emptied rows, the revoked demo wallet is revoked again, and no live file is
 * touched. Through the composition root, as the trainer's button does it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import type { RpcResult } from '../api/dispatcher';
import { MemorySecretStore } from '../platform';
import { Db } from '../store/db';
import { DEMO_OFFLINE_ACQUIRER_FILE, DEMO_REVOKED_WALLET } from './service';
import { cleanTempDirs, tempDir } from './test-kit';

afterAll(cleanTempDirs);

const open: Backend[] = [];
afterEach(async () => {
  for (const b of open.splice(0)) await b.close().catch(() => undefined);
});

async function call<T>(b: Backend, method: string, input: unknown): Promise<T> {
  const r = (await b.dispatcher.dispatch(method as never, input as never)) as RpcResult;
  if (!r.ok) throw Object.assign(new Error(r.error.code), r.error);
  return r.value as T;
}

async function login(b: Backend, operatorId: string, pin: string): Promise<void> {
  await call(b, 'session:login', { operatorId, pin });
}

async function acquirerCounts(dataDir: string): Promise<{ items: number; ledger: number; revoked: number }> {
  const db = await Db.open({ filename: path.join(dataDir, DEMO_OFFLINE_ACQUIRER_FILE) });
  try {
    const n = async (sql: string) => (await db.get<{ n: number }>(sql))!.n;
    return {
      items: await n('SELECT COUNT(*) AS n FROM sim_offline_items'),
      ledger: await n('SELECT COUNT(*) AS n FROM sim_offline_ledger'),
      revoked: await n('SELECT COUNT(*) AS n FROM sim_offline_wallets WHERE revoked = 1'),
    };
  } finally {
    await db.close();
  }
}

describe('training reset of store-and-forward', () => {
  it('restores the offline acquirer and the terminal\'s offline budget to the seed, keeping the revoked wallet revoked', async () => {
    const dataDir = tempDir('offline-reset');
    const b = await createBackend({ dataDir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    open.push(b);
    await login(b, 'cashier1', '1111');
    // One forwarded and accepted, one pending behind a dead link.
    const first = await call<{ code: string }>(b, 'demo:offlineCode', { wallet: 0 });
    const p1 = await call<{ orderNo: string }>(b, 'offline:accept', { amountFen: 700, code: first.code });
    await expect.poll(async () => (await call<{ counts: Record<string, number> }>(b, 'outbox:list', {})).counts.accepted, { timeout: 10_000 }).toBe(1);
    await call(b, 'demo:network', { preset: 'offline' });
    await call(b, 'offline:accept', { amountFen: 300, code: (await call<{ code: string }>(b, 'demo:offlineCode', { wallet: 1 })).code });
    expect(await call(b, 'offline:budget', {})).toMatchObject({ exposureFen: 300, pendingCount: 1 });
    expect(await acquirerCounts(dataDir)).toMatchObject({ items: 1, ledger: 1, revoked: 1 });
    expect((await call<Array<{ orderNo: string }>>(b, 'payments:list', {})).map((p) => p.orderNo)).toContain(p1.orderNo);

    await login(b, 'trainer1', '4444');
    await call(b, 'demo:reset', { confirm: true });

    expect(await acquirerCounts(dataDir)).toEqual({ items: 0, ledger: 0, revoked: 1 });
    await login(b, 'cashier1', '1111');
    expect(await call(b, 'offline:budget', {})).toMatchObject({ exposureFen: 0, pendingCount: 0, oldestPendingAgeMs: null });
    expect((await call<{ items: unknown[] }>(b, 'outbox:list', {})).items).toEqual([]);
    expect(await call(b, 'payments:list', {})).toEqual([]);
    // The link is back online and the terminal synced: a new customer pays, the revoked one is refused.
    const fresh = await call<{ state: string }>(b, 'offline:accept', { amountFen: 500, code: (await call<{ code: string }>(b, 'demo:offlineCode', { wallet: 0 })).code });
    expect(fresh.state).toBe('accepted_offline');
    const revoked = await call<{ code: string }>(b, 'demo:offlineCode', { wallet: DEMO_REVOKED_WALLET });
    await expect(call(b, 'offline:accept', { amountFen: 100, code: revoked.code })).rejects.toMatchObject({ code: 'offline.code.revoked' });
    // Only demo files exist in the data folder: the live terminal database was never created or touched.
    expect(fs.existsSync(path.join(dataDir, 'terminal.sqlite'))).toBe(false);
  });
});
