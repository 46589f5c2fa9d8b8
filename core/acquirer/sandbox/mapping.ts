/**
 * The sandbox protocol's statuses mapped onto the engine's outcomes — the only place that
 * knows both. Rules (see ../types.ts): an answer that cannot be read is `unknown`, never
 * `failed`; 4xx (and a connection never made) means the acquirer refused THIS request without
 * processing it: `refused`, never `failed` (an earlier request with the same number may still
 * have landed; the engine decides).
 */
import type { Exchange } from '../http-client';
import type { CancelOutcome, Decline, PayOutcome, PrecreateOutcome, QueryOutcome, RefundOutcome, RefundQueryOutcome } from '../types';
import type { WireOfflineRefundQueryReply, WireOfflineRefundRefusal, WireOfflineRefundReply, WireRefundResponse, WireTradeResponse } from './wire';

const DECLINE_WORDS: Record<string, { zh: string; en: string }> = {
  CODE_INVALID: { zh: '付款码无效，请顾客刷新付款码后重试。', en: 'The payment code is not valid; ask the customer to refresh it.' },
  CODE_EXPIRED: { zh: '付款码已过期，请顾客刷新付款码后重试。', en: 'The payment code has expired; ask the customer to refresh it.' },
  CODE_USED: { zh: '付款码已被使用，请顾客刷新付款码后重试。', en: 'The payment code was already used; ask the customer to refresh it.' },
  NOT_ENOUGH: { zh: '顾客余额不足，未扣款。请顾客换卡或改用其他方式。', en: 'The customer’s balance is too low; nothing was charged. Ask for another card or tender.' },
  LIMIT_EXCEEDED: { zh: '超出顾客支付限额，未扣款。', en: 'Over the customer’s payment limit; nothing was charged.' },
  USER_CANCELLED: { zh: '顾客取消了支付，未扣款。', en: 'The customer cancelled the payment; nothing was charged.' },
  DECLINED: { zh: '支付被拒绝，未扣款。', en: 'The payment was declined; nothing was charged.' },
  ORDER_MISMATCH: { zh: '订单信息与收单机构记录不符，未扣款。', en: 'The order does not match the acquirer’s record; nothing was charged.' },
  REFUND_EXCEEDS: { zh: '退款金额超过可退金额。', en: 'The refund is more than the amount left to refund.' },
  REFUND_NOT_ALLOWED: { zh: '该订单不能退款。', en: 'This order cannot be refunded.' },
  CANCEL_NOT_ALLOWED: { zh: '该订单不能撤销。', en: 'This order cannot be cancelled.' },
  ORDER_NOT_EXIST: { zh: '收单机构没有这笔订单。', en: 'The acquirer has no such order.' },
  AUTH_FAILED: { zh: '终端签名校验失败，请联系维护人员。', en: 'The terminal’s signature was refused; contact support.' },
  STALE_REQUEST: { zh: '终端时间不准，请求被拒绝。请校准时间。', en: 'The terminal clock is off and the request was refused. Fix the clock.' },
  REPLAYED_REQUEST: { zh: '重复的请求被拒绝。', en: 'A replayed request was refused.' },
  BAD_REQUEST: { zh: '收单机构拒绝了请求。', en: 'The acquirer refused the request.' },
  NETWORK_UNREACHABLE: { zh: '无法连接收单机构，未扣款。请稍后重试或改用现金。', en: 'Cannot reach the acquirer; nothing was charged. Try again later or take cash.' },
};

export function decline(code: string | undefined, zh?: string, en?: string): Decline {
  const c = code ?? 'DECLINED';
  const words = DECLINE_WORDS[c] ?? DECLINE_WORDS.DECLINED;
  return { reason: c, zh: zh && zh.length < 200 ? zh : words.zh, en: en && en.length < 200 ? en : words.en };
}

type Unknown = { status: 'unknown'; why: string };

