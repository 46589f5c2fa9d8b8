/**
 * Issue 11, defect 5: the supervisor's approval cannot be bypassed by splitting a refund. The
 * threshold applies to the sale's cumulative refunds, and an operator's unsupervised refunds
 * of the day have a total of their own (both settings under dual control, core/settings).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKitWithOperators, type Kit } from './test-kit';

let kit: Kit;

beforeEach(async () => {
  ({ kit } = await openKitWithOperators({ refundApprovalFen: 1000, refundDailyApprovalFen: 2500 }));
});
afterEach(async () => {
  await kit.close();
});

async function paid(amountFen: number, wallet = 'W01') {
  const p = await kit.engine.charge({ amountFen, code: await kit.code(wallet) }, 'cashier1');
  expect((await kit.engine.settled(p.orderNo)).state).toBe('succeeded');
  return p.orderNo;
}

describe('refund approval', () => {
  it('answers before the refund whether the typed amount needs a supervisor, by the same rule the refund applies', async () => {
    const sales = [await paid(1250), await paid(900, 'W02'), await paid(900, 'W03')];
    // Under the sale's threshold: no approval; above it: the very refusal the refund would give.
    expect(await kit.engine.refundApproval(sales[0], 1000, 'cashier1')).toEqual({ needed: false, why: null });
    const above = await kit.engine.refundApproval(sales[0], 1001, 'cashier1');
    expect(above).toMatchObject({ needed: true, why: { code: 'auth.approval_required', detail: { scope: 'sale', totalFen: 1001, thresholdFen: 1000 } } });
    await expect(kit.engine.refund({ orderNo: sales[0], amountFen: 1001, reason: 'x' }, 'cashier1')).rejects.toMatchObject({ code: 'auth.approval_required', zh: above.why!.zh });
    // The operator's day: ¥18.00 refunded unsupervised, ¥9.00 more passes ¥25.00 for cashier1 only.
    await kit.engine.refund({ orderNo: sales[1], amountFen: 900, reason: 'x' }, 'cashier1');
    await kit.engine.refund({ orderNo: sales[0], amountFen: 900, reason: 'x' }, 'cashier1');
    expect(await kit.engine.refundApproval(sales[2], 900, 'cashier1')).toMatchObject({ needed: true, why: { detail: { scope: 'operator_day', totalFen: 2700 } } });
    expect(await kit.engine.refundApproval(sales[2], 700, 'cashier1')).toEqual({ needed: false, why: null });
    expect(await kit.engine.refundApproval(sales[2], 900, 'cashier2')).toEqual({ needed: false, why: null });
    // A settings change moves the answer at once (one source of the rule).
    kit.engine.refundDailyApprovalFen = 10_000;
    expect(await kit.engine.refundApproval(sales[2], 900, 'cashier1')).toEqual({ needed: false, why: null });
    // Asking writes nothing.
    expect(await kit.count('refunds')).toBe(2);
  });

  it('asks for a supervisor when small refunds of one sale add up past the threshold', async () => {
    const orderNo = await paid(1250);
    for (let i = 0; i < 4; i += 1) {
      expect((await kit.engine.refund({ orderNo, amountFen: 250, reason: '拆分' }, 'cashier1')).state).toBe('succeeded');
    }
    // The fifth would bring the sale's refunds to ¥12.50, above ¥10.00: the whole sale back unsupervised.
    const refused = kit.engine.refund({ orderNo, amountFen: 250, reason: '拆分' }, 'cashier1');
    await expect(refused).rejects.toMatchObject({ code: 'auth.approval_required', detail: { scope: 'sale', totalFen: 1250, thresholdFen: 1000 } });
    const e = (await refused.catch((x: unknown) => x)) as { zh: string; en: string };
    expect(e.zh).toContain('累计退款');
    expect(e.en).toContain('Refunds of this sale');
    expect(await kit.count('refunds')).toBe(4);
    const r = await kit.engine.refund({ orderNo, amountFen: 250, reason: '拆分', approverId: 'super1', approverPin: '2222' }, 'cashier1');
    expect(r).toMatchObject({ state: 'succeeded', approverId: 'super1' });
  });

  it("asks for a supervisor when an operator's unsupervised refunds of the day pass the daily total", async () => {
    const sales = [await paid(900), await paid(900, 'W02'), await paid(900, 'W03')];
    await kit.engine.refund({ orderNo: sales[0], amountFen: 900, reason: 'x' }, 'cashier1');
    await kit.engine.refund({ orderNo: sales[1], amountFen: 900, reason: 'x' }, 'cashier1');
    // ¥18.00 so far; ¥9.00 more passes ¥25.00 for the day, though each sale stays under ¥10.00.
    await expect(kit.engine.refund({ orderNo: sales[2], amountFen: 900, reason: 'x' }, 'cashier1')).rejects.toMatchObject({
      code: 'auth.approval_required', detail: { scope: 'operator_day', totalFen: 2700, thresholdFen: 2500 },
    });
    // Another operator's day is their own.
    expect((await kit.engine.refund({ orderNo: sales[2], amountFen: 500, reason: 'x' }, 'cashier2')).state).toBe('succeeded');
    // An approved refund does not count towards the unsupervised total.
    await kit.engine.refund({ orderNo: sales[2], amountFen: 400, reason: 'x', approverId: 'super1', approverPin: '2222' }, 'cashier1');
    expect(await kit.count('refunds')).toBe(4);
  });

  it('checks the thresholds again in the writing transaction, so refunds side by side cannot slip under them', async () => {
    const orderNo = await paid(1200);
    const both = await Promise.allSettled([
      kit.engine.refund({ orderNo, amountFen: 600, reason: 'a' }, 'cashier1'),
      kit.engine.refund({ orderNo, amountFen: 600, reason: 'b' }, 'cashier1'),
    ]);
    expect(both.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await kit.count('refunds')).toBe(1);
  });
});
