/**
 * Checking the journal, at start-up and on a supervisor's demand, and keeping its evidence:
 * the chain key in the platform's secret store, the point last verified (check point) and the
 * last head the acquirer acknowledged (anchor), both stored MAC'd with the chain key.
 *
 * Invariants:
 * - `verifyJournalAtStart` runs before any service can append (core/app.ts): it binds the key,
 *   so every row written afterwards is keyed; a journal without a key is verified whole, then
 *   keyed from its next row on, marked by a `journal.keyed` row.
 * - Start-up is incremental: rows after the check point are walked; the check point itself, the
 *   keyed chain's first link and the anchor are each re-read (one row each), so truncation or a
 *   rewrite of what was verified before is still caught. A supervisor's check walks every row.
 * - A problem found stays: the guard refuses new money (charges, offline accepts, service-point
 *   money) until the journal is whole again; nothing here ever repairs or rewrites a row.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../api/errors';
import type { Handlers } from '../api/contract';
import type { JournalCheckView } from '../api/ledger';
import type { SecretStore } from '../platform';
import type { Db, Queryable } from '../store/db';
import { isCorruptError } from '../store/integrity';
import {
  appendJournal, bindJournalKey, GENESIS, journalHead, KEYED_MARKER, verifyJournal,
  type JournalHead, type JournalKey, type JournalProblem,
} from './journal';

/** The secret store entry of a mode's chain key (training and live data never share one). */
export const journalKeySecret = (mode: 'demo' | 'live'): string => `journal.chainKey.${mode}`;
const CHECKPOINT = 'journal.checkpoint';
const ANCHOR = 'journal.anchor';

/** The outcome of a check, kept for the screen, the refusal and the diagnostics bundle. */
export interface JournalCheck {
  ok: boolean;
  problem: JournalProblem | null;
  /** The row concerned (first broken, or the check point/anchor row that no longer holds). */
  seq: number | null;
  /** `start`: incremental at start-up; `full`: every row; `acquirer`: the acquirer's anchor compared. */
  scope: 'start' | 'full' | 'acquirer';
  /** Rows walked by this check. */
  rows: number;
  /** The journal's head when checked. */
  head: JournalHead;
  /** The chain key's fingerprint (null when none). */
  keyId: string | null;
  /** The first keyed row. */
  keyedFrom: number | null;
  /** The last head the acquirer acknowledged (null: none yet). */
  anchor: (JournalHead & { at: number }) | null;
  at: number;
}

/** A head as it travels to the acquirer: `<keyId>.<seq>.<hash>` (PROTOCOL.md, "Journal anchors"). */
export interface Anchor extends JournalHead {
  keyId: string;
}

export function formatAnchor(a: Anchor): string {
  return `${a.keyId}.${a.seq}.${a.hash}`;
}

export function parseAnchor(s: string | null | undefined): Anchor | null {
  const m = /^([0-9a-f]{16})\.(\d{1,15})\.([0-9a-f]{64})$/.exec(s ?? '');
  return m ? { keyId: m[1], seq: Number(m[2]), hash: m[3] } : null;
}

function newKey(fromSeq: number): JournalKey {
  const key = randomBytes(32);
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key, fromSeq };
}

async function readKey(secrets: SecretStore, mode: 'demo' | 'live'): Promise<JournalKey | 'unreadable' | null> {
  const raw = await secrets.get(journalKeySecret(mode));
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as { id?: unknown; key?: unknown; fromSeq?: unknown };
    if (typeof v.key !== 'string' || !/^[0-9a-f]{64}$/.test(v.key) || typeof v.id !== 'string' || !Number.isSafeInteger(v.fromSeq) || (v.fromSeq as number) < 1) return 'unreadable';
    return { id: v.id, key: Buffer.from(v.key, 'hex'), fromSeq: v.fromSeq as number };
  } catch {
    return 'unreadable';
  }
}

async function writeKey(secrets: SecretStore, mode: 'demo' | 'live', k: JournalKey): Promise<void> {
  await secrets.set(journalKeySecret(mode), JSON.stringify({ id: k.id, key: k.key.toString('hex'), fromSeq: k.fromSeq }));
}

