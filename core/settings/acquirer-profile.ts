/**
 * The acquirer connection profile (core/api/acquirer.ts): read at start into the configuration,
 * tested, saved under dual control and applied while the app runs where that is safe.
 *
 * Invariants:
 * - The keys live only in the platform's secret store (the OS keychain under Electron), under
 *   names derived from their fingerprints, so a new key never overwrites the one in use and a
 *   save that fails leaves the saved profile and its keys whole. The database holds the rest
 *   and the fingerprints; no key is ever in SQLite, an audit row, a log line, an error or an
 *   answer.
 * - Nothing is written unless the whole profile is valid, its connection test passed (a live
 *   counter never on a simulator, a training one never on a live acquirer), a different
 *   supervisor or administrator approved, and nothing still open belongs to the connection in
 *   use: a payment sent to one acquirer is queried and cancelled there, never at another.
 * - The profile row and its audit row (both operators, what changed: fingerprints, never keys)
 *   are one transaction. The running connection is replaced after the commit, inside the link
 *   gate (core/acquirer/switchable.ts) and after a last look at what is open, so no request is
 *   split between two connections.
 * - Replaced at once: endpoint, keys, merchant id, timings. From the next start only: a new
 *   terminal id (order numbers, receipts, recovery and the offline outbox are keyed by it), and
 *   demo mode leaving or regaining its built-in simulator (the lessons are bound to it).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { checkProfile, type ConnectionTestResult, type ProfileDraft, type ProfileSave, type ProfileView } from '../api/acquirer';
import type { CallContext } from '../api/contract';
import { AppError, RpcErrors } from '../api/errors';
import type { Mode } from '../api/system';
import { testConnection } from '../acquirer/connection-test';
import type { LinkGate } from '../acquirer/switchable';
import type { AcquirerTimings } from '../acquirer/types';
import { audit } from '../audit';
import { AuthErrors } from '../auth/operators';
import { AcquirerTimingsInput, DOMAIN_TIMINGS, TIMING_BOUNDS, timingProblems, timingsInForce, type AppConfig, type AppConfigInput } from '../config';
import type { SecretStore } from '../platform';
import type { Db } from '../store/db';
import { ConnectionErrors, outcomeWords, type OpenWork } from './acquirer-words';

/** The saved keys go to the saved address only (issue 13, item 6). */
const savedKeysElsewhere = () =>
  new AppError('acquirer.keys_for_new_address',
    '已保存的密钥只发往已保存的收单地址。测试或保存新地址，请重新填写两把密钥。未做任何更改。',
    'The saved keys are only ever sent to the saved address. To test or save a new address, enter both keys again. Nothing was changed.');

/** The settings row of the saved profile (JSON, no keys). */
export const PROFILE_KEY = 'acquirer.profile';

const Fingerprint = z.string().regex(/^[0-9A-F]{4}( [0-9A-F]{4}){3}$/);
const StoredKey = z.object({ secret: z.string().regex(/^acquirer\.(signing|offline)\.[0-9A-F]{16}$/), fingerprint: Fingerprint });
const StoredProfile = z.object({
  v: z.literal(1),
  endpoint: z.string(),
  merchantId: z.string(),
  terminalId: z.string(),
  timings: z.record(z.string(), z.number()),
  signingKey: StoredKey,
  offlineKey: StoredKey,
  savedAt: z.number().int(),
  savedBy: z.string(),
  approvedBy: z.string(),
});
type StoredProfile = z.infer<typeof StoredProfile>;

/** A connection with its keys, in memory only. */
export interface AcquirerLink {
  endpoint: string;
  merchantId: string;
  terminalId: string;
  signingKey: string;
  offlineKey: string;
  /** The overrides saved (the rest take docs/DOMAIN.md's defaults). */
  timings: AcquirerTimingsInput;
}

/** What was found at start: the saved profile, usable or not, and its keys when usable. */
export interface StartupProfile {
  stored: StoredProfile | null;
  link: AcquirerLink | null;
  problem: 'unreadable' | 'keys_missing' | null;
}

/** A key's fingerprint: the first 8 bytes of its SHA-256, as four groups of hex. It cannot give the key back. */
export function fingerprint(keyHex: string): string {
  const h = createHash('sha256').update(Buffer.from(keyHex, 'hex')).digest('hex').slice(0, 16).toUpperCase();
  return h.match(/.{4}/g)!.join(' ');
}

const secretName = (kind: 'signing' | 'offline', fp: string) => `acquirer.${kind}.${fp.replace(/ /g, '')}`;

