import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const claim = (db: Db, key: string, kind: string) =>
  db.run("INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, ?, 'claimed', 0, '2026-11-28', 1, 1) ON CONFLICT(order_no) DO NOTHING", [key, kind]);

describe('migration 311: bill and cash-returned receipts', () => {
  it('keeps the receipts recorded before it, and claims a bill’s receipts once each', async () => {
    const db = await Db.open({ filename: ':memory:' });
    await migrate(db, migrations.filter((m) => m.id < 311));
    await db.run("INSERT INTO receipt_prints (order_no, kind, outcome, description, copies, day, created_at, updated_at) VALUES ('T000120261128000001', 'sale', 'failed', '{}', 0, '2026-11-28', 1, 2)");
    await migrate(db, migrations);
    expect(await db.get('SELECT order_no, kind, outcome, description FROM receipt_prints')).toEqual({
      order_no: 'T000120261128000001', kind: 'sale', outcome: 'failed', description: '{}',
    });
    expect((await claim(db, 'bill:BP1', 'bill')).changes).toBe(1);
    expect((await claim(db, 'bill:BP1', 'bill')).changes).toBe(0);
    expect((await claim(db, 'bill_return:BP1', 'bill_return')).changes).toBe(1);
    await expect(claim(db, 'remit:R1', 'remit')).rejects.toThrow(/CHECK/);
    // The index of unprinted receipts is back.
    expect(await db.get("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'receipt_prints_failed'")).toEqual({ name: 'receipt_prints_failed' });
    await db.close();
  });
});