function mac(k: JournalKey, what: string, seq: number, hash: string): string {
  return createHmac('sha256', k.key).update(`${what}\u001f${seq}\u001f${hash}`).digest('hex');
}

function macMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'));
}

type Stored = { seq: number; hash: string; at: number; keyId: string };
/** A stored point (check point or anchor): 'forged' when its MAC does not hold under the key. */
async function readPoint(q: Queryable, name: string, k: JournalKey): Promise<Stored | 'forged' | null> {
  const row = await q.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [name]);
  if (!row) return null;
  try {
    const v = JSON.parse(row.value) as { seq?: unknown; hash?: unknown; at?: unknown; keyId?: unknown; mac?: unknown };
    if (!Number.isSafeInteger(v.seq) || typeof v.hash !== 'string' || typeof v.keyId !== 'string') return 'forged';
    // A point made under another key (a training reset re-keys) says nothing about this chain.
    if (v.keyId !== k.id) return null;
    if (!macMatches(mac(k, name, v.seq as number, v.hash), v.mac)) return 'forged';
    return { seq: v.seq as number, hash: v.hash, at: typeof v.at === 'number' ? v.at : 0, keyId: v.keyId };
  } catch {
    return 'forged';
  }
}

async function writePoint(q: Queryable, name: string, k: JournalKey, head: JournalHead, at: number): Promise<void> {
  const value = JSON.stringify({ seq: head.seq, hash: head.hash, at, keyId: k.id, mac: mac(k, name, head.seq, head.hash) });
  await q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [name, value]);
}

/** Whether the row at `p.seq` is still there with that hash. */
async function pointHolds(q: Queryable, p: JournalHead): Promise<JournalProblem | null> {
  if (p.seq === 0) return null;
  const r = await q.get<{ hash: string }>('SELECT hash FROM journal WHERE seq = ?', [p.seq]);
  if (!r) return 'truncated';
  return r.hash === p.hash ? null : 'rewritten_before_check';
}

/** The plain part and the keyed part meet at `fromSeq`: that one link is re-read every time. */
async function keyedLinkHolds(q: Queryable, k: JournalKey): Promise<boolean> {
  if (k.fromSeq <= 1) return true;
  const first = await q.get<{ prev_hash: string }>('SELECT prev_hash FROM journal WHERE seq = ?', [k.fromSeq]);
  if (!first) return true;
  const before = await q.get<{ hash: string }>('SELECT hash FROM journal WHERE seq = ?', [k.fromSeq - 1]);
  return before?.hash === first.prev_hash;
}

export interface CheckOptions {
  mode: 'demo' | 'live';
  /** Walk every row rather than from the check point (a supervisor's check). */
  full?: boolean;
  now?: () => number;
}

/**
 * Verifies the journal of an open database and binds its chain key (creating it, and keying
 * the chain from its next row, when there is none yet and the journal is whole). Call once at
 * start-up before any service appends; later checks go through `JournalGuard.verify`.
 * Never throws for what it finds in the file: a damaged file is the `unreadable` problem.
 */
