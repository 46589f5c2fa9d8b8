/**
 * Receipt descriptions (drivers/printer/receipt.ts) built from what the core recorded: a
 * payment record, or a service-point withdrawal. Pure: no database, no printer.
 *
 * Invariants:
 * - only the masked payment code ever goes on a receipt (the record holds nothing else, and a
 *   masked code that would not pass the printer's own check is left off rather than printed);
 * - an offline acceptance is never called paid: it says 离线受理，待上传 / accepted offline, pending;
 * - amounts are the recorded integer fen, exactly what was charged (no surcharge line exists).
 */
import type { BillPayment, Withdrawal } from '../api/agent';
import type { Payment, PaymentState } from '../api/payments';
import type { ReceiptSettings } from '../api/receipts';
import { MaskedCode, type PaperWidth, type ReceiptInput } from '../../drivers/printer/receipt';

export interface BuildContext {
  settings: ReceiptSettings;
  paperWidth: PaperWidth;
  terminalId: string;
  /** The operator's display name, or null when unknown. */
  operatorName: string | null;
  /** A copy of a receipt that already reached paper. */
  reprint: boolean;
}

/** States whose receipt may be printed: money was taken (or accepted offline), or a copy is asked for later. */
export const PRINTABLE_STATES: readonly PaymentState[] = ['succeeded', 'accepted_offline', 'declined_after_forwarding'];

export const FOOTER = ['谢谢惠顾，欢迎再来', 'Thank you'];

const NOTICE = {
  pending: ['离线受理，待上传', 'Accepted offline, pending upload'],
  declined: ['离线受理后被拒绝，未收到款项', 'Declined after upload: not received'],
  credit: ['赊账，尚未付款', 'On credit: not yet paid'],
  withdrawal: ['现金已付给客户', 'Cash paid to the customer'],
  billPaid: ['缴费成功，缴费单位已确认', 'Paid, confirmed by the biller'],
  billQueued: ['联网后自动上传缴费单位', 'Sent to the biller when online'],
  billReturn: ['现金已退还客户，请签字', 'Cash given back: please sign'],
};

/** 7+ digits in a row could be an account or phone number: such a line of outside words is left off. */
const LONG_DIGITS = /\d{7,}/;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Names typed elsewhere are printed only after control characters are removed and the length bounded. */
function printable(s: string | null, max: number): string | null {
  if (!s) return null;
  const t = [...s.replace(CONTROL, '').trim()].slice(0, max).join('');
  return t || null;
}

function masked(code: string | null): string | null {
  return code !== null && MaskedCode.safeParse(code).success ? code : null;
}

/** 1234 → "12.34", integer arithmetic only. */
export function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

export function eReceiptUrl(base: string | null, orderNo: string): string | null {
  if (!base) return null;
  return `${base}${base.endsWith('/') ? '' : '/'}${orderNo}`;
}

function common(c: BuildContext, orderNo: string, at: number) {
  return {
    paperWidth: c.paperWidth,
    header: c.settings.header,
    orderNo,
    printedAt: at,
    operator: printable(c.operatorName, 20),
    terminalId: printable(c.terminalId, 16),
    eReceiptUrl: eReceiptUrl(c.settings.eReceiptBaseUrl, orderNo),
    footer: FOOTER,
    reprint: c.reprint,
  };
}

/** The sale receipt of a payment; the caller checks the state is in PRINTABLE_STATES. */
export function saleReceipt(p: Payment, c: BuildContext): ReceiptInput {
  const notice: string[] = [];
  if (p.state === 'accepted_offline') notice.push(...NOTICE.pending);
  if (p.state === 'declined_after_forwarding') notice.push(...NOTICE.declined);
  if (p.tender === 'credit') notice.push(...NOTICE.credit);
  if (p.refundedFen > 0) notice.push(`已退款 ￥${yuan(p.refundedFen)}`, `Refunded CNY ${yuan(p.refundedFen)}`);
  return {
    ...common(c, p.orderNo, p.createdAt),
    items: [],
    totals: { subtotalFen: p.amountFen, discountFen: 0, totalFen: p.amountFen },
    tender: p.tender === 'cash' && p.cash
      ? { kind: 'cash', paidFen: p.cash.tenderedFen, changeFen: p.cash.changeFen }
      : { kind: p.tender, paidFen: p.amountFen },
    maskedCode: masked(p.maskedCode),
    training: p.training,
    notice: notice.slice(0, 4),
    signatureLine: false,
  };
}

