/**
 * Alipay 当面付 answers mapped onto the engine's outcomes — the only place that knows both.
 * Each documented code is listed on purpose (README.md, "Outcome table"); rules:
 * - An answer whose signature did not verify, a non-200, an unreadable body, a timeout or a
 *   reset is `unknown` (`AlipayReply.kind !== 'answer'`): never a success, never a decline.
 * - `10000` is success; `10003` (pay) is WAIT_BUYER_PAY: the customer confirms on the phone.
 * - `20000` (service unavailable) and `ACQ.SYSTEM_ERROR` are unknown: the engine queries.
 * - `40004` is a business failure with a `sub_code`. For a pay, Alipay's own demo treats it as
 *   not charged, except `ACQ.TRADE_HAS_SUCCESS` (paid already: the query tells the trade number)
 *   and `ACQ.CONTEXT_INCONSISTENT` (the order number was seen with other details: ask).
 * - `40001`, `40002`, `40006`, `20001` are refusals of THIS request (missing or bad arguments,
 *   bad signature, stale timestamp, no permission, invalid app auth token), and so are an HTTP
 *   4xx and a connection never made:
 *   `refused`, never `failed` (an earlier request with the same number may have landed; the
 *   engine decides, core/payments/README.md).
 */
import type { CancelOutcome, Decline, PayOutcome, PrecreateOutcome, QueryOutcome, RefundOutcome, RefundQueryOutcome } from '../types';
import { walletDecline } from '../wallet-words';

/** What one `exec` of the official SDK gave: a verified body, or why there is none. */
export type AlipayReply =
  | { kind: 'answer'; body: AlipayBody }
  /** No answer was read; `maybeDelivered` is false only when no connection was ever made. */
  | { kind: 'transport'; why: string; maybeDelivered: boolean }
  /** The gateway answered HTTP 4xx: it refused THIS request without processing it. */
  | { kind: 'rejected'; httpStatus: number }
  /** Something came back but cannot be trusted or read: bad signature, 5xx, not JSON. */
  | { kind: 'unverified'; why: string };

/** The common fields of every `*_response` (snake_case, as on the wire). */
export interface AlipayBody {
  code?: string;
  msg?: string;
  sub_code?: string;
  sub_msg?: string;
  trade_no?: string;
  out_trade_no?: string;
  trade_status?: string;
  send_pay_date?: string;
  qr_code?: string;
  action?: string;
  retry_flag?: string;
  fund_change?: string;
  refund_status?: string;
  refund_amount?: string;
  bill_download_url?: string;
  [k: string]: unknown;
}

/** Codes that refuse the request itself (nothing processed). */
const REQUEST_REFUSED = new Set(['20001', '40001', '40002', '40006']);