export async function verifyJournalAtStart(db: Db, secrets: SecretStore, opts: CheckOptions): Promise<JournalCheck> {
  const now = opts.now ?? Date.now;
  const scope = opts.full ? 'full' : 'start';
  const base = { scope, rows: 0, keyId: null, keyedFrom: null, anchor: null } as const;
  const fail = (problem: JournalProblem, seq: number | null, head: JournalHead, extra: Partial<JournalCheck> = {}): JournalCheck =>
    ({ ...base, ok: false, problem, seq, head, at: now(), ...extra });
  let head: JournalHead = { seq: 0, hash: '' };
  try {
    head = await journalHead(db);
    const stored = await readKey(secrets, opts.mode);
    if (stored === 'unreadable') return fail('key_missing', null, head);
    if (stored === null) {
      // Keyed before (its marker row or its check point exists), and the key is gone: nothing
      // can tell an honest row from a recomputed one any more.
      const marked = await db.get<{ seq: number }>('SELECT seq FROM journal WHERE kind = ? LIMIT 1', [KEYED_MARKER]);
      const points = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM settings WHERE key IN (?, ?)', [CHECKPOINT, ANCHOR]);
      if (marked || (points?.n ?? 0) > 0) return fail('key_missing', marked?.seq ?? null, head);
      const whole = await verifyJournal(db, { key: null });
      if (!whole.ok) return fail(whole.problem ?? 'row_edited', whole.firstBroken, head, { rows: whole.rows });
      const k = newKey(head.seq + 1);
      // The key is kept before the first keyed row exists: a crash in between leaves a key
      // whose first row is simply still to come (handled below on the next start).
      await writeKey(secrets, opts.mode, k);
      return await keyedCheck(db, k, whole.rows, whole.head ?? head);
    }
    return await keyedCheck(db, stored, 0, null);
  } catch (e) {
    // A page of the file unreadable mid-walk (the start's quick_check passed over it, or it broke since).
    if (!isCorruptError(e)) throw e;
    return fail('unreadable', null, head);
  }

  /** `verified`: the plain chain was just walked up to there (a new key): the walk goes on from it. */
  async function keyedCheck(q: Db, k: JournalKey, walked: number, verified: JournalHead | null): Promise<JournalCheck> {
    bindJournalKey(q, k);
    let h = await journalHead(q);
    const info = { keyId: k.id, keyedFrom: k.fromSeq };
    if (h.seq < k.fromSeq - 1) return fail('truncated', h.seq + 1, h, info);
    if (h.seq === k.fromSeq - 1) {
      // The first keyed row: the marker, which says where and under which key the keyed chain begins.
      await q.tx((t) => appendJournal(t, { kind: KEYED_MARKER, ref: 'journal', amountFen: 0, body: { keyId: k.id, fromSeq: k.fromSeq } }, now()));
      h = await journalHead(q);
    }
    const cp = verified || opts.full ? null : await readPoint(q, CHECKPOINT, k);
    const anchor = await readPoint(q, ANCHOR, k);
    if (cp === 'forged' || anchor === 'forged') return fail('checkpoint_forged', null, h, info);
    // Every whole check leaves a check point; none past the marker row means it was removed.
    if (cp === null && !verified && !opts.full && h.seq > k.fromSeq) return fail('checkpoint_forged', null, h, info);
    const anchorInfo = anchor ? { anchor: { seq: anchor.seq, hash: anchor.hash, at: anchor.at } } : {};
    if (opts.full) {
      // Every row, and the check point must still hold too (a rewrite recomputed from before it).
      const old = await readPoint(q, CHECKPOINT, k);
      if (old === 'forged') return fail('checkpoint_forged', null, h, info);
      if (old) {
        const p = await pointHolds(q, old);
        if (p) return fail(p, old.seq, h, { ...info, ...anchorInfo });
      }
    }
    if (cp) {
      const p = await pointHolds(q, cp);
      if (p) return fail(p, cp.seq, h, { ...info, ...anchorInfo });
    }
    if (!(await keyedLinkHolds(q, k))) return fail('row_missing', k.fromSeq, h, { ...info, ...anchorInfo });
    if (anchor) {
      const p = await pointHolds(q, anchor);
      if (p) return fail(p, anchor.seq, h, { ...info, ...anchorInfo });
    }
    // From the check point's own row (its content re-hashed, not only its hash compared).
    const before = cp && cp.seq > 1 ? await q.get<{ hash: string }>('SELECT hash FROM journal WHERE seq = ?', [cp.seq - 1]) : null;
    const from = cp ? { seq: cp.seq - 1, hash: cp.seq > 1 ? (before?.hash ?? '') : GENESIS } : verified ?? undefined;
    const v = await verifyJournal(q, { key: k, after: from });
    if (!v.ok) return fail(v.problem ?? 'row_edited', v.firstBroken, h, { ...info, ...anchorInfo, rows: walked + v.rows });
    await writePoint(q, CHECKPOINT, k, v.head ?? h, now());
    return { ok: true, problem: null, seq: null, scope, rows: walked + v.rows, head: v.head ?? h, ...info, anchor: anchor ? { seq: anchor.seq, hash: anchor.hash, at: anchor.at } : null, at: now() };
  }
}

