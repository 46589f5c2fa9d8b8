/**
 * Read-only look-ups the receipt service needs from other areas, kept here so service.ts
 * depends on plain functions (and its tests on fakes): the payment record, an operator's name,
 * whether a payment is a service-point withdrawal's charge, and a service-point bill.
 */
import type { BillPayment, Withdrawal } from '../api/agent';
import { readBill, toBillPayment } from '../agent/bills';
import type { Payment } from '../api/payments';
import type { Queryable } from '../store/db';
import { getPaymentRow, toPayment } from '../payments/repo';
import type { WithdrawalLink } from './service';

export async function paymentByOrderNo(q: Queryable, orderNo: string): Promise<Payment | null> {
  const row = await getPaymentRow(q, orderNo);
  return row ? toPayment(row) : null;
}

/**
 * A withdrawal records its order number only after the charge call returns, and the charge may
 * already have succeeded by then. So for a withdrawal's charge a charging withdrawal of the same
 * amount with no order number yet also counts (`pending`): the terminal runs one charge at a
 * time, so it is this one.
 */
export async function withdrawalLink(
  q: Queryable,
  byId: (id: string) => Promise<Withdrawal>,
  p: Payment,
): Promise<WithdrawalLink> {
  // The order records what it is for when it is created (payments.purpose): a sale is never a
  // withdrawal's charge, whatever its amount.
  if (p.kind !== 'withdrawal') return 'none';
  const row = await q.get<{ id: string }>('SELECT id FROM agent_withdrawals WHERE order_no = ?', [p.orderNo]);
  if (row) return byId(row.id);
  const charging = await q.get<{ id: string }>(
    "SELECT id FROM agent_withdrawals WHERE state = 'charging' AND order_no IS NULL AND amount_fen = ? LIMIT 1", [p.amountFen]);
  return charging ? 'pending' : 'none';
}

/** A bill as the service point shows it, with the operator who took its cash (printed as the cashier). */
export async function billById(q: Queryable, id: string): Promise<{ bill: BillPayment; operatorId: string | null } | null> {
  const row = await readBill(q, id);
  return row ? { bill: toBillPayment(row), operatorId: row.operator_id } : null;
}