/** Common part: a transport failure, a 5xx or an unreadable body is unknown; 4xx is a refusal. */
function classify<T extends object>(x: Exchange): { ok: T } | { unknown: Unknown } | { refused: Decline } {
  if (x.kind === 'transport') {
    if (!x.maybeDelivered) return { refused: decline('NETWORK_UNREACHABLE') };
    return { unknown: { status: 'unknown', why: x.why } };
  }
  if (x.status >= 500 || x.status === 0) return { unknown: { status: 'unknown', why: `http ${x.status}` } };
  const body = (typeof x.body === 'object' && x.body !== null ? x.body : null) as (T & { err_code?: string; err_zh?: string; err_en?: string }) | null;
  if (x.status >= 400) return { refused: decline(body?.err_code ?? 'BAD_REQUEST', body?.err_zh, body?.err_en) };
  if (x.status !== 200 || !body) return { unknown: { status: 'unknown', why: `unreadable answer (${x.status})` } };
  return { ok: body };
}

export function mapPay(x: Exchange): PayOutcome {
  const c = classify<WireTradeResponse>(x);
  if ('unknown' in c) return c.unknown;
  if ('refused' in c) return { status: 'refused', ...c.refused };
  const r = c.ok;
  if (r.result === 'FAIL') return { status: 'failed', ...decline(r.err_code, r.err_zh, r.err_en) };
  switch (r.trade_status) {
    case 'SUCCESS':
      return { status: 'succeeded', tradeNo: r.trade_no ?? '' };
    case 'USERPAYING':
      return { status: 'userpaying', tradeNo: r.trade_no ?? null };
    case 'PAYERROR':
    case 'CLOSED':
      return { status: 'failed', ...decline(r.err_code, r.err_zh, r.err_en) };
    default:
      // An OK answer with a status a charge cannot have: treat as not knowing, and query.
      return { status: 'unknown', why: `unexpected trade_status ${String(r.trade_status)}` };
  }
}

export function mapQuery(x: Exchange): QueryOutcome {
  const c = classify<WireTradeResponse>(x);
  if ('unknown' in c) return c.unknown;
  // A refused query tells us nothing about the order.
  if ('refused' in c) return { status: 'unknown', why: `query refused: ${c.refused.reason}` };
  const r = c.ok;
  if (r.result === 'FAIL') {
    if (r.err_code === 'ORDER_NOT_EXIST') return { status: 'not_found' };
    return { status: 'unknown', why: `query failed: ${r.err_code}` };
  }
  switch (r.trade_status) {
    case 'SUCCESS':
      return { status: 'succeeded', tradeNo: r.trade_no ?? '' };
    case 'USERPAYING':
      return { status: 'userpaying', tradeNo: r.trade_no ?? null };
    case 'NOTPAY':
      return { status: 'awaiting_scan' };
    case 'CLOSED':
      return { status: 'closed' };
    case 'REVERSED':
      return { status: 'reversed' };
    case 'PAYERROR':
      return { status: 'failed', ...decline(r.err_code, r.err_zh, r.err_en) };
    default:
      return { status: 'unknown', why: `unexpected trade_status ${String(r.trade_status)}` };
  }
}

export function mapCancel(x: Exchange): CancelOutcome {
  const c = classify<WireTradeResponse>(x);
  if ('unknown' in c) return c.unknown;
  if ('refused' in c) return c.refused.reason === 'NETWORK_UNREACHABLE' ? { status: 'unknown', why: 'unreachable' } : { status: 'failed', ...c.refused };
  const r = c.ok;
  if (r.result === 'FAIL') return { status: 'failed', ...decline(r.err_code, r.err_zh, r.err_en) };
  if (r.trade_status === 'REVERSED') return { status: 'cancelled', reversed: true };
  if (r.trade_status === 'CLOSED') return { status: 'cancelled', reversed: false };
  return { status: 'unknown', why: `cancel answered ${String(r.trade_status)}` };
}

export function mapRefund(x: Exchange): RefundOutcome {
  const c = classify<WireRefundResponse>(x);
  if ('unknown' in c) return c.unknown;
  // Unreachable is not a decline for a refund: the same refund number is simply sent again later.
  if ('refused' in c) return c.refused.reason === 'NETWORK_UNREACHABLE' ? { status: 'unknown', why: 'unreachable' } : { status: 'refused', ...c.refused };
  const r = c.ok;
  if (r.result === 'OK' && r.refund_status === 'SUCCESS') return { status: 'succeeded' };
  if (r.result === 'FAIL') return { status: 'failed', ...decline(r.err_code, r.err_zh, r.err_en) };
  return { status: 'unknown', why: 'unreadable refund answer' };
}

