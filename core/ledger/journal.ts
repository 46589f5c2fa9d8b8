/**
 * The tamper-evident journal of every money event (payment succeeded, accepted offline,
 * forwarded, refunded, cash in/out …). Each row carries the hash of the previous row:
 * hash = SHA-256(prev_hash ‖ seq ‖ at ‖ kind ‖ ref ‖ amount ‖ body). Rows are appended in the
 * same transaction as the state change they record, so the journal and the state never
 * disagree. `verifyJournal` walks the chain and reports the first broken link.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../store/db';

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

export function rowHash(prev: string, r: Omit<JournalRow, 'hash' | 'prev_hash'>): string {
  return createHash('sha256')
    .update([prev, r.seq, r.at, r.kind, r.ref, r.amount_fen, r.body].join('\u001f'))
    .digest('hex');
}

/** Appends one entry; call inside the transaction that makes the change it records. */
export async function appendJournal(q: Queryable, e: JournalEntry, at = Date.now()): Promise<JournalRow> {
  if (!Number.isSafeInteger(e.amountFen)) throw new Error('journal amount must be integer fen');
  const last = await q.get<{ seq: number; hash: string }>('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1');
  const seq = (last?.seq ?? 0) + 1;
  const prev = last?.hash ?? GENESIS;
  const base = { seq, at, kind: e.kind, ref: e.ref, amount_fen: e.amountFen, body: JSON.stringify(e.body ?? {}) };
  const hash = rowHash(prev, base);
  await q.run('INSERT INTO journal (seq, at, kind, ref, amount_fen, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    seq, at, base.kind, base.ref, base.amount_fen, base.body, prev, hash,
  ]);
  return { ...base, prev_hash: prev, hash };
}

export interface VerifyResult {
  ok: boolean;
  rows: number;
  /** The first row whose link or hash does not hold; null when the chain is whole. */
  firstBroken: number | null;
}

export async function verifyJournal(q: Queryable): Promise<VerifyResult> {
  const rows = await q.all<JournalRow>('SELECT * FROM journal ORDER BY seq');
  let prev = GENESIS;
  let expectedSeq = 1;
  for (const r of rows) {
    const { hash, prev_hash, ...rest } = r;
    if (r.seq !== expectedSeq || prev_hash !== prev || rowHash(prev, rest) !== hash) {
      return { ok: false, rows: rows.length, firstBroken: r.seq };
    }
    prev = hash;
    expectedSeq += 1;
  }
  return { ok: true, rows: rows.length, firstBroken: null };
}
