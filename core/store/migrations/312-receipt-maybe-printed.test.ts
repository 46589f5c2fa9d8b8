import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

describe('migration 312: receipts that may already be on paper', () => {
  it('keeps the rows before it as not printed, and takes only 0 or 1', async () => {
    const db = await Db.open({ filename: ':memory:' });
    await migrate(db, migrations.filter((m) => m.id < 312));
    await db.run("INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES ('T000120261128000001', 'sale', 'failed', 0, '2026-11-28', 1, 2)");
    await migrate(db, migrations);
    expect(await db.get('SELECT outcome, maybe_printed FROM receipt_prints')).toEqual({ outcome: 'failed', maybe_printed: 0 });
    await db.run("UPDATE receipt_prints SET maybe_printed = 1");
    await expect(db.run("UPDATE receipt_prints SET maybe_printed = 2")).rejects.toThrow(/CHECK/);
    await db.close();
  });
});
