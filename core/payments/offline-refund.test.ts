/**
 * Refunds of offline-code payments once the acquirer has confirmed them: a real engine, a real
 * offline store on the same terminal database, a real offline acquirer over HTTP that the items
 * were forwarded to, and the sandbox adapter of its refund route. The refund rules are those of
 * an online refund; what differs is where the refund goes and that a lost answer is queried.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Payment } from '../api/payments';
import { startOfflineAcquirerServer, type OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { SandboxOfflineRefunds } from '../acquirer/sandbox/offline-refunds';
import type { OfflineRefunds, RefundOutcome, RefundQueryOutcome, RefundRequest } from '../acquirer/types';
import { OperatorService } from '../auth/operators';
import { OfflineClient } from '../forward/client';
import { Forwarder } from '../forward/forwarder';
import { verifyJournal } from '../ledger/journal';
import type { Db } from '../store/db';
import { newWallet, openAcquirer, openSyncedStore } from '../offline/test-kit';
import type { OfflineStore } from '../offline/store';
import type { OfflineWallet } from '../offline/wallet';
import { PaymentEngine } from './engine';
import { createRefund } from './refund';
import { transitionRefund } from './repo';
import { openKit, type Kit } from './test-kit';

/** The refund route as the network may treat it: a request lost on the way, or its answer. */
class Link implements OfflineRefunds {
  lose: 'request' | 'answer' | null = null;
  sent = 0;
  asked = 0;
  constructor(readonly inner: SandboxOfflineRefunds) {}
  async refund(req: RefundRequest): Promise<RefundOutcome> {
    this.sent += 1;
    const lose = this.lose;
    this.lose = null;
    if (lose === 'request') return { status: 'unknown', why: 'request lost' };
    const o = await this.inner.refund(req);
    return lose === 'answer' ? { status: 'unknown', why: 'answer lost' } : o;
  }
  async queryRefund(refundNo: string): Promise<RefundQueryOutcome> {
    this.asked += 1;
    return this.inner.queryRefund(refundNo);
  }
}

let kit: Kit;
let acq: OfflineAcquirer;
let acqDb: Db;
let server: { port: number; close(): Promise<void> };
let store: OfflineStore;
let client: OfflineClient;
let link: Link;
let engine: PaymentEngine;
let ops: OperatorService;
let wallet: OfflineWallet;

beforeEach(async () => {
  kit = await openKit();
  ({ acq, db: acqDb } = await openAcquirer(kit.dir));
  server = await startOfflineAcquirerServer(acq);
  const key = await acq.provisionTerminal(kit.terminalId);
  const baseUrl = `http://127.0.0.1:${server.port}`;
  store = await openSyncedStore(kit.db, acq);
  client = new OfflineClient({ baseUrl, terminalId: kit.terminalId, key });
  link = new Link(new SandboxOfflineRefunds({ baseUrl, terminalId: kit.terminalId, key, timeoutMs: 2_000 }));
  ops = new OperatorService(kit.db, kit.bus, 600_000);
  await ops.create({ id: 'cashier1', name: '王芳', role: 'cashier' }, '1111');
  await ops.create({ id: 'super1', name: '李强', role: 'supervisor' }, '2222');
  await ops.login('cashier1', '1111');
  engine = new PaymentEngine({
    db: kit.db, bus: kit.bus, acquirer: kit.acquirer, terminalId: kit.terminalId, training: true, log: () => undefined,
    offline: store, offlineRefunds: link, refundApprovalFen: 10_00, approve: (id, pin) => ops.approve(id, pin),
  });
  wallet = await newWallet(acq, { balanceFen: 100_00 });
});
afterEach(async () => {
  await engine.stop();
  client.close();
  link.inner.close();
  await server.close();
  await acqDb.close();
  await kit.close();
});

/** Accepted offline, then forwarded and confirmed by the acquirer. */
async function confirmed(amountFen: number): Promise<Payment> {
  const p = await store.accept({ amountFen, code: wallet.nextCode(Date.now()), operatorId: 'cashier1' });
  await new Forwarder(store, client, null, { terminalId: kit.terminalId, log: () => undefined }).drain();
  const got = (await engine.get(p.orderNo)).payment;
  expect(got.state).toBe('succeeded');
  return got;
}
const walletBalance = async () => (await acqDb.get<{ b: number }>('SELECT balance_fen AS b FROM sim_offline_wallets WHERE wallet_id = ?', [wallet.walletId]))!.b;

