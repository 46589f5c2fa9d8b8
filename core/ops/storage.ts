/**
 * The storage health the status bar shows and the money gate obeys.
 *
 * Invariants:
 * - A write that failed for lack of space (SQLITE_FULL / ENOSPC) or on a damaged file
 *   (SQLITE_CORRUPT) puts the terminal in `full` / `corrupt` at once, from the database layer's
 *   error observer: the next new charge or offline acceptance is refused with a plain message
 *   before it writes anything. SQLite rolls the failed transaction back whole, so what was
 *   committed before (accepted offline payments, the outbox) stays.
 * - `full` ends only when the disk has room again (free space at or above the low threshold)
 *   and a probe write succeeds; `corrupt` never ends while the app runs (restore, then restart).
 * - Below the low threshold the status bar warns (`low`) while trading goes on.
 */
import fs from 'node:fs';
import type { OpsHealth } from '../api/ops';
import type { Db } from '../store/db';
import { isCorruptError, isDiskFullError, StoreErrors } from '../store/integrity';
import type { Logger } from '../platform';

export const LOW_DISK_BYTES = 500 * 1024 * 1024;

export type FreeBytes = (dir: string) => Promise<number | null>;

export const statfsFree: FreeBytes = async (dir) => {
  try {
    const s = await fs.promises.statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
};

const MESSAGES = {
  low: (free: number) => ({
    zh: `磁盘空间不足（剩余 ${Math.floor(free / 1024 / 1024)} MB）：请尽快清理或联系技术支持。`,
    en: `Disk space is low (${Math.floor(free / 1024 / 1024)} MB left): free some space or call support soon.`,
  }),
  full: () => ({ zh: StoreErrors.diskFull().zh, en: StoreErrors.diskFull().en }),
  corrupt: (file: string) => ({ zh: StoreErrors.corrupt(file).zh, en: StoreErrors.corrupt(file).en }),
};

export interface StorageHealthDeps {
  db: Db;
  dataDir: string;
  log: Logger;
  emit?: (h: OpsHealth) => void;
  freeBytes?: FreeBytes;
  lowBytes?: number;
  /** How often free space is read while the app runs. */
  everyMs?: number;
}

export class StorageHealth {
  private storage: OpsHealth['storage'] = 'ok';
  private free: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly freeBytes: FreeBytes;
  private readonly lowBytes: number;

  constructor(private readonly deps: StorageHealthDeps) {
    this.freeBytes = deps.freeBytes ?? statfsFree;
    this.lowBytes = deps.lowBytes ?? LOW_DISK_BYTES;
    deps.db.onError = (e) => this.onDbError(e);
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.deps.everyMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.deps.db.onError) this.deps.db.onError = null;
  }

  health(): OpsHealth {
    const message =
      this.storage === 'corrupt' ? MESSAGES.corrupt(this.deps.db.filename)
      : this.storage === 'full' ? MESSAGES.full()
      : this.storage === 'low' && this.free !== null ? MESSAGES.low(this.free)
      : null;
    return { storage: this.storage, freeBytes: this.free, message };
  }

  /** Reads free space again; a full disk with room again is probed before trading resumes. */
  async check(): Promise<OpsHealth> {
    this.free = await this.freeBytes(this.deps.dataDir);
    if (this.storage === 'corrupt') return this.health();
    const roomy = this.free === null || this.free >= this.lowBytes;
    if (this.storage === 'full') {
      if (roomy && (await this.probe())) this.set(this.free !== null && this.free < this.lowBytes ? 'low' : 'ok');
    } else this.set(roomy ? 'ok' : 'low');
    return this.health();
  }

  /** The money gate: throws the plain refusal while the disk is full or the file damaged. */
  async refuseIfUnsafe(): Promise<void> {
    if (this.storage === 'full') await this.check();
    if (this.storage === 'full') throw StoreErrors.diskFull();
    if (this.storage === 'corrupt') throw StoreErrors.corrupt(this.deps.db.filename);
  }

  private async probe(): Promise<boolean> {
    try {
      await this.deps.db.run(
        "INSERT INTO settings (key, value) VALUES ('ops.probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [String(Date.now())],
      );
      return true;
    } catch {
      return false;
    }
  }

  private onDbError(e: Error & { code?: string }): void {
    if (isCorruptError(e)) this.set('corrupt');
    else if (isDiskFullError(e)) this.set('full');
  }

  private set(s: OpsHealth['storage']): void {
    if (s === this.storage) return;
    const was = this.storage;
    this.storage = s;
    const h = this.health();
    const level = s === 'ok' ? 'info' : s === 'low' ? 'warn' : 'error';
    this.deps.log[level]('storage.health', { from: was, to: s, freeBytes: h.freeBytes });
    this.deps.emit?.(h);
  }
}
