import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const item = (n: number, status: string) => ({
  order_no: `OFX${n}`, wallet_id: 'W1', counter: n, code_time: 1, amount_fen: 100, purpose: 'sale', code: null, masked: 'OC1 **** 0001',
  status, flags: '[]', contact: null, accepted_at: 1000 + n, day: '2026-11-28', updated_at: 1000 + n, operator_id: null, training: 1,
});

async function insert(db: Db, row: Record<string, unknown>) {
  const keys = Object.keys(row);
  await db.run(`INSERT INTO offline_items (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`, Object.values(row) as never);
}

describe('migration 202: supervisor review of offline items', () => {
  it('keeps existing items unreviewed, never lets a final status go, and keeps a released review final', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id < 202));
      await insert(db, item(1, 'needs_review'));
      await insert(db, item(2, 'accepted'));
      await insert(db, item(3, 'pending'));
      expect(await migrate(db, migrations)).toContain(202);
      expect(await db.all('SELECT order_no, status, review FROM offline_items ORDER BY seq')).toEqual([
        { order_no: 'OFX1', status: 'needs_review', review: null },
        { order_no: 'OFX2', status: 'accepted', review: null },
        { order_no: 'OFX3', status: 'pending', review: null },
      ]);
      // A final status is never left; a pending one still moves.
      await expect(db.run("UPDATE offline_items SET status = 'pending' WHERE order_no = 'OFX1'")).rejects.toThrow(/final status/);
      await expect(db.run("UPDATE offline_items SET status = 'declined' WHERE order_no = 'OFX2'")).rejects.toThrow(/final status/);
      await db.run("UPDATE offline_items SET status = 'sending' WHERE order_no = 'OFX3'");
      // Only a needs_review item is reviewed; held may be released; released is final; never erased.
      await expect(db.run("UPDATE offline_items SET review = 'held' WHERE order_no = 'OFX2'")).rejects.toThrow(/review refused/);
      await expect(db.run("UPDATE offline_items SET review = 'later' WHERE order_no = 'OFX1'")).rejects.toThrow(/CHECK/);
      await db.run("UPDATE offline_items SET review = 'held' WHERE order_no = 'OFX1'");
      await expect(db.run("UPDATE offline_items SET review = NULL WHERE order_no = 'OFX1'")).rejects.toThrow(/review refused/);
      await db.run("UPDATE offline_items SET review = 'released' WHERE order_no = 'OFX1'");
      await expect(db.run("UPDATE offline_items SET review = 'held' WHERE order_no = 'OFX1'")).rejects.toThrow(/review refused/);
      expect(await db.get("SELECT status, review FROM offline_items WHERE order_no = 'OFX1'")).toEqual({ status: 'needs_review', review: 'released' });
    } finally {
      await db.close();
    }
  });
});