/** What a broken journal says to whoever meets it, with what to do. */
export function journalBroken(c: JournalCheck): AppError {
  const where = c.seq === null ? '' : `（第 ${c.seq} 条）`;
  const whereEn = c.seq === null ? '' : ` (entry ${c.seq})`;
  return new AppError(
    'journal.broken',
    `账本校验未通过${where}：${PROBLEM_ZH[c.problem ?? 'row_edited']}。已停止收款、离线受理和助农业务，现金记录不受影响。请不要删除、复制或修改数据文件，立即联系主管和收单机构核对账本。`,
    `The journal failed its check${whereEn}: ${PROBLEM_EN[c.problem ?? 'row_edited']}. Charges, offline acceptance and service-point money are stopped. Do not delete, copy or edit the data files; call your supervisor and the acquirer to check the books.`,
    { problem: c.problem, seq: c.seq },
  );
}

/** A check as the screen shows it: with what it means and what to do when broken. */
export function checkView(c: JournalCheck): JournalCheckView {
  const e = c.ok ? null : journalBroken(c);
  return { ...c, zh: e?.zh ?? null, en: e?.en ?? null };
}

export const PROBLEM_ZH: Record<JournalProblem, string> = {
  row_edited: '有记录被改动',
  rewritten_without_key: '有记录被改动并重新计算了校验值',
  row_missing: '有记录被删除或插入',
  truncated: '已核对过的记录不见了（账本被截短）',
  rewritten_before_check: '已核对过的记录被改写',
  key_missing: '账本密钥不在本机密钥库中',
  checkpoint_forged: '核对点被伪造或删除',
  unreadable: '数据文件已损坏，无法读取',
  anchor_mismatch: '收单机构保存的账本位置与本机不符',
  journal_replaced: '本机账本已被替换',
};

export const PROBLEM_EN: Record<JournalProblem, string> = {
  row_edited: 'an entry was edited',
  rewritten_without_key: 'an entry was edited and the hashes recomputed',
  row_missing: 'an entry was deleted or inserted',
  truncated: 'entries already verified are gone (the journal was cut short)',
  rewritten_before_check: 'entries already verified were rewritten',
  key_missing: 'the journal key is not in this computer’s key store',
  checkpoint_forged: 'a check point was forged or removed',
  unreadable: 'the data file is damaged and cannot be read',
  anchor_mismatch: 'the journal position the acquirer holds does not match this computer',
  journal_replaced: 'this computer’s journal was replaced',
};

/**
 * The running app's view of its journal: the last check, the refusal while it is broken, the
 * head sent to the acquirer and what the acquirer answered (core/forward/client.ts).
 */
export class JournalGuard {
  private check: JournalCheck;
  private readonly listeners = new Set<(c: JournalCheck) => void>();

  private constructor(private readonly deps: { db: Db; secrets: SecretStore; mode: 'demo' | 'live'; now?: () => number }, first: JournalCheck) {
    this.check = first;
  }

  /** Checks at start (incremental) and returns the guard; never throws for what it finds. */
  static async start(deps: { db: Db; secrets: SecretStore; mode: 'demo' | 'live'; now?: () => number }): Promise<JournalGuard> {
    return new JournalGuard(deps, await verifyJournalAtStart(deps.db, deps.secrets, { mode: deps.mode, now: deps.now }));
  }

  /** The last check (for the screen and the diagnostics bundle). */
  last(): JournalCheck {
    return this.check;
  }

