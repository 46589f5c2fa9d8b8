/**
 * Issue 12, item 2 (core side): a money-moving call carries the screen's request id; a repeat
 * (double Enter, double click, a retry after a reconnect or a restart) gets the first answer and
 * acts nothing; the same id with other parameters is refused `request.mismatch`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { paymentMethods } from '../api/payments';
import { openKit, type Kit } from './test-kit';

let kit: Kit;
beforeEach(async () => {
  kit = await openKit();
});
afterEach(async () => {
  await kit.close();
});

const id = (c: string) => c.repeat(32);

describe('request ids', () => {
  it('answers a repeated charge with the first payment and charges once, even side by side', async () => {
    const code = await kit.code('W01');
    const before = await kit.balance('W01');
    const [a, b] = await Promise.all([
      kit.engine.charge({ amountFen: 700, code, requestId: id('a') }, 'cashier1'),
      kit.engine.charge({ amountFen: 700, code, requestId: id('a') }, 'cashier1'),
    ]);
    expect(b.orderNo).toBe(a.orderNo);
    expect((await kit.engine.settled(a.orderNo)).state).toBe('succeeded');
    // After the outcome (a retry after a reconnect): the record as it is now.
    expect(await kit.engine.charge({ amountFen: 700, code, requestId: id('a') }, 'cashier1')).toMatchObject({ orderNo: a.orderNo, state: 'succeeded' });
    expect(await kit.count('payments')).toBe(1);
    expect(await kit.balance('W01')).toBe(before - 700);
  });

  it('answers a double refund with the first refund and pays it once', async () => {
    const p = await kit.engine.charge({ amountFen: 900, code: await kit.code('W02') }, 'cashier1');
    await kit.engine.settled(p.orderNo);
    const before = await kit.balance('W02');
    const input = { orderNo: p.orderNo, amountFen: 500, reason: '退货', requestId: id('b') };
    const [r1, r2] = await Promise.all([kit.engine.refund(input, 'cashier1'), kit.engine.refund(input, 'cashier1')]);
    expect(r2.refundNo).toBe(r1.refundNo);
    expect([r1.state, r2.state]).toEqual(['succeeded', 'succeeded']);
    // A third press after the refund went through: the same answer, not "exceeds".
    expect(await kit.engine.refund(input, 'cashier1')).toMatchObject({ refundNo: r1.refundNo, state: 'succeeded' });
    expect(await kit.count('refunds')).toBe(1);
    expect(await kit.balance('W02')).toBe(before + 500);
  });

  it('keeps the answer across a restart (a retry after the app came back)', async () => {
    const first = await kit.engine.cash({ amountFen: 1200, tenderedFen: 2000, requestId: id('c') }, 'cashier1');
    await kit.restartEngine();
    expect(await kit.engine.cash({ amountFen: 1200, tenderedFen: 2000, requestId: id('c') }, 'cashier1')).toEqual(first);
    const credit = await kit.engine.credit({ amountFen: 800, customerName: '李秀兰', requestId: id('d') }, 'cashier1');
    expect((await kit.engine.credit({ amountFen: 800, customerName: '李秀兰', requestId: id('d') }, 'cashier1')).orderNo).toBe(credit.orderNo);
    expect(await kit.count('payments')).toBe(2);
    expect(await kit.db.all("SELECT kind FROM journal WHERE kind IN ('cash.sale','credit.sale') ORDER BY seq")).toHaveLength(2);
  });

  it('refuses the same id with other parameters or for another method, and changes nothing', async () => {
    await kit.engine.cash({ amountFen: 1200, tenderedFen: 2000, requestId: id('e') }, 'cashier1');
    const words = { code: 'request.mismatch', zh: expect.stringContaining('操作编号'), en: expect.stringContaining('request id') };
    await expect(kit.engine.cash({ amountFen: 1300, tenderedFen: 2000, requestId: id('e') }, 'cashier1')).rejects.toMatchObject(words);
    await expect(kit.engine.credit({ amountFen: 1200, customerName: '王', requestId: id('e') }, 'cashier1')).rejects.toMatchObject(words);
    await expect(kit.engine.precreate({ amountFen: 1200, requestId: id('e') }, 'cashier1')).rejects.toMatchObject(words);
    const sale = (await kit.db.get<{ order_no: string }>('SELECT order_no FROM payments'))!.order_no;
    await expect(kit.engine.refund({ orderNo: sale, amountFen: 100, reason: 'x', requestId: id('e') }, 'cashier1')).rejects.toMatchObject(words);
    expect(await kit.count('payments')).toBe(1);
    expect(await kit.count('refunds')).toBe(0);
  });

  it('a refused first try leaves no id behind: the same id may try again', async () => {
    await expect(kit.engine.cash({ amountFen: 1200, tenderedFen: 1000, requestId: id('f') }, 'cashier1')).rejects.toMatchObject({ code: 'cash.short' });
    expect((await kit.engine.cash({ amountFen: 1200, tenderedFen: 1200, requestId: id('f') }, 'cashier1')).state).toBe('succeeded');
  });

  it('is required by every money-moving method of the contract', () => {
    for (const m of ['payments:charge', 'payments:precreate', 'payments:cash', 'payments:credit', 'payments:refund'] as const) {
      const shape = paymentMethods[m].input.shape as Record<string, { isOptional(): boolean }>;
      expect(shape.requestId?.isOptional(), m).toBe(false);
    }
  });
});
