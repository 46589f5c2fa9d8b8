import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBackend, type Backend } from '../app';
import type { Payment } from '../api/payments';
import { ZReport } from '../api/reports';
import { MemorySecretStore } from '../platform';
import { chinaDay, dayBounds, sumPayments } from './z';

const base: Payment = {
  orderNo: 'T0001X', amountFen: 0, tender: 'cash', state: 'succeeded', maskedCode: null, message: { zh: '', en: '' }, error: null,
  createdAt: 0, updatedAt: 0, refundedFen: 0, training: true, qr: null, cash: null, creditName: null, operatorId: null,
} as unknown as Payment;
const at = (day: string, hour: number) => dayBounds(day).from + hour * 3_600_000 + 59_000;

describe('Z report sums', () => {
  it('counts paid and accepted-offline money by tender and China-time hour, every state by status, in integer fen', () => {
    const d = '2026-03-01';
    const r = sumPayments([
      { ...base, amountFen: 1001, tender: 'cash', createdAt: at(d, 0) },
      { ...base, amountFen: 250, tender: 'wechat', createdAt: at(d, 23), refundedFen: 100 },
      { ...base, amountFen: 999, tender: 'offline_code', state: 'accepted_offline', createdAt: at(d, 9) },
      { ...base, amountFen: 5000, tender: 'alipay', state: 'failed', createdAt: at(d, 9) },
    ]);
    expect(r.totalFen).toBe(2250);
    expect(r.refundedFen).toBe(100);
    expect(r.offlinePending).toEqual({ count: 1, fen: 999 });
    expect(r.byTender).toEqual(expect.arrayContaining([{ tender: 'cash', count: 1, fen: 1001 }, { tender: 'wechat', count: 1, fen: 250 }]));
    expect(r.byTender.find((x) => x.tender === 'alipay')).toBeUndefined();
    expect(r.byStatus).toEqual(expect.arrayContaining([{ state: 'failed', count: 1, fen: 5000 }, { state: 'succeeded', count: 2, fen: 1251 }]));
    expect(r.hourly).toHaveLength(24);
    expect([r.hourly[0].fen, r.hourly[9].fen, r.hourly[23].fen]).toEqual([1001, 999, 250]);
    for (const x of [r.totalFen, ...r.hourly.map((h) => h.fen)]) expect(Number.isInteger(x)).toBe(true);
  });

  it('uses the China business day at midnight boundaries', () => {
    expect(chinaDay(Date.parse('2026-03-01T15:59:59.999Z'))).toBe('2026-03-01');
    expect(chinaDay(Date.parse('2026-03-01T16:00:00.000Z'))).toBe('2026-03-02');
    expect(dayBounds('2026-03-02').from).toBe(Date.parse('2026-03-01T16:00:00.000Z'));
  });
});

describe('reports:z through the composition root', () => {
  let backend: Backend;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-zreport-'));
    backend = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  });
  afterAll(async () => {
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const call = async (m: string, i: unknown) => {
    const r = await backend.dispatcher.dispatch(m, i);
    if (!r.ok) throw new Error(`${m}: ${r.error.code}`);
    return r.value;
  };

  it('is refused when nobody is logged in and for a malformed day', async () => {
    expect(await backend.dispatcher.dispatch('reports:z', {})).toMatchObject({ ok: false, error: { code: 'auth.not_logged_in' } });
    await call('session:login', { operatorId: 'cashier1', pin: '1111' });
    expect(await backend.dispatcher.dispatch('reports:z', { day: '2026-3-1' })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    expect(await backend.dispatcher.dispatch('reports:z', { day: '2026-03-01', extra: 1 })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
  });

  it('sums the day from the tables: cash, offline pending, float variance for an agent; no float for a cashier', async () => {
    await call('session:login', { operatorId: 'agent1', pin: '3333' });
    await call('agent:floatOpen', { countedFen: 100_000 });
    await call('payments:cash', { amountFen: 1_234, tenderedFen: 2_000 });
    const code = (await call('demo:offlineCode', { wallet: 0 })) as { code: string };
    await call('offline:accept', { amountFen: 567, code: code.code });
    await call('agent:floatClose', { countedFen: 99_900 });
    const r = ZReport.parse(await call('reports:z', {}));
    expect(r.day).toBe(chinaDay(Date.now()));
    expect(r.totalFen).toBe(1_801);
    expect(r.offlinePending).toEqual({ count: 1, fen: 567 });
    expect(r.byTender).toEqual(expect.arrayContaining([{ tender: 'cash', count: 1, fen: 1_234 }, { tender: 'offline_code', count: 1, fen: 567 }]));
    expect(r.hourly.reduce((s, h) => s + h.fen, 0)).toBe(1_801);
    expect(r.float).toMatchObject({ openingFen: 100_000, closingFen: 99_900 });
    const f = (await call('agent:float', {})) as { varianceFen: number; expectedFen: number };
    expect(r.float?.varianceFen).toBe(f.varianceFen);
    expect(r.float?.expectedFen).toBe(f.expectedFen);
    // Receipts print in the background after each sale: compare once both reads agree.
    await vi.waitFor(async () => {
      const stats = (await call('receipts:stats', { day: r.day })) as { printed: number; reprinted: number; paperSaved: number };
      const z = ZReport.parse(await call('reports:z', {}));
      expect(z.receipts).toEqual({ printed: stats.printed, reprinted: stats.reprinted, paperSaved: stats.paperSaved });
    });
    await call('session:login', { operatorId: 'cashier1', pin: '1111' });
    const c = ZReport.parse(await call('reports:z', {}));
    expect(c.float).toBeNull();
    expect(c.totalFen).toBe(1_801);
    // Another day is empty, not an error.
    const other = ZReport.parse(await call('reports:z', { day: '2020-01-01' }));
    expect(other).toMatchObject({ totalFen: 0, byTender: [], float: null });
  });
});
