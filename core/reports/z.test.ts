import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBackend, type Backend } from '../app';
import type { Payment } from '../api/payments';
import { ZReport } from '../api/reports';
import { MemorySecretStore } from '../platform';
import { DemoAgentAcquirer } from '../agent/acquirer';
import { AgentHistory } from '../agent/history';
import { AgentService } from '../agent/service';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { chinaDay, dayBounds, sumPayments, zReport } from './z';

const base: Payment = {
  orderNo: 'T0001X', kind: 'sale', amountFen: 0, tender: 'cash', state: 'succeeded', maskedCode: null, message: { zh: '', en: '' }, error: null,
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
    // A payment's refunds count on the day they are made (refundsOfDay), never on the sale's day.
    expect(r).not.toHaveProperty('refundedFen');
    expect(r.offlinePending).toEqual({ count: 1, fen: 999 });
    expect(r.byTender).toEqual(expect.arrayContaining([{ tender: 'cash', count: 1, fen: 1001 }, { tender: 'wechat', count: 1, fen: 250 }]));
    expect(r.byTender.find((x) => x.tender === 'alipay')).toBeUndefined();
    expect(r.byStatus).toEqual(expect.arrayContaining([{ state: 'failed', count: 1, fen: 5000 }, { state: 'succeeded', count: 2, fen: 1251 }]));
    expect(r.hourly).toHaveLength(24);
    expect([r.hourly[0].fen, r.hourly[9].fen, r.hourly[23].fen]).toEqual([1001, 999, 250]);
    for (const x of [r.totalFen, ...r.hourly.map((h) => h.fen)]) expect(Number.isInteger(x)).toBe(true);
  });

  it('counts the kinds apart: only sales are takings; withdrawals are cash out of the drawer; bills are held for billers', () => {
    const d = '2026-03-01';
    const r = sumPayments([
      { ...base, kind: 'sale', amountFen: 1_000, tender: 'wechat', createdAt: at(d, 8) },
      { ...base, kind: 'withdrawal', amountFen: 80_000, tender: 'wechat', createdAt: at(d, 9) },
      { ...base, kind: 'withdrawal', amountFen: 2_000, tender: 'offline_code', state: 'accepted_offline', createdAt: at(d, 9) },
      { ...base, kind: 'withdrawal', amountFen: 30_000, tender: 'alipay', state: 'failed', createdAt: at(d, 9) },
      { ...base, kind: 'bill', amountFen: 8_650, tender: 'cash', createdAt: at(d, 10) },
      { ...base, kind: 'bill', amountFen: 5_000, tender: 'cash', state: 'accepted_offline', createdAt: at(d, 11) },
      { ...base, kind: 'sale', amountFen: 700, tender: 'offline_code', state: 'accepted_offline', createdAt: at(d, 12) },
    ]);
    expect(r.totalFen).toBe(1_700);
    expect(r.byTender).toEqual(expect.arrayContaining([{ tender: 'wechat', count: 1, fen: 1_000 }, { tender: 'offline_code', count: 1, fen: 700 }]));
    expect(r.byTender.find((x) => x.tender === 'cash')).toBeUndefined();
    expect(r.hourly.reduce((s, h) => s + h.fen, 0)).toBe(1_700);
    expect(r.byKind).toEqual(expect.arrayContaining([
      { kind: 'sale', count: 2, fen: 1_700 },
      { kind: 'withdrawal', count: 2, fen: 82_000 },
      { kind: 'bill', count: 2, fen: 13_650 },
    ]));
    // Offline-code items of any kind wait for the acquirer; a bill queued offline is not one.
    expect(r.offlinePending).toEqual({ count: 2, fen: 2_700 });
    // Nothing disappears: the failed withdrawal is still in the states.
    expect(r.byStatus).toEqual(expect.arrayContaining([{ state: 'failed', count: 1, fen: 30_000 }]));
  });

  it('uses the China business day at midnight boundaries', () => {
    expect(chinaDay(Date.parse('2026-03-01T15:59:59.999Z'))).toBe('2026-03-01');
    expect(chinaDay(Date.parse('2026-03-01T16:00:00.000Z'))).toBe('2026-03-02');
    expect(dayBounds('2026-03-02').from).toBe(Date.parse('2026-03-01T16:00:00.000Z'));
  });
});

