/**
 * The tamper-evident journal of every money event (payment succeeded, accepted offline,
 * forwarded, refunded, cash in/out …). Each row carries the hash of the previous row:
 * hash = MAC(prev_hash ‖ seq ‖ at ‖ kind ‖ ref ‖ amount ‖ body). Rows are appended in the
 * same transaction as the state change they record, so the journal and the state never
 * disagree.
 *
 * The MAC: rows from the chain key's first row (`JournalKey.fromSeq`) on are HMAC-SHA256 with a
 * key kept in the platform's secret store (the OS keychain under Electron), never in the
 * database, so someone who edits the file and recomputes every later hash without the key is
 * caught. Rows written before the key existed (an older version's plain SHA-256 chain) are
 * verified as they were written; the first keyed row links to the last plain one, so the plain
 * part cannot be rewritten either without breaking that link. The key is bound to the open
 * database once at start-up (core/ledger/check.ts); `appendJournal` finds it through the
 * database, so no caller carries it. Without a bound key (unit tests of other areas) rows are
 * plain SHA-256, as before.
 *
 * `verifyJournal` walks the chain (from a point already verified, or from the first row) and
 * names the first problem it meets. What the chain proves and what it does not: README.md.
 */
import { createHash, createHmac } from 'node:crypto';
import type { JournalProblem } from '../api/ledger';
import { ownerOf, type Db, type Queryable } from '../store/db';

export const GENESIS = '0'.repeat(64);

export interface JournalEntry {
  /** What happened, e.g. `payment.succeeded`, `refund.succeeded`, `offline.accepted`. */
  kind: string;
  /** The order or refund number it concerns. */
  ref: string;
  /** Signed fen: money in positive, money out (refunds, cash-outs) negative. */
  amountFen: number;
  /** Safe detail: never a full payment code. */
  body?: Record<string, unknown>;
}

export interface JournalRow {
  seq: number;
  at: number;
  kind: string;
  ref: string;
  amount_fen: number;
  body: string;
  prev_hash: string;
  hash: string;
}

/** The chain key: rows from `fromSeq` on are HMAC'd with `key`; `id` names it (a fingerprint, never the key). */
export interface JournalKey {
  id: string;
  key: Buffer;
  fromSeq: number;
}

/** Where the journal stands: its last row (seq 0 and GENESIS when empty). */
export interface JournalHead {
  seq: number;
  hash: string;
}

/** The kind of the row that marks where the keyed chain begins (amount 0, body `{ keyId, fromSeq }`). */
export const KEYED_MARKER = 'journal.keyed';

export function rowHash(prev: string, r: Omit<JournalRow, 'hash' | 'prev_hash'>, key?: Buffer): string {
  const text = [prev, r.seq, r.at, r.kind, r.ref, r.amount_fen, r.body].join('\u001f');
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(text).digest('hex');
}

const boundKeys = new WeakMap<Db, JournalKey>();

/** Binds the chain key to an open database: every later append on it is keyed. */
export function bindJournalKey(db: Db, key: JournalKey | null): void {
  if (key) boundKeys.set(db, key);
  else boundKeys.delete(db);
}

/** The key bound to the database of `q`, if any. */
export function boundJournalKey(q: Queryable): JournalKey | null {
  const db = ownerOf(q);
  return (db && boundKeys.get(db)) ?? null;
}

function keyFor(seq: number, k: JournalKey | null): Buffer | undefined {
  return k && seq >= k.fromSeq ? k.key : undefined;
}

/** Appends one entry; call inside the transaction that makes the change it records. */
export async function appendJournal(q: Queryable, e: JournalEntry, at = Date.now()): Promise<JournalRow> {
  if (!Number.isSafeInteger(e.amountFen)) throw new Error('journal amount must be integer fen');
  const last = await q.get<{ seq: number; hash: string }>('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1');
  const seq = (last?.seq ?? 0) + 1;
  const prev = last?.hash ?? GENESIS;
  const base = { seq, at, kind: e.kind, ref: e.ref, amount_fen: e.amountFen, body: JSON.stringify(e.body ?? {}) };
  const hash = rowHash(prev, base, keyFor(seq, boundJournalKey(q)));
  await q.run('INSERT INTO journal (seq, at, kind, ref, amount_fen, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    seq, at, base.kind, base.ref, base.amount_fen, base.body, prev, hash,
  ]);
  return { ...base, prev_hash: prev, hash };
}

export async function journalHead(q: Queryable): Promise<JournalHead> {
  const last = await q.get<JournalHead>('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1');
  return last ?? { seq: 0, hash: GENESIS };
}

/**
 * What can be wrong, each named so the screen and the refusal can say it plainly:
 * - `row_edited`: a row's content no longer matches its hash (edited in the file);
 * - `rewritten_without_key`: a keyed row carries a plain SHA-256 of its content — edited and
 *   every later hash recomputed by someone without the key;
 * - `row_missing`: a sequence gap or a broken link (a row deleted, inserted or reordered);
 * - `truncated`: rows that were verified, or anchored at the acquirer, are gone;
 * - `rewritten_before_check`: the row at a point already verified or anchored has another hash;
 * - `key_missing`: the journal is keyed but the chain key is not in the secret store;
 * - `checkpoint_forged`: the stored check point or anchor does not carry the key's MAC, or the
 *   check point every whole check leaves is gone;
 * - `unreadable`: the database could not be read (a damaged or cut file);
 * - `anchor_mismatch`: the head the acquirer holds is not in this journal;
 * - `journal_replaced`: the acquirer holds the head of another journal of this terminal (live mode).
 */
export type { JournalProblem };

export interface VerifyResult {
  ok: boolean;
  /** Rows walked by this verification. */
  rows: number;
  /** The first row whose link or hash does not hold; null when the chain is whole. */
  firstBroken: number | null;
  /** What is wrong there (null when whole). */
  problem?: JournalProblem | null;
  /** The last row verified (the head, when whole). */
  head?: JournalHead;
}

export interface VerifyOptions {
  /** The chain key; absent: the one bound to the database (none: every row plain). */
  key?: JournalKey | null;
  /** Start after this already verified row (its hash is taken as given); absent: from the first row. */
  after?: JournalHead;
}

const PAGE = 2000;

/**
 * Walks the chain from `after` (or the first row), page by page so a year of rows keeps memory
 * flat, and names the first problem. Without options it checks the whole chain as before.
 */
export async function verifyJournal(q: Queryable, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const key = opts.key === undefined ? boundJournalKey(q) : opts.key;
  let prev = opts.after?.hash ?? GENESIS;
  let expectedSeq = (opts.after?.seq ?? 0) + 1;
  let rows = 0;
  for (;;) {
    const page = await q.all<JournalRow>('SELECT * FROM journal WHERE seq >= ? ORDER BY seq LIMIT ?', [expectedSeq, PAGE]);
    for (const r of page) {
      const broken = (problem: JournalProblem): VerifyResult => ({ ok: false, rows: rows + 1, firstBroken: r.seq, problem, head: { seq: expectedSeq - 1, hash: prev } });
      if (r.seq !== expectedSeq || r.prev_hash !== prev) return broken('row_missing');
      const { hash, prev_hash: _p, ...rest } = r;
      const k = keyFor(r.seq, key);
      if (rowHash(prev, rest, k) !== hash) return broken(k && rowHash(prev, rest) === hash ? 'rewritten_without_key' : 'row_edited');
      prev = hash;
      expectedSeq += 1;
      rows += 1;
    }
    if (page.length < PAGE) break;
  }
  return { ok: true, rows, firstBroken: null, problem: null, head: { seq: expectedSeq - 1, hash: prev } };
}
