import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

describe('migration 010: closed days', () => {
  it('applies on a database of an older version and keeps each closed day once, numbered and immutable', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id !== 10));
      expect(await migrate(db, migrations)).toEqual([10]);
      const add = (day: string) => db.run("INSERT INTO z_closings (day, closed_at, closed_by, report_json, hash) VALUES (?, 1, 'super1', '{}', ?)", [day, 'a'.repeat(64)]);
      expect((await add('2026-12-01')).lastID).toBe(1);
      expect((await add('2026-12-02')).lastID).toBe(2);
      await expect(add('2026-12-01')).rejects.toThrow(/UNIQUE/);
      await expect(db.run("UPDATE z_closings SET report_json = '{\"totalFen\":1}' WHERE number = 1")).rejects.toThrow(/immutable/);
      await expect(db.run('DELETE FROM z_closings')).rejects.toThrow(/immutable/);
      await expect(db.run("INSERT INTO z_closings (day, closed_at, closed_by, report_json, hash) VALUES ('yesterday', 1, 's', '{}', ?)", ['a'.repeat(64)])).rejects.toThrow(/CHECK/);
    } finally {
      await db.close();
    }
  });
});
