/**
 * The service point in the cashier's history, read from its own tables (read-only here;
 * service.ts is where they change):
 * - bill payments are rows of their own (kind `bill`, cash taken at the counter), with the
 *   same filter and order as every other source (core/store/history-filter.ts), in the
 *   words bills.ts gives them (a refused bill says its cash is to be returned, or was);
 * - the record behind a withdrawal's charge or a bill, for the detail view: the cash handed
 *   out (only once the charge succeeded) and the masked phone, or the biller and account.
 * The payment engine reads it through its `ServiceHistory` port (core/payments/engine.ts).
 */
import type { BillPayment } from '../api/agent';
import type { Payment, PaymentState, ServiceRecord } from '../api/payments';
import type { ServiceHistory, SourceFilter } from '../payments/engine';
import type { Queryable } from '../store/db';
import { historyRows } from '../store/history-filter';
import { BILL_COLUMNS, billMessage, billState, readBill, toBillPayment, type BillRow } from './bills';

/** A refused bill is a failed payment whether or not its cash went back (the detail says which). */
const BILL_STATE: Record<BillPayment['state'], PaymentState> = { paid: 'succeeded', queued: 'accepted_offline', failed: 'failed', returned: 'failed' };

export class AgentHistory implements ServiceHistory {
  constructor(private readonly db: Queryable, private readonly training: boolean) {}

  async history(f: SourceFilter): Promise<Payment[]> {
    if (f.kind !== undefined && f.kind !== 'bill') return [];
    return (await historyRows<BillRow>(this.db, BILL_COLUMNS, f)).map((r) => this.toPayment(r));
  }

  async findPayment(orderNo: string): Promise<Payment | null> {
    const r = await readBill(this.db, orderNo);
    return r ? this.toPayment(r) : null;
  }

  async record(p: Payment): Promise<ServiceRecord | null> {
    if (p.kind === 'bill') {
      const r = await readBill(this.db, p.orderNo);
      if (!r) return null;
      const b = toBillPayment(r);
      return { kind: 'bill', id: b.id, billerId: b.billerId, billerName: b.billerName, maskedAccount: b.maskedAccount, state: b.state, reference: b.reference, provisional: b.provisional };
    }
    if (p.kind !== 'withdrawal') return null;
    // Null for an offline cash-out or a charge whose withdrawal has not stored its order number yet.
    const w = await this.db.get<{ id: string; state: 'charging' | 'paid' | 'failed'; amount_fen: number; masked_phone: string }>(
      'SELECT id, state, amount_fen, masked_phone FROM agent_withdrawals WHERE order_no = ?', [p.orderNo]);
    return w ? { kind: 'withdrawal', id: w.id, state: w.state, cashOutFen: w.state === 'paid' ? w.amount_fen : 0, maskedPhone: w.masked_phone } : null;
  }

  private toPayment(r: BillRow): Payment {
    return {
      orderNo: r.id,
      kind: 'bill',
      amountFen: r.amount_fen,
      // Bills are paid in cash at the counter (BillPanel; the float records it).
      tender: 'cash',
      state: BILL_STATE[billState(r)],
      maskedCode: null,
      message: billMessage(r),
      error: null,
      createdAt: r.created_at,
      updatedAt: r.created_at,
      refundedFen: 0,
      training: this.training,
      qr: null,
      cash: null,
      creditName: null,
      operatorId: r.operator_id,
    };
  }
}