/** The timings' overrides checked against the configuration's bounds and rules, or a bilingual refusal. */
function checkTimings(t: Record<string, number>): { overrides: AcquirerTimingsInput; inForce: AcquirerTimings } {
  for (const k of Object.keys(t)) {
    if (!(k in TIMING_BOUNDS)) {
      throw ConnectionErrors.timing(k, { zh: `没有名为 ${k} 的收单时序`, en: `there is no acquirer timing named ${k}` });
    }
  }
  const r = AcquirerTimingsInput.safeParse(t);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw ConnectionErrors.timing(String(i.path[0] ?? ''), bilingual(i.message));
  }
  const inForce = timingsInForce({ kind: 'none' }, r.data);
  const problem = timingProblems(inForce)[0];
  if (problem) throw ConnectionErrors.timing(problem.field, bilingual(problem.message));
  return { overrides: r.data, inForce };
}

/** core/config.ts writes each refusal as "zh / en". */
function bilingual(m: string): { zh: string; en: string } {
  const at = m.indexOf(' / ');
  return at < 0 ? { zh: m, en: m } : { zh: m.slice(0, at), en: m.slice(at + 3) };
}

async function readKey(secrets: SecretStore, k: z.infer<typeof StoredKey>): Promise<string | null> {
  try {
    const v = await secrets.get(k.secret);
    // A key that is not what was saved (a keychain restored from elsewhere) is as good as missing.
    return v && /^[0-9a-f]{64}$/.test(v) && fingerprint(v) === k.fingerprint ? v : null;
  } catch {
    return null;
  }
}

/**
 * Reads the saved profile at start, before the configuration is built (core/app.ts). A row that
 * cannot be read, or that this mode would refuse today (a training address in a live file), is
 * not used: the counter starts unconnected (live) or on its built-in simulator (demo), and the
 * screen says why. So are keys the keychain no longer has.
 */
export async function loadStartupProfile(db: Db, mode: Mode, secrets: SecretStore): Promise<StartupProfile> {
  const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY]);
  if (!row) return { stored: null, link: null, problem: null };
  let stored: StoredProfile;
  try {
    stored = StoredProfile.parse(JSON.parse(row.value));
    const p = checkProfile({ endpoint: stored.endpoint, merchantId: stored.merchantId, terminalId: stored.terminalId }, mode);
    if (p.endpoint !== stored.endpoint || p.terminalId !== stored.terminalId) throw new Error('not normalised');
    checkTimings(stored.timings);
  } catch {
    return { stored: null, link: null, problem: 'unreadable' };
  }
  const signingKey = await readKey(secrets, stored.signingKey);
  const offlineKey = await readKey(secrets, stored.offlineKey);
  if (!signingKey || !offlineKey) return { stored, link: null, problem: 'keys_missing' };
  const { overrides } = checkTimings(stored.timings);
  return { stored, link: { endpoint: stored.endpoint, merchantId: stored.merchantId, terminalId: stored.terminalId, signingKey, offlineKey, timings: overrides }, problem: null };
}

/**
 * The configuration with the saved connection in it. A configuration that names its acquirer
 * itself (tests, a config file) keeps it; otherwise a usable profile gives the acquirer, the
 * terminal id and the timings, and a live counter without one starts unconnected.
 */
export function withProfile(input: AppConfigInput, startup: StartupProfile): AppConfigInput {
  if (input.acquirer !== undefined) return input;
  const link = startup.link;
  if (link) {
    return {
      ...input,
      terminalId: link.terminalId,
      // Demo mode saved it only after the acquirer said it is a simulator (`training`).
      acquirer: { kind: 'http', baseUrl: link.endpoint, simulator: input.mode === 'demo' },
      acquirerTimings: { ...input.acquirerTimings, ...link.timings },
    };
  }
  return input.mode === 'live' ? { ...input, acquirer: { kind: 'none' } } : input;
}

export interface ProfileDeps {
  db: Db;
  config: Pick<AppConfig, 'mode' | 'terminalId' | 'acquirer'>;
  secrets: SecretStore;
  startup: StartupProfile;
  /** True when the running connection is the saved profile (false: the configuration named its own). */
  runningFromProfile: boolean;
  /** OperatorService.approve: a different supervisor/admin with a correct PIN; returns their id. */
  approve: (approverId: string | undefined, pin: string | undefined) => Promise<string>;
  /** What still belongs to the running connection. */
  openWork: () => Promise<OpenWork>;
  gate: LinkGate;
  /** Replaces the running connection; called inside the gate's hold, after the commit. */
  relink: (link: AcquirerLink, timings: AcquirerTimings) => void;
  now?: () => number;
  /** How long calls in flight get to finish before a save is refused (default 10 s). */
  drainMs?: number;
  /** Tests only: certificates to trust for HTTPS (connection-test.ts). */
  ca?: string;
}

