/**
 * Receipts as the UI sees them: how receipts are given (paper, e-receipt QR on screen, or both),
 * the shop header printed on them, reprints by order number and the day's counters for the
 * Z report. Printing itself is automatic (core/receipts): the UI never has to ask for the
 * receipt of a payment that just succeeded.
 *
 * The schemas here bound sizes and types; core/receipts/settings.ts checks the content again
 * (control and invisible characters, line counts) with its own bilingual errors, because the
 * header ends up as bytes sent to a printer.
 */
import { z } from 'zod';
import { Id, method } from './define';
import { AGENT_ROLES } from './agent';
import { OrderNo } from './payments';

export const ReceiptMode = z.enum(['print', 'qr', 'both']);
export type ReceiptMode = z.infer<typeof ReceiptMode>;

/** China business day, YYYY-MM-DD. */
export const BusinessDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const ReceiptSettings = z.object({
  /** print: paper only; qr: the e-receipt QR on screen only (paper saved is counted); both. */
  mode: ReceiptMode,
  /** Shop name first (printed large), then address/phone: 1–4 lines of at most 32 characters. */
  header: z.array(z.string()).min(1).max(4),
  /** Base of the e-receipt link printed as a QR (https); the order number is appended. Null: no QR on paper. */
  eReceiptBaseUrl: z.string().nullable(),
});
export type ReceiptSettings = z.infer<typeof ReceiptSettings>;

export const ReceiptStats = z.object({
  day: BusinessDay,
  /** Receipts printed for the first time that day. */
  printed: z.number().int().nonnegative(),
  /** Copies printed again (重打). */
  reprinted: z.number().int().nonnegative(),
  /** Prints that failed (paper out, no printer …); each stays reprintable. */
  failed: z.number().int().nonnegative(),
  /** Receipts given only as an e-receipt QR: paper saved. */
  paperSaved: z.number().int().nonnegative(),
  /** Orders (any day) whose receipt never reached paper and can be printed with `receipts:print`. */
  unprinted: z.array(z.string()),
});
export type ReceiptStats = z.infer<typeof ReceiptStats>;

const ANY_OPERATOR = 'operator' as const;

/** What a print on request did; the printer's trouble (paper out) is an outcome, not an error of the call. */
const PrintResult = z.object({
  orderNo: z.string(),
  printed: z.boolean(),
  reprint: z.boolean(),
  jobId: z.string().nullable(),
  error: z.object({ code: z.string(), zh: z.string(), en: z.string() }).nullable(),
});

export const receiptMethods = {
  /** The receipt settings of this terminal (shared by every screen, kept in the database). */
  'receipts:getSettings': method({ input: z.object({}).strict(), output: ReceiptSettings, access: ANY_OPERATOR }),
  /**
   * Change any of the settings. Cashiers may change the mode and the header; the e-receipt
   * link (a QR customers trust) needs a supervisor or administrator. A refused input writes nothing.
   */
  'receipts:setSettings': method({
    input: z
      .object({
        mode: ReceiptMode.optional(),
        header: z.array(z.string().max(200)).max(10).optional(),
        eReceiptBaseUrl: z.string().max(300).nullable().optional(),
      })
      .strict(),
    output: ReceiptSettings,
    access: ANY_OPERATOR,
  }),
  /**
   * Print the receipt of a payment again by order number. A copy of a receipt that already
   * reached paper is marked 重打 / REPRINT; one that never printed (paper out) prints as the
   * original. Resolves with the outcome; the printer's trouble is not an error of the call.
   */
  'receipts:print': method({
    input: z.object({ orderNo: OrderNo }).strict(),
    output: PrintResult,
    access: ANY_OPERATOR,
  }),
  /**
   * Print a service-point bill's receipt again: `bill` the receipt given when its cash was taken
   * (provisional while the bill is queued), `bill_return` the signed receipt of a refused bill's
   * cash handed back. Marked 重打 / REPRINT once a copy reached paper, like sales.
   */
  'receipts:printBill': method({
    input: z.object({ id: Id, copy: z.enum(['bill', 'bill_return']) }).strict(),
    output: PrintResult,
    access: AGENT_ROLES,
  }),
  /** The counters of a business day (today when no day is given), for the Z report. */
  'receipts:stats': method({
    input: z.object({ day: BusinessDay.optional() }).strict(),
    output: ReceiptStats,
    access: ANY_OPERATOR,
  }),
} as const;
