import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyJournal } from '../ledger/journal';
import { openKitWithOperators, type Kit } from './test-kit';

let kit: Kit;

beforeEach(async () => {
  ({ kit } = await openKitWithOperators({ refundApprovalFen: 1000 }));
});
afterEach(async () => {
  await kit.close();
});

async function paid(amountFen: number, wallet = 'W01') {
  const p = await kit.engine.charge({ amountFen, code: await kit.code(wallet) }, 'cashier1');
  const done = await kit.engine.settled(p.orderNo);
  expect(done.state).toBe('succeeded');
  return done;
}

describe('refunds', () => {
  it('partial then full: each with its own refund number, money back to the wallet', async () => {
    const p = await paid(900);
    const before = await kit.balance('W01');
    const r1 = await kit.engine.refund({ orderNo: p.orderNo, amountFen: 300, reason: '退货' }, 'cashier1');
    const r2 = await kit.engine.refund({ orderNo: p.orderNo, amountFen: 600, reason: '退货' }, 'cashier1');
    expect([r1.state, r2.state]).toEqual(['succeeded', 'succeeded']);
    expect(r1.refundNo).toBe(`${p.orderNo}R01`);
    expect(r2.refundNo).toBe(`${p.orderNo}R02`);
    expect(await kit.balance('W01')).toBe(before + 900);
    const got = await kit.engine.get(p.orderNo);
    expect(got.payment.refundedFen).toBe(900);
    expect(got.refunds).toHaveLength(2);
    const j = await kit.db.all<{ kind: string; amount_fen: number }>('SELECT kind, amount_fen FROM journal ORDER BY seq');
    expect(j.map((r) => r.amount_fen)).toEqual([900, -300, -600]);
    expect((await verifyJournal(kit.db)).ok).toBe(true);
  });

  it('never refunds more than was paid, and writes nothing when refused', async () => {
    const p = await paid(500);
    await kit.engine.refund({ orderNo: p.orderNo, amountFen: 400, reason: 'x' }, 'cashier1');
    const rows = await kit.count('refunds');
    const audits = await kit.count('audit_log');
    await expect(kit.engine.refund({ orderNo: p.orderNo, amountFen: 101, reason: 'x' }, 'cashier1')).rejects.toMatchObject({
      code: 'refund.exceeds',
      detail: { leftFen: 100 },
    });
    expect(await kit.count('refunds')).toBe(rows);
    expect(await kit.count('audit_log')).toBe(audits);
  });

  it('two refunds racing for the same money: only one fits', async () => {
    const p = await paid(500);
    const results = await Promise.allSettled([
      kit.engine.refund({ orderNo: p.orderNo, amountFen: 300, reason: 'a' }, 'cashier1'),
      kit.engine.refund({ orderNo: p.orderNo, amountFen: 300, reason: 'b' }, 'cashier1'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await kit.engine.get(p.orderNo)).payment.refundedFen).toBe(300);
  });

  it('is idempotent on retry: a lost refund answer is re-sent with the same number and refunds once', async () => {
    const p = await paid(800);
    const before = await kit.balance('W01');
    await kit.control.setFaults([{ kind: 'drop_response_after_commit', op: 'refund' }]);
    const r = await kit.engine.refund({ orderNo: p.orderNo, amountFen: 800, reason: 'x' }, 'cashier1');
    expect(r.state).toBe('succeeded');
    expect(await kit.balance('W01')).toBe(before + 800);
    const credits = (await kit.control.orders()).ledger.filter((l) => l.kind === 'refund');
    expect(credits).toHaveLength(1);
  });

  it('a refund the acquirer cannot be reached for stays pending and the sweeper finishes it', async () => {
    const p = await paid(800);
    await kit.control.setFaults([{ kind: 'http_500', op: 'refund', times: 3 }]);
    const r = await kit.engine.refund({ orderNo: p.orderNo, amountFen: 200, reason: 'x' }, 'cashier1');
    expect(r.state).toBe('pending');
    // The pending refund still holds its amount: no over-refund while it is in doubt.
    await expect(kit.engine.refund({ orderNo: p.orderNo, amountFen: 700, reason: 'x' }, 'cashier1')).rejects.toMatchObject({ code: 'refund.exceeds' });
    await kit.engine.recover();
    expect((await kit.engine.get(p.orderNo)).refunds[0].state).toBe('succeeded');
  });

  it('above the threshold needs a supervisor: refused without, audited with both operators', async () => {
    const p = await paid(5000, 'W02');
    await expect(kit.engine.refund({ orderNo: p.orderNo, amountFen: 2000, reason: 'x' }, 'cashier1')).rejects.toMatchObject({ code: 'auth.approval_required' });
    await expect(
      kit.engine.refund({ orderNo: p.orderNo, amountFen: 2000, reason: 'x', approverId: 'cashier1', approverPin: '1111' }, 'cashier1'),
    ).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    expect(await kit.count('refunds')).toBe(0);
    const r = await kit.engine.refund({ orderNo: p.orderNo, amountFen: 2000, reason: 'x', approverId: 'super1', approverPin: '2222' }, 'cashier1');
    expect(r).toMatchObject({ state: 'succeeded', operatorId: 'cashier1', approverId: 'super1' });
    const a = await kit.db.get<{ operator_id: string; approver_id: string; detail: string }>("SELECT * FROM audit_log WHERE action = 'payment.refund'");
    expect(a).toMatchObject({ operator_id: 'cashier1', approver_id: 'super1' });
    expect(JSON.parse(a!.detail)).toMatchObject({ orderNo: p.orderNo, amountFen: 2000 });
  });

  it('refuses refunds of a payment that did not succeed', async () => {
    const p = await kit.engine.settled((await kit.engine.charge({ amountFen: 9999, code: await kit.code('W06') }, null)).orderNo);
    expect(p.state).toBe('failed');
    await expect(kit.engine.refund({ orderNo: p.orderNo, amountFen: 1, reason: 'x' }, null)).rejects.toMatchObject({ code: 'refund.not_refundable' });
  });

  it('refunds a cash sale locally', async () => {
    const p = await kit.engine.cash({ amountFen: 500, tenderedFen: 500 }, null);
    const r = await kit.engine.refund({ orderNo: p.orderNo, amountFen: 500, reason: 'x' }, null);
    expect(r.state).toBe('succeeded');
  });
});
