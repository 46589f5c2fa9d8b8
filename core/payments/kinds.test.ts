/**
 * What each history row is — sale, withdrawal, bill — read from where it is recorded: the
 * withdrawal's purpose stored with its order, the offline outbox's purpose, the service point's
 * bill table. Listed, filtered and detailed by kind; only a sale is refundable; rows written
 * before `payments.purpose` existed read correctly after the migrations.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentHistory } from '../agent/history';
import { newWallet } from '../offline/test-kit';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { PaymentEngine } from './engine';
import { openOfflineSide, type OfflineSide } from './test-kit';

let t: OfflineSide;
beforeEach(async () => {
  t = await openOfflineSide((kit) => ({ service: new AgentHistory(kit.db, true), refundApprovalFen: 1_000_000 }));
});
afterEach(() => t.close());

const tick = () => new Promise((r) => setTimeout(r, 3));

/** One of each: a cash sale, a withdrawal's charge (linked as core/agent links it), a bill, an offline cash-out. */
async function oneOfEach() {
  const sale = await t.engine.cash({ amountFen: 1_250, tenderedFen: 2_000 }, 'cashier1');
  await tick();
  const w = await t.engine.settled((await t.engine.charge({ amountFen: 80_000, code: await t.kit.code('W01') }, 'agent1', 'withdrawal')).orderNo);
  await t.kit.db.run(
    `INSERT INTO agent_withdrawals (id, day, customer_key, masked_phone, amount_fen, state, order_no, masked_code, message_zh, message_en, created_at, operator_id)
     VALUES ('WTEST1', '2026-11-28', 'k', '138****1111', 80000, 'paid', ?, ?, 'x', 'x', ?, 'agent1')`,
    [w.orderNo, w.maskedCode, w.createdAt],
  );
  await tick();
  await t.kit.db.run("INSERT INTO agent_billers (id, kind, name_zh, name_en, account_digits, synced_at) VALUES ('water-county', 'water', '县自来水公司', 'County Water Company', 8, 0)");
  await t.kit.db.run(
    `INSERT INTO agent_bills (id, day, biller_id, account, masked_account, amount_fen, state, reference, created_at, operator_id)
     VALUES ('BPTEST00000001', '2026-11-28', 'water-county', '12345678', '**** 5678', 8650, 'queued', NULL, ?, 'agent1')`,
    [Date.now()],
  );
  await tick();
  const wallet = await newWallet(t.acq);
  const cashOut = await t.store.accept({ amountFen: 2_000, code: wallet.nextCode(), operatorId: 'agent1', purpose: 'cash_out' });
  return { sale, withdrawal: w, bill: 'BPTEST00000001', cashOut };
}

