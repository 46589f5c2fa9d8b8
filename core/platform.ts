/**
 * Seams to the host, one implementation per shell: Electron (OS keychain through
 * safeStorage), the browser shell (a 0600 file, for development and training machines), and
 * tests (memory). Core code depends on these interfaces only.
 */
export interface SecretStore {
  /** Returns the secret, or null when none is stored under that name. */
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** Forgets the secret (nothing happens when there is none). */
  delete(name: string): Promise<void>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The structured log (core/ops/log.ts: pino with daily and size rotation under each shell's
 * data folder). `event` is a short stable name (`call`, `event`, `renderer.error`); fields are
 * redacted before they are written (core/ops/redact.ts), so callers need not mask.
 */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** Drops this exact value from everything written later (a secret handed out at run time). */
  remember(value: string | null | undefined): void;
}

export interface Platform {
  secrets: SecretStore;
  /** The shell's log file; absent (tests), warnings and errors go to the console, redacted. */
  log?: Logger;
  /**
   * Where the shell keeps its log files and crash dumps, for the diagnostics bundle and the
   * backups' neighbours; absent when the shell keeps none (tests).
   */
  logDir?: string;
  /**
   * Periodic online backups of the database (core/ops/backup.ts) into `backups/` beside it:
   * the shells turn them on; absent (tests), none are taken.
   */
  backups?: { everyMs?: number; keep?: number };
  /** Free bytes on the data folder's disk; absent, `fs.statfs` (tests give a full disk). */
  diskFree?: (dir: string) => Promise<number | null>;
  /**
   * Where the SM2 verification worker's code is (core/offline/verify-pool.ts): the Electron
   * shell's bundled chunk. Absent (browser shell, tests), the TypeScript source through tsx.
   */
  verifyWorkerPath?: string;
  /**
   * Tests only: the certificates (PEM) an HTTPS acquirer connection trusts instead of the
   * system's (a test acquirer's self-signed one). The shells never set it: a live counter trusts
   * what the operating system trusts.
   */
  acquirerCa?: string;
  /**
   * Tests only: a lighter scrypt cost for a live counter's PIN hashes than core/auth/pin.ts's
   * LIVE_PIN_COST (each of which takes 128 MiB and a few tenths of a second, many more on a busy
   * test machine). The shells never set it.
   */
  livePinCost?: { N: number; r: number; p: number };
}

export class MemorySecretStore implements SecretStore {
  private readonly m = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.m.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.m.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.m.delete(name);
  }
}
