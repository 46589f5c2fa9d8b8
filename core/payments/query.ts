/**
 * Asking the acquirer what became of an order, and applying the answer through the state
 * machine. The mapping from an answer to a state lives here only; `unknown` and `not_found`
 * never change a state (an unknown outcome never overwrites a known one, and a not-found may
 * just mean the request is still on its way).
 */
import type { Payment } from '../api/payments';
import type { Decline, PayOutcome, QueryOutcome } from '../acquirer/types';
import type { EngineEnv } from './env';
import { transitionPayment } from './repo';

export function declineShape(d: Decline) {
  return { code: `acquirer.${d.reason.toLowerCase()}`, zh: d.zh, en: d.en };
}

const CLOSED_UNPAID: Decline = {
  reason: 'ORDER_CLOSED',
  zh: '收单机构已关闭该订单，未扣款。',
  en: 'The acquirer closed the order; nothing was charged.',
};

/** Applies one answer (of pay or query) to the payment; returns the payment as it now is. */
export async function applyOutcome(env: EngineEnv, p: Payment, o: PayOutcome | QueryOutcome): Promise<Payment> {
  const qr = p.tender === 'merchant_qr';
  switch (o.status) {
    case 'succeeded':
      return (await transitionPayment(env, p.orderNo, 'succeeded', { tradeNo: o.tradeNo || null })).payment;
    case 'failed':
      return (await transitionPayment(env, p.orderNo, 'failed', { error: declineShape(o) })).payment;
    case 'refused':
      // This request was not processed. The payment fails only if no request of it can have
      // been delivered: the first request, answered in `created`/`paying`. Anywhere else (a
      // re-send in `unknown`, …) an earlier request may still land: nothing changes here, and
      // the caller queries again and then cancels (README: "When a payment may fail").
      if (p.state !== 'created' && p.state !== 'paying') return p;
      return (await transitionPayment(env, p.orderNo, 'failed', { error: declineShape(o) })).payment;
    case 'userpaying':
      return (await transitionPayment(env, p.orderNo, 'userpaying', { tradeNo: o.tradeNo })).payment;
    case 'unknown':
      // Only `paying` may become unknown: the state table refuses it from anything else.
      return (await transitionPayment(env, p.orderNo, 'unknown')).payment;
    case 'closed':
      if (p.state === 'cancelling') return (await transitionPayment(env, p.orderNo, 'cancelled')).payment;
      if (qr) return (await transitionPayment(env, p.orderNo, 'closed')).payment;
      return (await transitionPayment(env, p.orderNo, 'failed', { error: declineShape(CLOSED_UNPAID) })).payment;
    case 'reversed': {
      // Someone cancelled a paid order: the money went back. Always through `cancelling`.
      const mid = p.state === 'cancelling' ? p : (await transitionPayment(env, p.orderNo, 'cancelling')).payment;
      if (mid.state !== 'cancelling') return mid;
      return (await transitionPayment(env, p.orderNo, 'cancelled')).payment;
    }
    case 'awaiting_scan':
    case 'not_found':
      return p;
  }
}

/** One query, applied. Returns the payment and the raw outcome (callers decide on not_found). */
export async function queryOrder(env: EngineEnv, p: Payment): Promise<{ payment: Payment; outcome: QueryOutcome }> {
  const outcome = await env.acquirer.query(p.orderNo);
  return { payment: await applyOutcome(env, p, outcome), outcome };
}
