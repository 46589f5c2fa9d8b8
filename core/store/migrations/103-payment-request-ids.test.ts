import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

describe('migration 103: request ids of payments and refunds', () => {
  it('keeps one row per request id, naming exactly one payment or refund, never changed', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id < 103));
      expect(await migrate(db, migrations)).toContain(103);
      const add = (id: string, orderNo: string | null, refundNo: string | null) =>
        db.run('INSERT INTO payment_requests (request_id, method, request_hash, order_no, refund_no, created_at) VALUES (?, ?, ?, ?, ?, 0)',
          [id, 'payments:cash', 'h', orderNo, refundNo]);
      await add('a'.repeat(32), 'T000120261128000001', null);
      await add('b'.repeat(32), null, 'T000120261128000001R01');
      await expect(add('a'.repeat(32), 'T000120261128000002', null)).rejects.toThrow(/UNIQUE/);
      await expect(add('c'.repeat(32), 'T000120261128000001', null)).rejects.toThrow(/UNIQUE/);
      await expect(add('d'.repeat(32), null, null)).rejects.toThrow(/CHECK/);
      await expect(add('e'.repeat(32), 'T000120261128000003', 'T000120261128000003R01')).rejects.toThrow(/CHECK/);
      await expect(add('short', 'T000120261128000004', null)).rejects.toThrow(/CHECK/);
      await expect(db.run("UPDATE payment_requests SET request_hash = 'x'")).rejects.toThrow(/never changed/);
      // The refunds table (rebuilt by migration 210 after this one) is untouched.
      expect(await db.get("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'refunds'")).toEqual({ n: 1 });
    } finally {
      await db.close();
    }
  });
});
