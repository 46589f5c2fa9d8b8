/**
 * WeChat Pay v2 付款码支付 replies mapped onto the engine's outcomes — the only place that knows
 * both. Every documented `err_code` the engine must tell apart is listed on purpose (README.md,
 * "Outcome table"). Rules:
 * - A reply whose signature does not verify, an unreadable body, a 5xx, a timeout or a
 *   reset is `unknown`. `return_code` FAIL (WeChat's unsigned "this request was not processed":
 *   bad signature, bad XML, wrong merchant, no client certificate), the request-level
 *   `err_code`s (SIGNERROR, PARAM_ERROR, NOAUTH, …), an HTTP 4xx and a connection never made
 *   are `refused`:
 *   never `failed`, since an earlier request with the same number may have landed (the engine
 *   decides, core/payments/README.md).
 * - SYSTEMERROR, BANKERROR (and for refunds BIZERR_NEED_RETRY, FREQUENCY_LIMITED) are unknown:
 *   query, then reverse.
 * - An `err_code` that is not listed is unknown for a pay (the query decides) and a decline
 *   elsewhere (the engine follows a refused cancel or refund with its own checks).
 */
import type { CancelOutcome, Decline, PayOutcome, QueryOutcome, RefundOutcome, RefundQueryOutcome } from '../types';
import { walletDecline } from '../wallet-words';

export type WechatReply =
  /** A reply whose signature verified (fields as on the wire, all strings). */
  | { kind: 'answer'; body: Record<string, string> }
  | { kind: 'transport'; why: string; maybeDelivered: boolean }
  /** WeChat answered HTTP 4xx: it refused THIS request without processing it. */
  | { kind: 'rejected'; httpStatus: number }
  | { kind: 'unverified'; why: string };

/** `err_code`s that refuse THIS request (it was not processed), with the cashier's words. */
const REQUEST_REFUSED: Record<string, string> = {
  PARAM_ERROR: 'BAD_REQUEST',
  INVALID_REQUEST: 'BAD_REQUEST',
  XML_FORMAT_ERROR: 'BAD_REQUEST',
  REQUIRE_POST_METHOD: 'BAD_REQUEST',
  NOT_UTF8: 'BAD_REQUEST',
  LACK_PARAMS: 'BAD_REQUEST',
  SIGNERROR: 'AUTH_FAILED',
  NOAUTH: 'MERCHANT_SETUP',
  APPID_NOT_EXIST: 'MERCHANT_SETUP',
  MCHID_NOT_EXIST: 'MERCHANT_SETUP',
  APPID_MCHID_NOT_MATCH: 'MERCHANT_SETUP',
};

/** micropay `err_code` → the cashier's words: WeChat's decision, the customer was not charged. */
const PAY_DECLINES: Record<string, string> = {
  AUTHCODEEXPIRE: 'CODE_EXPIRED',
  AUTH_CODE_ERROR: 'CODE_INVALID',
  AUTH_CODE_INVALID: 'CODE_INVALID',
  NOTENOUGH: 'NOT_ENOUGH',
  NOTSUPORTCARD: 'DECLINED',
  BUYER_MISMATCH: 'ORDER_MISMATCH',
  ORDERCLOSED: 'ORDER_CLOSED',
  ORDERREVERSED: 'ORDER_CLOSED',
  TRADE_ERROR: 'DECLINED',
};

/** micropay `err_code`s that do not say "not charged". */
const PAY_ASK: Record<string, string> = {
  SYSTEMERROR: 'system error: query',
  BANKERROR: 'bank error: query',
  ORDERPAID: 'already paid: the query tells the transaction id',
  OUT_TRADE_NO_USED: 'order number already used: query',
};

/** reverse `err_code`s. REVERSE_EXPIRE: past the reversal window (refund instead). */
const REVERSE_DECLINES: Record<string, string> = {
  REVERSE_EXPIRE: 'CANCEL_NOT_ALLOWED',
  TRADE_OVERDUE: 'CANCEL_NOT_ALLOWED',
  INVALID_TRANSACTIONID: 'ORDER_NOT_EXIST',
  ORDERNOTEXIST: 'ORDER_NOT_EXIST',
  ...REQUEST_REFUSED,
};