interface Running {
  kind: 'embedded' | 'http' | 'none';
  endpoint: string | null;
  merchantId: string | null;
  terminalId: string;
  signingKeyFingerprint: string | null;
  offlineKeyFingerprint: string | null;
}

/** A checked profile with both keys (typed now, or the saved ones) and its timings. */
interface Resolved {
  endpoint: string;
  merchantId: string;
  terminalId: string;
  signingKey: string;
  offlineKey: string;
  overrides: AcquirerTimingsInput;
  inForce: AcquirerTimings;
}

export class AcquirerProfileService {
  private stored: StoredProfile | null;
  private running: Running;
  private pendingRestart = false;
  private problem: StartupProfile['problem'];
  private readonly mode: Mode;
  private readonly now: () => number;

  constructor(private readonly deps: ProfileDeps) {
    this.mode = deps.config.mode;
    this.now = deps.now ?? Date.now;
    this.stored = deps.startup.stored;
    this.problem = deps.startup.problem;
    const a = deps.config.acquirer;
    const s = deps.runningFromProfile ? deps.startup.stored : null;
    this.running = {
      kind: a.kind,
      endpoint: a.kind === 'http' ? a.baseUrl : null,
      merchantId: s?.merchantId ?? null,
      terminalId: deps.config.terminalId,
      signingKeyFingerprint: s?.signingKey.fingerprint ?? null,
      offlineKeyFingerprint: s?.offlineKey.fingerprint ?? null,
    };
  }

  view(): ProfileView {
    const s = this.stored;
    return {
      mode: this.mode,
      running: { ...this.running },
      saved: s
        ? {
            endpoint: s.endpoint, merchantId: s.merchantId, terminalId: s.terminalId,
            signingKeyFingerprint: s.signingKey.fingerprint, offlineKeyFingerprint: s.offlineKey.fingerprint,
            timings: { ...s.timings }, savedAt: s.savedAt, savedBy: s.savedBy, approvedBy: s.approvedBy,
          }
        : null,
      restartRequired: this.pendingRestart,
      problem: this.problem,
      timings: { defaults: { ...DOMAIN_TIMINGS }, bounds: { ...TIMING_BOUNDS } },
    };
  }

  /**
   * After demo mode's training reset emptied the database (the profile row with it): the next
   * start is on the built-in simulator again, and the keys no profile names are forgotten.
   */
  async afterReset(): Promise<void> {
    const old = this.stored;
    this.stored = null;
    this.problem = null;
    this.pendingRestart = this.running.kind !== 'embedded';
    if (old) await this.forgetKeys(old, null);
  }

  /** "Test connection": checks the fields, then the two signed requests. Writes nothing. */
  async test(draft: ProfileDraft): Promise<ConnectionTestResult> {
    return this.runTest(await this.resolve(draft));
  }

