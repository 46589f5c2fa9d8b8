/**
 * Charging a scanned online payment code, from the durable intent to a final state:
 *   created → paying → (succeeded | failed | userpaying | unknown)
 *   userpaying: query every `userpayingPollMs` until `userpayingMaxWaitMs`, then cancel;
 *   unknown:    wait `unknownFirstQueryMs`, query up to `unknownQueries` times; while the
 *               acquirer has not seen the order and the code is still young, re-send the pay
 *               with the SAME order number (the acquirer deduplicates on it); then cancel.
 * The full code lives only in this function's memory; the row holds its masked form.
 * Invariants: the row is durable (`created`) before the request leaves; every answer goes through
 * the state machine; the cashier's cancel (the abort signal) only ever leads to a cancel at
 * the acquirer, never to a local "cancelled" without one.
 */
import type { Payment } from '../api/payments';
import { cancelPayment } from './cancel';
import { crashPoint } from './crash';
import { sleep, type EngineEnv } from './env';
import { applyOutcome, queryOrder } from './query';
import { transitionPayment } from './repo';

/** A payment code older than this is not re-sent: wallets refuse codes near a minute old. */
export const CODE_RESEND_WINDOW_MS = 45_000;

export async function runCharge(env: EngineEnv, created: Payment, code: string, signal: AbortSignal): Promise<Payment> {
  // The intent row (`created`) is already durable, and recovery treats `created` exactly like
  // `paying` (query, then cancel; state.ts lets `created` go wherever `paying` may): so the
  // `paying` mark is committed once the request is on its way instead of before it, keeping
  // one fsync off the cashier's wait. The database queue still orders it before whatever the
  // answer writes. A crash between the request leaving and the mark (`before_paying_mark`)
  // leaves a `created` row that recovery resolves like any `paying` one.
  let sent: () => void = () => undefined;
  const leftTheTill = new Promise<void>((resolve) => (sent = resolve));
  const answer = env.acquirer.pay({ orderNo: created.orderNo, amountFen: created.amountFen, code, subject: env.subject, onSent: () => sent() });
  const marking = Promise.race([leftTheTill, answer]).then(() => {
    crashPoint('before_paying_mark');
    return transitionPayment(env, created.orderNo, 'paying');
  });
  const outcome = await answer;
  let cur = (await marking).payment;
  crashPoint('after_response');
  cur = await applyOutcome(env, cur, outcome);
  if (cur.state === 'unknown') cur = await resolveUnknown(env, cur, signal, code);
  return followUp(env, cur, signal);
}

/** After a first answer: wait out USERPAYING, or cancel what is still open. */
export async function followUp(env: EngineEnv, p: Payment, signal: AbortSignal): Promise<Payment> {
  let cur = p;
  if (cur.state === 'userpaying') cur = await waitUserPaying(env, cur, signal);
  if (cur.state === 'unknown' || cur.state === 'userpaying' || cur.state === 'cancelling' || cur.state === 'paying' || cur.state === 'created') {
    cur = await cancelPayment(env, cur);
  }
  return cur;
}

/**
 * Unknown outcome: query, and while the acquirer has never seen the order re-send the pay
 * with the same order number (only while we still hold the code and it is young).
 */
export async function resolveUnknown(env: EngineEnv, p: Payment, signal: AbortSignal, code: string | null): Promise<Payment> {
  const t = env.acquirer.config().timings;
  let cur = p;
  await sleep(t.unknownFirstQueryMs, signal);
  for (let i = 0; i < t.unknownQueries && !signal.aborted; i += 1) {
    if (i > 0) await sleep(t.unknownQueryEveryMs, signal);
    if (signal.aborted) break;
    const q = await queryOrder(env, cur);
    cur = q.payment;
    if (cur.state !== 'unknown') return cur;
    if (q.outcome.status === 'not_found' && code && env.now() - cur.createdAt < CODE_RESEND_WINDOW_MS) {
      // A refused re-send (4xx, signature, stale, no connection) changes nothing: the first
      // request may still land, so the loop queries again and then cancels (query.ts).
      const again = await env.acquirer.pay({ orderNo: cur.orderNo, amountFen: cur.amountFen, code, subject: env.subject });
      cur = await applyOutcome(env, cur, again);
      if (cur.state !== 'unknown') return cur;
    }
  }
  return cur;
}

/** USERPAYING: poll until the customer answers, the wait runs out, or the cashier cancels. */
export async function waitUserPaying(env: EngineEnv, p: Payment, signal: AbortSignal): Promise<Payment> {
  const t = env.acquirer.config().timings;
  const deadline = p.createdAt + t.userpayingMaxWaitMs;
  let cur = p;
  while (!signal.aborted && env.now() < deadline) {
    await sleep(Math.min(t.userpayingPollMs, Math.max(0, deadline - env.now())), signal);
    if (signal.aborted) break;
    cur = (await queryOrder(env, cur)).payment;
    if (cur.state !== 'userpaying') return cur;
  }
  return cur;
}
