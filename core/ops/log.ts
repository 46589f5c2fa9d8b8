/**
 * The loggers the shells hand the core (`Platform.log`): a rotating JSON-lines file through
 * pino, the console (tests, or before the file is open), memory (tests). All of them redact
 * every record first (redact.ts), so nothing secret or personal reaches a file whatever the
 * call site passed.
 *
 * Files: `<dir>/cashier.YYYY-MM-DD.N.log`, a new one each day and past `maxFileBytes`, the
 * newest `keepFiles` kept (older ones, from earlier runs too, removed). Written asynchronously
 * (sonic-boom, no batching: each line goes to the OS at once; pino-roll's size rotation waits
 * for the stream's 'drain', which a synchronous stream never emits), flushed on close.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import pinoRoll from 'pino-roll';
import type { Logger, LogLevel, SecretStore } from '../platform';
import { Redactor } from './redact';
import { ownerOnlyFolder } from '../secret-file';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FILE_BASE = 'cashier';
export const LOG_FILE_EXT = '.log';

export function parseLogLevel(v: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(v ?? '') ? (v as LogLevel) : fallback;
}

type Sink = (level: LogLevel, event: string, fields: Record<string, unknown>) => void;

/** Shared by every logger: redaction before the sink, and a sink's failure never reaches the caller. */
class RedactingLogger implements Logger {
  readonly redactor = new Redactor();
  constructor(private readonly sink: Sink, private readonly min: LogLevel) {}
  private write(level: LogLevel, event: string, fields?: Record<string, unknown>): void {
    if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(this.min)) return;
    try {
      const safe = fields ? (this.redactor.value(fields) as Record<string, unknown>) : {};
      this.sink(level, this.redactor.text(event), safe);
    } catch {
      // A log that cannot be written must never stop a payment.
    }
  }
  debug(event: string, fields?: Record<string, unknown>): void { this.write('debug', event, fields); }
  info(event: string, fields?: Record<string, unknown>): void { this.write('info', event, fields); }
  warn(event: string, fields?: Record<string, unknown>): void { this.write('warn', event, fields); }
  error(event: string, fields?: Record<string, unknown>): void { this.write('error', event, fields); }
  remember(value: string | null | undefined): void { this.redactor.remember(value); }
}

/** Warnings and errors to the console, redacted: what the core did before it had a log file. */
export function consoleLogger(min: LogLevel = 'warn'): Logger {
  return new RedactingLogger((level, event, fields) => {
    const line = `[${event}] ${JSON.stringify(fields)}`;
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  }, min);
}

export interface MemoryLog extends Logger {
  readonly lines: Array<{ level: LogLevel; event: string } & Record<string, unknown>>;
}

/** Tests: the redacted records, in memory. */
export function memoryLogger(min: LogLevel = 'debug'): MemoryLog {
  const lines: MemoryLog['lines'] = [];
  const l = new RedactingLogger((level, event, fields) => lines.push({ ...fields, level, event }), min);
  return Object.assign(l, { lines });
}

export interface FileLogOptions {
  dir: string;
  level?: LogLevel;
  maxFileBytes?: number;
  keepFiles?: number;
}

export interface FileLog extends Logger {
  readonly dir: string;
  /** Writes what is buffered now, synchronously (the process is about to die). */
  flushSync(): void;
  /** Writes what is buffered and closes the file (the shell's last step). */
  close(): Promise<void>;
}

/** Opens (creating the folder) the rotating log file. */
export async function openFileLog(opts: FileLogOptions): Promise<FileLog> {
  // Redacted, but still who worked when and what was sold: for this OS account only.
  ownerOnlyFolder(opts.dir);
  const stream = await pinoRoll({
    file: path.join(opts.dir, LOG_FILE_BASE),
    extension: LOG_FILE_EXT,
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    size: `${Math.max(1, Math.round((opts.maxFileBytes ?? 10 * 1024 * 1024) / 1024))}k`,
    limit: { count: opts.keepFiles ?? 14, removeOtherLogFiles: true },
    mkdir: true,
  });
  const level = opts.level ?? 'info';
  const p = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  const logger = new RedactingLogger((lvl, event, fields) => p[lvl](fields, event), level);
  return Object.assign(logger, {
    dir: opts.dir,
    flushSync: () => {
      try {
        stream.flushSync();
      } catch {
        // A write in flight cannot be hurried; the OS has the lines written before it.
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        p.flush(() => {
          stream.once('close', () => resolve());
          stream.end();
        });
      }),
  });
}

/** The log files in `dir`, oldest first (for the diagnostics bundle). */
export function logFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${LOG_FILE_BASE}.`) && f.endsWith(LOG_FILE_EXT))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs || a.localeCompare(b));
}

/**
 * The shell's process-wide failures into the log: an uncaught exception, and an unhandled
 * rejection (which Node turns into one). A monitor, so Node's own behaviour (the process ends)
 * is unchanged: a main process in an unknown state must not go on taking money.
 */
export function watchProcess(log: FileLog): () => void {
  const onFatal = (err: unknown, origin: string) => {
    log.error('process.fatal', { origin, err });
    log.flushSync();
  };
  const onWarning = (w: Error) => log.warn('process.warning', { err: w });
  process.on('uncaughtExceptionMonitor', onFatal);
  process.on('warning', onWarning);
  return () => {
    process.off('uncaughtExceptionMonitor', onFatal);
    process.off('warning', onWarning);
  };
}

/**
 * The secret store as the core sees it: every value read or written is remembered by the log's
 * redactor, so that value is never written anywhere later, whatever carries it.
 */
export function rememberingSecrets(secrets: SecretStore, log: Logger): SecretStore {
  return {
    get: async (name) => {
      const v = await secrets.get(name);
      log.remember(v);
      return v;
    },
    set: async (name, value) => {
      log.remember(value);
      await secrets.set(name, value);
    },
    delete: (name) => secrets.delete(name),
  };
}
