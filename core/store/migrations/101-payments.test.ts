import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { m001Operators } from './001-operators';
import { m002Journal } from './002-journal';
import { m101Payments } from './101-payments';

describe('migration 101: payments, refunds and order sequence', () => {
  it('creates the tables and enforces integer fen and the refund ceiling', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      expect(await migrate(db, [m001Operators, m002Journal, m101Payments])).toEqual([1, 2, 101]);
      const tables = (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type='table'")).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['payments', 'refunds', 'order_sequence']));
      const insert = (amount: number, refunded = 0, state = 'created') =>
        db.run(
          `INSERT INTO payments (order_no, terminal_id, kind, tender, amount_fen, state, message_zh, message_en, refunded_fen, training, created_at, updated_at)
           VALUES (?, 'T0001', 'code', 'wechat', ?, ?, 'x', 'x', ?, 1, 0, 0)`,
          [`T0001${Math.random().toString().slice(2, 12)}`, amount, state, refunded],
        );
      await insert(100);
      await expect(insert(0)).rejects.toThrow(/CHECK/);
      await expect(insert(-5)).rejects.toThrow(/CHECK/);
      await expect(insert(1.5)).rejects.toThrow(/CHECK/);
      await expect(insert(100, 101)).rejects.toThrow(/CHECK/);
      await expect(insert(100, 0, 'bogus')).rejects.toThrow(/CHECK/);
      // Running again applies nothing.
      expect(await migrate(db, [m001Operators, m002Journal, m101Payments])).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
