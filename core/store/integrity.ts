/**
 * Is the database file whole? Checked at every start before anything reads or writes money:
 * `PRAGMA quick_check` (O(N) in pages, skips the index-to-table cross-checks of
 * `integrity_check`, so it stays fast on years of payments). A file that fails — or that
 * SQLite cannot read at all — stops the app with a plain bilingual message naming the backups
 * folder and the restore command, never a silent start on damaged records.
 */
import path from 'node:path';
import { AppError } from '../api/errors';
import { Db, type Queryable } from './db';

/** SQLite's result codes that mean the file itself is damaged (not a busy lock, not a full disk). */
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

export function isCorruptError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPT_CODES.has(code);
}

/** SQLITE_FULL is how SQLite reports ENOSPC; a raw ENOSPC can come from a file write around it. */
export function isDiskFullError(e: unknown): boolean {
  const x = e as { code?: unknown; message?: unknown } | null;
  return x?.code === 'SQLITE_FULL' || x?.code === 'ENOSPC' || (typeof x?.message === 'string' && /ENOSPC|database or disk is full/.test(x.message));
}

export interface QuickCheck {
  ok: boolean;
  /** SQLite's first findings (at most 10), or the error it gave; empty when ok. */
  problems: string[];
  ms: number;
}

export async function quickCheck(q: Queryable): Promise<QuickCheck> {
  const t0 = Date.now();
  try {
    const rows = await q.all<{ quick_check: string }>('PRAGMA quick_check(10)');
    const found = rows.map((r) => r.quick_check);
    const ok = found.length === 1 && found[0] === 'ok';
    return { ok, problems: ok ? [] : found, ms: Date.now() - t0 };
  } catch (e) {
    return { ok: false, problems: [e instanceof Error ? e.message : String(e)], ms: Date.now() - t0 };
  }
}

export const BACKUP_DIR = 'backups';

export const StoreErrors = {
  corrupt: (file: string) =>
    new AppError(
      'store.corrupt',
      `数据库文件已损坏，已停止收款，以免记错账。请勿删除任何文件，联系技术支持从备份恢复（备份在 ${path.join(path.dirname(file), BACKUP_DIR)}，恢复命令见使用说明“技术支持”一节）。`,
      `The database file is damaged; trading is stopped so nothing is recorded wrongly. Delete nothing and call support to restore from a backup (backups are in ${path.join(path.dirname(file), BACKUP_DIR)}; the restore command is in the README's "Support" section).`,
      { file: path.basename(file) },
    ),
  diskFull: () =>
    new AppError(
      'store.disk_full',
      '电脑磁盘已满，不能再收新的款（已收的款都已保存）。请清理磁盘空间或联系技术支持。',
      'The computer’s disk is full: no new payment can be taken (everything already taken is saved). Free some disk space or call support.',
    ),
};

/**
 * Opens the database and checks it before anyone uses it: a damaged file (SQLite cannot read
 * it, or quick_check finds a fault) is closed and refused with `store.corrupt`.
 */
export async function openChecked(filename: string): Promise<Db> {
  let db: Db;
  try {
    db = await Db.open({ filename });
  } catch (e) {
    if (isCorruptError(e)) throw StoreErrors.corrupt(filename);
    throw e;
  }
  const qc = await quickCheck(db);
  if (!qc.ok) {
    await db.close().catch(() => undefined);
    throw StoreErrors.corrupt(filename);
  }
  return db;
}
