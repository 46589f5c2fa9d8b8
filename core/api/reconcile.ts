/**
 * Reconciliation of online payments and refunds against the acquirer's day statement
 * (core/reconcile): run by itself after each business day closes (China time) and on demand;
 * what the acquirer is authoritative on is corrected through the payment state machine, the
 * rest waits here for a supervisor. (Offline items have their own `reconcile:run`, offline.ts.)
 */
import { z } from 'zod';
import { Fen, method } from './define';
import { BusinessDay } from './receipts';

export const OnlineOutcome = z.enum(['matched', 'missing_locally', 'missing_at_acquirer', 'amount_mismatch', 'status_mismatch']);
export type OnlineOutcome = z.infer<typeof OnlineOutcome>;

/** One payment or refund that is not plainly matched (matched ones are counted, not listed). */
export const OnlineReconcileLine = z.object({
  kind: z.enum(['payment', 'refund']),
  /** The order number (payment) or refund number (refund). */
  ref: z.string(),
  orderNo: z.string(),
  outcome: OnlineOutcome.exclude(['matched']),
  localFen: Fen.nullable(),
  acquirerFen: Fen.nullable(),
  /** Our state (payments: PaymentState; refunds: created|pending|succeeded|failed); null when we have none. */
  localState: z.string().nullable(),
  /** What the statement shows: `paid` (payment), `reversed` (paid, then reversed), `refunded`; null when absent. */
  acquirerState: z.enum(['paid', 'reversed', 'refunded']).nullable(),
  /** `corrected`: the till put itself right on the acquirer's word; `supervisor`: waits for one. */
  action: z.enum(['corrected', 'supervisor']),
  /** Why, in both languages: what was found and what was done or is to be done. */
  zh: z.string(),
  en: z.string(),
  /** A supervisor's resolution: who, when, what they wrote. */
  resolvedBy: z.string().nullable(),
  resolvedAt: z.number().int().nullable(),
  resolution: z.string().nullable(),
});
export type OnlineReconcileLine = z.infer<typeof OnlineReconcileLine>;

export const OnlineReconcileReport = z.object({
  day: BusinessDay,
  ranAt: z.number().int(),
  trigger: z.enum(['daily', 'manual']),
  counts: z.object({
    matched: z.number().int().nonnegative(),
    missing_locally: z.number().int().nonnegative(),
    missing_at_acquirer: z.number().int().nonnegative(),
    amount_mismatch: z.number().int().nonnegative(),
    status_mismatch: z.number().int().nonnegative(),
  }),
  corrected: z.number().int().nonnegative(),
  /**
   * Payments and refunds started in the day's last minutes that its statement does not hold:
   * the acquirer may have completed them after midnight; the next day's run matches or reports them.
   */
  carried: z.number().int().nonnegative(),
  /** Lines waiting for a supervisor (not yet resolved). */
  waiting: z.number().int().nonnegative(),
  /** Net money of the day's online payments and refunds: ours, and the statement's (fen, signed). */
  localNetFen: z.number().int(),
  acquirerNetFen: z.number().int(),
  lines: z.array(OnlineReconcileLine),
});
export type OnlineReconcileReport = z.infer<typeof OnlineReconcileReport>;

/** The result in brief, as the Z report carries it (reports.ts `reconciliation`). */
export const ReconcileSummary = OnlineReconcileReport.pick({ ranAt: true, counts: true, corrected: true, waiting: true });
export type ReconcileSummary = z.infer<typeof ReconcileSummary>;

/** Shown while a run is under way: the step and, while correcting, how many of how many. */
export const ReconcileProgress = z.object({
  day: BusinessDay,
  step: z.enum(['statement', 'matching', 'correcting', 'done', 'failed']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type ReconcileProgress = z.infer<typeof ReconcileProgress>;

const RUNNERS = ['supervisor', 'agent', 'admin', 'trainer'] as const;

export const reconcileMethods = {
  /** Fetch the day's statement, match it with our payments and refunds, correct what the acquirer decides, keep the rest for a supervisor. */
  'reconcile:online': method({ input: z.object({ day: BusinessDay }).strict(), output: OnlineReconcileReport, access: RUNNERS }),
  /** The day's last result, without running again (null before the first run). */
  'reconcile:report': method({ input: z.object({ day: BusinessDay }).strict(), output: OnlineReconcileReport.nullable(), access: RUNNERS }),
  /** A supervisor closes a waiting line with what they found or did (2–200 characters). Final. */
  'reconcile:resolve': method({
    input: z.object({ day: BusinessDay, kind: z.enum(['payment', 'refund']), ref: z.string().regex(/^[A-Z0-9]{8,48}$/), note: z.string().trim().min(2).max(200) }).strict(),
    output: OnlineReconcileReport,
    access: ['supervisor', 'admin'],
  }),
  /** The day's last result as CSV (UTF-8 with BOM, quoted, formula-safe). */
  'reconcile:onlineCsv': method({ input: z.object({ day: BusinessDay }).strict(), output: z.object({ csv: z.string(), fileName: z.string() }), access: RUNNERS }),
} as const;

export const reconcileEvents = {
  /** A run's progress (on demand or the daily one). */
  'reconcile:progress': ReconcileProgress,
} as const;
