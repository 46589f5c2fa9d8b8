/**
 * Forward-only migrations from every shipped schema version: a database left at any prefix of
 * the list (an older app's last migration) migrates to head and ends with exactly the schema a
 * fresh database gets, whole and with its foreign keys intact; a file from a newer app is refused.
 */
import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { quickCheck } from '../integrity';
import { migrate } from '../migrate';
import { migrations } from './index';

const ordered = [...migrations].sort((a, b) => a.id - b.id);

async function schema(db: Db): Promise<unknown[]> {
  return db.all("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
}

describe('migrations from every shipped version', () => {
  it('brings a database at each earlier version to head, with the same schema as a fresh one', async () => {
    const fresh = await Db.open({ filename: ':memory:' });
    await migrate(fresh, migrations);
    const head = await schema(fresh);
    await fresh.close();

    for (let k = 0; k <= ordered.length; k++) {
      const db = await Db.open({ filename: ':memory:' });
      try {
        expect(await migrate(db, ordered.slice(0, k))).toEqual(ordered.slice(0, k).map((m) => m.id));
        expect(await migrate(db, migrations), `from version ${ordered[k - 1]?.id ?? 'empty'}`).toEqual(ordered.slice(k).map((m) => m.id));
        expect(await schema(db), `from version ${ordered[k - 1]?.id ?? 'empty'}`).toEqual(head);
        expect((await quickCheck(db)).ok).toBe(true);
        expect(await db.all('PRAGMA foreign_key_check')).toEqual([]);
        // Running again changes nothing.
        expect(await migrate(db, migrations)).toEqual([]);
      } finally {
        await db.close();
      }
    }
  });

  it('refuses a file a newer app migrated, changing nothing', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations);
      await db.run("INSERT INTO schema_migrations (id, name, applied_at) VALUES (9999, 'from-the-future', 0)");
      const before = await schema(db);
      await expect(migrate(db, migrations)).rejects.toMatchObject({ code: 'store.newer_schema', detail: { migrations: [9999] } });
      expect(await schema(db)).toEqual(before);
    } finally {
      await db.close();
    }
  });
});
