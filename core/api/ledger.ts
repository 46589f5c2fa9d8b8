/**
 * The journal's check (core/ledger/check.ts) as a supervisor's screen reads it: the last check
 * (at start-up, incremental) and a full check on demand. Never a hash key, only fingerprints.
 */
import { z } from 'zod';
import { Empty, method } from './define';

export const JournalProblem = z.enum([
  'row_edited', 'rewritten_without_key', 'row_missing', 'truncated', 'rewritten_before_check',
  'key_missing', 'checkpoint_forged', 'unreadable', 'anchor_mismatch', 'journal_replaced',
]);
export type JournalProblem = z.infer<typeof JournalProblem>;

const Head = z.object({ seq: z.number().int().nonnegative(), hash: z.string().max(64) });

export const JournalCheckView = z.object({
  ok: z.boolean(),
  /** What is wrong (null when whole), in plain words below. */
  problem: JournalProblem.nullable(),
  /** The row concerned. */
  seq: z.number().int().nullable(),
  /** `start`: at start-up from the last check point; `full`: every row; `acquirer`: the acquirer's anchor compared. */
  scope: z.enum(['start', 'full', 'acquirer']),
  rows: z.number().int().nonnegative(),
  head: Head,
  /** The chain key's fingerprint, and the first row it keys. */
  keyId: z.string().max(16).nullable(),
  keyedFrom: z.number().int().nullable(),
  /** The last head the acquirer acknowledged. */
  anchor: Head.extend({ at: z.number().int() }).nullable(),
  at: z.number().int(),
  /** What it means and what to do, zh-CN and en (null when whole). */
  zh: z.string().nullable(),
  en: z.string().nullable(),
});
export type JournalCheckView = z.infer<typeof JournalCheckView>;

const SUPERVISORS = ['supervisor', 'admin', 'trainer'] as const;

export const ledgerMethods = {
  /** The last check of the journal (start-up, a supervisor's, or the acquirer's anchor). */
  'ledger:status': method({ input: Empty, output: JournalCheckView, access: SUPERVISORS }),
  /** Checks every row of the journal now; a problem found stops new money until it is whole. */
  'ledger:verify': method({ input: Empty, output: JournalCheckView, access: SUPERVISORS }),
} as const;
