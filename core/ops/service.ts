/**
 * Operations in the field, wired by the composition root: the call and event log, the
 * renderer's errors into the same log, storage health and the money gate, periodic backups,
 * and the administrator's diagnostics bundle.
 *
 * Invariants:
 * - Nothing here logs a call's input or answer (they may hold a PIN or a payment code): a call
 *   is logged as method, duration and error code; an event as its name and redacted payload.
 * - The renderer cannot flood the log: at most RENDERER_PER_MINUTE records a minute are kept,
 *   the rest counted in one line.
 * - The diagnostics bundle holds no personal data: every file in it passes the redactor, and
 *   the log files it copies were redacted when written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import type { Handlers } from '../api/contract';
import type { Dispatcher } from '../api/dispatcher';
import type { Events, EventPayload } from '../api/contract';
import type { OpsHealth } from '../api/ops';
import type { Logger } from '../platform';
import type { Db } from '../store/db';
import { isCorruptError, isDiskFullError, quickCheck, StoreErrors } from '../store/integrity';
import { BackupService, listBackups } from './backup';
import { logFiles } from './log';
import { Redactor } from './redact';
import { StorageHealth, type FreeBytes } from './storage';

export const RENDERER_PER_MINUTE = 20;
/** Calls that start new money intake: refused while the disk is full or the file damaged. */
export const MONEY_INTAKE = [
  'payments:charge', 'payments:precreate', 'payments:cash', 'payments:credit', 'offline:accept',
  'agent:withdraw', 'agent:billPay', 'agent:remit',
] as const satisfies ReadonlyArray<keyof Handlers>;

/** Frequent events that say nothing support needs at info level. */
const QUIET_EVENTS = new Set<string>(['connectivity:changed', 'display:changed', 'training:state', 'scanner:scanned']);

export interface OpsDeps {
  db: Db;
  dataDir: string;
  log: Logger;
  /** Where the shell's log files are (diagnostics bundle); none in tests without a file log. */
  logDir?: string;
  emitHealth: (h: OpsHealth) => void;
  /** Facts for the bundle, each read when it is made. */
  facts: {
    system: () => Record<string, unknown>;
    config: () => unknown;
    devices: () => unknown;
    /** The journal's last chain check (core/ledger's guard: at start, then every row in the background). */
    journal: () => unknown;
    counts: () => Promise<Record<string, unknown>>;
  };
  freeBytes?: FreeBytes;
  lowDiskBytes?: number;
  backups?: { keep?: number; everyMs?: number } | false;
  /** Days of logs in the bundle. */
  logDays?: number;
  now?: () => number;
}

export type OpsHandlers = Pick<Handlers, 'log:renderer' | 'ops:health' | 'ops:diagnostics'>;

export class OpsService {
  readonly storage: StorageHealth;
  readonly backups: BackupService | null;
  private rendererWindow = { start: 0, kept: 0, dropped: 0 };
  private readonly now: () => number;

  constructor(private readonly deps: OpsDeps) {
    this.now = deps.now ?? Date.now;
    this.storage = new StorageHealth({
      db: deps.db, dataDir: deps.dataDir, log: deps.log, emit: deps.emitHealth, freeBytes: deps.freeBytes, lowBytes: deps.lowDiskBytes,
    });
    this.backups = deps.backups === false ? null : new BackupService({ db: deps.db, log: deps.log, ...deps.backups });
  }

  start(): void {
    this.storage.start();
    this.backups?.start();
  }

  async close(): Promise<void> {
    this.storage.stop();
    await this.backups?.stop();
  }

  /**
   * Refuses the money-intake calls while storage is unsafe, before they write anything; and in
   * every call, a write that fails for lack of space or on a damaged file is answered with the
   * plain message, not "internal error" (the observer has already changed the health).
   */
  guard(handlers: Handlers): void {
    const intake = new Set<string>(MONEY_INTAKE);
    for (const m of Object.keys(handlers)) {
      const inner = (handlers as Record<string, (i: unknown, c: unknown) => Promise<unknown>>)[m]!;
      (handlers as Record<string, unknown>)[m] = async (i: unknown, c: unknown) => {
        if (intake.has(m)) await this.storage.refuseIfUnsafe();
        try {
          return await inner(i, c);
        } catch (e) {
          if (isDiskFullError(e)) throw StoreErrors.diskFull();
          if (isCorruptError(e)) throw StoreErrors.corrupt(this.deps.db.filename);
          throw e;
        }
      };
    }
  }

