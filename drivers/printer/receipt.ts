/**
 * The receipt description: what the payments and UI code hands to `printReceipt(receipt)`
 * (drivers/manager.ts). It says WHAT to print, never HOW: the ESC/POS bytes come from
 * printer/escpos.ts, so one description prints the same on 58 mm and 80 mm paper and on the
 * simulated printer.
 *
 * Invariants (checked by `parseReceipt`, which every entry point calls):
 * - money is integer fen; the items add up to the subtotal and subtotal − discount = total;
 * - no payment code in full: `maskedCode` must hide all but at most 8 digits (`1345 **** **** 6789`);
 * - no account or phone number in full: a biller account is masked the same way (`**** 1234`),
 *   and no free text (item names, notices, the biller's name or refusal) holds a run of 7 or more
 *   digits — a phone or account number typed where it does not belong is refused, not printed;
 * - a service-point receipt (`service`) is for one service: one item, equal to the total, no
 *   discount; a cash-returned receipt carries the customer's signature line;
 * - no control characters anywhere (a stray ESC in a product name would reprogram the printer);
 * - the e-receipt URL is https (or http on 127.0.0.1 for the simulator) and fits in one QR code.
 *
 * How to build one (payments/UI engineers):
 * ```ts
 * const r: ReceiptInput = {
 *   paperWidth: 58,                       // 58 or 80 (mm); from the printer settings
 *   header: ['示范村便民店', '地址：村委会旁'],  // first line printed large (shop name)
 *   orderNo: 'PAY20261128000123',         // printed as text and as a CODE128 barcode
 *   printedAt: Date.now(),                // shown in China time (UTC+8)
 *   operator: '张三', terminalId: 'T0001',
 *   items: [{ name: '酱油 500ml', qty: 2, unitFen: 650, totalFen: 1300 }],
 *   totals: { subtotalFen: 1300, discountFen: 0, totalFen: 1300 },
 *   tender: { kind: 'wechat', paidFen: 1300 },           // cash: add changeFen
 *   maskedCode: '1345 **** **** 6789',                   // or null (cash, credit)
 *   eReceiptUrl: 'https://r.example.cn/e/PAY20261128000123', // or null: no QR printed
 *   footer: ['谢谢惠顾', 'Thank you'],
 *   training: false,                      // true in demo mode: 培训/TRAINING printed top and bottom
 *   notice: ['离线受理，待上传'],           // optional: status lines, bold, under the amounts
 *   reprint: false,                       // optional: true prints 重打 REPRINT at the top
 *   signatureLine: false,                 // optional: withdrawals print a signature line
 *   service: null,                        // optional: a service-point bill or cash-returned receipt (below)
 * };
 * await devices.printReceipt(r);          // never throws; resolves with the job's outcome
 * ```
 */
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { AppError } from '../../core/api/errors';
import { Fen, PositiveFen } from '../../core/api/define';
import { OrderNo, Tender } from '../../core/api/payments';

// C0 and C1 controls plus DEL: bytes a printer would execute as commands.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PrintableText = (max: number) =>
  z.string().max(max).refine((s) => !CONTROL.test(s), { message: 'control characters are not printable' });

export const PaperWidth = z.union([z.literal(58), z.literal(80)]);
export type PaperWidth = z.infer<typeof PaperWidth>;

/** 7+ digits in a row: a phone number (11) or an account number, in text that should hold neither. */
const LONG_DIGITS = /\d{7,}/;
const NoNumberText = (max: number) =>
  PrintableText(max).pipe(z.string().min(1)).refine((s) => !LONG_DIGITS.test(s), { message: 'no phone or account number in text' });

export const ReceiptItem = z.object({
  /** Product name as the shop calls it; wrapped to the paper width. */
  name: NoNumberText(60),
  qty: z.number().int().min(1).max(9999),
  unitFen: Fen,
  /** qty × unitFen, minus any line discount the caller applied. */
  totalFen: Fen,
});
export type ReceiptItem = z.infer<typeof ReceiptItem>;

/**
 * A masked payment code: digits, spaces and `*`, at least four `*`, at most 8 digits left
 * visible. A full code is refused here so it can never reach paper (PBOC personal-information rules).
 */
export const MaskedCode = z
  .string()
  .max(40)
  .regex(/^[0-9A-Za-z* ]+$/)
  .refine((s) => (s.match(/\*/g) ?? []).length >= 4 && (s.match(/[0-9A-Za-z]/g) ?? []).length <= 8, {
    message: 'a payment code must be masked',
  });

/**
 * An address as a plain URI: path percent-encoded (UTF-8) and host in punycode, or null when it
 * has none. Printers put QR data in as single bytes (the encoder library as ISO-8859-1), so
 * `https://r.example.cn/小票` would be printed as `??`; in its plain form every phone opens it.
 */
export function plainUri(input: string): string | null {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    return null;
  }
  const host = domainToASCII(u.hostname);
  if (!host) return null;
  u.hostname = host;
  return /^[\x21-\x7e]+$/.test(u.href) ? u.href : null;
}

export const EReceiptUrl = z
  .string()
  .max(300)
  .url()
  .refine((u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u), {
    message: 'e-receipt links must be https',
  })
  .transform((u, ctx) => {
    const plain = plainUri(u);
    if (plain === null || plain.length > 300) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'the e-receipt link has no plain (ASCII) form that fits' });
      return z.NEVER;
    }
    return plain;
  });

/** A biller account as printed: masked like a payment code (`**** 1234`), never in full. */
export const MaskedAccount = MaskedCode;

