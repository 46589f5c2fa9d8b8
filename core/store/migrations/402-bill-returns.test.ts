import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const bill = (db: Db, id: string, state: string) =>
  db.run(
    `INSERT INTO agent_bills (id, day, biller_id, account, masked_account, amount_fen, state, created_at)
     VALUES (?, '2026-11-28', 'power-grid', '3300112233', '**** 2233', 8650, ?, 0)`,
    [id, state],
  );

describe('migration 402: refused bills and their cash returned', () => {
  it('keeps every float movement with its number, allows a bill_return, and numbers new movements after the old ones', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id !== 402));
      await db.run("INSERT INTO agent_float_days (day, opening_fen, opened_at) VALUES ('2026-11-28', 100000, 0)");
      for (const [kind, fen] of [['open', 100_000], ['bill', 8_650], ['out', -500]] as const) {
        await db.run("INSERT INTO agent_float_moves (day, at, kind, amount_fen, reason) VALUES ('2026-11-28', 0, ?, ?, 'x')", [kind, fen]);
      }
      await db.run("DELETE FROM agent_float_moves WHERE kind = 'out'"); // a gap: the sequence must not reuse it
      await expect(db.run("INSERT INTO agent_float_moves (day, at, kind, amount_fen, reason) VALUES ('2026-11-28', 0, 'bill_return', -8650, 'x')")).rejects.toThrow(/CHECK/);
      await bill(db, 'BP1', 'failed');

      expect(await migrate(db, migrations)).toEqual([402]);
      expect(await db.all('SELECT seq, kind, amount_fen FROM agent_float_moves ORDER BY seq')).toEqual([
        { seq: 1, kind: 'open', amount_fen: 100_000 },
        { seq: 2, kind: 'bill', amount_fen: 8_650 },
      ]);
      const r = await db.run("INSERT INTO agent_float_moves (day, at, kind, amount_fen, reason) VALUES ('2026-11-28', 0, 'bill_return', -8650, 'bill return BP1')");
      expect(r.lastID).toBe(4);
      await expect(db.run("INSERT INTO agent_float_moves (day, at, kind, amount_fen, reason) VALUES ('2026-11-28', 0, 'gift', 1, 'x')")).rejects.toThrow(/CHECK/);
      expect(await db.get('SELECT refusal_code, returned_at, returned_by FROM agent_bills WHERE id = ?', ['BP1'])).toEqual({ refusal_code: null, returned_at: null, returned_by: null });
    } finally {
      await db.close();
    }
  });

  it('returns a refused bill’s cash once and never erases it; a bill that was not refused has none to return; final states stay', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations);
      await bill(db, 'BPF', 'failed');
      await bill(db, 'BPP', 'paid');
      await bill(db, 'BPQ', 'queued');
      await db.run("UPDATE agent_bills SET returned_at = 5, returned_by = 'agent1' WHERE id = 'BPF'");
      await expect(db.run("UPDATE agent_bills SET returned_at = 6 WHERE id = 'BPF'")).rejects.toThrow(/returned once/);
      await expect(db.run("UPDATE agent_bills SET returned_at = NULL WHERE id = 'BPF'")).rejects.toThrow(/returned once/);
      await expect(db.run("UPDATE agent_bills SET returned_at = 5 WHERE id = 'BPP'")).rejects.toThrow(/refused bill only/);
      await expect(db.run("UPDATE agent_bills SET returned_at = 5 WHERE id = 'BPQ'")).rejects.toThrow(/refused bill only/);
      await expect(db.run("UPDATE agent_bills SET state = 'queued' WHERE id = 'BPF'")).rejects.toThrow(/final state/);
      await expect(db.run("UPDATE agent_bills SET state = 'failed' WHERE id = 'BPP'")).rejects.toThrow(/final state/);
      await db.run("UPDATE agent_bills SET state = 'paid' WHERE id = 'BPQ'");
      expect(await db.all('SELECT id, state, returned_at FROM agent_bills ORDER BY id')).toEqual([
        { id: 'BPF', state: 'failed', returned_at: 5 },
        { id: 'BPP', state: 'paid', returned_at: null },
        { id: 'BPQ', state: 'paid', returned_at: null },
      ]);
    } finally {
      await db.close();
    }
  });
});
