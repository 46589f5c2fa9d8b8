/**
 * A supervisor's review of offline items the AML rules flagged (`needs_review`): release or hold
 * with a reason, through the store's one writer, audited, never leaving a final status; held
 * items stay visible and pending. Through the contract: the wrong role is refused (dual
 * control), and a refusal changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { OutboxItem as OfflineItem } from '../api/offline';
import { createBackend, type Backend } from '../app';
import { EventBus } from '../events';
import { verifyJournal } from '../ledger/journal';
import { MemorySecretStore } from '../platform';
import type { Db } from '../store/db';
import { cleanTempDirs, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from './test-kit';
import type { OfflineStore } from './store';

afterAll(cleanTempDirs);

/** Everything a refused review must leave as it was (a wrong PIN is audited by auth, on purpose). */
async function snapshot(db: Db, orderNo: string) {
  return {
    item: await db.get('SELECT status, review, review_note, reviewed_by, reviewed_at, updated_at FROM offline_items WHERE order_no = ?', [orderNo]),
    audit: (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE action NOT LIKE 'auth.%'"))!.n,
    journal: (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM journal'))!.n,
  };
}

describe('review in the offline store', () => {
  let db: Db;
  let acqDb: Db;
  let acq: OfflineAcquirer;
  let store: OfflineStore;
  let events: string[];

  beforeEach(async () => {
    const dir = tempDir('review');
    db = await openTerminalDb(dir);
    ({ acq, db: acqDb } = await openAcquirer(dir));
    const bus = new EventBus();
    events = [];
    bus.subscribe((n) => events.push(n));
    store = await openSyncedStore(db, acq, { bus });
  });
  afterEach(async () => {
    await db.close();
    await acqDb.close();
  });

  /** One item accepted by cashier c1 and answered by the acquirer: `review` or `accepted`. */
  async function answered(verdict: 'review' | 'accepted', amountFen = 1_500) {
    const w = await newWallet(acq);
    const p = await store.accept({ amountFen, code: w.nextCode(), operatorId: 'c1', purpose: 'cash_out' });
    const [it] = (await store.nextBatch(10)).filter((i) => i.orderNo === p.orderNo);
    await store.markSending('B1', [it.seq]);
    await store.applyResults([{ seq: it.seq, orderNo: p.orderNo, verdict: verdict === 'review' ? { status: 'review', reason: 'aml_flagged' } : { status: 'accepted' } }]);
    return p.orderNo;
  }
  const review = (orderNo: string, decision: 'release' | 'hold', reason?: string, reviewerId = 's1') =>
    store.review({ orderNo, decision, reason, operatorId: reviewerId, reviewerId, approverId: null });

  it('holds a flagged item with a reason: still pending in history and the list, audited with the operator', async () => {
    const orderNo = await answered('review');
    const exposure = store.budget().exposureFen;
    events.length = 0;
    const item = await review(orderNo, 'hold', '  客户身份待核实  ');
    expect(item).toMatchObject({ status: 'needs_review', review: { decision: 'held', note: '客户身份待核实', reviewedBy: 's1' } });
    const p = await store.payment(orderNo);
    expect(p).toMatchObject({ state: 'accepted_offline', kind: 'withdrawal' });
    expect(p.message.zh).toContain('暂扣');
    expect((await store.list({ status: 'needs_review', limit: 10, offset: 0 })).map((i) => i.orderNo)).toEqual([orderNo]);
    const a = await db.get<{ operator_id: string; action: string; detail: string }>('SELECT operator_id, action, detail FROM audit_log ORDER BY rowid DESC LIMIT 1');
    expect(a).toMatchObject({ operator_id: 's1', action: 'offline.review.hold' });
    expect(JSON.parse(a!.detail)).toMatchObject({ orderNo, amountFen: 1_500, note: '客户身份待核实', reason: 'aml_flagged' });
    expect((await verifyJournal(db)).ok).toBe(true);
    expect(store.budget().exposureFen).toBe(exposure);
    expect(events).toEqual(expect.arrayContaining(['payments:changed', 'outbox:changed']));
  });

  it('releases a held item once: the payment is confirmed, and release is final', async () => {
    const orderNo = await answered('review');
    await review(orderNo, 'hold', '金额可疑');
    const item = await review(orderNo, 'release', '已电话核实', 'a1');
    expect(item.review).toMatchObject({ decision: 'released', note: '已电话核实', reviewedBy: 'a1' });
    expect(item.status).toBe('needs_review');
    expect(await store.payment(orderNo)).toMatchObject({ state: 'succeeded' });
    const before = await snapshot(db, orderNo);
    await expect(review(orderNo, 'hold', '再看看')).rejects.toMatchObject({ code: 'offline.review.released' });
    await expect(review(orderNo, 'release')).rejects.toMatchObject({ code: 'offline.review.released' });
    expect(await snapshot(db, orderNo)).toEqual(before);
  });

  it('refuses, changing nothing: a hold without a reason, the cashier who took it, an item not flagged, holding twice', async () => {
    const orderNo = await answered('review');
    const before = await snapshot(db, orderNo);
    for (const reason of [undefined, '', ' 好 ', 'x'.repeat(81), '可疑\u0007']) {
      await expect(review(orderNo, 'hold', reason)).rejects.toMatchObject({ code: 'offline.review.reason' });
    }
    await expect(review(orderNo, 'release', undefined, 'c1')).rejects.toMatchObject({ code: 'offline.review.own_item' });
    await expect(review('OFNOSUCHORDER', 'release')).rejects.toMatchObject({ code: 'offline.not_found' });
    expect(await snapshot(db, orderNo)).toEqual(before);
    const plain = await answered('accepted', 900);
    const plainBefore = await snapshot(db, plain);
    await expect(review(plain, 'release')).rejects.toMatchObject({ code: 'offline.review.not_flagged' });
    expect(await snapshot(db, plain)).toEqual(plainBefore);
    await review(orderNo, 'hold', '金额可疑');
    const held = await snapshot(db, orderNo);
    await expect(review(orderNo, 'hold', '又一次')).rejects.toMatchObject({ code: 'offline.review.held' });
    expect(await snapshot(db, orderNo)).toEqual(held);
  });

  it('counts flagged items waiting and held for the Z report, not released ones', async () => {
    const a = await answered('review', 1_000);
    const b = await answered('review', 2_000);
    await answered('review', 4_000);
    await review(a, 'hold', '待核实');
    await review(b, 'release');
    expect(await store.reviewTotals(0, Date.now() + 1000)).toEqual({ waiting: { count: 1, fen: 4_000 }, held: { count: 1, fen: 1_000 } });
  });
});

describe('outbox:review through the contract (dual control)', () => {
  let backend: Backend;
  let dir: string;
  let orderNo: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-review-'));
    backend = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    await call('session:login', { operatorId: 'cashier1', pin: '1111' });
    // Three cash-outs of one wallet in a day: the third is flagged (repeated_cash_out) and, once
    // forwarded, comes back needs_review.
    for (let i = 0; i < 3; i++) {
      const { code } = (await call('demo:offlineCode', { wallet: 4 })) as { code: string };
      orderNo = ((await call('offline:accept', { amountFen: 1_000 + i, code, purpose: 'cash_out' })) as { orderNo: string }).orderNo;
    }
    await call('outbox:sendNow', {});
    await vi.waitFor(async () => {
      const list = OfflineItem.array().parse(((await call('outbox:list', {})) as { items: unknown[] }).items);
      expect(list.find((x) => x.orderNo === orderNo)?.status).toBe('needs_review');
    }, { timeout: 20_000, interval: 100 });
  });
  afterAll(async () => {
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  async function call(m: string, i: unknown) {
    const r = await backend.dispatcher.dispatch(m, i);
    if (!r.ok) throw Object.assign(new Error(`${m}: ${r.error.code}`), { code: r.error.code });
    return r.value;
  }
  const refused = async (m: string, i: unknown) => {
    const r = await backend.dispatcher.dispatch(m, i);
    return r.ok ? 'accepted' : r.error.code;
  };

  it('asks a cashier for a supervisor, refuses a cashier or wrong PIN as approver, and changes nothing', async () => {
    await call('session:login', { operatorId: 'cashier1', pin: '1111' });
    const before = await snapshot(backend.db, orderNo);
    expect(await refused('outbox:review', { orderNo, decision: 'release' })).toBe('auth.approval_required');
    expect(await refused('outbox:review', { orderNo, decision: 'hold', reason: '待核实', approverId: 'cashier1', approverPin: '1111' })).toBe('auth.approver_invalid');
    expect(await refused('outbox:review', { orderNo, decision: 'release', approverId: 'agent1', approverPin: '3333' })).toBe('auth.approver_invalid');
    expect(await refused('outbox:review', { orderNo, decision: 'release', approverId: 'super1', approverPin: '0000' })).toBe('auth.approver_invalid');
    // A hold with no reason is refused before any PIN is asked for.
    expect(await refused('outbox:review', { orderNo, decision: 'hold' })).toBe('offline.review.reason');
    expect(await refused('outbox:review', { orderNo, decision: 'hold', reason: 'x'.repeat(81) })).toBe('rpc.bad_payload');
    expect(await snapshot(backend.db, orderNo)).toEqual(before);
    // A supervisor approves on the cashier's screen: the cashier stays the operator, the supervisor the approver.
    const held = OfflineItem.parse(await call('outbox:review', { orderNo, decision: 'hold', reason: '客户身份待核实', approverId: 'super1', approverPin: '2222' }));
    expect(held.review).toMatchObject({ decision: 'held', reviewedBy: 'super1' });
    const a = await backend.db.get<{ operator_id: string; approver_id: string }>("SELECT operator_id, approver_id FROM audit_log WHERE action = 'offline.review.hold'");
    expect(a).toEqual({ operator_id: 'cashier1', approver_id: 'super1' });
  });

  it('lets a logged-in supervisor release alone; the Z report then no longer counts it pending', async () => {
    await call('session:login', { operatorId: 'super1', pin: '2222' });
    const z0 = (await call('reports:z', {})) as { offlinePending: { count: number }; offlineReview: { held: { count: number } } };
    expect(z0.offlineReview.held.count).toBe(1);
    const released = OfflineItem.parse(await call('outbox:review', { orderNo, decision: 'release' }));
    expect(released.review).toMatchObject({ decision: 'released', reviewedBy: 'super1' });
    const z1 = (await call('reports:z', {})) as { offlinePending: { count: number }; offlineReview: { held: { count: number } } };
    expect(z1.offlineReview.held.count).toBe(0);
    expect(z1.offlinePending.count).toBe(z0.offlinePending.count - 1);
    expect(((await call('payments:get', { orderNo })) as { payment: { state: string; kind: string } }).payment).toMatchObject({ state: 'succeeded', kind: 'withdrawal' });
  });
});
