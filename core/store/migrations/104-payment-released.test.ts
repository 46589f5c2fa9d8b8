import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const insert = (db: Db, orderNo: string, releasedAt?: number) =>
  db.run(
    `INSERT INTO payments (order_no, terminal_id, kind, tender, amount_fen, state, message_zh, message_en, training, created_at, updated_at${releasedAt === undefined ? '' : ', released_at'})
     VALUES (?, 'T0001', 'code', 'wechat', 1000, 'cancelling', 'x', 'x', 1, 1000, 1000${releasedAt === undefined ? '' : ', ?'})`,
    releasedAt === undefined ? [orderNo] : [orderNo, releasedAt],
  );

describe('migration 104: payments.released_at', () => {
  it('leaves rows written before it unreleased, and refuses a release before the payment', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id < 104));
      await insert(db, 'T000120261128000001');
      expect(await migrate(db, migrations)).toContain(104);
      expect(await db.get('SELECT released_at FROM payments')).toEqual({ released_at: null });
      await insert(db, 'T000120261128000002', 61_000);
      await expect(insert(db, 'T000120261128000003', 999)).rejects.toThrow(/CHECK/);
    } finally {
      await db.close();
    }
  });
});