/** refund `err_code`s. */
const REFUND_DECLINES: Record<string, string> = {
  TRADE_OVERDUE: 'REFUND_PAST_WINDOW',
  NOTENOUGH: 'REFUND_MERCHANT_BALANCE',
  USER_ACCOUNT_ABNORMAL: 'REFUND_NOT_ALLOWED',
  INVALID_REQ_TOO_MUCH: 'REFUND_NOT_ALLOWED',
  INVALID_TRANSACTIONID: 'ORDER_NOT_EXIST',
  ORDERNOTEXIST: 'ORDER_NOT_EXIST',
  ERROR: 'REFUND_NOT_ALLOWED',
};
const REFUND_ASK = new Set(['SYSTEMERROR', 'BIZERR_NEED_RETRY', 'FREQUENCY_LIMITED']);

type Unknown = { status: 'unknown'; why: string };

/** The shared part: a trustworthy SUCCESS/FAIL result, or why there is none. */
function common(r: WechatReply): { body: Record<string, string> } | { unknown: Unknown } | { unreachable: true } | { refused: Decline } {
  if (r.kind === 'transport') return r.maybeDelivered ? { unknown: { status: 'unknown', why: r.why } } : { unreachable: true };
  if (r.kind === 'unverified') return { unknown: { status: 'unknown', why: r.why } };
  if (r.kind === 'rejected') return { refused: walletDecline('BAD_REQUEST', `HTTP_${r.httpStatus}`) };
  if (r.body.return_code !== 'SUCCESS') return { refused: walletDecline(/签名|sign/i.test(r.body.return_msg ?? '') ? 'AUTH_FAILED' : 'MERCHANT_SETUP', `RETURN_FAIL`) };
  const code = r.body.result_code === 'SUCCESS' ? undefined : r.body.err_code;
  if (code && code in REQUEST_REFUSED) return { refused: walletDecline(REQUEST_REFUSED[code], code) };
  return { body: r.body };
}

function fail(table: Record<string, string>, code: string | undefined): Decline {
  return walletDecline(table[code ?? ''] ?? 'DECLINED', code ?? 'FAIL');
}

export function mapPay(r: WechatReply): PayOutcome {
  const c = common(r);
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'refused', ...walletDecline('NETWORK_UNREACHABLE', 'NETWORK_UNREACHABLE') };
  if ('refused' in c) return { status: 'refused', ...c.refused };
  const b = c.body;
  if (b.result_code === 'SUCCESS') return b.transaction_id ? { status: 'succeeded', tradeNo: b.transaction_id } : { status: 'unknown', why: 'paid without a transaction id' };
  if (b.result_code !== 'FAIL') return { status: 'unknown', why: `result_code ${String(b.result_code)}` };
  if (b.err_code === 'USERPAYING') return { status: 'userpaying', tradeNo: b.transaction_id || null };
  const ask = PAY_ASK[b.err_code ?? ''];
  if (ask) return { status: 'unknown', why: `${b.err_code}: ${ask}` };
  if (b.err_code && b.err_code in PAY_DECLINES) return { status: 'failed', ...fail(PAY_DECLINES, b.err_code) };
  return { status: 'unknown', why: `micropay err_code ${String(b.err_code)}` };
}