/** `POST /v1/refund/query`: what the acquirer knows of a refund number; a refused or unreadable query tells nothing. */
export function mapRefundQuery(x: Exchange): RefundQueryOutcome {
  const c = classify<WireRefundResponse>(x);
  if ('unknown' in c) return c.unknown;
  if ('refused' in c) return { status: 'unknown', why: `refund query refused: ${c.refused.reason}` };
  const r = c.ok;
  if (r.result === 'OK' && r.refund_status === 'SUCCESS') return { status: 'succeeded' };
  if (r.result === 'FAIL' && r.err_code === 'REFUND_NOT_EXIST') return { status: 'not_found' };
  return { status: 'unknown', why: `refund query answered ${String(r.err_code ?? r.refund_status)}` };
}

/** Why the acquirer refused an offline refund, in the cashier's words: nothing was refunded. */
const OFFLINE_REFUND_WORDS: Record<WireOfflineRefundRefusal, { zh: string; en: string }> = {
  order_not_found: { zh: '收单机构查不到这笔离线交易，未退款。', en: 'The acquirer has no record of this offline payment; nothing was refunded.' },
  not_refundable: { zh: '收单机构没有收到这笔离线交易的钱，不能退款。', en: 'The acquirer took no money for this offline payment, so it cannot be refunded.' },
  order_mismatch: DECLINE_WORDS.ORDER_MISMATCH,
  exceeds: DECLINE_WORDS.REFUND_EXCEEDS,
  refund_no_reused: { zh: '退款单号已被另一笔退款用过，未退款。', en: 'The refund number was already used for another refund; nothing was refunded.' },
};

/** An offline route's answer (`/offline/v1/refund`): same rules as `mapRefund`. */
export function mapOfflineRefund(x: Exchange): RefundOutcome {
  const c = classify<WireOfflineRefundReply>(x);
  if ('unknown' in c) return c.unknown;
  if ('refused' in c) return c.refused.reason === 'NETWORK_UNREACHABLE' ? { status: 'unknown', why: 'unreachable' } : { status: 'refused', ...c.refused };
  const r = c.ok;
  if (r.status === 'succeeded' && r.refundNo) return { status: 'succeeded' };
  if (r.status === 'refused' && r.reason in OFFLINE_REFUND_WORDS) return { status: 'failed', reason: r.reason.toUpperCase(), ...OFFLINE_REFUND_WORDS[r.reason] };
  return { status: 'unknown', why: 'unreadable refund answer' };
}

/** What the acquirer says of a refund number; a refused or unreadable query tells nothing. */
export function mapOfflineRefundQuery(x: Exchange): RefundQueryOutcome {
  const c = classify<WireOfflineRefundQueryReply>(x);
  if ('unknown' in c) return c.unknown;
  if ('refused' in c) return { status: 'unknown', why: `refund query refused: ${c.refused.reason}` };
  if (c.ok.status === 'succeeded') return { status: 'succeeded' };
  if (c.ok.status === 'not_found') return { status: 'not_found' };
  return { status: 'unknown', why: 'unreadable refund query answer' };
}

export function mapPrecreate(x: Exchange): PrecreateOutcome {
  const c = classify<WireTradeResponse>(x);
  if ('unknown' in c) return c.unknown;
  if ('refused' in c) return { status: 'refused', ...c.refused };
  const r = c.ok;
  if (r.result === 'FAIL') return { status: 'failed', ...decline(r.err_code, r.err_zh, r.err_en) };
  if (r.trade_status === 'NOTPAY' && typeof r.qr_content === 'string' && typeof r.expires_at === 'number') {
    return { status: 'created', qrContent: r.qr_content, expiresAt: r.expires_at };
  }
  return { status: 'unknown', why: 'unreadable precreate answer' };
}
