/**
 * Refunds, full or partial. Each has its own refund number (order number + `R` + sequence),
 * written with the amount BEFORE the request, and re-sent unchanged on every retry — the
 * acquirer treats a repeated refund number as a no-op. In the transaction that writes it:
 * the payment must have succeeded, the new refund plus every refund not failed must not
 * exceed the amount paid, the acquirer's refund count and window must allow it, and the audit
 * row names the operator and, above the threshold, the approving supervisor.
 */
import type { Refund } from '../api/payments';
import { audit } from '../audit';
import { checkFen } from '../money';
import { crashPoint } from './crash';
import { sleep, type EngineEnv } from './env';
import { PaymentErrors } from './errors';
import { declineShape } from './query';
import type { Queryable } from '../store/db';
import { getPaymentRow, getRefundRow, toRefund, transitionRefund, type PaymentRow, type RefundRow } from './repo';
import { REFUND_HOLDING_STATES } from './state';

export interface NewRefund {
  orderNo: string;
  amountFen: number;
  reason: string;
  operatorId: string | null;
  approverId: string | null;
}

/**
 * The refund rules, read in `q`: called once outside any transaction (a cheap early answer,
 * before asking a supervisor for a PIN) and again inside the transaction that writes the
 * refund, where it is authoritative.
 */
export async function checkRefundable(q: Queryable, env: EngineEnv, orderNo: string, amountFen: number): Promise<{ p: PaymentRow; count: number }> {
  const info = env.acquirer.config();
  const p = await getPaymentRow(q, orderNo);
  if (!p) throw PaymentErrors.notFound();
  if (p.state !== 'succeeded') throw PaymentErrors.notRefundable();
  if (p.kind !== 'cash' && p.kind !== 'credit' && env.now() - p.created_at > info.refundWindowMs) throw PaymentErrors.refundTooLate();
  const marks = REFUND_HOLDING_STATES.map(() => '?').join(',');
  const held = await q.get<{ held: number | null }>(
    `SELECT SUM(amount_fen) AS held FROM refunds WHERE order_no = ? AND state IN (${marks})`,
    [p.order_no, ...REFUND_HOLDING_STATES],
  );
  const left = p.amount_fen - (held?.held ?? 0);
  if (amountFen > left) throw PaymentErrors.refundExceeds(left);
  const count = (await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM refunds WHERE order_no = ?', [p.order_no]))!.n;
  if (count >= info.maxRefundsPerPayment) throw PaymentErrors.refundTooMany(info.maxRefundsPerPayment);
  return { p, count };
}

/** Writes the refund intent (checks included) in one transaction; refuses with nothing written. */
export async function createRefund(env: EngineEnv, input: NewRefund): Promise<Refund> {
  const amount = checkFen(input.amountFen);
  const row = await env.db.tx(async (q) => {
    const { p, count } = await checkRefundable(q, env, input.orderNo, amount);
    const now = env.now();
    const r: RefundRow = {
      refund_no: `${p.order_no}R${String(count + 1).padStart(2, '0')}`,
      order_no: p.order_no, amount_fen: amount, state: 'created', reason: input.reason, error_json: null,
      operator_id: input.operatorId, approver_id: input.approverId, created_at: now, updated_at: now,
    };
    await q.run(
      'INSERT INTO refunds (refund_no, order_no, amount_fen, state, reason, error_json, operator_id, approver_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [r.refund_no, r.order_no, r.amount_fen, r.state, r.reason, r.error_json, r.operator_id, r.approver_id, r.created_at, r.updated_at],
    );
    await audit(q, {
      operatorId: input.operatorId,
      approverId: input.approverId,
      action: 'payment.refund',
      detail: { orderNo: p.order_no, refundNo: r.refund_no, amountFen: amount },
    }, now);
    return r;
  });
  const refund = toRefund(row);
  env.bus.emit('refunds:changed', refund);
  return refund;
}

/**
 * Sends (or re-sends) a refund until the acquirer answers, up to `refundAttempts`; a refund
 * still unanswered stays `pending` for the sweeper. Cash and credit refunds are local.
 */
export async function runRefund(env: EngineEnv, refundNo: string): Promise<Refund> {
  const t = env.acquirer.config().timings;
  const row = await env.db.get<RefundRow>('SELECT * FROM refunds WHERE refund_no = ?', [refundNo]);
  if (!row) throw PaymentErrors.notFound();
  const p = (await getPaymentRow(env.db, row.order_no))!;
  let cur = toRefund(row);
  if (cur.state === 'created') cur = (await transitionRefund(env, refundNo, 'pending')).refund;
  if (cur.state !== 'pending') return cur;
  if (p.kind === 'cash' || p.kind === 'credit') return (await transitionRefund(env, refundNo, 'succeeded')).refund;
  for (let i = 0; i < t.refundAttempts; i += 1) {
    if (i > 0) await sleep(t.refundEveryMs);
    const o = await env.acquirer.refund({ orderNo: row.order_no, refundNo, amountFen: row.amount_fen, totalFen: p.amount_fen, reason: row.reason });
    crashPoint('refund_after_response');
    if (o.status === 'succeeded') return (await transitionRefund(env, refundNo, 'succeeded')).refund;
    if (o.status === 'failed') return (await transitionRefund(env, refundNo, 'failed', declineShape(o))).refund;
  }
  return toRefund((await getRefundRow(env.db, refundNo))!);
}

export async function refund(env: EngineEnv, input: NewRefund): Promise<Refund> {
  const created = await createRefund(env, input);
  crashPoint('refund_after_intent');
  return runRefund(env, created.refundNo);
}