/** A demo backend of its own for the describe block that calls this; `call` throws on a refusal. */
function demoBackend(tag: string) {
  const env = { backend: null as unknown as Backend, dir: '' };
  beforeAll(async () => {
    env.dir = fs.mkdtempSync(path.join(os.tmpdir(), `vc-${tag}-`));
    env.backend = await createBackend({ dataDir: env.dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  });
  afterAll(async () => {
    await env.backend.close();
    fs.rmSync(env.dir, { recursive: true, force: true });
  });
  const call = async (m: string, i: unknown) => {
    const r = await env.backend.dispatcher.dispatch(m, i);
    if (!r.ok) throw new Error(`${m}: ${r.error.code}`);
    return r.value;
  };
  return { env, call };
}

describe('reports:z through the composition root', () => {
  const { env, call } = demoBackend('zreport');

  it('is refused when nobody is logged in and for a malformed day', async () => {
    expect(await env.backend.dispatcher.dispatch('reports:z', {})).toMatchObject({ ok: false, error: { code: 'auth.not_logged_in' } });
    await call('session:login', { operatorId: 'cashier1', pin: '1111' });
    expect(await env.backend.dispatcher.dispatch('reports:z', { day: '2026-3-1' })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    expect(await env.backend.dispatcher.dispatch('reports:z', { day: '2026-03-01', extra: 1 })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
  });

  it('sums the day from the tables: cash, offline pending, float variance for an agent; no float for a cashier', async () => {
    await call('session:login', { operatorId: 'agent1', pin: '3333' });
    await call('agent:floatOpen', { countedFen: 100_000, requestId: 'req-ztest-0001-aaaaaaaa' });
    await call('payments:cash', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 1_234, tenderedFen: 2_000 });
    const code = (await call('demo:offlineCode', { wallet: 0 })) as { code: string };
    await call('offline:accept', { amountFen: 567, code: code.code });
    await call('agent:floatClose', { countedFen: 99_900, requestId: 'req-ztest-0002-aaaaaaaa' });
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
    expect(other).toMatchObject({ totalFen: 0, byTender: [], byKind: [], float: null });
  });
});

describe('a service point\'s day through the composition root', () => {
  const { env, call } = demoBackend('zkinds');

  it('counts a withdrawal as cash out of the drawer and a bill apart, never as takings; history says which is which', async () => {
    await call('session:login', { operatorId: 'agent1', pin: '3333' });
    await call('agent:floatOpen', { countedFen: 200_000, requestId: 'req-ztest-0003-aaaaaaaa' });
    const sale = (await call('payments:cash', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 1_500, tenderedFen: 1_500 })) as { orderNo: string };
    const { code } = (await call('demo:paymentCode', { walletId: 'W03' })) as { code: string };
    const w = (await call('agent:withdraw', { amountFen: 80_000, code, customerPhone: '13800001111', requestId: 'req-ztest-0004-aaaaaaaa' })) as { id: string };
    await vi.waitFor(async () => expect(((await call('agent:withdrawal', { id: w.id })) as { state: string }).state).toBe('paid'), { timeout: 10_000 });
    const withdrawn = (await call('agent:withdrawal', { id: w.id })) as { orderNo: string };
    await call('agent:billLookup', { billerId: 'water-county', account: '12345678' });
    const bill = (await call('agent:billPay', { billerId: 'water-county', account: '12345678', amountFen: 8_650, requestId: 'req-ztest-0005-aaaaaaaa' })) as { id: string };

    const r = ZReport.parse(await call('reports:z', {}));
    expect(r.totalFen).toBe(1_500);
    expect(r.byTender).toEqual([{ tender: 'cash', count: 1, fen: 1_500 }]);
    expect(r.byKind).toEqual(expect.arrayContaining([
      { kind: 'sale', count: 1, fen: 1_500 },
      { kind: 'withdrawal', count: 1, fen: 80_000 },
      { kind: 'bill', count: 1, fen: 8_650 },
    ]));
    // The float holds the service point's cash: the opening count, less the cash handed out, plus the bill taken.
    expect(r.float?.expectedFen).toBe(200_000 - 80_000 + 8_650);

    const list = (await call('payments:list', {})) as Array<{ orderNo: string; kind: string }>;
    expect(list.map((p) => [p.orderNo, p.kind])).toEqual([[bill.id, 'bill'], [withdrawn.orderNo, 'withdrawal'], [sale.orderNo, 'sale']]);
    expect(((await call('payments:list', { kind: 'withdrawal' })) as Array<{ orderNo: string }>).map((p) => p.orderNo)).toEqual([withdrawn.orderNo]);
    const detail = (await call('payments:get', { orderNo: withdrawn.orderNo })) as { service: unknown };
    expect(detail.service).toEqual({ kind: 'withdrawal', id: w.id, state: 'paid', cashOutFen: 80_000, maskedPhone: '138****1111' });
    expect(await env.backend.dispatcher.dispatch('payments:refund', { requestId: crypto.randomUUID().replace(/-/g, ''), orderNo: withdrawn.orderNo, amountFen: 1_000, reason: '退' }))
      .toMatchObject({ ok: false, error: { code: 'refund.withdrawal' } });
  });
});

describe('a bill the biller refused, in the Z report', () => {
  it('is not counted as a bill taken; its cash is listed to return until handed back, and the float agrees throughout', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations);
      const bus = new EventBus();
      const link = new ConnectivityMonitor(bus);
      link.ok(5);
      const biller = new DemoAgentAcquirer(link);
      const agent = new AgentService(db, bus, biller, { charge: async () => { throw new Error('no charges here'); } });
      const history = new AgentHistory(db, true);
      const deps = {
        db,
        // The payment engine's list, reduced to the service point's bills (the only rows here).
        listPayments: async (f: { from: number; to: number; limit: number; offset: number }) => (f.offset ? [] : history.history({ from: f.from, to: f.to, limit: f.limit })),
        receiptStats: async () => ({ printed: 0, reprinted: 0, paperSaved: 0 }),
        billRefusals: (from: number, to: number) => agent.refusalTotals(from, to),
      };
      const asAgent = { operator: { id: 'agent1', name: '张秀兰', role: 'agent' as const } };
      const z = async () => ZReport.parse(await zReport(deps, undefined, asAgent));

      await agent.floatOpen(100_000, 'agent1');
      await agent.billers();
      await agent.billPay({ billerId: 'water-county', account: '12345678', amountFen: 3_000 }, 'agent1');
      link.failed();
      link.failed();
      const queued = await agent.billPay({ billerId: 'power-grid', account: '3300112233', amountFen: 8_650 }, 'agent1');
      biller.refuseBills = true;
      link.ok(5);
      await vi.waitFor(async () => expect((await agent.billsToReturn()).map((b) => b.id)).toEqual([queued.id]));

      const before = await z();
      expect(before.byKind).toEqual([{ kind: 'bill', count: 1, fen: 3_000 }]);
      expect(before.byStatus).toEqual(expect.arrayContaining([{ state: 'failed', count: 1, fen: 8_650 }]));
      expect(before.billRefusals).toEqual({ toReturn: { count: 1, fen: 8_650 }, returned: { count: 0, fen: 0 } });
      // The refused bill's cash is still in the drawer, and the float says so.
      expect(before.float?.expectedFen).toBe(100_000 + 3_000 + 8_650);

      await agent.billReturn(queued.id, 'agent1');
      await agent.floatClose(103_000, 'agent1');
      const after = await z();
      expect(after.billRefusals).toEqual({ toReturn: { count: 0, fen: 0 }, returned: { count: 1, fen: 8_650 } });
      expect(after.byKind).toEqual([{ kind: 'bill', count: 1, fen: 3_000 }]);
      expect(after.float).toEqual({ openingFen: 100_000, expectedFen: 103_000, closingFen: 103_000, varianceFen: 0 });
      expect(after.totalFen).toBe(0);
    } finally {
      await db.close();
    }
  });
});
