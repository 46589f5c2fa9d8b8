import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

describe('migration 121: reconciliation items carried to the next day', () => {
  it('adds the table on a database that had reconciliations, keeping them', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id !== 121));
      await db.run("INSERT INTO reconcile_runs (day, ran_at, trigger, matched, local_total_fen, acquirer_total_fen) VALUES ('2026-12-05', 1, 'daily', 3, 300, 300)");
      expect(await migrate(db, migrations)).toEqual([121]);
      expect(await db.get('SELECT matched FROM reconcile_runs')).toEqual({ matched: 3 });
      await db.run("INSERT INTO reconcile_carry (from_day, to_day, kind, ref) VALUES ('2026-12-05', '2026-12-06', 'payment', 'ORDER0001')");
      await expect(db.run("INSERT INTO reconcile_carry (from_day, to_day, kind, ref) VALUES ('2026-12-05', '2026-12-06', 'payment', 'ORDER0001')")).rejects.toThrow(/UNIQUE/);
      await expect(db.run("INSERT INTO reconcile_carry (from_day, to_day, kind, ref) VALUES ('2026-12-05', '2026-12-06', 'bill', 'B1')")).rejects.toThrow(/CHECK/);
    } finally {
      await db.close();
    }
  });
});