/** `40004` sub_codes of `alipay.trade.pay` → the cashier's words (anything unlisted: DECLINED). */
const PAY_DECLINES: Record<string, string> = {
  'ACQ.PAYMENT_AUTH_CODE_INVALID': 'CODE_INVALID',
  'ACQ.AUTH_CODE_INVALID': 'CODE_INVALID',
  'ACQ.BUYER_BALANCE_NOT_ENOUGH': 'NOT_ENOUGH',
  'ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH': 'NOT_ENOUGH',
  'ACQ.NO_PAYMENT_INSTRUMENTS_AVAILABLE': 'NOT_ENOUGH',
  'ACQ.ERROR_BALANCE_PAYMENT_DISABLE': 'DECLINED',
  'ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR': 'LIMIT_EXCEEDED',
  'ACQ.BUYER_PAYMENT_AMOUNT_MONTH_LIMIT_ERROR': 'LIMIT_EXCEEDED',
  'ACQ.BEYOND_PAY_RESTRICTION': 'LIMIT_EXCEEDED',
  'ACQ.BEYOND_PER_RECEIPT_RESTRICTION': 'LIMIT_EXCEEDED',
  'ACQ.TOTAL_FEE_EXCEED': 'LIMIT_EXCEEDED',
  'ACQ.PRODUCT_AMOUNT_LIMIT_ERROR': 'LIMIT_EXCEEDED',
  'ACQ.PAYMENT_FAIL': 'DECLINED',
  'ACQ.PAYMENT_REQUEST_HAS_RISK': 'DECLINED',
  'ACQ.BUYER_ENABLE_STATUS_FORBID': 'DECLINED',
  'ACQ.BUYER_SELLER_EQUAL': 'DECLINED',
  'ACQ.PULL_MOBILE_CASHIER_FAIL': 'USER_CANCELLED',
  'ACQ.MOBILE_PAYMENT_SWITCH_OFF': 'DECLINED',
  'ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT': 'DECLINED',
  'ACQ.TRADE_BUYER_NOT_MATCH': 'ORDER_MISMATCH',
  'ACQ.TRADE_HAS_CLOSE': 'ORDER_CLOSED',
  'ACQ.INVALID_PARAMETER': 'BAD_REQUEST',
  'ACQ.ACCESS_FORBIDDEN': 'MERCHANT_SETUP',
  'ACQ.PARTNER_ERROR': 'MERCHANT_SETUP',
  'ACQ.SELLER_BEEN_BLOCKED': 'MERCHANT_SETUP',
  'ACQ.MERCHANT_STATUS_NOT_NORMAL': 'MERCHANT_SETUP',
  'ACQ.MERCHANT_AGREEMENT_NOT_EXIST': 'MERCHANT_SETUP',
  'ACQ.MERCHANT_AGREEMENT_INVALID': 'MERCHANT_SETUP',
  'ACQ.INVALID_STORE_ID': 'MERCHANT_SETUP',
  'ACQ.EXIST_FORBIDDEN_WORD': 'BAD_REQUEST',
};

/** `40004` sub_codes of `alipay.trade.pay` that do NOT mean "not charged". */
const PAY_ASK: Record<string, string> = {
  'ACQ.SYSTEM_ERROR': 'acquirer system error',
  'ACQ.TRADE_HAS_SUCCESS': 'already paid: the query tells the trade number',
  'ACQ.CONTEXT_INCONSISTENT': 'order number seen with other details',
};

/** `40004` sub_codes of `alipay.trade.refund`. */
const REFUND_DECLINES: Record<string, string> = {
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': 'REFUND_EXCEEDS',
  'ACQ.REASON_TRADE_REFUND_FEE_ERR': 'REFUND_EXCEEDS',
  'ACQ.REFUND_FEE_ERROR': 'REFUND_EXCEEDS',
  'ACQ.TRADE_NOT_ALLOW_REFUND': 'REFUND_NOT_ALLOWED',
  'ACQ.TRADE_STATUS_ERROR': 'REFUND_NOT_ALLOWED',
  'ACQ.TRADE_NOT_EXIST': 'ORDER_NOT_EXIST',
  'ACQ.TRADE_HAS_FINISHED': 'REFUND_PAST_WINDOW',
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': 'REFUND_MERCHANT_BALANCE',
  'ACQ.REASON_TRADE_BEEN_FREEZEN': 'REFUND_NOT_ALLOWED',
  'ACQ.DISCORDANT_REPEAT_REQUEST': 'REFUND_NUMBER_REUSED',
  'ACQ.INVALID_PARAMETER': 'BAD_REQUEST',
  'ACQ.ACCESS_FORBIDDEN': 'MERCHANT_SETUP',
};

/** `40004` sub_codes of `alipay.trade.cancel`. */
const CANCEL_DECLINES: Record<string, string> = {
  'ACQ.TRADE_CANCEL_TIME_OUT': 'CANCEL_NOT_ALLOWED',
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': 'CANCEL_NOT_ALLOWED',
  'ACQ.REASON_TRADE_BEEN_FREEZEN': 'CANCEL_NOT_ALLOWED',
  'ACQ.TRADE_NOT_EXIST': 'ORDER_NOT_EXIST',
  'ACQ.INVALID_PARAMETER': 'BAD_REQUEST',
};

