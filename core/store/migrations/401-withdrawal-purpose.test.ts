import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const payment = (db: Db, orderNo: string, amountFen: number) =>
  db.run(
    `INSERT INTO payments (order_no, terminal_id, kind, tender, amount_fen, state, message_zh, message_en, training, created_at, updated_at)
     VALUES (?, 'T0001', 'code', 'wechat', ?, 'succeeded', 'x', 'x', 1, 0, 0)`,
    [orderNo, amountFen],
  );
const withdrawal = (db: Db, id: string, orderNo: string | null, state: string) =>
  db.run(
    `INSERT INTO agent_withdrawals (id, day, customer_key, masked_phone, amount_fen, state, order_no, message_zh, message_en, created_at)
     VALUES (?, '2026-11-28', 'k', '138****1111', 80000, ?, ?, 'x', 'x', 0)`,
    [id, state, orderNo],
  );

describe('migration 401: existing withdrawal charges', () => {
  it('marks exactly the payments a withdrawal was linked to; a same-amount sale stays a sale', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      // A terminal as it was before: withdrawals linked to their charges, and sales beside them.
      await migrate(db, migrations.filter((m) => m.id !== 102 && m.id !== 401));
      await payment(db, 'T000120261128000001', 80000); // withdrawal W1's charge
      await payment(db, 'T000120261128000002', 80000); // a sale of the same amount
      await payment(db, 'T000120261128000003', 1000); // withdrawal W3's charge, which failed
      await withdrawal(db, 'W1', 'T000120261128000001', 'paid');
      await withdrawal(db, 'W2', null, 'charging'); // never linked: left alone, not guessed
      await withdrawal(db, 'W3', 'T000120261128000003', 'failed');
      expect(await migrate(db, migrations)).toEqual([102, 401]);
      expect(await db.all('SELECT order_no, purpose FROM payments ORDER BY order_no')).toEqual([
        { order_no: 'T000120261128000001', purpose: 'withdrawal' },
        { order_no: 'T000120261128000002', purpose: 'sale' },
        { order_no: 'T000120261128000003', purpose: 'withdrawal' },
      ]);
    } finally {
      await db.close();
    }
  });
});
