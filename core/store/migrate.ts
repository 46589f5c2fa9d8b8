/**
 * Versioned schema migrations. Each migration runs in its own transaction together with the
 * row that records it, so a crash mid-migration leaves the schema at the previous version.
 *
 * Numbering by area keeps parallel work from colliding: 1–99 foundation, 100–199 payments,
 * 200–299 store-and-forward and risk, 300–399 devices, 400–499 cashier/agent screens,
 * 500–599 demo and training. Ids only ever increase; a shipped migration is never edited.
 */
import { AppError } from '../api/errors';
import type { Db, Queryable } from './db';

export const MigrateErrors = {
  newer: (ids: number[]) =>
    new AppError('store.newer_schema', '数据文件来自更新版本的收银软件，本版本不能打开它。请安装更新版本，或联系技术支持。',
      'The data file comes from a newer version of the cashier app; this version cannot open it. Install the newer version or call support.',
      { migrations: ids.slice(0, 10) }),
};

export interface Migration {
  id: number;
  name: string;
  up(q: Queryable): Promise<void>;
}

export async function migrate(db: Db, migrations: readonly Migration[]): Promise<number[]> {
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error('duplicate migration id');
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const done = new Set((await db.all<{ id: number }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  // Forward-only: a file a newer version of the app has migrated is never run on by an older one
  // (it would read and write a schema it does not know). Refused before anything is changed.
  const known = new Set(ids);
  const newer = [...done].filter((id) => !known.has(id)).sort((a, b) => a - b);
  if (newer.length) throw MigrateErrors.newer(newer);
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    if (done.has(m.id)) continue;
    await db.tx(async (q) => {
      await m.up(q);
      await q.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [m.id, m.name, Date.now()]);
    });
    applied.push(m.id);
  }
  return applied;
}