  /** Every call: method, ms, outcome code. Never the input or the answer. */
  logCalls(d: Dispatcher): Dispatcher {
    const log = this.deps.log;
    return {
      async dispatch(method, input) {
        const t0 = Date.now();
        const r = await d.dispatch(method, input);
        const ms = Date.now() - t0;
        const m = typeof method === 'string' ? method.slice(0, 64) : '?';
        if (r.ok) log.debug('call', { method: m, ms });
        else log[r.error.code === 'internal' ? 'error' : 'info']('call.refused', { method: m, ms, code: r.error.code });
        return r;
      },
    };
  }

  logEvent<K extends keyof Events>(name: K, payload: EventPayload<K>): void {
    // `event`, not `name`: a field called name is dropped as personal (redact.ts).
    this.deps.log[QUIET_EVENTS.has(name) ? 'debug' : 'info']('event', { event: name, payload });
  }

  handlers(): OpsHandlers {
    return {
      'log:renderer': async (input) => {
        const t = this.now();
        const w = this.rendererWindow;
        if (t - w.start >= 60_000) {
          if (w.dropped > 0) this.deps.log.warn('renderer.dropped', { count: w.dropped });
          this.rendererWindow = { start: t, kept: 0, dropped: 0 };
        }
        if (this.rendererWindow.kept >= RENDERER_PER_MINUTE) this.rendererWindow.dropped += 1;
        else {
          this.rendererWindow.kept += 1;
          this.deps.log[input.level]('renderer.error', { ...input });
        }
        return { ok: true as const };
      },
      'ops:health': () => this.storage.check(),
      'ops:diagnostics': async () => this.diagnostics(),
    };
  }

  /** Writes the bundle into `<data>/diagnostics/` and says where. */
  async diagnostics(): Promise<{ path: string; bytes: number; files: string[] }> {
    const r = new Redactor();
    const json = (v: unknown) => strToU8(`${JSON.stringify(r.value(v), null, 2)}\n`);
    const now = this.now();
    const files: Record<string, Uint8Array> = {};
    files['system.json'] = json({
      createdAt: new Date(now).toISOString(),
      ...this.deps.facts.system(),
      versions: { node: process.versions.node, electron: process.versions.electron ?? null, sqlite: (await this.deps.db.get<{ v: string }>('SELECT sqlite_version() AS v'))?.v },
      os: { platform: os.platform(), release: os.release(), arch: os.arch(), cpus: os.cpus().length, totalMemBytes: os.totalmem(), freeMemBytes: os.freemem(), uptimeS: Math.round(os.uptime()) },
    });
    files['config.json'] = json(this.deps.facts.config());
    files['devices.json'] = json(this.deps.facts.devices());
    const schema = await this.deps.db.all<{ id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id');
    files['integrity.json'] = json({
      quickCheck: await quickCheck(this.deps.db),
      journal: this.deps.facts.journal(),
      storage: await this.storage.check(),
      schema: schema.map((s) => `${s.id} ${s.name}`),
      backups: this.backupList(),
    });
    files['counts.json'] = json(await this.deps.facts.counts());
    if (this.deps.logDir) {
      const since = now - (this.deps.logDays ?? 3) * 86_400_000;
      for (const f of logFiles(this.deps.logDir)) {
        if (fs.statSync(f).mtimeMs < since) continue;
        // Redacted when written; once more in case an older build wrote it.
        files[`logs/${path.basename(f)}`] = strToU8(r.scrub(fs.readFileSync(f, 'utf8')));
      }
    }
    const zip = zipSync(files, { level: 6, mtime: new Date(now) });
    const dir = path.join(this.deps.dataDir, 'diagnostics');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const out = path.join(dir, `diagnostics-${stamp}.zip`);
    fs.writeFileSync(out, zip);
    this.deps.log.info('diagnostics.written', { file: path.basename(out), bytes: zip.length });
    return { path: out, bytes: zip.length, files: Object.keys(files) };
  }

  private backupList(): Array<{ file: string; bytes: number }> {
    return listBackups(this.deps.db.filename).map((b) => ({ file: path.basename(b.file), bytes: b.bytes }));
  }
}