/**
 * The receipt of an assisted withdrawal (助农取款): the amount handed over, the customer's
 * masked phone and code, and a line the customer signs (PBOC: the receipt is signed).
 * `charge` is the payment that took the money from the customer's wallet.
 */
export function withdrawalReceipt(w: Withdrawal & { orderNo: string }, charge: Payment, c: BuildContext): ReceiptInput {
  const phone = printable(w.maskedPhone, 20);
  return {
    ...common(c, w.orderNo, w.createdAt),
    items: [{ name: '助农取款 Cash withdrawal', qty: 1, unitFen: w.amountFen, totalFen: w.amountFen }],
    totals: { subtotalFen: w.amountFen, discountFen: 0, totalFen: w.amountFen },
    tender: { kind: charge.tender, paidFen: w.amountFen },
    maskedCode: masked(w.maskedCode ?? charge.maskedCode),
    training: charge.training,
    notice: [...NOTICE.withdrawal, ...(phone ? [`客户手机 Phone ${phone}`] : [])],
    signatureLine: true,
  };
}

/** The biller's name as printed: the synced Chinese name, else its id. */
function billerName(b: BillPayment): string {
  return printable(b.billerName?.zh ?? b.billerId, 30) ?? '?';
}

function serviceCommon(c: BuildContext, orderNo: string, at: number, training: boolean, fen: number, item: string) {
  return {
    ...common(c, orderNo, at),
    // The e-receipt service knows sales, not bills: no QR that would lead nowhere.
    eReceiptUrl: null,
    items: [{ name: item, qty: 1, unitFen: fen, totalFen: fen }],
    totals: { subtotalFen: fen, discountFen: 0, totalFen: fen },
    tender: { kind: 'cash' as const, paidFen: fen },
    maskedCode: null,
    training,
  };
}

/**
 * The receipt of a bill paid in cash (代缴费): the biller, the masked account, the biller's
 * reference once confirmed; a bill taken offline prints 待缴费机构确认 / pending biller
 * confirmation (drivers/printer/escpos.ts prints it large), never "paid".
 */
export function billReceipt(b: BillPayment, training: boolean, c: BuildContext): ReceiptInput {
  const provisional = b.state === 'queued';
  return {
    ...serviceCommon(c, b.id, b.createdAt, training, b.amountFen, '代缴费 Bill payment'),
    notice: provisional ? NOTICE.billQueued : NOTICE.billPaid,
    signatureLine: false,
    service: {
      kind: 'bill',
      biller: billerName(b),
      maskedAccount: masked(b.maskedAccount) ?? '****',
      reference: provisional ? null : b.reference,
      provisional,
    },
  };
}

/**
 * The receipt of a refused bill's cash handed back (退还现金): what the biller said, and the
 * line the customer signs to say they got the cash.
 */
export function billReturnReceipt(b: BillPayment & { returnedAt: number }, training: boolean, c: BuildContext): ReceiptInput {
  const refusal = b.refusal ? [printable(b.refusal.zh, 60), printable(b.refusal.en, 60)] : [];
  return {
    ...serviceCommon(c, b.id, b.returnedAt, training, b.amountFen, '退还现金 Cash returned'),
    notice: NOTICE.billReturn,
    signatureLine: true,
    service: {
      kind: 'bill_return',
      biller: billerName(b),
      maskedAccount: masked(b.maskedAccount) ?? '****',
      refusal: refusal.filter((l): l is string => l !== null && !LONG_DIGITS.test(l)),
    },
  };
}
