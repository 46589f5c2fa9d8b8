/**
 * Issue 11, defects 1–4: how a payment or refund that may have reached the acquirer ends.
 * Rule (README.md, "When a payment may fail"): once a request may have been delivered, a
 * payment ends only as succeeded or by a cancel the acquirer confirmed, and a refund only on
 * the acquirer's word about its number; a refused re-send proves nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRuleInput } from '../acquirer/simulator/faults';
import { maskCode } from './codes';
import { createPayment } from './create';
import { openKit, waitFor, type Kit } from './test-kit';

let kit: Kit;
beforeEach(async () => {
  kit = await openKit({ timings: { requestTimeoutMs: 150 } });
});
afterEach(async () => {
  await kit.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const simOrder = async (orderNo: string) => (await kit.control.orders()).orders.find((o) => o.out_trade_no === orderNo);

describe('a charge whose re-send is refused', () => {
  // The first request is slow: the terminal times out, the acquirer has not seen it yet when
  // asked, the re-send is refused, and only then does the first request land.
  const refusals: Array<[string, FaultRuleInput]> = [
    ['a 4xx', { kind: 'refuse_400', op: 'pay' }],
    ['a signature error', { kind: 'refuse_auth', op: 'pay' }],
    ['a stale-request error', { kind: 'refuse_stale', op: 'pay' }],
    ['a skewed acquirer clock', { kind: 'clock_skew', op: 'pay', skewMs: 10 * 60_000 }],
  ];
  it.each(refusals)('does not mark failed when a re-send is refused after an unknown outcome (%s)', async (_name, refusal) => {
    // Every re-send is refused (a re-send that is answered may rightly succeed: the acquirer deduplicates).
    await kit.control.setFaults([{ kind: 'latency', op: 'pay', latencyMs: 500 }, { ...refusal, times: -1 }]);
    const before = await kit.balance('W01');
    const p = await kit.engine.charge({ amountFen: 830, code: await kit.code('W01') }, null);
    const done = await kit.engine.settled(p.orderNo);
    await kit.control.clearFaults();
    // The late first request lands now; the cancel's tombstone must have closed the order.
    await pause(600);
    expect(done.state).toBe('cancelled');
    expect((await simOrder(p.orderNo))?.status).toBe('CLOSED');
    expect(await kit.balance('W01')).toBe(before);
  });
});

describe('a refund whose answer was lost', () => {
  async function paid(amountFen: number) {
    const p = await kit.engine.charge({ amountFen, code: await kit.code('W02') }, null);
    expect((await kit.engine.settled(p.orderNo)).state).toBe('succeeded');
    return p.orderNo;
  }

  it('is settled by a refund query, not failed, when its re-send is refused', async () => {
    const orderNo = await paid(1000);
    await kit.control.setFaults([{ kind: 'drop_response_after_commit', op: 'refund' }, { kind: 'refuse_400', op: 'refund', times: -1 }]);
    const r = await kit.engine.refund({ orderNo, amountFen: 400, reason: 'lost answer' }, null);
    expect(r.state).toBe('succeeded');
    await kit.control.clearFaults();
    // The second refund sees what is really left: the customer is never paid twice.
    await expect(kit.engine.refund({ orderNo, amountFen: 700, reason: 'again' }, null)).rejects.toMatchObject({ code: 'refund.exceeds' });
    const sim = await simOrder(orderNo);
    expect(sim?.refunded_fen).toBe(400);
    expect((await kit.engine.get(orderNo)).payment.refundedFen).toBe(400);
  });

  it('keeps its amount reserved until the refund query answers', async () => {
    const orderNo = await paid(1000);
    await kit.control.setFaults([
      { kind: 'drop_response_after_commit', op: 'refund' },
      { kind: 'refuse_400', op: 'refund', times: -1 },
      { kind: 'http_500', op: 'refund_query', times: -1 },
    ]);
    const r = await kit.engine.refund({ orderNo, amountFen: 400, reason: 'lost answer' }, null);
    expect(r.state).toBe('pending');
    await expect(kit.engine.refund({ orderNo, amountFen: 700, reason: 'again' }, null)).rejects.toMatchObject({ code: 'refund.exceeds' });
    await kit.control.clearFaults();
    await kit.engine.recover();
    const { refunds, payment } = await kit.engine.get(orderNo);
    expect(refunds.map((x) => x.state)).toEqual(['succeeded']);
    expect(payment.refundedFen).toBe(400);
    expect((await simOrder(orderNo))?.refunded_fen).toBe(400);
  });

  it('fails a refund whose first request was refused (nothing can have been delivered)', async () => {
    const orderNo = await paid(1000);
    await kit.control.setFaults([{ kind: 'refuse_400', op: 'refund' }]);
    const r = await kit.engine.refund({ orderNo, amountFen: 400, reason: 'refused' }, null);
    expect(r.state).toBe('failed');
    expect((await simOrder(orderNo))?.refunded_fen).toBe(0);
  });
});

describe('a crash between the request and the paying mark', () => {
  it('recovers a sale the acquirer completed in the created window as succeeded, never reversed', async () => {
    const code = await kit.code('W01');
    const before = await kit.balance('W01');
    const p = await createPayment(kit.engine.env, { kind: 'code', tender: 'wechat', amountFen: 910, maskedCode: maskCode(code), operatorId: null, exclusive: true });
    // The request left and was paid; the process died before writing `paying`.
    expect((await kit.acquirer.pay({ orderNo: p.orderNo, amountFen: 910, code, subject: 't' })).status).toBe('succeeded');
    await kit.restartEngine();
    await kit.engine.recover();
    expect((await kit.engine.get(p.orderNo)).payment.state).toBe('succeeded');
    expect((await simOrder(p.orderNo))?.status).toBe('SUCCESS');
    expect(await kit.balance('W01')).toBe(before - 910);
  });
});

describe('one unfinished charge at a time', () => {
  it('refuses a code charge and a second QR while a merchant QR is open, and takes them once it is closed', async () => {
    const qr = await kit.engine.precreate({ amountFen: 500 }, null);
    await waitFor(() => kit.engine.get(qr.orderNo).then((r) => r.payment), (x) => x.state === 'awaiting_scan');
    await expect(kit.engine.charge({ amountFen: 300, code: await kit.code('W01') }, null)).rejects.toMatchObject({ code: 'payment.busy' });
    await expect(kit.engine.precreate({ amountFen: 300 }, null)).rejects.toMatchObject({ code: 'payment.busy' });
    await kit.engine.cancel(qr.orderNo);
    expect((await kit.engine.settled(qr.orderNo)).state).toMatch(/^(cancelled|closed)$/);
    const p = await kit.engine.charge({ amountFen: 300, code: await kit.code('W01') }, null);
    expect((await kit.engine.settled(p.orderNo)).state).toBe('succeeded');
  });
});
