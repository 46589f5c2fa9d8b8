/**
 * Integrity at start and a full disk, through the composition root: a damaged database stops
 * the start with the plain message and the restore path; writes that fail for lack of space
 * refuse new money intake plainly, keep what was accepted, and trading resumes once there is room.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpsHealth } from '../api/ops';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';
import { memoryLogger } from './log';
import { rpc } from './test-kit';

const dirs: string[] = [];
const open: Backend[] = [];
afterEach(async () => {
  for (const b of open.splice(0)) await b.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-storage-'));
  dirs.push(d);
  return d;
};

async function start(dataDir: string, diskFree?: () => Promise<number | null>): Promise<Backend> {
  const b = await createBackend({ dataDir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore(), log: memoryLogger(), diskFree });
  open.push(b);
  return b;
}
const call = <T>(b: Backend, method: string, input: Record<string, unknown> = {}) => rpc(() => b).call<T>(method, input);

describe('integrity at start', () => {
  it('refuses to start on a damaged database with a plain bilingual message naming the backups, and changes nothing', async () => {
    const dir = tmp();
    const b = await start(dir);
    await b.close();
    open.length = 0;
    const file = path.join(dir, 'training.sqlite');
    // Damage the pages after the first (the header stays readable: only quick_check finds it).
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(3 * 4096, 0x5a), 0, 3 * 4096, 4096 * 2);
    fs.closeSync(fd);
    const before = fs.readFileSync(file);
    const err = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore(), log: memoryLogger() }).then(
      () => null,
      (e: { code?: string; zh?: string; en?: string }) => e,
    );
    expect(err).toMatchObject({ code: 'store.corrupt' });
    expect(err!.zh).toContain(path.join(dir, 'backups'));
    expect(err!.en).toContain('trading is stopped');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not a database at all the same way', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'training.sqlite'), 'this is not a database, it is a note'.repeat(200));
    await expect(start(dir)).rejects.toMatchObject({ code: 'store.corrupt' });
  });
});

const FULL = () => Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL', errno: 13 });
const isWrite = (sql: string) => /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(sql);

describe('a full disk', () => {
  it('refuses new offline acceptances and charges plainly, keeps every accepted payment, and resumes when there is room', async () => {
    let free: number | null = 50 * 1024 ** 3;
    const b = await start(tmp(), async () => free);
    const health: OpsHealth[] = [];
    b.bus.subscribe((name, payload) => name === 'ops:health' && health.push(payload as OpsHealth));
    await call(b, 'session:login', { operatorId: 'cashier1', pin: '1111' });
    await call(b, 'demo:network', { preset: 'offline' });
    const accept = async (wallet: number, amountFen: number) => {
      const { code } = await call<{ code: string }>(b, 'demo:offlineCode', { wallet });
      return call<{ orderNo: string }>(b, 'offline:accept', { amountFen, code });
    };
    const accepted = [await accept(0, 500), await accept(1, 600)];
    const items = async () => (await b.db.all<{ order_no: string }>('SELECT order_no FROM offline_items ORDER BY order_no')).map((r) => r.order_no);
    expect(await items()).toEqual(accepted.map((a) => a.orderNo).sort());

    // The disk fills: every write now fails as SQLite reports ENOSPC.
    free = 0;
    b.db.inject = (sql) => (isWrite(sql) ? FULL() : null);
    const paymentRows = async () => (await b.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM payments'))!.n;
    const paymentsBefore = await paymentRows();
    const { code } = await call<{ code: string }>(b, 'demo:offlineCode', { wallet: 2 });
    await expect(call(b, 'offline:accept', { amountFen: 700, code })).rejects.toMatchObject({ code: 'store.disk_full', zh: expect.stringContaining('磁盘已满') });
    // Now refused by the gate, before anything is written: offline, online, cash.
    await expect(call(b, 'offline:accept', { amountFen: 700, code })).rejects.toMatchObject({ code: 'store.disk_full' });
    await call(b, 'demo:network', { preset: 'online' });
    const online = await call<{ code: string }>(b, 'demo:paymentCode', { walletId: 'W01' });
    await expect(call(b, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, code: online.code })).rejects.toMatchObject({ code: 'store.disk_full' });
    await expect(call(b, 'payments:cash', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, tenderedFen: 100 })).rejects.toMatchObject({ code: 'store.disk_full' });
    expect(await paymentRows()).toBe(paymentsBefore);
    expect(await call<OpsHealth>(b, 'ops:health')).toMatchObject({ storage: 'full', message: { zh: expect.stringContaining('已收的款都已保存') } });
    expect(health.at(-1)?.storage).toBe('full');
    // Nothing already accepted was lost, and the refused one left nothing behind.
    b.db.inject = null;
    expect(await items()).toEqual(accepted.map((a) => a.orderNo).sort());

    // Room again: the next intake checks, probes a write, and goes through.
    free = 50 * 1024 ** 3;
    await call(b, 'payments:cash', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, tenderedFen: 100 });
    expect(health.at(-1)?.storage).toBe('ok');
  }, 60_000);

  it('warns in the status bar below the free-space threshold while trading goes on', async () => {
    let free: number | null = 50 * 1024 ** 3;
    const b = await start(tmp(), async () => free);
    free = 100 * 1024 ** 2;
    const h = await call<OpsHealth>(b, 'ops:health');
    expect(h).toMatchObject({ storage: 'low', freeBytes: 100 * 1024 ** 2, message: { zh: expect.stringContaining('100 MB'), en: expect.stringContaining('100 MB') } });
    await call(b, 'session:login', { operatorId: 'cashier1', pin: '1111' });
    await call(b, 'payments:cash', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, tenderedFen: 100 });
  }, 60_000);
});
