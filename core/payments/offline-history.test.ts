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

  it('refuses to refund an offline payment not yet forwarded, saying why and what to do in both languages, writing nothing', async () => {
    const off = await acceptOffline(900);
    const before = await kit.count('refunds');
    await expect(engine.refund({ orderNo: off.orderNo, amountFen: 900, reason: 'return' }, 'cashier1')).rejects.toMatchObject({
      code: 'refund.offline_pending',
      zh: expect.stringMatching(/还没有上传.*立即上传.*已确认/),
      en: expect.stringMatching(/not been forwarded.*Send now.*Confirmed/),
    });
    expect(await kit.count('refunds')).toBe(before);
    await expect(engine.cancel(off.orderNo)).rejects.toMatchObject({ code: 'payment.not_cancellable' });
    expect((await engine.query(off.orderNo)).state).toBe('accepted_offline');
  });

  /** An item taken by cashier1, sent, and answered by the acquirer (or not yet, with `null`). */
  async function forwarded(amountFen: number, verdict: 'accepted' | 'review' | null) {
    const off = await acceptOffline(amountFen);
    const [it] = (await store.nextBatch(10)).filter((i) => i.orderNo === off.orderNo);
    await store.markSending('B1', [it.seq]);
    if (verdict) await store.applyResults([{ seq: it.seq, orderNo: off.orderNo, verdict: verdict === 'review' ? { status: 'review', reason: 'aml_flagged' } : { status: 'accepted' } }]);
    return off.orderNo;
  }
  const holdAs = (orderNo: string, reviewerId: string) =>
    store.review({ orderNo, decision: 'hold', reason: '客户身份待核实', operatorId: reviewerId, reviewerId, approverId: null });

  it('says, by how far an offline payment has got, why it cannot be refunded yet: the same words in the refusal and in the detail', async () => {
    const names: Record<string, string> = { super1: '李强' };
    await engine.stop();
    engine = new PaymentEngine({
      db: kit.db, bus: kit.bus, acquirer: kit.acquirer, terminalId: kit.terminalId, training: true, log: () => undefined, offline: store,
      operatorName: async (id) => names[id] ?? null,
    });
    const notSent = (await acceptOffline(100)).orderNo;
    const sent = await forwarded(200, null);
    const flagged = await forwarded(300, 'review');
    const held = await forwarded(400, 'review');
    await holdAs(held, 'super1');
    const heldByStranger = await forwarded(500, 'review');
    await holdAs(heldByStranger, 'admin9');
    const expected: Array<[string, string, RegExp, RegExp]> = [
      [notSent, 'refund.offline_pending', /还没有上传/, /not been forwarded.*Send now/],
      [sent, 'refund.offline_unconfirmed', /已经上传，收单机构还没有答复/, /forwarded and the acquirer has not answered yet/],
      [flagged, 'refund.offline_review', /等主管复核/, /waiting for a supervisor’s review/],
      // Held: whom to ask, by name; not "send now", which cannot help.
      [held, 'refund.offline_held', /主管 李强 复核后暂扣.*请找 李强（或其他主管、管理员）/, /supervisor \(李强\) held this offline payment.*Ask 李强, or another supervisor/],
      // Someone the till does not know by name: named by id.
      [heldByStranger, 'refund.offline_held', /请找 admin9/, /Ask admin9/],
    ];
    for (const [orderNo, code, zh, en] of expected) {
      const refusal = await engine.refund({ orderNo, amountFen: 100, reason: 'return' }, 'cashier1').then(() => null, (e: unknown) => e);
      expect(refusal, orderNo).toMatchObject({ code, zh: expect.stringMatching(zh), en: expect.stringMatching(en) });
      if (code !== 'refund.offline_pending') expect((refusal as Error).message).not.toMatch(/Send now/);
      const detail = await engine.get(orderNo);
      expect(detail.payment.state).toBe('accepted_offline');
      const { code: c, zh: z, en: e, detail: d } = refusal as { code: string; zh: string; en: string; detail?: unknown };
      expect(detail.refundBlock).toEqual(d === undefined ? { code: c, zh: z, en: e } : { code: c, zh: z, en: e, detail: d });
    }
    expect((await engine.get(held)).payment.forwarding).toEqual({ stage: 'held', heldBy: 'super1' });
    expect(await kit.count('refunds')).toBe(0);
    // Released after review: confirmed, so only the missing refund route stands in the way here.
    await store.review({ orderNo: held, decision: 'release', reason: '已电话核实', operatorId: 'admin1', reviewerId: 'admin1', approverId: null });
    expect((await engine.get(held)).payment).toMatchObject({ state: 'succeeded', forwarding: { stage: 'confirmed', heldBy: null } });
    expect((await engine.get(held)).refundBlock?.code).toBe('refund.offline_unavailable');
  });

  it('gives no refund block for a sale that can be refunded, and the engine’s refusal for one that cannot', async () => {
    const sale = await engine.cash({ amountFen: 500, tenderedFen: 500 }, 'cashier1');
    expect((await engine.get(sale.orderNo)).refundBlock).toBeNull();
    await engine.refund({ orderNo: sale.orderNo, amountFen: 500, reason: 'return' }, 'cashier1');
    // Fully refunded: nothing is wrong with the payment; the screen shows nothing left to refund.
    expect((await engine.get(sale.orderNo)).refundBlock).toBeNull();
    const ok = await forwarded(300, 'accepted');
    expect((await engine.get(ok)).refundBlock?.code).toBe('refund.offline_unavailable');
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