/**
 * A service-point receipt (助农服务点), printed on the same paper as sales:
 * - `bill`: a bill paid in cash at the counter; `provisional` (taken offline, not yet confirmed by
 *   the biller) prints 待缴费机构确认 / pending biller confirmation in large type, so the customer
 *   never takes it for a confirmed payment;
 * - `bill_return`: a refused bill's cash handed back; the customer signs it (`signatureLine`).
 */
export const ServiceBlock = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('bill'),
    biller: NoNumberText(30),
    maskedAccount: MaskedAccount,
    /** The biller's confirmation reference; null while provisional. */
    reference: z.string().regex(/^[A-Za-z0-9-]{1,40}$/).nullable(),
    provisional: z.boolean(),
  }).strict(),
  z.object({
    kind: z.literal('bill_return'),
    biller: NoNumberText(30),
    maskedAccount: MaskedAccount,
    /** What the biller said when it refused the bill (one language per line). */
    refusal: z.array(NoNumberText(60)).max(2).default([]),
  }).strict(),
]);
export type ServiceBlock = z.output<typeof ServiceBlock>;

export const Receipt = z
  .object({
    paperWidth: PaperWidth,
    /** Shop name first (printed double size), then address/phone lines. 1–6 lines. */
    header: z.array(PrintableText(48).pipe(z.string().min(1))).min(1).max(6),
    orderNo: OrderNo,
    /** Epoch ms; printed in China Standard Time (UTC+8, no daylight saving). */
    printedAt: z.number().int().nonnegative(),
    operator: PrintableText(20).nullable().default(null),
    terminalId: PrintableText(16).nullable().default(null),
    items: z.array(ReceiptItem).max(200),
    totals: z.object({ subtotalFen: Fen, discountFen: Fen.default(0), totalFen: Fen }),
    tender: z.object({
      kind: Tender,
      /** What the customer handed over or was charged (cash: the amount tendered). */
      paidFen: PositiveFen,
      /** Cash only: change given back. */
      changeFen: Fen.optional(),
    }),
    maskedCode: MaskedCode.nullable().default(null),
    /** Printed as a QR code the customer scans for the e-receipt; null prints none. */
    eReceiptUrl: EReceiptUrl.nullable().default(null),
    footer: z.array(PrintableText(48)).max(6).default([]),
    /** Demo mode: 培训 / TRAINING is printed at the top and bottom of the receipt. */
    training: z.boolean(),
    /**
     * Optional. Lines printed bold and centred under the amounts: a status the customer must not
     * misread, e.g. `离线受理，待上传` / `Accepted offline, pending` (never "paid" for those).
     */
    notice: z.array(NoNumberText(48)).max(4).default([]),
    /** Optional. A copy printed again: 重打 REPRINT at the top, so it is never taken for a second sale. */
    reprint: z.boolean().default(false),
    /** Optional. Withdrawals (助农取款): a line for the customer's signature (PBOC: the receipt is signed). */
    signatureLine: z.boolean().default(false),
    /** Optional. A service-point bill or cash-returned receipt (see `ServiceBlock`); null for sales. */
    service: ServiceBlock.nullable().default(null),
  })
  .strict()
  .superRefine((r, ctx) => {
    const sum = r.items.reduce((s, i) => s + i.totalFen, 0);
    if (r.items.length > 0 && sum !== r.totals.subtotalFen) {
      ctx.addIssue({ code: 'custom', path: ['totals', 'subtotalFen'], message: 'items do not add up to the subtotal' });
    }
    if (r.totals.subtotalFen - r.totals.discountFen !== r.totals.totalFen) {
      ctx.addIssue({ code: 'custom', path: ['totals', 'totalFen'], message: 'subtotal − discount ≠ total' });
    }
    if (r.tender.changeFen !== undefined && r.tender.kind !== 'cash') {
      ctx.addIssue({ code: 'custom', path: ['tender', 'changeFen'], message: 'only cash gives change' });
    }
    if (r.tender.kind === 'cash' && r.tender.paidFen - (r.tender.changeFen ?? 0) !== r.totals.totalFen) {
      ctx.addIssue({ code: 'custom', path: ['tender'], message: 'tendered − change ≠ total' });
    }
    if (r.service) {
      if (r.items.length !== 1 || r.items[0]!.totalFen !== r.totals.totalFen || r.totals.discountFen !== 0) {
        ctx.addIssue({ code: 'custom', path: ['service'], message: 'a service receipt is one item equal to the total' });
      }
      if (r.service.kind === 'bill_return' && !r.signatureLine) {
        ctx.addIssue({ code: 'custom', path: ['signatureLine'], message: 'a cash-returned receipt is signed' });
      }
      if (r.service.kind === 'bill' && r.service.provisional && r.service.reference !== null) {
        ctx.addIssue({ code: 'custom', path: ['service', 'reference'], message: 'a provisional bill has no biller reference yet' });
      }
    }
  });
export type Receipt = z.output<typeof Receipt>;
export type ReceiptInput = z.input<typeof Receipt>;

export const ReceiptErrors = {
  invalid: (issues: string) =>
    new AppError('printer.bad_receipt', '小票内容不正确，未打印。', 'The receipt description is invalid; nothing was printed.', { issues }),
};

/** Parses a receipt description from another engineer's code; refuses (and prints nothing) if invalid. */
export function parseReceipt(input: unknown): Receipt {
  const r = Receipt.safeParse(input);
  if (!r.success) {
    throw ReceiptErrors.invalid(
      r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  }
  return r.data;
}