  onChange(fn: (c: JournalCheck) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(c: JournalCheck): void {
    this.check = c;
    for (const fn of this.listeners) fn(c);
  }

  private background: Promise<unknown> = Promise.resolve();

  /**
   * The full walk, after start-up and without holding it up: the start's check reads only what
   * is new since the last check point, this one every row, so an old row edited while the app
   * was closed stops new money seconds after the start rather than at a supervisor's check.
   */
  verifyInBackground(): void {
    this.background = this.verify().catch(() => undefined);
  }

  /** Waits for a background check still running (before the database closes). */
  async close(): Promise<void> {
    await this.background;
  }

  /** Bumped by a training reset: a check begun before it says nothing of the new journal. */
  private generation = 0;
  /** What the acquirer's head showed: a local check cannot clear it (the rows it names are gone). */
  private acquirerProblem: JournalCheck | null = null;

  /**
   * A supervisor's check: every row. A problem found stays until a check finds the journal
   * whole; one the acquirer's head showed stays until the next start (and the acquirer, which
   * still holds that head, shows it again at the next exchange).
   */
  async verify(): Promise<JournalCheck> {
    const gen = this.generation;
    const c = await verifyJournalAtStart(this.deps.db, this.deps.secrets, { mode: this.deps.mode, full: true, now: this.deps.now });
    if (gen !== this.generation) return this.check;
    const out = c.ok && this.acquirerProblem ? this.acquirerProblem : c;
    this.set(out);
    return out;
  }

  /** Throws the plain refusal while the journal is broken (new money only; see core/app.ts). */
  assertTrading(): void {
    if (!this.check.ok) throw journalBroken(this.check);
  }

  /** Wraps the calls that start new money (core/ops `MONEY_INTAKE`): refused while the journal is broken. */
  guard(handlers: Handlers, methods: readonly (keyof Handlers)[]): void {
    for (const m of methods) {
      const inner = handlers[m] as (i: unknown, c: unknown) => Promise<unknown>;
      (handlers as Record<string, unknown>)[m] = async (i: unknown, c: unknown) => {
        this.assertTrading();
        return inner(i, c);
      };
    }
  }

  /** The contract's methods: the last check, and a full one on demand. */
  handlers(): Pick<Handlers, 'ledger:status' | 'ledger:verify'> {
    return {
      'ledger:status': async () => checkView(this.check),
      'ledger:verify': async () => checkView(await this.verify()),
    };
  }

  /** The head to send the acquirer, or null when there is no key (nothing to anchor). */
  async head(): Promise<string | null> {
    if (!this.check.keyId) return null;
    const h = await journalHead(this.deps.db);
    return formatAnchor({ keyId: this.check.keyId, ...h });
  }

  /**
   * The acquirer answered an exchange that carried `sent`, telling the head it held before
   * (`held`, null when it held none). Its head must be a row of this journal; a head of another
   * key is a replaced journal in live mode (in demo mode a training reset starts a new one).
   * Then the sent head is kept as the last anchor the acquirer acknowledged.
   */
  async acquirerAnswered(sent: string | null, held: string | null): Promise<void> {
    const k = this.check.keyId;
    if (!k) return;
    const now = (this.deps.now ?? Date.now)();
    const a = parseAnchor(held);
    if (a) {
      let problem: JournalProblem | null = null;
      if (a.keyId !== k) problem = this.deps.mode === 'live' ? 'journal_replaced' : null;
      else {
        const p = await pointHolds(this.deps.db, a);
        if (p) problem = p === 'truncated' ? 'truncated' : 'anchor_mismatch';
      }
      if (problem) {
        this.acquirerProblem = { ...this.check, ok: false, problem, seq: a.seq, scope: 'acquirer', rows: 0, at: now };
        this.set(this.acquirerProblem);
        return;
      }
    }
    const s = parseAnchor(sent);
    const key = await readKey(this.deps.secrets, this.deps.mode);
    if (!s || s.keyId !== k || !key || key === 'unreadable' || key.id !== k) return;
    await writePoint(this.deps.db, ANCHOR, key, s, now);
    if (this.check.ok) this.check = { ...this.check, anchor: { seq: s.seq, hash: s.hash, at: now } };
  }

  /**
   * After a training reset emptied the demo database: a new key (a new journal) from the next
   * row on, then a check. Demo mode only (the reset refuses live mode before this runs).
   */
  async afterReset(): Promise<void> {
    if (this.deps.mode !== 'demo') return;
    this.generation += 1;
    this.acquirerProblem = null;
    const h = await journalHead(this.deps.db);
    await writeKey(this.deps.secrets, 'demo', newKey(h.seq + 1));
    this.set(await verifyJournalAtStart(this.deps.db, this.deps.secrets, { mode: 'demo', now: this.deps.now }));
  }
}
