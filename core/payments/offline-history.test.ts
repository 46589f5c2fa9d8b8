/**
 * Offline-code payments (core/offline's outbox) in the payment engine's history, detail and
 * refund checks: a real engine on a real simulator, and a real offline store on the same
 * terminal database, fed by a real offline acquirer's wallets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import type { Db } from '../store/db';
import { newWallet, openAcquirer, openSyncedStore } from '../offline/test-kit';
import type { OfflineStore } from '../offline/store';
import { PaymentEngine } from './engine';
import { openKit, type Kit } from './test-kit';

describe('payment history with offline-code payments', () => {
  let kit: Kit;
  let acq: OfflineAcquirer;
  let acqDb: Db;
  let store: OfflineStore;
  let engine: PaymentEngine;

  beforeEach(async () => {
    kit = await openKit();
    ({ acq, db: acqDb } = await openAcquirer(kit.dir));
    store = await openSyncedStore(kit.db, acq);
    engine = new PaymentEngine({ db: kit.db, bus: kit.bus, acquirer: kit.acquirer, terminalId: kit.terminalId, training: true, log: () => undefined, offline: store });
  });
  afterEach(async () => {
    await engine.stop();
    await acqDb.close();
    await kit.close(); // removes the vc-pay-* folder, the offline acquirer's file included
  });

  async function acceptOffline(amountFen: number) {
    const w = await newWallet(acq);
    return store.accept({ amountFen, code: w.nextCode(Date.now()), operatorId: 'cashier1' });
  }

  it('lists offline payments with the others, newest first, as tender offline_code with a masked code', async () => {
    const cash1 = await engine.cash({ amountFen: 500, tenderedFen: 500 }, 'cashier1');
    await new Promise((r) => setTimeout(r, 5));
    const off = await acceptOffline(1_234);
    await new Promise((r) => setTimeout(r, 5));
    const cash2 = await engine.cash({ amountFen: 700, tenderedFen: 1_000 }, 'cashier1');
    const list = await engine.list({ limit: 50, offset: 0 });
    expect(list.map((p) => p.orderNo)).toEqual([cash2.orderNo, off.orderNo, cash1.orderNo]);
    const p = list[1];
    expect(p).toMatchObject({ tender: 'offline_code', state: 'accepted_offline', amountFen: 1_234, refundedFen: 0 });
    expect(p.maskedCode).toMatch(/\*/);
    expect(p.message.zh).toContain('离线受理');
  });

  it('pages across both sources without losing or repeating a payment', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      made.push((await engine.cash({ amountFen: 100 + i, tenderedFen: 100 + i }, null)).orderNo);
      await new Promise((r) => setTimeout(r, 3));
      made.push((await acceptOffline(200 + i)).orderNo);
      await new Promise((r) => setTimeout(r, 3));
    }
    const pages = [
      ...(await engine.list({ limit: 2, offset: 0 })),
      ...(await engine.list({ limit: 2, offset: 2 })),
      ...(await engine.list({ limit: 2, offset: 4 })),
    ];
    expect(pages.map((p) => p.orderNo)).toEqual([...made].reverse());
    expect(await engine.list({ limit: 2, offset: 6 })).toEqual([]);
  });

  it('finds an offline payment by order-number fragment, amount and time range', async () => {
    const off = await acceptOffline(4_321);
    await engine.cash({ amountFen: 4_321, tenderedFen: 5_000 }, null);
    expect((await engine.list({ text: off.orderNo.slice(2, 10), limit: 50, offset: 0 })).map((p) => p.orderNo)).toEqual([off.orderNo]);
    expect((await engine.list({ amountFen: 4_321, limit: 50, offset: 0 })).map((p) => p.tender).sort()).toEqual(['cash', 'offline_code']);
    expect(await engine.list({ to: off.createdAt - 1, limit: 50, offset: 0 })).toEqual([]);
    expect((await engine.list({ from: off.createdAt, to: off.createdAt, limit: 50, offset: 0 })).map((p) => p.orderNo)).toContain(off.orderNo);
  });

  it('shows an offline payment in detail as succeeded once forwarded and accepted, and declined_after_forwarding when declined', async () => {
    const ok = await acceptOffline(300);
    const bad = await acceptOffline(400);
    const [a, b] = await store.nextBatch(10);
    await store.applyResults([
      { seq: a.orderNo === ok.orderNo ? a.seq : b.seq, verdict: { status: 'accepted' } },
      { seq: a.orderNo === ok.orderNo ? b.seq : a.seq, verdict: { status: 'declined', reason: 'insufficient_funds' } },
    ]);
    const got = await engine.get(ok.orderNo);
    expect(got).toMatchObject({ payment: { orderNo: ok.orderNo, tender: 'offline_code', state: 'succeeded' }, refunds: [] });
    const declined = (await engine.get(bad.orderNo)).payment;
    expect(declined.state).toBe('declined_after_forwarding');
    expect(declined.error?.code).toBe('offline.declined.insufficient_funds');
  });

  it('refuses to refund an offline payment not yet confirmed, saying why and what to do in both languages, writing nothing', async () => {
    const off = await acceptOffline(900);
    const before = await kit.count('refunds');
    await expect(engine.refund({ orderNo: off.orderNo, amountFen: 900, reason: 'return' }, 'cashier1')).rejects.toMatchObject({
      code: 'refund.offline_pending',
      zh: expect.stringMatching(/还没有得到收单机构确认.*立即上传.*已确认/),
      en: expect.stringMatching(/not confirmed by the acquirer yet.*Send now.*Confirmed/),
    });
    expect(await kit.count('refunds')).toBe(before);
    await expect(engine.cancel(off.orderNo)).rejects.toMatchObject({ code: 'payment.not_cancellable' });
    expect((await engine.query(off.orderNo)).state).toBe('accepted_offline');
  });

  it('refuses a confirmed offline payment plainly when no acquirer route is configured, and a declined one as not refundable', async () => {
    const ok = await acceptOffline(300);
    const bad = await acceptOffline(400);
    const items = await store.nextBatch(10);
    await store.applyResults(items.map((i) => ({ seq: i.seq, verdict: i.orderNo === ok.orderNo ? { status: 'accepted' as const } : { status: 'declined' as const, reason: 'revoked' } })));
    await expect(engine.refund({ orderNo: ok.orderNo, amountFen: 300, reason: 'r' }, null)).rejects.toMatchObject({ code: 'refund.offline_unavailable' });
    await expect(engine.refund({ orderNo: bad.orderNo, amountFen: 400, reason: 'r' }, null)).rejects.toMatchObject({ code: 'refund.not_refundable' });
    expect(await kit.count('refunds')).toBe(0);
  });

  it('still answers not found for an order number in neither source', async () => {
    await expect(engine.get('OFNOSUCHORDER0000000000')).rejects.toMatchObject({ code: 'payment.not_found' });
  });
});
