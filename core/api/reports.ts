/**
 * The daily (Z) report, computed in the core so every shell and the printed/exported copy agree
 * on one set of figures. Integer fen throughout; hours are China time (UTC+8, no DST).
 */
import { z } from 'zod';
import { Fen, method } from './define';
import { PaymentKind, PaymentState, Tender } from './payments';
import { BusinessDay } from './receipts';
import { ReconcileSummary } from './reconcile';

const Bucket = z.object({ count: z.number().int().nonnegative(), fen: Fen });

/**
 * The day's reconciliation of online payments and refunds (core/reconcile), in brief: when it
 * ran, its counts, what the till corrected by itself and what still waits for a supervisor;
 * null before the day's first run. Optional, so a report built before it existed still parses.
 */
export const ZReconciliation = ReconcileSummary.nullable();

export const ZReport = z.object({
  day: BusinessDay,
  /** The takings: paid and accepted-offline sales by tender (withdrawals and bills are not takings). */
  byTender: z.array(Bucket.extend({ tender: Tender })),
  /**
   * Paid and accepted-offline rows by kind, counted apart: `sale` the takings; `withdrawal` cash
   * handed out of the drawer (the customer paid the same by code); `bill` cash taken for billers.
   */
  byKind: z.array(Bucket.extend({ kind: PaymentKind })),
  /** Every row of the day by state, every kind (failed and cancelled included, so nothing disappears). */
  byStatus: z.array(Bucket.extend({ state: PaymentState })),
  /** The takings: paid plus accepted-offline sales (fen). */
  totalFen: Fen,
  /**
   * Refunded on this day (fen), whatever day the payment was: every money movement counts on the
   * day it happens, so a closed day never changes and today's report shows today's refunds.
   */
  refundedFen: Fen,
  /** Refunds made on this day, by the tender of the payment they return (money back to the customer). */
  refundsByTender: z.array(Bucket.extend({ tender: Tender })).optional(),
  /** Takings net of the day's refunds, by tender (may be negative: a day of refunds and few sales). */
  netByTender: z.array(z.object({ tender: Tender, fen: z.number().int() })).optional(),
  /** Takings net of the day's refunds (fen; may be negative). */
  netFen: z.number().int().optional(),
  /** Offline-code items not yet confirmed: waiting for the acquirer, or flagged for review and not released (any kind). */
  offlinePending: Bucket,
  /** Of those, the ones flagged for review: waiting for a supervisor, and held by one. */
  offlineReview: z.object({ waiting: Bucket, held: Bucket }),
  /**
   * Bills taken that day which the biller refused after they were sent (queued offline): the
   * customer's cash was counted into the drawer. `toReturn`: still to be handed back
   * (`agent:billReturn`); `returned`: handed back, out of the float.
   */
  billRefusals: z.object({ toReturn: Bucket, returned: Bucket }),
  /** 24 buckets, China time, of the takings (paid and accepted-offline sales). */
  hourly: z.array(Bucket.extend({ hour: z.number().int().min(0).max(23) })),
  /** The day's receipt counters (paper saved = e-receipt only). */
  receipts: z.object({ printed: z.number().int().nonnegative(), reprinted: z.number().int().nonnegative(), paperSaved: z.number().int().nonnegative() }),
  /**
   * The cash float of the day, for the roles that may see the float (agent, supervisor, trainer,
   * admin); null for others or when no float was opened. Variance: counted − expected at close.
   */
  float: z
    .object({
      openingFen: Fen,
      expectedFen: z.number().int(),
      closingFen: Fen.nullable(),
      varianceFen: z.number().int().nullable(),
    })
    .nullable(),
  /** Online payments reconciled against the acquirer's statement (ZReconciliation above). */
  reconciliation: ZReconciliation.optional(),
  /**
   * Set when the day was closed: this report is the stored snapshot (numbered, immutable; its
   * SHA-256 is in the journal), shown as it was at the close, reprints included.
   */
  closed: z.object({ number: z.number().int().positive(), at: z.number().int(), by: z.string(), hash: z.string().length(64) }).nullable().optional(),
  /**
   * On a closed day: what happened on that day after the close (a late refund, a sale), counted
   * live and shown beside the snapshot, never folded into it. Null when nothing did.
   */
  afterClose: z.object({ sales: Bucket, refunds: Bucket }).nullable().optional(),
});
export type ZReport = z.infer<typeof ZReport>;


export const reportMethods = {
  /** The Z report of a business day (today, China time, when no day is given). */
  'reports:z': method({ input: z.object({ day: BusinessDay.optional() }).strict(), output: ZReport, access: 'operator' }),
  /**
   * Closes a business day (today or an earlier one, once): stores its Z report as a numbered,
   * immutable snapshot with its hash in the journal. `reports:z` of that day shows the stored one.
   */
  'reports:close': method({ input: z.object({ day: BusinessDay.optional() }).strict(), output: ZReport, access: ['supervisor', 'agent', 'trainer', 'admin'] }),
} as const;
