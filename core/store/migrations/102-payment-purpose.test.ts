import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const insertPayment = (db: Db, orderNo: string, extra: { purpose?: string } = {}) =>
  db.run(
    `INSERT INTO payments (order_no, terminal_id, kind, tender, amount_fen, state, message_zh, message_en, training, created_at, updated_at${extra.purpose ? ', purpose' : ''})
     VALUES (?, 'T0001', 'code', 'wechat', 1000, 'succeeded', 'x', 'x', 1, 0, 0${extra.purpose ? ', ?' : ''})`,
    extra.purpose ? [orderNo, extra.purpose] : [orderNo],
  );

describe('migration 102: payments.purpose', () => {
  it('reads payments written before it as sales, and refuses an unknown purpose', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id < 102));
      await insertPayment(db, 'T000120261128000001');
      expect(await migrate(db, migrations)).toContain(102);
      expect(await db.get('SELECT purpose FROM payments')).toEqual({ purpose: 'sale' });
      await insertPayment(db, 'T000120261128000002', { purpose: 'withdrawal' });
      await expect(insertPayment(db, 'T000120261128000003', { purpose: 'bill' })).rejects.toThrow(/CHECK/);
      expect(await db.all('SELECT order_no, purpose FROM payments ORDER BY order_no')).toEqual([
        { order_no: 'T000120261128000001', purpose: 'sale' },
        { order_no: 'T000120261128000002', purpose: 'withdrawal' },
      ]);
    } finally {
      await db.close();
    }
  });
});