type Unknown = { status: 'unknown'; why: string };

/** The part every operation shares: no trustworthy answer, or a refusal of the request itself. */
function common(r: AlipayReply, op: string): { body: AlipayBody } | { unknown: Unknown } | { unreachable: true } | { refused: Decline } {
  if (r.kind === 'transport') return r.maybeDelivered ? { unknown: { status: 'unknown', why: r.why } } : { unreachable: true };
  if (r.kind === 'unverified') return { unknown: { status: 'unknown', why: r.why } };
  if (r.kind === 'rejected') return { refused: walletDecline('BAD_REQUEST', `HTTP_${r.httpStatus}`) };
  const b = r.body;
  if (b.code === '20000') return { unknown: { status: 'unknown', why: `${op}: 20000 ${b.sub_code ?? ''}`.trim() } };
  if (b.code === '40004' && b.sub_code === 'ACQ.SYSTEM_ERROR') return { unknown: { status: 'unknown', why: `${op}: ACQ.SYSTEM_ERROR` } };
  if (b.code && REQUEST_REFUSED.has(b.code)) {
    const generic = b.code === '40002' && /signature|sign/i.test(b.sub_code ?? '') ? 'AUTH_FAILED' : 'MERCHANT_SETUP';
    return { refused: walletDecline(generic, b.sub_code ?? b.code) };
  }
  return { body: b };
}

function fail(table: Record<string, string>, sub: string | undefined): Decline {
  return walletDecline(table[sub ?? ''] ?? 'DECLINED', sub ?? '40004');
}

export function mapPay(r: AlipayReply): PayOutcome {
  const c = common(r, 'pay');
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'refused', ...walletDecline('NETWORK_UNREACHABLE', 'NETWORK_UNREACHABLE') };
  if ('refused' in c) return { status: 'refused', ...c.refused };
  const b = c.body;
  if (b.code === '10000' && b.trade_no) return { status: 'succeeded', tradeNo: b.trade_no };
  if (b.code === '10003') return { status: 'userpaying', tradeNo: b.trade_no ?? null };
  if (b.code === '40004') {
    const ask = PAY_ASK[b.sub_code ?? ''];
    if (ask) return { status: 'unknown', why: `${b.sub_code}: ${ask}` };
    return { status: 'failed', ...fail(PAY_DECLINES, b.sub_code) };
  }
  // 10000 without a trade number, or a code Alipay does not document for pay: ask.
  return { status: 'unknown', why: `pay answered ${String(b.code)}` };
}

/**
 * `alipay.trade.query`. A precreated QR that nobody has scanned yet is `ACQ.TRADE_NOT_EXIST`
 * at Alipay (the trade exists once scanned), which the engine reads as "keep waiting".
 */
export function mapQuery(r: AlipayReply): QueryOutcome {
  const c = common(r, 'query');
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  if ('refused' in c) return { status: 'unknown', why: `query refused: ${c.refused.reason}` };
  const b = c.body;
  if (b.code === '40004') return b.sub_code === 'ACQ.TRADE_NOT_EXIST' ? { status: 'not_found' } : { status: 'unknown', why: `query: ${String(b.sub_code)}` };
  if (b.code !== '10000') return { status: 'unknown', why: `query answered ${String(b.code)}` };
  switch (b.trade_status) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return b.trade_no ? { status: 'succeeded', tradeNo: b.trade_no } : { status: 'unknown', why: 'paid without a trade number' };
    case 'WAIT_BUYER_PAY':
      return { status: 'userpaying', tradeNo: b.trade_no ?? null };
    case 'TRADE_CLOSED':
      // Closed after a payment (a cancel that refunded, or a full refund) keeps its pay date.
      return b.send_pay_date ? { status: 'reversed' } : { status: 'closed' };
    default:
      return { status: 'unknown', why: `unexpected trade_status ${String(b.trade_status)}` };
  }
}

