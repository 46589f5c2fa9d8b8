import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { verifyJournal } from '../ledger/journal';
import type { Db } from '../store/db';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { cleanTempDirs, countRows, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from './test-kit';
import { maskContact, OfflineStore } from './store';
import { DEFAULT_POLICY } from '../risk/policy';
import { MaskedCode } from '../../drivers/printer/receipt';

// Removes the vc-* folders this file made (after its own hooks have closed the databases).
afterAll(cleanTempDirs);

let dir: string;
let db: Db;
let acqDb: Db;
let acq: OfflineAcquirer;

beforeEach(async () => {
  dir = tempDir('store');
  db = await openTerminalDb(dir);
  ({ acq, db: acqDb } = await openAcquirer(dir));
});
afterEach(async () => {
  await db.close();
  await acqDb.close();
});

describe('offline accept', () => {
  it('records one durable item, its counters and a journal row, and says "accepted offline, pending", never paid', async () => {
    const bus = new EventBus();
    const events: string[] = [];
    bus.subscribe((n) => events.push(n));
    const store = await openSyncedStore(db, acq, { bus });
    const w = await newWallet(acq);
    const p = await store.accept({ amountFen: 1234, code: w.nextCode(), operatorId: 'c1', contact: '13812345678' });
    expect(p).toMatchObject({ state: 'accepted_offline', tender: 'offline_code', amountFen: 1234, training: true });
    expect(p.message.zh).toContain('离线受理，待上传');
    expect(p.message.zh).not.toMatch(/支付成功|已付款/);
    expect(p.message.en.toLowerCase()).toContain('pending');
    expect(p.maskedCode).not.toContain(w.walletId);
    expect(MaskedCode.safeParse(p.maskedCode).success).toBe(true); // printable on the receipt as is
    expect(await countRows(db)).toMatchObject({ items: 1, journal: 1, wallets: 1, days: 1 });
    expect((await verifyJournal(db)).ok).toBe(true);
    expect(events).toEqual(expect.arrayContaining(['payments:changed', 'outbox:changed', 'risk:budget']));
    const [item] = await store.list({ limit: 10, offset: 0 });
    expect(item).toMatchObject({ status: 'pending', maskedContact: '138****5678' });
  });

  it('refuses a risk breach naming the rule, and writes nothing', async () => {
    const store = await openSyncedStore(db, acq);
    const w = await newWallet(acq);
    const before = await countRows(db);
    await expect(store.accept({ amountFen: DEFAULT_POLICY.perPaymentCapFen + 1, code: w.nextCode(), operatorId: 'c1' })).rejects.toMatchObject({
      code: 'offline.risk.per_payment_cap', detail: { rule: 'per_payment_cap' },
    });
    expect(await countRows(db)).toEqual(before);
  });

  it('lets only one of two simultaneous scans of the same wallet use the last of its day budget', async () => {
    const store = await openSyncedStore(db, acq);
    const w = await newWallet(acq);
    const cap = DEFAULT_POLICY.walletDailyCapFen;
    const fill = [20_000, 20_000];
    for (const a of fill) await store.accept({ amountFen: a, code: w.nextCode(), operatorId: 'c1' });
    const left = cap - 40_000;
    const results = await Promise.allSettled([
      store.accept({ amountFen: left, code: w.nextCode(), operatorId: 'c1' }),
      store.accept({ amountFen: left, code: w.nextCode(), operatorId: 'c1' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'offline.risk.wallet_daily_cap' } });
  });

  it('refuses the same code scanned twice (replay) even after a restart', async () => {
    const store = await openSyncedStore(db, acq);
    const w = await newWallet(acq);
    const code = w.nextCode();
    await store.accept({ amountFen: 100, code, operatorId: 'c1' });
    const reopened = await OfflineStore.open(db, null, { terminalId: 'T0001', training: true });
    await expect(reopened.accept({ amountFen: 100, code, operatorId: 'c1' })).rejects.toMatchObject({ code: 'offline.code.replayed' });
  });

  it('rebuilds the live budget from the database after a restart', async () => {
    const store = await openSyncedStore(db, acq);
    const w = await newWallet(acq);
    const code = w.nextCode();
    await store.accept({ amountFen: 700, code: w.nextCode(), operatorId: 'c1' });
    await store.accept({ amountFen: 300, code: w.nextCode(), operatorId: 'c1' });
    const reopened = await OfflineStore.open(db, null, { terminalId: 'T0001', training: true });
    const b = reopened.budget(reopened.walletOf(code));
    expect(b).toMatchObject({ exposureFen: 1000, pendingCount: 2, wallet: { todayFen: 1000, walletTail: w.walletId.slice(-4) } });
    expect(b.oldestPendingAgeMs).not.toBeNull();
  });

  it('refuses an invalid contact without writing', async () => {
    const store = await openSyncedStore(db, acq);
    const w = await newWallet(acq);
    await expect(store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1', contact: 'x'.repeat(41) })).rejects.toMatchObject({ code: 'offline.contact_invalid' });
    expect((await countRows(db)).items).toBe(0);
  });

  it('corrects the code-time window with the server clock offset learned at sync', async () => {
    const store = await OfflineStore.open(db, null, { terminalId: 'T0001', training: true, now: () => Date.now() - 10 * 60_000 });
    const s = await acq.sync();
    // The terminal's clock is 10 minutes slow; sync measured that.
    await store.applySync({ issuerKeys: s.issuerKeys, revoked: s.revoked, policy: s.policy, offsetMs: 10 * 60_000 });
    const w = await newWallet(acq);
    await expect(store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1' })).resolves.toMatchObject({ state: 'accepted_offline' });
  });
});

describe('contact masking', () => {
  it('masks mobile numbers and other contacts', () => {
    expect(maskContact('13812345678')).toBe('138****5678');
    expect(maskContact('王大妈 村东头')).toBe('王***');
    expect(maskContact(null)).toBeNull();
  });
});

describe('acquirer answers', () => {
  it('ignores an answer whose order number is no longer the item at that seq (a batch sent before a training reset)', async () => {
    const store = await openSyncedStore(db, acq);
    const w = await newWallet(acq);
    const p = await store.accept({ amountFen: 500, code: w.nextCode(), operatorId: 'c1' });
    const [item] = await store.nextBatch(10);
    await store.applyResults([{ seq: item.seq, orderNo: 'OFSOMEOTHERORDER00000000', verdict: { status: 'declined', reason: 'revoked' } }]);
    expect((await store.payment(p.orderNo)).state).toBe('accepted_offline');
    expect(store.budget().exposureFen).toBe(500);
    await store.applyResults([{ seq: item.seq, orderNo: p.orderNo, verdict: { status: 'accepted' } }]);
    expect((await store.payment(p.orderNo)).state).toBe('succeeded');
    expect(store.budget().exposureFen).toBe(0);
  });
});
