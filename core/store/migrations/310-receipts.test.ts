import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

async function fresh(): Promise<Db> {
  const db = await Db.open({ filename: ':memory:' });
  await migrate(db, migrations);
  return db;
}

const claim = (db: Db, orderNo: string, outcome = 'claimed') =>
  db.run("INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, 'sale', ?, 0, '2026-11-28', 1, 1) ON CONFLICT(order_no) DO NOTHING", [orderNo, outcome]);

describe('migration 310: receipts', () => {
  it('lets an order be claimed once: the second claim changes nothing', async () => {
    const db = await fresh();
    expect((await claim(db, 'T000120261128000001')).changes).toBe(1);
    expect((await claim(db, 'T000120261128000001', 'qr_only')).changes).toBe(0);
    expect(await db.get('SELECT outcome FROM receipt_prints')).toEqual({ outcome: 'claimed' });
    await db.close();
  });

  it('refuses unknown outcomes and negative counters', async () => {
    const db = await fresh();
    await expect(claim(db, 'T000120261128000002', 'paid')).rejects.toThrow(/CHECK/);
    await expect(db.run("INSERT INTO receipt_days (day, paper_saved) VALUES ('2026-11-28', -1)")).rejects.toThrow(/CHECK/);
    await db.close();
  });
});
