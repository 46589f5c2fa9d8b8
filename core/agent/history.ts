/**
 * The service point in the cashier's history, read from its own tables (read-only here;
 * service.ts is where they change):
 * - bill payments are rows of their own (kind `bill`, cash taken at the counter), with the
 *   same filter and order as every other source (core/store/history-filter.ts);
 * - the record behind a withdrawal's charge or a bill, for the detail view: the cash handed
 *   out (only once the charge succeeded) and the masked phone, or the biller and account.
 * The payment engine reads it through its `ServiceHistory` port (core/payments/engine.ts).
 */
import type { Message, Payment, PaymentState, ServiceRecord } from '../api/payments';
import type { ServiceHistory, SourceFilter } from '../payments/engine';
import type { Queryable } from '../store/db';
import { historyRows, type HistoryColumns } from '../store/history-filter';

interface BillRow {
  id: string;
  biller_id: string;
  masked_account: string;
  amount_fen: number;
  state: 'paid' | 'queued' | 'failed';
  reference: string | null;
  created_at: number;
  operator_id: string | null;
  name_zh: string | null;
  name_en: string | null;
}

const BILL_COLUMNS: HistoryColumns = {
  table: 'agent_bills b LEFT JOIN agent_billers n ON n.id = b.biller_id',
  orderNo: 'b.id',
  amount: 'b.amount_fen',
  time: 'b.created_at',
  select: 'b.id, b.biller_id, b.masked_account, b.amount_fen, b.state, b.reference, b.created_at, b.operator_id, n.name_zh, n.name_en',
};

const BILL_STATE: Record<BillRow['state'], PaymentState> = { paid: 'succeeded', queued: 'accepted_offline', failed: 'failed' };

const BILL_MSG: Record<BillRow['state'], Message> = {
  paid: { zh: '缴费成功（现金已收，缴费单位已确认）。', en: 'Bill paid (cash taken, confirmed by the biller).' },
  queued: { zh: '网络不通时登记的缴费，联网后自动上传；缴费单位确认前收据为临时收据。', en: 'Recorded while offline; sent when the link returns. The receipt is provisional until the biller confirms.' },
  failed: { zh: '缴费单位没有受理这笔缴费：请联系客户退还现金。', en: 'The biller did not accept this payment: contact the customer to return the cash.' },
};

export class AgentHistory implements ServiceHistory {
  constructor(private readonly db: Queryable, private readonly training: boolean) {}

  async history(f: SourceFilter): Promise<Payment[]> {
    if (f.kind !== undefined && f.kind !== 'bill') return [];
    return (await historyRows<BillRow>(this.db, BILL_COLUMNS, f)).map((r) => this.toPayment(r));
  }

  async findPayment(orderNo: string): Promise<Payment | null> {
    const r = await this.bill(orderNo);
    return r ? this.toPayment(r) : null;
  }

  async record(p: Payment): Promise<ServiceRecord | null> {
    if (p.kind === 'bill') {
      const r = await this.bill(p.orderNo);
      return r
        ? {
            kind: 'bill', id: r.id, billerId: r.biller_id, billerName: r.name_zh !== null && r.name_en !== null ? { zh: r.name_zh, en: r.name_en } : null,
            maskedAccount: r.masked_account, state: r.state, reference: r.reference, provisional: r.state !== 'paid',
          }
        : null;
    }
    if (p.kind !== 'withdrawal') return null;
    // Null for an offline cash-out or a charge whose withdrawal has not stored its order number yet.
    const w = await this.db.get<{ id: string; state: 'charging' | 'paid' | 'failed'; amount_fen: number; masked_phone: string }>(
      'SELECT id, state, amount_fen, masked_phone FROM agent_withdrawals WHERE order_no = ?', [p.orderNo]);
    return w ? { kind: 'withdrawal', id: w.id, state: w.state, cashOutFen: w.state === 'paid' ? w.amount_fen : 0, maskedPhone: w.masked_phone } : null;
  }

  private bill(id: string): Promise<BillRow | undefined> {
    return this.db.get<BillRow>(`SELECT ${BILL_COLUMNS.select} FROM ${BILL_COLUMNS.table} WHERE b.id = ?`, [id]);
  }

  private toPayment(r: BillRow): Payment {
    return {
      orderNo: r.id,
      kind: 'bill',
      amountFen: r.amount_fen,
      // Bills are paid in cash at the counter (BillPanel; the float records it).
      tender: 'cash',
      state: BILL_STATE[r.state],
      maskedCode: null,
      message: BILL_MSG[r.state],
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