/** orderquery `trade_state`: SUCCESS, REFUND (paid, refunds since), NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR, ACCEPT. */
export function mapQuery(r: WechatReply): QueryOutcome {
  const c = common(r);
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  if ('refused' in c) return { status: 'unknown', why: `orderquery refused: ${c.refused.reason}` };
  const b = c.body;
  if (b.result_code !== 'SUCCESS') return b.err_code === 'ORDERNOTEXIST' ? { status: 'not_found' } : { status: 'unknown', why: `orderquery ${String(b.err_code)}` };
  switch (b.trade_state) {
    case 'SUCCESS':
    case 'REFUND':
      return b.transaction_id ? { status: 'succeeded', tradeNo: b.transaction_id } : { status: 'unknown', why: 'paid without a transaction id' };
    case 'USERPAYING':
    case 'ACCEPT':
      return { status: 'userpaying', tradeNo: b.transaction_id || null };
    case 'NOTPAY':
      return { status: 'awaiting_scan' };
    case 'CLOSED':
      return { status: 'closed' };
    case 'REVOKED':
      return { status: 'reversed' };
    case 'PAYERROR':
      return { status: 'failed', ...walletDecline('DECLINED', 'PAYERROR') };
    default:
      return { status: 'unknown', why: `unexpected trade_state ${String(b.trade_state)}` };
  }
}

/** reverse: SUCCESS with recall N is done; recall Y or SYSTEMERROR: call again. */
export function mapCancel(r: WechatReply): CancelOutcome {
  const c = common(r);
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  // A refused reverse is followed by the engine's query, like any refused cancel.
  if ('refused' in c) return { status: 'failed', ...c.refused };
  const b = c.body;
  if (b.recall === 'Y') return { status: 'unknown', why: 'reverse: recall Y' };
  // WeChat's reverse does not say whether money had moved; the engine needs it only for QRs,
  // which WeChat v2 code payment does not offer here.
  if (b.result_code === 'SUCCESS') return { status: 'cancelled', reversed: false };
  if (b.err_code === 'SYSTEMERROR' || b.err_code === 'USERPAYING') return { status: 'unknown', why: `reverse ${b.err_code}` };
  return { status: 'failed', ...fail(REVERSE_DECLINES, b.err_code) };
}

/** refund: SUCCESS means WeChat accepted the refund (it completes on its side, see refundquery). */
export function mapRefund(r: WechatReply): RefundOutcome {
  const c = common(r);
  if ('unknown' in c) return c.unknown;
  // Unreachable is not a decline for a refund: the same refund number is sent again later.
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  if ('refused' in c) return { status: 'refused', ...c.refused };
  const b = c.body;
  if (b.result_code === 'SUCCESS') return { status: 'succeeded' };
  if (REFUND_ASK.has(b.err_code ?? '')) return { status: 'unknown', why: `refund ${b.err_code}` };
  return { status: 'failed', ...fail(REFUND_DECLINES, b.err_code) };
}

/** refundquery `refund_status_0`: SUCCESS, PROCESSING (accepted, not yet done), REFUNDCLOSE, CHANGE. */
export function mapRefundQuery(r: WechatReply): RefundQueryOutcome {
  const c = common(r);
  if ('unknown' in c) return c.unknown;
  if ('unreachable' in c) return { status: 'unknown', why: 'unreachable' };
  if ('refused' in c) return { status: 'unknown', why: `refundquery refused: ${c.refused.reason}` };
  const b = c.body;
  if (b.result_code !== 'SUCCESS') return b.err_code === 'REFUNDNOTEXIST' ? { status: 'not_found' } : { status: 'unknown', why: `refundquery ${String(b.err_code)}` };
  switch (b.refund_status_0) {
    case 'SUCCESS':
    case 'PROCESSING':
      // Accepted by WeChat: the money is on its way back, as `refund` SUCCESS means.
      return { status: 'succeeded' };
    case 'REFUNDCLOSE':
      return { status: 'failed', ...walletDecline('REFUND_NOT_ALLOWED', 'REFUNDCLOSE') };
    case 'CHANGE':
      // Refund abnormal: WeChat took the money from the merchant, the customer's card refused
      // it, and it waits at WeChat for the merchant to settle by hand (README, outcome table).
      // Never succeeded, never failed (failing would release its amount for a second refund).
      return { status: 'settle_by_hand', ...walletDecline('REFUND_ABNORMAL', 'CHANGE') };
    default:
      return { status: 'unknown', why: `refund_status ${String(b.refund_status_0)}` };
  }
}
