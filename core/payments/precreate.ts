/**
 * Dynamic merchant QR: precreate the order with amount and expiry, show the code, poll until
 * the customer pays, the code expires (closed at the acquirer too, so a late scan cannot pay)
 * or the cashier cancels. The order number is durable before the precreate request.
 */
import type { Payment } from '../api/payments';
import { cancelPayment } from './cancel';
import { sleep, type EngineEnv } from './env';
import { declineShape, queryOrder } from './query';
import { transitionPayment } from './repo';

export async function runPrecreate(env: EngineEnv, created: Payment, signal: AbortSignal): Promise<Payment> {
  const t = env.acquirer.config().timings;
  let cur = created;
  // Once a precreate may have been delivered, a refused retry proves nothing: close it instead.
  let maybeDelivered = false;
  for (let i = 0; i < 3 && cur.state === 'created' && !signal.aborted; i += 1) {
    if (i > 0) await sleep(t.unknownQueryEveryMs, signal);
    // Idempotent on the order number: a retry returns the same QR.
    const o = await env.acquirer.precreate({ orderNo: cur.orderNo, amountFen: cur.amountFen, subject: env.subject, expiresInMs: t.qrExpiryMs });
    if (o.status === 'created') cur = (await transitionPayment(env, cur.orderNo, 'awaiting_scan', { qr: { content: o.qrContent, expiresAt: o.expiresAt } })).payment;
    else if (o.status === 'failed' || (o.status === 'refused' && !maybeDelivered)) {
      return (await transitionPayment(env, cur.orderNo, 'failed', { error: declineShape(o) })).payment;
    } else if (o.status === 'unknown') maybeDelivered = true;
  }
  if (cur.state === 'created') return cancelPayment(env, cur);
  return pollQr(env, cur, signal);
}

export async function pollQr(env: EngineEnv, p: Payment, signal: AbortSignal): Promise<Payment> {
  const t = env.acquirer.config().timings;
  let cur = p;
  const expiresAt = p.qr?.expiresAt ?? p.createdAt + t.qrExpiryMs;
  while (cur.state === 'awaiting_scan' && !signal.aborted && env.now() < expiresAt) {
    await sleep(Math.min(t.qrPollMs, Math.max(0, expiresAt - env.now())), signal);
    if (signal.aborted) break;
    cur = (await queryOrder(env, cur)).payment;
  }
  if (cur.state !== 'awaiting_scan') return cur.state === 'cancelling' ? cancelPayment(env, cur) : cur;
  if (signal.aborted) return cancelPayment(env, cur);
  // Expired unpaid here: close it at the acquirer as well, so a late scan cannot pay.
  const last = await queryOrder(env, cur);
  if (last.payment.state !== 'awaiting_scan') return last.payment;
  return cancelPayment(env, last.payment, { closedAs: 'closed' });
}

