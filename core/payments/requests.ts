/**
 * Request ids of the engine's money-moving calls (charge, precreate, cash, credit, refund): the
 * screen makes one id per intended action (core/api/define.ts `RequestId`). Its row
 * (migration 103, `payment_requests`) is written in the same transaction as the payment or refund
 * the action creates, so either both exist or neither: a refused action leaves no id behind.
 * A repeat finds the row and is answered with the current record of what the first try created,
 * doing nothing; the same id with other parameters (or for another method) is refused
 * `request.mismatch` with nothing changed (core/requests.ts, shared with the service point).
 * The parameters are hashed with the masked payment code only: a full code is never stored.
 */
import { RequestErrors, requestHash } from '../requests';
import type { Queryable } from '../store/db';

export interface PaymentRequest {
  requestId: string;
  method: string;
  hash: string;
}

/** The request's identity, or null for the core's own calls (no id: every call acts). */
export function paymentRequest(requestId: string | undefined, method: string, params: Record<string, unknown>): PaymentRequest | null {
  return requestId ? { requestId, method, hash: requestHash(method, params) } : null;
}

/** What a request id already created, or null on a first try; refused when the id was used for another action. */
export async function priorRequest(q: Queryable, r: PaymentRequest): Promise<{ orderNo: string | null; refundNo: string | null } | null> {
  const row = await q.get<{ request_hash: string; order_no: string | null; refund_no: string | null }>(
    'SELECT request_hash, order_no, refund_no FROM payment_requests WHERE request_id = ?', [r.requestId]);
  if (!row) return null;
  if (row.request_hash !== r.hash) throw RequestErrors.mismatch();
  return { orderNo: row.order_no, refundNo: row.refund_no };
}

/** Writes the id's row beside the payment or refund it created, inside that transaction. */
export async function recordRequest(q: Queryable, r: PaymentRequest, ref: { orderNo: string } | { refundNo: string }, now: number): Promise<void> {
  await q.run('INSERT INTO payment_requests (request_id, method, request_hash, order_no, refund_no, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
    r.requestId, r.method, r.hash, 'orderNo' in ref ? ref.orderNo : null, 'refundNo' in ref ? ref.refundNo : null, now,
  ]);
}
