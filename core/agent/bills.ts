/**
 * A bill payment as stored (`agent_bills`, migrations 400 and 402) and as shown: the one
 * mapping service.ts (where bills change) and history.ts (the cashier's history) share, with
 * the words that say what happened and what the agent does next.
 *
 * Shown states: `paid`, `queued`, `failed` (the biller refused it after it was sent: the
 * customer's cash is still in the drawer) and `returned` (refused, and the cash handed back —
 * stored as `failed` with `returned_at`, so a refusal is never rewritten).
 */
import type { BillPayment } from '../api/agent';
import type { Message } from '../api/payments';
import { formatFen } from '../money';
import type { Queryable } from '../store/db';
import type { HistoryColumns } from '../store/history-filter';

export interface BillRow {
  id: string;
  day: string;
  biller_id: string;
  masked_account: string;
  amount_fen: number;
  state: 'paid' | 'queued' | 'failed';
  reference: string | null;
  created_at: number;
  operator_id: string | null;
  refusal_code: string | null;
  refusal_zh: string | null;
  refusal_en: string | null;
  returned_at: number | null;
  returned_by: string | null;
  /** The biller's name from the synced catalogue (null when it is no longer listed). */
  name_zh: string | null;
  name_en: string | null;
}

/** Bills with their biller's name, as a history source (core/store/history-filter.ts) and for look-ups. */
export const BILL_COLUMNS: HistoryColumns = {
  table: 'agent_bills b LEFT JOIN agent_billers n ON n.id = b.biller_id',
  orderNo: 'b.id',
  amount: 'b.amount_fen',
  time: 'b.created_at',
  select:
    'b.id, b.day, b.biller_id, b.masked_account, b.amount_fen, b.state, b.reference, b.created_at, b.operator_id, ' +
    'b.refusal_code, b.refusal_zh, b.refusal_en, b.returned_at, b.returned_by, n.name_zh, n.name_en',
};

export function readBill(q: Queryable, id: string): Promise<BillRow | undefined> {
  return q.get<BillRow>(`SELECT ${BILL_COLUMNS.select} FROM ${BILL_COLUMNS.table} WHERE b.id = ?`, [id]);
}

export function billState(r: Pick<BillRow, 'state' | 'returned_at'>): BillPayment['state'] {
  return r.state === 'failed' && r.returned_at !== null ? 'returned' : r.state;
}

/** What happened to the bill and what the agent does next. */
export function billMessage(r: Pick<BillRow, 'state' | 'returned_at' | 'amount_fen'>): Message {
  const cash = `¥${formatFen(r.amount_fen)}`;
  switch (billState(r)) {
    case 'paid':
      return { zh: '缴费成功（现金已收，缴费单位已确认）。', en: 'Bill paid (cash taken, confirmed by the biller).' };
    case 'queued':
      return {
        zh: '网络不通时登记的缴费，联网后自动上传；缴费单位确认前，收据为临时收据。',
        en: 'Recorded while offline; sent when the link returns. The receipt is provisional until the biller confirms.',
      };
    case 'failed':
      return {
        zh: `缴费单位拒绝了这笔缴费，客户的现金 ${cash} 还在钱箱里：请把现金退还给客户，在“代缴费”里点“退还现金给客户”，并请客户在回单上签字。`,
        en: `The biller refused this bill, so the customer’s ${cash} in cash is still in the drawer: give it back, press “Return cash to customer” under Bill payment, and have the customer sign the receipt.`,
      };
    case 'returned':
      return {
        zh: `缴费单位拒绝了这笔缴费；现金 ${cash} 已退还客户，客户签字的回单请留存。`,
        en: `The biller refused this bill; the ${cash} in cash was given back to the customer. Keep the receipt they signed.`,
      };
  }
}

export function toBillPayment(r: BillRow): BillPayment {
  const state = billState(r);
  return {
    id: r.id,
    billerId: r.biller_id,
    billerName: r.name_zh !== null && r.name_en !== null ? { zh: r.name_zh, en: r.name_en } : null,
    maskedAccount: r.masked_account,
    amountFen: r.amount_fen,
    state,
    provisional: state === 'queued',
    reference: r.reference,
    message: billMessage(r),
    refusal: r.refusal_zh !== null && r.refusal_en !== null ? { zh: r.refusal_zh, en: r.refusal_en } : null,
    createdAt: r.created_at,
    returnedAt: r.returned_at,
    returnedBy: r.returned_by,
  };
}
