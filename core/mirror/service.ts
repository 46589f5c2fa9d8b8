/**
 * The mirror as the app runs it: the chosen folder (a settings row), the recovery code's bytes
 * (the platform's secret store: the PC's copy; the administrator's paper is the other), the
 * writer while it is on, and the contract's handlers.
 *
 * Dual control: turning it on decides where payment data is copied, and restoring puts money
 * items back to be forwarded, so both take an administrator and a different supervisor or
 * administrator's PIN (OperatorService.approve), recorded in one audit row with the change.
 */
import type { Handlers } from '../api/contract';
import type { MirrorStatus } from '../api/mirror';
import { AuthErrors } from '../auth/operators';
import { audit } from '../audit';
import type { EventBus } from '../events';
import type { SecretStore } from '../platform';
import type { Db } from '../store/db';
import { MirrorErrors, restoreFromMirror } from './restore';
import { MIRROR_COUNT_KEY, MIRROR_DIR_KEY, MIRROR_SECRET_NAME, mirrorFile, MirrorWriter, newMirrorSecret, type FileOps, nodeFileOps } from './writer';

const ENABLE_REQUEST_KEY = 'mirror.enable.request';

export interface MirrorServiceOptions {
  db: Db;
  bus: EventBus | null;
  secrets: SecretStore;
  terminalId: string;
  approve: (approverId: string | undefined, pin: string | undefined, subjectId?: string) => Promise<string>;
  /** The offline store reads its rows again after a restore (counters, exposure, budget). */
  afterRestore: () => Promise<void>;
  files?: FileOps;
  everyMs?: number;
  now?: () => number;
}

export class MirrorService {
  private writer: MirrorWriter | null = null;
  private last: string | null = null;

  constructor(private readonly o: MirrorServiceOptions) {}

  private async setting(key: string): Promise<string | null> {
    return (await this.o.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value ?? null;
  }

  /** Starts the writer when a folder is chosen and the PC holds the code; otherwise the mirror is off. */
  async start(): Promise<void> {
    const dir = await this.setting(MIRROR_DIR_KEY);
    const secret = await this.o.secrets.get(MIRROR_SECRET_NAME);
    if (!dir || !secret) return;
    await this.startWriter(dir, Buffer.from(secret, 'base64'));
  }

  private async startWriter(dir: string, secret: Buffer): Promise<void> {
    await this.writer?.close();
    this.writer = await MirrorWriter.start({
      db: this.o.db, bus: this.o.bus, terminalId: this.o.terminalId, secret, dir, files: this.o.files, everyMs: this.o.everyMs, now: this.o.now,
      onStatus: (s) => this.changed(s),
    });
    this.changed(this.writer.status());
  }

  private changed(s: MirrorStatus): void {
    const key = JSON.stringify([s.state, s.dir, s.problem]);
    if (key === this.last) return;
    this.last = key;
    this.o.bus?.emit('mirror:changed', s);
  }

  status(): MirrorStatus {
    return this.writer?.status() ?? { state: 'off', dir: null, records: 0, lastWriteAt: null, problem: null };
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.writer = null;
  }

  /**
   * A training reset puts the counter back to the seed, where the mirror is off: the practice
   * file is set aside (its open items were training items the reset emptied; a restore from it
   * would bring them back) and the PC's copy of its code is forgotten. The reset has already
   * emptied the settings rows. A stick that is out keeps its file; enabling again sets it aside.
   */
  async afterTrainingReset(): Promise<void> {
    const dir = this.writer?.status().dir ?? null;
    await this.close();
    if (dir) {
      const file = mirrorFile(dir, this.o.terminalId);
      try {
        (this.o.files ?? nodeFileOps).rename(file, `${file}.before-reset-${(this.o.now ?? Date.now)()}`);
      } catch {
        // Not there, or the stick is out: nothing to set aside now.
      }
    }
    await this.o.secrets.delete(MIRROR_SECRET_NAME);
    this.changed(this.status());
  }

  handlers(): Pick<Handlers, 'mirror:status' | 'mirror:enable' | 'mirror:disable' | 'mirror:restore'> {
    return {
      'mirror:status': async () => this.status(),
      'mirror:enable': async ({ dir, approverId, approverPin, requestId }, ctx) => {
        const admin = ctx.operator!;
        if (approverId === admin.id) throw AuthErrors.approverInvalid();
        if ((await this.setting(ENABLE_REQUEST_KEY)) === requestId) return { status: this.status(), recoveryCode: null };
        if (!(this.o.files ?? nodeFileOps).exists(dir)) throw MirrorErrors.folderMissing();
        const approver = await this.o.approve(approverId, approverPin, admin.id);
        const { formatted, secret } = newMirrorSecret();
        // The PC's copy first: a code that is on paper but not here would leave the mirror off.
        await this.o.secrets.set(MIRROR_SECRET_NAME, secret.toString('base64'));
        await this.o.db.tx(async (q) => {
          const upsert = 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value';
          await q.run(upsert, [MIRROR_DIR_KEY, dir]);
          await q.run(upsert, [ENABLE_REQUEST_KEY, requestId]);
          // A new code opens a new file: the old one (under the old code) is set aside by the writer.
          await q.run(upsert, [MIRROR_COUNT_KEY, '0']);
          await audit(q, { operatorId: admin.id, approverId: approver, action: 'mirror.enable', detail: { dir } }, this.o.now?.());
        });
        // Through the same file operations as the writer (tests inject them); none there is fine.
        const file = mirrorFile(dir, this.o.terminalId);
        try {
          (this.o.files ?? nodeFileOps).rename(file, `${file}.replaced-${(this.o.now ?? Date.now)()}`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
        await this.startWriter(dir, secret);
        return { status: this.status(), recoveryCode: formatted };
      },
      'mirror:disable': async ({ approverId, approverPin }, ctx) => {
        const admin = ctx.operator!;
        if (approverId === admin.id) throw AuthErrors.approverInvalid();
        const approver = await this.o.approve(approverId, approverPin, admin.id);
        await this.close();
        await this.o.db.tx(async (q) => {
          await q.run('DELETE FROM settings WHERE key IN (?, ?, ?)', [MIRROR_DIR_KEY, MIRROR_COUNT_KEY, ENABLE_REQUEST_KEY]);
          await audit(q, { operatorId: admin.id, approverId: approver, action: 'mirror.disable' }, this.o.now?.());
        });
        await this.o.secrets.delete(MIRROR_SECRET_NAME);
        const off = this.status();
        this.changed(off);
        return off;
      },
      'mirror:restore': async ({ dir, recoveryCode, approverId, approverPin }, ctx) => {
        const admin = ctx.operator!;
        if (approverId === admin.id) throw AuthErrors.approverInvalid();
        const files = this.o.files ?? nodeFileOps;
        if (!files.exists(dir)) throw MirrorErrors.folderMissing();
        const approver = await this.o.approve(approverId, approverPin, admin.id);
        const result = await restoreFromMirror(this.o.db, {
          text: files.read(mirrorFile(dir, this.o.terminalId)), recoveryCode, terminalId: this.o.terminalId, operatorId: admin.id, approverId: approver, now: this.o.now,
        });
        await this.o.afterRestore();
        return result;
      },
    };
  }
}
