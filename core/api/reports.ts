/**
 * The daily (Z) report, computed in the core so every shell and the printed/exported copy agree
 * on one set of figures. Integer fen throughout; hours are China time (UTC+8, no DST).
 */
import { z } from 'zod';
import { Fen, method } from './define';
import { PaymentState, Tender } from './payments';
import { BusinessDay } from './receipts';

const Bucket = z.object({ count: z.number().int().nonnegative(), fen: Fen });

export const ZReport = z.object({
  day: BusinessDay,
  /** Paid and accepted-offline payments by tender. */
  byTender: z.array(Bucket.extend({ tender: Tender })),
  /** Every payment of the day by state (failed and cancelled included, so nothing disappears). */
  byStatus: z.array(Bucket.extend({ state: PaymentState })),
  /** Paid plus accepted offline (fen). */
  totalFen: Fen,
  /** Refunded so far against the day's payments (fen). */
  refundedFen: Fen,
  /** Accepted offline and not yet answered by the acquirer. */
  offlinePending: Bucket,
  /** 24 buckets, China time, of paid and accepted-offline amounts. */
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
});
export type ZReport = z.infer<typeof ZReport>;

export const reportMethods = {
  /** The Z report of a business day (today, China time, when no day is given). */
  'reports:z': method({ input: z.object({ day: BusinessDay.optional() }).strict(), output: ZReport, access: 'operator' }),
} as const;