describe('history rows by kind', () => {
  it('lists every source with its kind, newest first, and filters by kind', async () => {
    const x = await oneOfEach();
    const all = await t.engine.list({ limit: 50, offset: 0 });
    expect(all.map((p) => [p.orderNo, p.kind])).toEqual([
      [x.cashOut.orderNo, 'withdrawal'],
      [x.bill, 'bill'],
      [x.withdrawal.orderNo, 'withdrawal'],
      [x.sale.orderNo, 'sale'],
    ]);
    expect(all[1]).toMatchObject({ tender: 'cash', state: 'accepted_offline', amountFen: 8650, refundedFen: 0 });
    expect((await t.engine.list({ kind: 'sale', limit: 50, offset: 0 })).map((p) => p.orderNo)).toEqual([x.sale.orderNo]);
    expect((await t.engine.list({ kind: 'withdrawal', limit: 50, offset: 0 })).map((p) => p.orderNo)).toEqual([x.cashOut.orderNo, x.withdrawal.orderNo]);
    expect((await t.engine.list({ kind: 'bill', limit: 50, offset: 0 })).map((p) => p.orderNo)).toEqual([x.bill]);
    // Kind and the other filters together; pages across the three sources neither lose nor repeat.
    expect((await t.engine.list({ kind: 'withdrawal', amountFen: 80_000, limit: 50, offset: 0 })).map((p) => p.orderNo)).toEqual([x.withdrawal.orderNo]);
    expect((await t.engine.list({ text: 'BPTEST', limit: 50, offset: 0 })).map((p) => p.orderNo)).toEqual([x.bill]);
    const paged = [...(await t.engine.list({ limit: 3, offset: 0 })), ...(await t.engine.list({ limit: 3, offset: 3 }))];
    expect(paged.map((p) => p.orderNo)).toEqual(all.map((p) => p.orderNo));
  });

  it('details a withdrawal with the cash handed out, and a bill with its biller', async () => {
    const x = await oneOfEach();
    expect((await t.engine.get(x.withdrawal.orderNo)).service).toEqual({ kind: 'withdrawal', id: 'WTEST1', state: 'paid', cashOutFen: 80_000, maskedPhone: '138****1111' });
    const bill = await t.engine.get(x.bill);
    expect(bill.payment).toMatchObject({ kind: 'bill', orderNo: x.bill });
    expect(bill.service).toMatchObject({ kind: 'bill', billerName: { zh: '县自来水公司' }, maskedAccount: '**** 5678', state: 'queued', provisional: true });
    expect(JSON.stringify(bill)).not.toContain('12345678');
    expect((await t.engine.get(x.sale.orderNo)).service).toBeNull();
    // An offline cash-out has no service-point record behind it.
    expect((await t.engine.get(x.cashOut.orderNo)).service).toBeNull();
  });

  it('refuses to refund a withdrawal, an offline cash-out or a bill as a sale, writing nothing; a sale still refunds', async () => {
    const x = await oneOfEach();
    const refundsBefore = await t.kit.count('refunds');
    const auditBefore = await t.kit.count('audit_log');
    await expect(t.engine.refund({ orderNo: x.withdrawal.orderNo, amountFen: 1_000, reason: '退钱' }, 'agent1')).rejects.toMatchObject({ code: 'refund.withdrawal' });
    await expect(t.engine.refund({ orderNo: x.cashOut.orderNo, amountFen: 1_000, reason: '退钱' }, 'agent1')).rejects.toMatchObject({ code: 'refund.withdrawal' });
    await expect(t.engine.refund({ orderNo: x.bill, amountFen: 1_000, reason: '退钱' }, 'agent1')).rejects.toMatchObject({ code: 'refund.bill' });
    // Refused by the biller: the screen says where the customer's cash goes back instead.
    await t.kit.db.run("UPDATE agent_bills SET state = 'failed' WHERE id = ?", [x.bill]);
    await expect(t.engine.refund({ orderNo: x.bill, amountFen: 1_000, reason: '退钱' }, 'agent1')).rejects.toMatchObject({ code: 'refund.bill_refused', zh: expect.stringContaining('代缴费') });
    expect((await t.engine.get(x.bill)).refundBlock).toMatchObject({ code: 'refund.bill_refused' });
    expect(await t.kit.count('refunds')).toBe(refundsBefore);
    expect(await t.kit.count('audit_log')).toBe(auditBefore);
    expect(await t.engine.refund({ orderNo: x.sale.orderNo, amountFen: 250, reason: '退货' }, 'cashier1')).toMatchObject({ state: 'succeeded' });
  });

  it('reads a withdrawal recorded before payments had a purpose as a withdrawal, and its neighbour as a sale', async () => {
    const db = await Db.open({ filename: path.join(t.kit.dir, 'old-terminal.sqlite') });
    try {
      // A terminal migrated before 102/401, with a linked withdrawal and a sale of the same amount.
      await migrate(db, migrations.filter((m) => m.id !== 102 && m.id !== 401));
      for (const [orderNo, at] of [['T000120261128000001', 1_000], ['T000120261128000002', 2_000]] as const) {
        await db.run(
          `INSERT INTO payments (order_no, terminal_id, kind, tender, amount_fen, state, message_zh, message_en, training, created_at, updated_at)
           VALUES (?, 'T0001', 'code', 'wechat', 50000, 'succeeded', '收款成功', 'Paid', 1, ?, ?)`, [orderNo, at, at]);
      }
      await db.run(
        `INSERT INTO agent_withdrawals (id, day, customer_key, masked_phone, amount_fen, state, order_no, message_zh, message_en, created_at)
         VALUES ('WOLD', '2026-11-28', 'k', '139****2222', 50000, 'paid', 'T000120261128000001', 'x', 'x', 900)`);
      await migrate(db, migrations);
      const old = new PaymentEngine({ db, bus: t.kit.bus, acquirer: t.kit.acquirer, terminalId: 'T0001', training: true, log: () => undefined, service: new AgentHistory(db, true) });
      expect((await old.list({ limit: 10, offset: 0 })).map((p) => [p.orderNo, p.kind])).toEqual([
        ['T000120261128000002', 'sale'],
        ['T000120261128000001', 'withdrawal'],
      ]);
      expect((await old.get('T000120261128000001')).service).toMatchObject({ kind: 'withdrawal', id: 'WOLD', cashOutFen: 50_000 });
      await expect(old.refund({ orderNo: 'T000120261128000001', amountFen: 100, reason: 'x' }, null)).rejects.toMatchObject({ code: 'refund.withdrawal' });
      await old.stop();
    } finally {
      await db.close();
    }
  });
});
