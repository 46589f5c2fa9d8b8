/**
 * Cancelling (reversing) an order at the acquirer, per its rules: not before
 * `cancelNotBeforeMs` after the charge began, `cancelAttempts` tries `cancelEveryMs` apart.
 * A cancel the acquirer refuses (e.g. already paid and not reversible) is followed by a query,
 * which tells what really happened. If every attempt is unanswered the payment stays in
 * `cancelling` and the sweeper tries again later — it is never marked cancelled on a guess.
 */
import type { Payment } from '../api/payments';
import type { EngineEnv } from './env';
import { sleep } from './env';
import { applyOutcome, queryOrder } from './query';
import { transitionPayment } from './repo';

export interface CancelOptions {
  /** Final state when the acquirer closes the order: `closed` for an expired QR. */
  closedAs?: 'cancelled' | 'closed';
}

export async function cancelPayment(env: EngineEnv, p: Payment, opts: CancelOptions = {}): Promise<Payment> {
  const t = env.acquirer.config().timings;
  let cur = p;
  if (opts.closedAs !== 'closed' && cur.state !== 'cancelling') {
    cur = (await transitionPayment(env, cur.orderNo, 'cancelling')).payment;
    if (cur.state !== 'cancelling') return cur;
  }
  await sleep(cur.createdAt + t.cancelNotBeforeMs - env.now());
  for (let i = 0; i < t.cancelAttempts; i += 1) {
    if (i > 0) await sleep(t.cancelEveryMs);
    const o = await env.acquirer.cancel(cur.orderNo);
    if (o.status === 'cancelled') {
      if (cur.state === 'cancelling') {
        return (await transitionPayment(env, cur.orderNo, 'cancelled')).payment;
      }
      // An expiring QR: closed unpaid, or (if it was paid and reversed just now) cancelled.
      if (o.reversed) return applyOutcome(env, cur, { status: 'reversed' });
      return (await transitionPayment(env, cur.orderNo, 'closed')).payment;
    }
    if (o.status === 'failed') {
      // Refused: the order may have been paid after all. The acquirer's own record decides.
      const q = await queryOrder(env, cur);
      cur = q.payment;
      if (q.outcome.status === 'succeeded' || q.outcome.status === 'failed' || q.outcome.status === 'closed' || q.outcome.status === 'reversed') return cur;
    }
  }
  return cur;
}