  async save(input: ProfileSave, ctx: CallContext): Promise<{ view: ProfileView; applied: 'now' | 'restart'; test: ConnectionTestResult }> {
    const proposer = ctx.operator;
    if (!proposer) throw RpcErrors.notLoggedIn();
    const { approverId, approverPin, ...draft } = input;
    // 1. Every field, before anything slower: a typo never costs a PIN attempt or a network call.
    const p = await this.resolve(draft);
    const signingFp = fingerprint(p.signingKey);
    const offlineFp = fingerprint(p.offlineKey);
    const changes = this.changes(p, signingFp, offlineFp);
    if (Object.keys(changes).length === 0) throw ConnectionErrors.nothingToChange();
    const identity = p.merchantId !== this.running.merchantId || p.terminalId !== this.running.terminalId;
    await this.refuseIfOpen(identity);
    // 2. The acquirer must accept it, and be what this mode allows.
    const test = await this.runTest(p);
    if (test.outcome !== 'ok') throw ConnectionErrors.testFailed(test, test.outcome);
    // 3. Dual control: never the proposer (checked here too, so self-approval costs no PIN attempt).
    if (approverId !== undefined && approverId === proposer.id) throw AuthErrors.approverInvalid();
    const approver = await this.deps.approve(approverId, approverPin);
    const next: StoredProfile = {
      v: 1, endpoint: p.endpoint, merchantId: p.merchantId, terminalId: p.terminalId, timings: { ...p.overrides },
      signingKey: { secret: secretName('signing', signingFp), fingerprint: signingFp },
      offlineKey: { secret: secretName('offline', offlineFp), fingerprint: offlineFp },
      savedAt: this.now(), savedBy: proposer.id, approvedBy: approver,
    };
    const applied = this.running.kind === 'embedded' || p.terminalId !== this.running.terminalId ? 'restart' : 'now';
    const record = { operatorId: proposer.id, approverId: approver, changes, applied, test: { outcome: test.outcome, rttMs: test.rttMs } };
    if (applied === 'restart') {
      await this.refuseIfOpen(identity);
      await this.write(next, p, record);
      this.pendingRestart = true;
    } else {
      // 4. With every call to the acquirer held: a last look at what is open, then write and switch.
      const held = await this.deps.gate.hold(this.deps.drainMs ?? 10_000, async () => {
        await this.refuseIfOpen(identity);
        await this.write(next, p, record);
        try {
          this.deps.relink({ endpoint: p.endpoint, merchantId: p.merchantId, terminalId: p.terminalId, signingKey: p.signingKey, offlineKey: p.offlineKey, timings: p.overrides }, p.inForce);
          return true;
        } catch {
          // Saved, but not switched: the old connection goes on whole and the next start uses
          // the new one. Nothing of the error is logged: it could only name the address.
          console.error('[acquirer] the saved connection could not be applied now; it takes effect at the next start');
          return false;
        }
      });
      if (!held.ran) throw ConnectionErrors.inFlight();
      if (held.value) {
        this.running = { kind: 'http', endpoint: p.endpoint, merchantId: p.merchantId, terminalId: p.terminalId, signingKeyFingerprint: signingFp, offlineKeyFingerprint: offlineFp };
      }
      this.pendingRestart = !held.value;
      this.problem = null;
      return { view: this.view(), applied: held.value ? 'now' : 'restart', test };
    }
    this.problem = null;
    return { view: this.view(), applied, test };
  }

  /**
   * Training mode: forget the saved connection, so the next start is on the built-in simulator
   * again (at once when the counter never left it). Dual-controlled and audited like a save.
   */
  async useBuiltIn(input: { approverId?: string; approverPin?: string }, ctx: CallContext): Promise<{ view: ProfileView; applied: 'now' | 'restart' }> {
    const proposer = ctx.operator;
    if (!proposer) throw RpcErrors.notLoggedIn();
    if (this.mode !== 'demo') throw ConnectionErrors.demoOnly();
    const old = this.stored;
    if (!old && this.running.kind === 'embedded') throw ConnectionErrors.nothingToChange();
    if (this.running.kind !== 'embedded') await this.refuseIfOpen(true);
    if (input.approverId !== undefined && input.approverId === proposer.id) throw AuthErrors.approverInvalid();
    const approver = await this.deps.approve(input.approverId, input.approverPin);
    const applied = this.running.kind === 'embedded' ? 'now' : 'restart';
    await this.deps.db.tx(async (q) => {
      await q.run('DELETE FROM settings WHERE key = ?', [PROFILE_KEY]);
      await audit(q, {
        operatorId: proposer.id, approverId: approver, action: 'acquirer.use_built_in',
        detail: { from: old ? { endpoint: old.endpoint, terminalId: old.terminalId, signingKey: old.signingKey.fingerprint, offlineKey: old.offlineKey.fingerprint } : null, applied },
      }, this.now());
    });
    this.stored = null;
    this.problem = null;
    this.pendingRestart = applied === 'restart';
    if (old) await this.forgetKeys(old, null);
    return { view: this.view(), applied };
  }

  /**
   * The draft checked and completed: typed keys, or the saved ones when left out — and then only
   * toward the saved address. Signing a test (or a save's test, which runs before its approval)
   * toward an address an admin just typed would hand requests signed with the saved keys to any
   * server, with no second person; a new address is tested with its keys typed again.
   */
  private async resolve(draft: ProfileDraft): Promise<Resolved> {
    const c = checkProfile(draft, this.mode);
    if ((c.signingKey === undefined || c.offlineKey === undefined) && this.stored && c.endpoint !== this.stored.endpoint) {
      throw savedKeysElsewhere();
    }
    const { overrides, inForce } = checkTimings(c.timings ?? {});
    const signingKey = c.signingKey ?? (this.stored ? await readKey(this.deps.secrets, this.stored.signingKey) : null);
    if (!signingKey) throw ConnectionErrors.keyRequired('signingKey');
    const offlineKey = c.offlineKey ?? (this.stored ? await readKey(this.deps.secrets, this.stored.offlineKey) : null);
    if (!offlineKey) throw ConnectionErrors.keyRequired('offlineKey');
    return { endpoint: c.endpoint, merchantId: c.merchantId, terminalId: c.terminalId, signingKey, offlineKey, overrides, inForce };
  }

