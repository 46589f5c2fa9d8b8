/**
 * Periodic online backups of the terminal's database and their restore.
 *
 * Invariants:
 * - A backup is SQLite's own online copy (`Db.backupTo`, the backup API) of a committed state,
 *   written under a temporary name, checked with `quick_check`, then renamed: a file named
 *   `<db>-<time>.sqlite` in `backups/` is always whole. A copy that fails its check is deleted
 *   and the failure logged; the older backups stay.
 * - Retention keeps the newest `keep` backups of that database; nothing else in the folder is
 *   touched.
 * - Restore runs with the app stopped. It never deletes the current file: it is moved aside
 *   (`<db>.before-restore-<time>`, with its -wal/-shm), so a wrong restore can be undone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../api/errors';
import { Db } from '../store/db';
import { ownerOnlyFolder } from '../secret-file';
import { BACKUP_DIR, quickCheck } from '../store/integrity';
import type { Logger } from '../platform';

export interface BackupInfo {
  file: string;
  at: number;
  bytes: number;
}

const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const base = (dbFile: string) => path.basename(dbFile, '.sqlite');

export function backupDir(dbFile: string): string {
  return path.join(path.dirname(dbFile), BACKUP_DIR);
}

/** This database's backups, newest first. */
export function listBackups(dbFile: string, dir = backupDir(dbFile)): BackupInfo[] {
  if (!fs.existsSync(dir)) return [];
  const re = new RegExp(`^${base(dbFile).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{8}T\\d{6}Z)(-\\d+)?\\.sqlite$`);
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f))
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      // When it was taken is in its name (a copy to another disk keeps the name, not the mtime).
      const s = re.exec(f)![1]!;
      const at = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));
      return { file: path.join(dir, f), at, bytes: st.size };
    })
    .sort((a, b) => b.file.localeCompare(a.file));
}

export const BackupErrors = {
  bad: (file: string) =>
    new AppError('backup.bad', `备份文件 ${path.basename(file)} 已损坏或不是本机的数据库，未恢复。`,
      `The backup ${path.basename(file)} is damaged or not a database of this terminal; nothing was restored.`),
  none: () => new AppError('backup.none', '没有可用的备份。', 'There is no usable backup.'),
};

async function checkFile(file: string): Promise<boolean> {
  let db: Db | null = null;
  try {
    db = await Db.open({ filename: file, readonly: true });
    const qc = await quickCheck(db);
    const hasSchema = await db.get("SELECT 1 AS ok FROM sqlite_master WHERE name = 'schema_migrations'");
    return qc.ok && hasSchema !== undefined;
  } catch {
    return false;
  } finally {
    await db?.close().catch(() => undefined);
  }
}

export interface BackupOptions {
  db: Db;
  log: Logger;
  /** Where the backups go; default `backups/` beside the database. */
  dir?: string;
  /** Backups kept (newest). */
  keep?: number;
  /** Between two backups while the app runs. */
  everyMs?: number;
  /**
   * After start, when the newest backup is older than `everyMs` (or there is none): a counter
   * restarted every few hours would otherwise never reach its first periodic backup.
   */
  firstAfterMs?: number;
  now?: () => number;
}

export class BackupService {
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private running: Promise<BackupInfo | null> | null = null;
  constructor(private readonly opts: BackupOptions) {}

  start(): void {
    const every = this.opts.everyMs ?? 6 * 3600_000;
    this.timer = setInterval(() => void this.runOnce(), every);
    this.timer.unref();
    const newest = listBackups(this.opts.db.filename, this.opts.dir)[0];
    if (!newest || (this.opts.now ?? Date.now)() - newest.at >= every) {
      this.first = setTimeout(() => void this.runOnce(), this.opts.firstAfterMs ?? 60_000);
      this.first.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.first) clearTimeout(this.first);
    this.timer = null;
    this.first = null;
    await this.running;
  }

  /** One backup now (one at a time); null when it failed (logged). */
  runOnce(): Promise<BackupInfo | null> {
    this.running ??= this.backup().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async backup(): Promise<BackupInfo | null> {
    const dbFile = this.opts.db.filename;
    const dir = this.opts.dir ?? backupDir(dbFile);
    const now = (this.opts.now ?? Date.now)();
    let name = `${base(dbFile)}-${stamp(now)}`;
    for (let n = 1; fs.existsSync(path.join(dir, `${name}.sqlite`)); n += 1) name = `${base(dbFile)}-${stamp(now)}-${n}`;
    const file = path.join(dir, `${name}.sqlite`);
    const part = `${file}.part`;
    try {
      // A whole copy of the database (PIN hashes, customers' phones): this OS account only.
      ownerOnlyFolder(dir);
      await this.opts.db.backupTo(part);
      if (!(await checkFile(part))) throw new Error('the copy failed its integrity check');
      fs.renameSync(part, file);
      const bytes = fs.statSync(file).size;
      this.prune();
      this.opts.log.info('backup.done', { file: path.basename(file), bytes });
      return { file, at: now, bytes };
    } catch (e) {
      try {
        fs.rmSync(part, { force: true });
      } catch {
        // Nothing was written there (the folder could not be made).
      }
      this.opts.log.error('backup.failed', { err: e });
      return null;
    }
  }

  private prune(): void {
    const keep = this.opts.keep ?? 14;
    for (const old of listBackups(this.opts.db.filename, this.opts.dir).slice(keep)) fs.rmSync(old.file, { force: true });
  }
}

export interface RestoreResult {
  restoredFrom: string;
  /** Where the file it replaced was moved (null when there was none). */
  movedAside: string | null;
}

function flush(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The rename made durable (a folder cannot be opened on Windows; the rename stands there). */
function flushFolder(dir: string): void {
  try {
    flush(dir);
  } catch {
    // Not supported on this platform.
  }
}

/**
 * Puts a backup in place of `dbFile` (the app must be stopped): the given backup, or the newest
 * one that passes its check. The current file is kept beside it (`.before-restore-…`, with its
 * WAL), never deleted.
 */
export async function restoreBackup(dbFile: string, from?: string, now = Date.now()): Promise<RestoreResult> {
  const candidates = from ? [from] : listBackups(dbFile).map((b) => b.file);
  let chosen: string | null = null;
  for (const c of candidates) {
    if (await checkFile(c)) {
      chosen = c;
      break;
    }
    if (from) throw BackupErrors.bad(c);
  }
  if (!chosen) throw BackupErrors.none();
  // Never a moment without a database file: a power cut mid-restore must not leave the next
  // start to make an empty one (counters and order numbers from zero). The copy is made and
  // flushed first, the damaged file is kept by a copy, and the copy replaces it by one rename.
  const tmp = `${dbFile}.restoring`;
  fs.copyFileSync(chosen, tmp);
  flush(tmp);
  let movedAside: string | null = null;
  if (fs.existsSync(dbFile)) {
    movedAside = `${dbFile}.before-restore-${stamp(now)}`;
    fs.copyFileSync(dbFile, movedAside);
    flush(movedAside);
  }
  // The damaged file's WAL must not be applied to the restored one: set aside before the rename
  // (a cut here leaves the damaged file, which the next start refuses again — nothing silent).
  for (const side of ['-wal', '-shm', '-journal']) {
    if (fs.existsSync(dbFile + side)) {
      if (movedAside) fs.renameSync(dbFile + side, movedAside + side);
      else fs.rmSync(dbFile + side);
    }
  }
  fs.renameSync(tmp, dbFile);
  flushFolder(path.dirname(dbFile));
  return { restoredFrom: chosen, movedAside };
}
