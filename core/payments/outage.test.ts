/**
 * Issue 17, item 3: a total outage must not block the counter. Once the customer's code is past
 * its life the cashier is told at once and may take another tender; the unfinished charge keeps
 * being resolved in the background, and if it turns out paid it is reversed — never kept as a
 * second payment — and shown on the follow-up list (release.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPayment } from './create';
import { maskCode } from './codes';
import { applyOutcome } from './query';
import { transitionPayment } from './repo';
import { openKit, waitFor, type Kit } from './test-kit';

let kit: Kit | null = null;
afterEach(async () => {
  await kit?.close();
  kit = null;
});

const MINUTE = 60_000;

describe('a total outage during a charge', () => {
  it('lets the cashier take cash once the code is past its life, and exactly one payment stands when the link returns', async () => {
    // The till's clock is the test's: the link stays dead for two minutes of it.
    let skew = 0;
    kit = await openKit({ timings: { requestTimeoutMs: 150, sweepEveryMs: 40 }, engine: { now: () => Date.now() + skew } });
    const k = kit;
    const before = await k.balance('W01');
    // The charge reaches the acquirer and the customer is debited; then the link dies (every request reset).
    await k.control.setFaults([{ kind: 'drop_response_after_commit', op: 'pay' }, { kind: 'reset', op: 'any', times: -1 }]);
    const p = await k.engine.charge({ amountFen: 1580, code: await k.code('W01') }, 'cashier1');
    const stuck = await k.engine.settled(p.orderNo);
    expect(stuck.state).toBe('cancelling');
    expect(stuck.message.zh).toContain('请勿重复收款');
    expect(await k.balance('W01')).toBe(before - 1580);
    // Within the code's life the counter is still held: this charge may yet be confirmed.
    await expect(k.engine.charge({ amountFen: 1580, code: await k.code('W02') }, 'cashier1')).rejects.toMatchObject({ code: 'payment.busy' });

    // Two minutes of dead link: the cashier is told to take another tender.
    skew = 2 * MINUTE;
    k.engine.startSweeper();
    const released = await waitFor(() => k.engine.get(p.orderNo).then((r) => r.payment), (x) => x.releasedAt !== undefined);
    expect(released.state).toBe('cancelling');
    expect(released.message.zh).toContain('请改收现金、离线付款码或赊账');
    expect(released.message.en).toContain('Take cash, the offline payment code or credit');
    expect(await k.engine.openSale()).toBeNull();
    // The customer pays cash; a new code charge would be taken too.
    const cash = await k.engine.cash({ amountFen: 1580, tenderedFen: 2000 }, 'cashier1');
    expect(cash.state).toBe('succeeded');
    expect((await k.engine.followUps()).map((x) => x.orderNo)).toEqual([p.orderNo]);

    // The link returns: the first charge, which was paid, is reversed by itself.
    await k.control.clearFaults();
    const done = await waitFor(() => k.engine.get(p.orderNo).then((r) => r.payment), (x) => x.state === 'cancelled', 10_000);
    expect(done.releasedAt).toBe(released.releasedAt);
    expect((await k.control.orders()).orders.find((o) => o.out_trade_no === p.orderNo)?.status).toBe('REVERSED');
    expect(await k.balance('W01')).toBe(before);
    // Exactly one payment stands: the cash. The journal says the same.
    const standing = await k.db.all<{ order_no: string; tender: string }>("SELECT order_no, tender FROM payments WHERE state = 'succeeded'");
    expect(standing).toEqual([{ order_no: cash.orderNo, tender: 'cash' }]);
    expect(await k.db.all('SELECT kind, ref FROM journal ORDER BY seq')).toEqual([{ kind: 'cash.sale', ref: cash.orderNo }]);
    expect((await k.engine.followUps())[0]).toMatchObject({ orderNo: p.orderNo, state: 'cancelled' });
  }, 30_000);

  it('tells the cashier at the code’s life, without waiting for a sweep', async () => {
    kit = await openKit({ timings: { requestTimeoutMs: 100 }, engine: { codeLifeMs: 400 } });
    const k = kit;
    await k.control.setFaults([{ kind: 'reset', op: 'any', times: -1 }]);
    const seen: string[] = [];
    k.bus.subscribe((name, payload) => {
      const x = payload as { orderNo: string; releasedAt?: number };
      if (name === 'payments:changed' && x.releasedAt) seen.push(x.orderNo);
    });
    const p = await k.engine.charge({ amountFen: 300, code: await k.code('W01') }, null);
    await waitFor(async () => seen, (s) => s.includes(p.orderNo), 3_000);
    await k.control.clearFaults();
  });

  it('never keeps a released charge the acquirer says was paid: it goes to cancelling, not succeeded', async () => {
    kit = await openKit();
    const env = kit.engine.env;
    const p = await createPayment(env, { kind: 'code', tender: 'wechat', amountFen: 500, maskedCode: maskCode('134567890123456789'), operatorId: null, exclusive: true });
    await transitionPayment(env, p.orderNo, 'paying');
    const unknown = (await transitionPayment(env, p.orderNo, 'unknown')).payment;
    await kit.db.run('UPDATE payments SET released_at = created_at + 60000 WHERE order_no = ?', [p.orderNo]);
    const after = await applyOutcome(env, unknown, { status: 'succeeded', tradeNo: 'T' });
    expect(after.state).toBe('cancelling');
    expect(await kit.count('journal')).toBe(0);
  });
});