/** `alipay.trade.cancel`: `action` close (unpaid) or refund (paid: money back); retry_flag Y: ask again. */
export function mapCancel(r: AlipayReply): CancelOutcome {
  const c = common(r, 'cancel');
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  if ('refused' in c) return { status: 'failed', ...c.refused };
  const b = c.body;
  if (b.retry_flag === 'Y') return { status: 'unknown', why: 'cancel: retry_flag Y' };
  if (b.code === '10000') {
    if (b.action === 'refund') return { status: 'cancelled', reversed: true };
    if (b.action === 'close' || b.action === undefined) return { status: 'cancelled', reversed: false };
    return { status: 'unknown', why: `cancel action ${String(b.action)}` };
  }
  if (b.code === '40004') return { status: 'failed', ...fail(CANCEL_DECLINES, b.sub_code) };
  return { status: 'unknown', why: `cancel answered ${String(b.code)}` };
}

/**
 * `alipay.trade.refund`: 10000 with `fund_change` Y moved money now. With N the refund number
 * had been seen before (a repeat is a no-op at Alipay): the adapter asks the refund query, so
 * this returns `unknown` and the caller resolves it.
 */
export function mapRefund(r: AlipayReply): RefundOutcome {
  const c = common(r, 'refund');
  if ('unknown' in c) return c.unknown;
  // Unreachable is not a decline for a refund: the same refund number is sent again later.
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  if ('refused' in c) return { status: 'refused', ...c.refused };
  const b = c.body;
  if (b.code === '10000') return b.fund_change === 'Y' ? { status: 'succeeded' } : { status: 'unknown', why: 'fund_change N: ask the refund query' };
  if (b.code === '40004') return { status: 'failed', ...fail(REFUND_DECLINES, b.sub_code) };
  return { status: 'unknown', why: `refund answered ${String(b.code)}` };
}

/**
 * `alipay.trade.fastpay.refund.query`: a refund exists when the answer carries its amount;
 * `refund_status` REFUND_SUCCESS (or absent, per Alipay's note) means done. An empty answer
 * (10000 without refund_amount) means Alipay never took this refund number.
 */
export function mapRefundQuery(r: AlipayReply): RefundQueryOutcome {
  const c = common(r, 'refund query');
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  if ('refused' in c) return { status: 'unknown', why: `refund query refused: ${c.refused.reason}` };
  const b = c.body;
  if (b.code === '10000') {
    if (!b.refund_amount) return { status: 'not_found' };
    if (b.refund_status === undefined || b.refund_status === 'REFUND_SUCCESS') return { status: 'succeeded' };
    return { status: 'unknown', why: `refund_status ${String(b.refund_status)}` };
  }
  if (b.code === '40004' && b.sub_code === 'ACQ.TRADE_NOT_EXIST') return { status: 'not_found' };
  return { status: 'unknown', why: `refund query answered ${String(b.code)} ${String(b.sub_code ?? '')}`.trim() };
}

export function mapPrecreate(r: AlipayReply, expiresAt: number): PrecreateOutcome {
  const c = common(r, 'precreate');
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'refused', ...walletDecline('NETWORK_UNREACHABLE', 'NETWORK_UNREACHABLE') };
  if ('refused' in c) return { status: 'refused', ...c.refused };
  const b = c.body;
  if (b.code === '10000' && typeof b.qr_code === 'string' && b.qr_code) return { status: 'created', qrContent: b.qr_code, expiresAt };
  if (b.code === '40004') return { status: 'failed', ...fail(PAY_DECLINES, b.sub_code) };
  return { status: 'unknown', why: `precreate answered ${String(b.code)}` };
}
