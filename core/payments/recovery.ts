/**
 * Recovery: bringing every payment and refund that is not final to a final state — on start
 * (after a crash or power cut) and from the background sweeper for anything stuck. The rules
 * are those of an unknown outcome: ask the acquirer first; what it has not seen, or still
 * cannot say, is cancelled (a cancel of an unseen order leaves a tombstone, so a late request
 * cannot charge). USERPAYING gets the rest of its wait. Refunds are re-sent with their own
 * refund number, which the acquirer treats as a no-op if it already did them.
 * The full payment code is gone after a crash by design, so a charge is never re-sent here.
 */
import type { Payment } from '../api/payments';
import { cancelPayment } from './cancel';
import type { EngineEnv } from './env';
import { followUp } from './pay';
import { pollQr } from './precreate';
import { queryOrder } from './query';
import { toPayment, type PaymentRow } from './repo';
import { runRefund } from './refund';
import { OPEN_STATES } from './state';

export async function resolvePayment(env: EngineEnv, p: Payment, signal: AbortSignal): Promise<Payment> {
  if (p.state === 'cancelling') return cancelPayment(env, p);
  if (p.state === 'awaiting_scan') return pollQr(env, p, signal);
  const q = await queryOrder(env, p);
  const cur = q.payment;
  if (cur.state === 'awaiting_scan') return pollQr(env, cur, signal);
  if (p.tender === 'merchant_qr' && (cur.state === 'created' || cur.state === 'paying')) return cancelPayment(env, cur);
  return followUp(env, cur, signal);
}

export async function openPayments(env: EngineEnv): Promise<Payment[]> {
  const marks = OPEN_STATES.map(() => '?').join(',');
  const rows = await env.db.all<PaymentRow>(`SELECT * FROM payments WHERE terminal_id = ? AND state IN (${marks}) ORDER BY created_at`, [env.terminalId, ...OPEN_STATES]);
  return rows.map(toPayment);
}

export async function openRefunds(env: EngineEnv): Promise<string[]> {
  const rows = await env.db.all<{ refund_no: string }>("SELECT refund_no FROM refunds WHERE state IN ('created','pending') ORDER BY created_at");
  return rows.map((r) => r.refund_no);
}

export { runRefund };