describe('refunds of confirmed offline payments', () => {
  it('refunds like an online payment: its own number, the wallet credited at the acquirer, shown in history and the journal', async () => {
    const p = await confirmed(8_00);
    const before = await walletBalance();
    const seen: Payment[] = [];
    kit.bus.subscribe((name, payload) => {
      if (name === 'payments:changed') seen.push(payload as Payment);
    });
    const r1 = await engine.refund({ orderNo: p.orderNo, amountFen: 3_00, reason: '退货' }, 'cashier1');
    expect(r1).toMatchObject({ refundNo: `${p.orderNo}R01`, state: 'succeeded', operatorId: 'cashier1', approverId: null });
    expect(await walletBalance()).toBe(before + 3_00);
    expect(await acq.refunds(kit.terminalId)).toEqual([{ refundNo: `${p.orderNo}R01`, orderNo: p.orderNo, amountFen: 3_00 }]);
    const got = await engine.get(p.orderNo);
    expect(got.payment).toMatchObject({ tender: 'offline_code', state: 'succeeded', refundedFen: 3_00 });
    expect(got.refunds.map((r) => [r.refundNo, r.state])).toEqual([[`${p.orderNo}R01`, 'succeeded']]);
    expect((await engine.list({ limit: 10, offset: 0 })).find((x) => x.orderNo === p.orderNo)?.refundedFen).toBe(3_00);
    expect(seen.at(-1)).toMatchObject({ orderNo: p.orderNo, refundedFen: 3_00 });
    const journal = await kit.db.all<{ kind: string; amount_fen: number }>("SELECT kind, amount_fen FROM journal WHERE kind = 'refund.succeeded'");
    expect(journal).toEqual([{ kind: 'refund.succeeded', amount_fen: -3_00 }]);
    expect((await verifyJournal(kit.db)).ok).toBe(true);
    const audit = await kit.db.get<{ detail: string }>("SELECT detail FROM audit_log WHERE action = 'payment.refund'");
    expect(JSON.parse(audit!.detail)).toMatchObject({ orderNo: p.orderNo, refundNo: r1.refundNo, amountFen: 3_00, tender: 'offline_code' });
  });

  it('never refunds more than was paid, writing nothing when refused', async () => {
    const p = await confirmed(5_00);
    await engine.refund({ orderNo: p.orderNo, amountFen: 4_00, reason: 'x' }, 'cashier1');
    const rows = await kit.count('refunds');
    await expect(engine.refund({ orderNo: p.orderNo, amountFen: 1_01, reason: 'x' }, 'cashier1')).rejects.toMatchObject({ code: 'refund.exceeds', detail: { leftFen: 1_00 } });
    expect(await kit.count('refunds')).toBe(rows);
    expect((await engine.refund({ orderNo: p.orderNo, amountFen: 1_00, reason: 'x' }, 'cashier1')).state).toBe('succeeded');
    expect((await engine.get(p.orderNo)).payment.refundedFen).toBe(5_00);
    expect(link.sent).toBe(2);
  });

  it('above the threshold needs a supervisor, as any refund does', async () => {
    const p = await confirmed(20_00);
    await expect(engine.refund({ orderNo: p.orderNo, amountFen: 15_00, reason: 'x' }, 'cashier1')).rejects.toMatchObject({ code: 'auth.approval_required' });
    expect(await kit.count('refunds')).toBe(0);
    const r = await engine.refund({ orderNo: p.orderNo, amountFen: 15_00, reason: 'x', approverId: 'super1', approverPin: '2222' }, 'cashier1');
    expect(r).toMatchObject({ state: 'succeeded', approverId: 'super1' });
  });

  it('does not refund twice when the answer is lost: it asks the acquirer, which already did it', async () => {
    const p = await confirmed(6_00);
    const before = await walletBalance();
    link.lose = 'answer';
    const r = await engine.refund({ orderNo: p.orderNo, amountFen: 6_00, reason: 'x' }, 'cashier1');
    expect(r.state).toBe('succeeded');
    expect([link.sent, link.asked]).toEqual([1, 1]);
    expect(await walletBalance()).toBe(before + 6_00);
    expect(await acq.refunds(kit.terminalId)).toHaveLength(1);
  });

  it('sends a refund again, under the same number, when the acquirer never received it', async () => {
    const p = await confirmed(6_00);
    link.lose = 'request';
    const r = await engine.refund({ orderNo: p.orderNo, amountFen: 2_00, reason: 'x' }, 'cashier1');
    expect(r.state).toBe('succeeded');
    expect([link.sent, link.asked]).toEqual([2, 1]);
    expect(await acq.refunds(kit.terminalId)).toEqual([{ refundNo: `${p.orderNo}R01`, orderNo: p.orderNo, amountFen: 2_00 }]);
  });

  it('after a crash with the request out, recovery asks first and sends nothing again', async () => {
    const p = await confirmed(7_00);
    const created = await createRefund(engine.env, { orderNo: p.orderNo, amountFen: 7_00, reason: 'x', operatorId: 'cashier1', approverId: null });
    await transitionRefund(engine.env, created.refundNo, 'pending');
    // The request reached the acquirer; the terminal died before reading the answer.
    expect(await link.inner.refund({ orderNo: p.orderNo, refundNo: created.refundNo, amountFen: 7_00, totalFen: 7_00, reason: 'x' })).toEqual({ status: 'succeeded' });
    await engine.recover();
    expect((await engine.get(p.orderNo)).refunds.map((r) => r.state)).toEqual(['succeeded']);
    expect([link.sent, link.asked]).toEqual([0, 1]);
    expect(await acq.refunds(kit.terminalId)).toHaveLength(1);
  });

  it('a refund the acquirer cannot be reached for stays pending, and the sweeper finishes it', async () => {
    const p = await confirmed(3_00);
    const port = server.port;
    await server.close();
    const r = await engine.refund({ orderNo: p.orderNo, amountFen: 3_00, reason: 'x' }, 'cashier1');
    expect(r.state).toBe('pending');
    server = await startOfflineAcquirerServer(acq, port);
    await engine.recover();
    expect((await engine.get(p.orderNo)).refunds.map((x) => x.state)).toEqual(['succeeded']);
    expect(await acq.refunds(kit.terminalId)).toHaveLength(1);
  });
});
