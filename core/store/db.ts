/**
 * A small promise layer over the `sqlite3` package with explicit transactions.
 *
 * Invariants:
 * - One connection per database file, in WAL mode with synchronous=FULL: a commit that has
 *   returned survives a power cut (FULL syncs the WAL on every commit; NORMAL would not).
 * - Transactions are serialised by an in-process queue: sqlite3 runs statements of one
 *   connection in order but knows nothing of our BEGIN/COMMIT grouping, so two async callers
 *   would otherwise interleave inside one transaction.
 * - `tx` commits only when its callback resolves and rolls back on any throw, so a refused
 *   input never leaves half a write behind.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import sqlite3 from 'sqlite3';

/**
 * A database file readable by its owner only (0600), created so or tightened: they hold PIN
 * hashes and customers' names and phone numbers. SQLite gives its -wal and -shm files the mode
 * of the database file. Not for `:memory:` or SQLite's URI names; chmod does nothing on Windows,
 * where the data folder is in the user's own profile.
 */
function ownerOnlyFile(filename: string): void {
  if (filename === '' || filename === ':memory:' || filename.startsWith('file:')) return;
  try {
    fs.closeSync(fs.openSync(filename, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
  } catch {
    return; // no such folder, say: SQLite's own open says so
  }
  if (process.platform === 'win32') return;
  // Files from before this rule are tightened too.
  for (const f of [filename, `${filename}-wal`, `${filename}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
}

/** Marks code running inside a transaction callback, to catch self-deadlock early. */
const insideTx = new AsyncLocalStorage<Db>();

export type SqlValue = string | number | bigint | null | Buffer;
export type Params = SqlValue[] | Record<string, SqlValue>;

/** Read and write operations available inside and outside a transaction. */
export interface Queryable {
  run(sql: string, params?: Params): Promise<{ changes: number; lastID: number }>;
  get<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export interface OpenOptions {
  /** Path to the file, or ':memory:' for tests. */
  filename: string;
  readonly?: boolean;
}

export class Db implements Queryable {
  private queue: Promise<unknown> = Promise.resolve();
  /** Statements that run directly on the connection: used inside a transaction only. */
  private readonly direct: Queryable;
  /**
   * Sees every failed statement (core/ops/storage.ts watches for a full disk or a corrupt
   * file); never changes the outcome.
   */
  onError: ((e: Error & { code?: string }) => void) | null = null;
  /** Tests only: an error to fail this statement with as SQLite would (a full disk), or null. */
  inject: ((sql: string) => (Error & { code?: string }) | null) | null = null;

  private constructor(private readonly raw: sqlite3.Database, readonly filename: string) {
    // Every statement passes here: an injected fault first, then SQLite, then the observer.
    const guard = (sql: string, reject: (e: Error) => void, op: (fail: (e: Error) => void) => void) => {
      const fail = (e: Error) => {
        try {
          this.onError?.(e);
        } catch {
          // The observer's failure is its own.
        }
        reject(e);
      };
      const injected = this.inject?.(sql);
      if (injected) fail(injected);
      else op(fail);
    };
    this.direct = {
      run: (sql, params = []) =>
        new Promise((resolve, reject) => {
          guard(sql, reject, (fail) =>
            raw.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
              if (err) fail(err);
              else resolve({ changes: this.changes, lastID: this.lastID });
            }),
          );
        }),
      get: <T>(sql: string, params: Params = []) =>
        new Promise<T | undefined>((resolve, reject) => {
          guard(sql, reject, (fail) => raw.get(sql, params, (err: Error | null, row: T | undefined) => (err ? fail(err) : resolve(row))));
        }),
      all: <T>(sql: string, params: Params = []) =>
        new Promise<T[]>((resolve, reject) => {
          guard(sql, reject, (fail) => raw.all(sql, params, (err: Error | null, rows: T[]) => (err ? fail(err) : resolve(rows))));
        }),
      exec: (sql) =>
        new Promise((resolve, reject) => {
          guard(sql, reject, (fail) => raw.exec(sql, (err: Error | null) => (err ? fail(err) : resolve())));
        }),
    };
  }

  static async open(opts: OpenOptions): Promise<Db> {
    const mode = opts.readonly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    if (!opts.readonly) ownerOnlyFile(opts.filename);
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(opts.filename, mode, (err) => (err ? reject(err) : resolve(d)));
    });
    const db = new Db(raw, opts.filename);
    raw.configure('busyTimeout', 5000);
    if (!opts.readonly) {
      await db.exec('PRAGMA journal_mode=WAL');
      await db.exec('PRAGMA synchronous=FULL');
    }
    await db.exec('PRAGMA foreign_keys=ON');
    return db;
  }

  /*
   * Statements outside a transaction wait their turn behind any open transaction: a reader
   * never sees another caller's uncommitted rows, and a lone write is its own transaction.
   */
  run(sql: string, params: Params = []): Promise<{ changes: number; lastID: number }> {
    return this.enqueue(() => this.direct.run(sql, params));
  }
  get<T = Record<string, unknown>>(sql: string, params: Params = []): Promise<T | undefined> {
    return this.enqueue(() => this.direct.get<T>(sql, params));
  }
  all<T = Record<string, unknown>>(sql: string, params: Params = []): Promise<T[]> {
    return this.enqueue(() => this.direct.all<T>(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.enqueue(() => this.direct.exec(sql));
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    if (insideTx.getStore() === this) return Promise.reject(new Error('use the transaction handle inside tx()'));
    const next = this.queue.then(op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT. IMMEDIATE takes the write lock up front so a
   * transaction never fails half-way on a lock upgrade. `fn` must use the handle it is given;
   * calling the Db itself (or `tx`) from inside would wait on itself, so it throws instead.
   */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (insideTx.getStore() === this) return Promise.reject(new Error('nested transaction'));
    const next = this.queue.then(async () => {
      await this.direct.exec('BEGIN IMMEDIATE');
      try {
        const out = await insideTx.run(this, () => fn(this.direct));
        await this.direct.exec('COMMIT');
        return out;
      } catch (e) {
        await this.direct.exec('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * An online copy of the whole database into `filename` through SQLite's backup API, taken
   * between transactions (queued like one), so the copy is a committed state.
   */
  backupTo(filename: string): Promise<void> {
    return this.enqueue(
      () =>
        new Promise<void>((resolve, reject) => {
          type Backup = { step(pages: number, cb: (e: Error | null) => void): void; finish(cb?: (e: Error | null) => void): void };
          const b = (this.raw as unknown as { backup(f: string, cb: (e: Error | null) => void): Backup }).backup(filename, (openErr) => {
            if (openErr) return reject(openErr);
            b.step(-1, (stepErr) => b.finish((finishErr) => (stepErr ?? finishErr ? reject(stepErr ?? finishErr) : resolve())));
          });
        }),
    );
  }

  close(): Promise<void> {
    return this.queue.then(
      () => new Promise<void>((resolve, reject) => this.raw.close((err) => (err ? reject(err) : resolve()))),
    );
  }
}

/**
 * The database a handle belongs to: the Db itself, or the one whose transaction is running
 * (a `tx` callback is given the connection's handle, not the Db). The journal finds its chain
 * key through it (core/ledger/journal.ts), so no caller has to carry the key.
 */
export function ownerOf(q: Queryable): Db | null {
  return q instanceof Db ? q : insideTx.getStore() ?? null;
}