  private async runTest(p: Resolved): Promise<ConnectionTestResult> {
    const c = await testConnection({
      baseUrl: p.endpoint, merchantId: p.merchantId, terminalId: p.terminalId, signingKey: p.signingKey, offlineKey: p.offlineKey,
      timeoutMs: p.inForce.requestTimeoutMs, ca: this.deps.ca,
    });
    // The acquirer says whether real money moves there: a training counter only where none does.
    const outcome = c.outcome === 'ok' && (this.mode === 'demo') !== (c.training === true) ? 'training_mismatch' : c.outcome;
    return { outcome, rttMs: c.rttMs, clockOffsetMs: c.clockOffsetMs, detail: c.detail, ...outcomeWords(outcome, c.rttMs, c.clockOffsetMs, this.mode) };
  }

  /** What the save changes against the saved profile (or, with none saved, the running connection): fingerprints, never keys. */
  private changes(p: Resolved, signingFp: string, offlineFp: string): Record<string, { from: unknown; to: unknown }> {
    const s = this.stored;
    const before = {
      endpoint: s?.endpoint ?? this.running.endpoint,
      merchantId: s?.merchantId ?? this.running.merchantId,
      terminalId: s?.terminalId ?? this.running.terminalId,
      signingKey: s?.signingKey.fingerprint ?? this.running.signingKeyFingerprint,
      offlineKey: s?.offlineKey.fingerprint ?? this.running.offlineKeyFingerprint,
      timings: s?.timings ?? null,
    };
    const after = { endpoint: p.endpoint, merchantId: p.merchantId, terminalId: p.terminalId, signingKey: signingFp, offlineKey: offlineFp, timings: { ...p.overrides } };
    const out: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of Object.keys(after) as Array<keyof typeof after>) {
      const same = k === 'timings' ? sameTimings(before.timings, after.timings) : before[k] === after[k];
      if (!same) out[k] = { from: before[k], to: after[k] };
    }
    return out;
  }

  private async refuseIfOpen(identity: boolean): Promise<void> {
    const w = await this.deps.openWork();
    if (w.payments || w.refunds || w.forwarding || (identity && w.waitingOffline)) throw ConnectionErrors.busy(w, identity);
  }

  /**
   * Keys first, under new names (a key already saved under its name is left as it is); then
   * the row and its audit row in one transaction; then the keys no profile names any more.
   * A failure before the commit removes what it added, so the saved profile stays whole.
   */
  private async write(next: StoredProfile, p: Resolved, record: { operatorId: string; approverId: string; changes: Record<string, unknown>; applied: string; test: unknown }): Promise<void> {
    const { secrets } = this.deps;
    const added: string[] = [];
    const old = this.stored;
    const inUse = new Set(old ? [old.signingKey.secret, old.offlineKey.secret] : []);
    const undo = async () => {
      for (const n of added) if (!inUse.has(n)) await secrets.delete(n).catch(() => undefined);
    };
    try {
      for (const [name, key] of [[next.signingKey.secret, p.signingKey], [next.offlineKey.secret, p.offlineKey]] as const) {
        if ((await secrets.get(name)) === key) continue;
        await secrets.set(name, key);
        added.push(name);
      }
    } catch {
      await undo();
      throw ConnectionErrors.noKeychain();
    }
    try {
      await this.deps.db.tx(async (q) => {
        await q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [PROFILE_KEY, JSON.stringify(next)]);
        await audit(q, { operatorId: record.operatorId, approverId: record.approverId, action: 'acquirer.profile_saved', detail: { changes: record.changes, applied: record.applied, test: record.test } }, next.savedAt);
      });
    } catch (e) {
      await undo();
      throw e;
    }
    this.stored = next;
    if (old) await this.forgetKeys(old, next);
  }

  /** Removes the keys of `old` that `next` does not name (best effort: no profile refers to them). */
  private async forgetKeys(old: StoredProfile, next: StoredProfile | null): Promise<void> {
    const keep = new Set(next ? [next.signingKey.secret, next.offlineKey.secret] : []);
    for (const n of new Set([old.signingKey.secret, old.offlineKey.secret])) {
      if (!keep.has(n)) await this.deps.secrets.delete(n).catch(() => undefined);
    }
  }
}

function sameTimings(a: Record<string, number> | null, b: Record<string, number>): boolean {
  const x = a ?? {};
  const keys = new Set([...Object.keys(x), ...Object.keys(b)]);
  for (const k of keys) if (x[k] !== b[k]) return false;
  return true;
}
