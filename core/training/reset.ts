/**
 * "Reset to the seeded state" for a training class, in one action.
 *
 * Invariants:
 * - It only ever touches the demo database: the mode must be demo, the open file must be the
 *   demo file name derived from the config (training.sqlite, never terminal.sqlite), and the
 *   file must say it was created for demo mode. Any doubt refuses before the first write.
 * - The rows are emptied in one transaction (all or nothing), then the seed runs again.
 *
 * Why rows are emptied rather than the file deleted and recreated: every service of the
 * composition root holds the open `Db` handle, so swapping the file underneath them would leave
 * half the back end writing to a closed connection. Emptying every table (schema kept, migration
 * record kept) and VACUUMing gives the same seeded state with every handle still valid; services
 * that keep state in memory register a reset hook to reload it.
 *
 * The journal (and any other append-only table) refuses DELETE by trigger, rightly: no bug may
 * rewrite money history. A training reset is the one deliberate exception, on the demo file only
 * (checked three ways above): the triggers are dropped, the rows emptied and the triggers
 * recreated from their own stored SQL, all in one transaction, so no moment exists in which the
 * guard is missing from a committed database.
 */
import path from 'node:path';
import type { AppConfig } from '../config';
import { databasePath } from '../config';
import type { Db } from '../store/db';
import { TrainingErrors } from './errors';

export interface ResetTarget {
  config: Pick<AppConfig, 'mode' | 'dataDir'>;
  db: Db;
}

/** Throws unless `db` is provably the demo database of a demo-mode config. Writes nothing. */
export async function assertDemoDatabase(t: ResetTarget): Promise<void> {
  if (t.config.mode !== 'demo') throw TrainingErrors.liveMode();
  const demoFile = path.resolve(databasePath({ dataDir: t.config.dataDir, mode: 'demo' }));
  const liveFile = path.resolve(databasePath({ dataDir: t.config.dataDir, mode: 'live' }));
  const open = path.resolve(t.db.filename);
  if (open !== demoFile || open === liveFile) throw TrainingErrors.resetRefused();
  const row = await t.db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'db.mode'");
  if (row?.value !== 'demo') throw TrainingErrors.resetRefused();
}

/** Empties every table of the demo database except the migration record; keeps its mode mark. */
export async function emptyDemoDatabase(t: ResetTarget): Promise<void> {
  await assertDemoDatabase(t);
  await t.db.tx(async (q) => {
    // Checked once more inside the write lock: nothing can have swapped the mark in between.
    const row = await q.get<{ value: string }>("SELECT value FROM settings WHERE key = 'db.mode'");
    if (row?.value !== 'demo') throw TrainingErrors.resetRefused();
    // Every table goes, so foreign keys only need to hold at commit, not after each DELETE.
    await q.exec('PRAGMA defer_foreign_keys = ON');
    const triggers = await q.all<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL");
    for (const t of triggers) await q.exec(`DROP TRIGGER "${t.name.replace(/"/g, '""')}"`);
    const tables = await q.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
    );
    for (const { name } of tables) await q.run(`DELETE FROM "${name.replace(/"/g, '""')}"`);
    const seq = await q.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'");
    if (seq) await q.run('DELETE FROM sqlite_sequence');
    for (const t of triggers) await q.exec(t.sql);
    await q.run("INSERT INTO settings (key, value) VALUES ('db.mode', 'demo')");
  });
  // Deleted rows would otherwise linger in free pages of the file.
  await t.db.exec('VACUUM');
}
