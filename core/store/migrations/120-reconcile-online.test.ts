import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const line = (db: Db, ref: string, action: string) =>
  db.run(
    `INSERT INTO reconcile_lines (day, kind, ref, order_no, outcome, local_fen, acquirer_fen, local_state, acquirer_state, action)
     VALUES ('2026-12-05', 'payment', ?, ?, 'missing_locally', NULL, 777, NULL, 'paid', ?)`,
    [ref, ref, action],
  );

describe('migration 120: reconciliation of online payments', () => {
  it('adds the runs and lines on a database that had none, keeping what was there', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id !== 120));
      await db.run(`INSERT INTO payments (order_no, terminal_id, kind, tender, amount_fen, state, message_zh, message_en, training, created_at, updated_at)
        VALUES ('ORDER0001', 'T0001', 'code', 'wechat', 100, 'failed', 'x', 'x', 1, 0, 0)`);
      expect(await migrate(db, migrations)).toEqual([120]);
      expect(await db.get('SELECT state FROM payments')).toEqual({ state: 'failed' });
      await db.run("INSERT INTO reconcile_runs (day, ran_at, trigger, matched, local_total_fen, acquirer_total_fen) VALUES ('2026-12-05', 1, 'daily', 0, 0, 777)");
      await expect(db.run("INSERT INTO reconcile_runs (day, ran_at, trigger, matched, local_total_fen, acquirer_total_fen) VALUES ('2026-12-06', 1, 'sometimes', 0, 0, 0)")).rejects.toThrow(/CHECK/);
      await expect(line(db, 'RCX00001', 'ignored')).rejects.toThrow(/CHECK/);
    } finally {
      await db.close();
    }
  });

  it('keeps a supervisor’s resolution final and a corrected line for good; unresolved lines may be replaced', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations);
      await line(db, 'RCWAIT001', 'supervisor');
      await line(db, 'RCFIX0001', 'corrected');
      await line(db, 'RCDONE001', 'supervisor');
      await db.run("UPDATE reconcile_lines SET resolved_by = 'sup1', resolved_at = 1, resolution = '已核实' WHERE ref = 'RCDONE001'");
      await expect(db.run("UPDATE reconcile_lines SET resolution = '改过' WHERE ref = 'RCDONE001'")).rejects.toThrow(/final/);
      await expect(db.run("DELETE FROM reconcile_lines WHERE ref = 'RCDONE001'")).rejects.toThrow(/kept/);
      await expect(db.run("DELETE FROM reconcile_lines WHERE ref = 'RCFIX0001'")).rejects.toThrow(/kept/);
      expect((await db.run("DELETE FROM reconcile_lines WHERE ref = 'RCWAIT001'")).changes).toBe(1);
      await expect(db.run("UPDATE reconcile_lines SET resolved_by = 'sup1', resolved_at = 1, resolution = 'x' WHERE ref = 'RCFIX0001'")).rejects.toThrow(/CHECK/);
    } finally {
      await db.close();
    }
  });
});
