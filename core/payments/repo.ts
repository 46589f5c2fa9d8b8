/**
 * The payments and refunds tables, and the only code that changes a state: `transitionPayment`
 * and `transitionRefund`. Each reads the current state and writes the new one inside one
 * transaction (BEGIN IMMEDIATE: no other writer in between), refuses what the state machine
 * (state.ts) does not allow, appends the journal row of a money event in the same commit,
 * and emits the change only after it is durable.
 */
import type { AppErrorShape } from '../api/errors';
import type { Payment, Refund, Tender } from '../api/payments';
import { appendJournal } from '../ledger/journal';
import type { Queryable } from '../store/db';
import type { EngineEnv } from './env';
import { messageFor, releasedMessage } from './messages';
import { canCorrect, canCorrectRefund, canTransition, canTransitionRefund, isTerminal, type PaymentState, type RefundState } from './state';

export interface PaymentRow {
  order_no: string;
  terminal_id: string;
  kind: 'code' | 'qr' | 'cash' | 'credit' | 'offline';
  tender: Tender;
  amount_fen: number;
  state: PaymentState;
  masked_code: string | null;
  message_zh: string;
  message_en: string;
  error_json: string | null;
  refunded_fen: number;
  training: number;
  qr_content: string | null;
  qr_expires_at: number | null;
  cash_tendered_fen: number | null;
  cash_change_fen: number | null;
  credit_name: string | null;
  operator_id: string | null;
  acquirer_trade_no: string | null;
  /** What the payment is for, fixed at creation (migration 102): a sale, or a withdrawal's charge. */
  purpose: 'sale' | 'withdrawal';
  /** When the cashier was told to take another tender (release.ts, migration 104); null before. */
  released_at?: number | null;
  created_at: number;
  updated_at: number;
}

export interface RefundRow {
  refund_no: string;
  order_no: string;
  amount_fen: number;
  state: RefundState;
  reason: string;
  error_json: string | null;
  operator_id: string | null;
  approver_id: string | null;
  created_at: number;
  updated_at: number;
}

export function toPayment(r: PaymentRow): Payment {
  return {
    orderNo: r.order_no,
    kind: r.purpose,
    amountFen: r.amount_fen,
    tender: r.tender,
    state: r.state,
    maskedCode: r.masked_code,
    message: { zh: r.message_zh, en: r.message_en },
    error: r.error_json ? (JSON.parse(r.error_json) as AppErrorShape) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    refundedFen: r.refunded_fen,
    training: r.training === 1,
    qr: r.qr_content && r.qr_expires_at !== null && r.state === 'awaiting_scan' ? { content: r.qr_content, expiresAt: r.qr_expires_at } : null,
    cash: r.cash_tendered_fen !== null && r.cash_change_fen !== null ? { tenderedFen: r.cash_tendered_fen, changeFen: r.cash_change_fen } : null,
    creditName: r.credit_name,
    operatorId: r.operator_id,
    ...(r.released_at ? { releasedAt: r.released_at } : {}),
  };
}

export function toRefund(r: RefundRow): Refund {
  return {
    refundNo: r.refund_no,
    orderNo: r.order_no,
    amountFen: r.amount_fen,
    state: r.state,
    reason: r.reason,
    createdAt: r.created_at,
    operatorId: r.operator_id,
    approverId: r.approver_id,
    // A pending refund carries an error only when the acquirer said to settle it by hand (refund.ts).
    settleByHand: r.state === 'pending' && r.error_json ? (JSON.parse(r.error_json) as AppErrorShape) : null,
  };
}

export function getPaymentRow(q: Queryable, orderNo: string): Promise<PaymentRow | undefined> {
  return q.get<PaymentRow>('SELECT * FROM payments WHERE order_no = ?', [orderNo]);
}

export function getRefundRow(q: Queryable, refundNo: string): Promise<RefundRow | undefined> {
  return q.get<RefundRow>('SELECT * FROM refunds WHERE refund_no = ?', [refundNo]);
}

export interface TransitionPatch {
  /** The acquirer's stated failure (failed) — shown to the cashier. */
  error?: AppErrorShape | null;
  tradeNo?: string | null;
  qr?: { content: string; expiresAt: number } | null;
  /**
   * Reconciliation's correction on the acquirer's word (state.ts PAYMENT_CORRECTIONS): allows
   * only those steps, and writes a `reconcile.corrected` journal row with `why` beside the change.
   */
  correction?: Correction;
}

/** Why reconciliation corrects a row: the statement day and the finding, for the journal. */
export interface Correction {
  day: string;
  why: string;
}

export interface TransitionResult {
  payment: Payment;
  /** False when the row was already elsewhere (a race, a terminal state): nothing written. */
  changed: boolean;
}

export async function transitionPayment(env: EngineEnv, orderNo: string, wanted: PaymentState, patch: TransitionPatch = {}): Promise<TransitionResult> {
  const result = await env.db.tx(async (q) => {
    const row = await getPaymentRow(q, orderNo);
    if (!row) throw new Error(`transition of a missing payment ${orderNo}`);
    // A released charge (release.ts: the cashier took another tender) is never kept: the
    // acquirer's "paid" sends it to `cancelling`, and the cancel reverses it.
    const released = row.released_at !== null && row.released_at !== undefined;
    const to: PaymentState = wanted === 'succeeded' && released && !patch.correction ? 'cancelling' : wanted;
    const allowed = patch.correction ? canCorrect(row.state, to) : row.state !== to && !isTerminal(row.state) && canTransition(row.state, to);
    if (!allowed) {
      return { row, changed: false };
    }
    const now = env.now();
    const error = patch.error === undefined ? (to === 'failed' ? null : row.error_json) : patch.error ? JSON.stringify(patch.error) : null;
    const detail = patch.error ? { zh: patch.error.zh, en: patch.error.en } : null;
    const msg = released && !isTerminal(to) ? releasedMessage(row.amount_fen) : messageFor(to, row.amount_fen, detail);
    const tradeNo = patch.tradeNo ?? row.acquirer_trade_no;
    const qr = patch.qr === undefined ? { content: row.qr_content, expiresAt: row.qr_expires_at } : { content: patch.qr?.content ?? null, expiresAt: patch.qr?.expiresAt ?? null };
    const r = await q.run(
      `UPDATE payments SET state = ?, message_zh = ?, message_en = ?, error_json = ?, acquirer_trade_no = ?, qr_content = ?, qr_expires_at = ?, updated_at = ?
       WHERE order_no = ? AND state = ?`,
      [to, msg.zh, msg.en, error, tradeNo, qr.content, qr.expiresAt, now, orderNo, row.state],
    );
    if (r.changes !== 1) return { row, changed: false };
    if (patch.correction) await journalCorrection(q, orderNo, row.state, to, patch.correction, now);
    if (to === 'succeeded') {
      await appendJournal(q, {
        kind: 'payment.succeeded',
        ref: orderNo,
        amountFen: row.amount_fen,
        body: { tender: row.tender, maskedCode: row.masked_code, tradeNo, training: row.training === 1 },
      }, now);
    }
    const next: PaymentRow = {
      ...row, state: to, message_zh: msg.zh, message_en: msg.en, error_json: error, acquirer_trade_no: tradeNo,
      qr_content: qr.content, qr_expires_at: qr.expiresAt, updated_at: now,
    };
    return { row: next, changed: true };
  });
  const payment = toPayment(result.row);
  if (result.changed) env.bus.emit('payments:changed', payment);
  return { payment, changed: result.changed };
}

/** The journal row of a correction (amount 0: the money's own row is the state's usual one). */
async function journalCorrection(q: Queryable, ref: string, from: string, to: string, c: Correction, at: number): Promise<void> {
  await appendJournal(q, { kind: 'reconcile.corrected', ref, amountFen: 0, body: { from, to, day: c.day, why: c.why } }, at);
}

export async function transitionRefund(
  env: EngineEnv, refundNo: string, to: RefundState, error?: AppErrorShape, correction?: Correction,
): Promise<{ refund: Refund; changed: boolean }> {
  const result = await env.db.tx(async (q) => {
    const row = await getRefundRow(q, refundNo);
    if (!row) throw new Error(`transition of a missing refund ${refundNo}`);
    if (!(correction ? canCorrectRefund(row.state, to) : canTransitionRefund(row.state, to))) return { row, payment: null, changed: false };
    const now = env.now();
    const r = await q.run('UPDATE refunds SET state = ?, error_json = ?, updated_at = ? WHERE refund_no = ? AND state = ?', [
      to, error ? JSON.stringify(error) : row.error_json, now, refundNo, row.state,
    ]);
    if (r.changes !== 1) return { row, payment: null, changed: false };
    if (correction) await journalCorrection(q, refundNo, row.state, to, correction, now);
    let payment: PaymentRow | undefined;
    if (to === 'succeeded') {
      // The CHECK on payments.refunded_fen makes over-refunding impossible even by a bug here.
      await q.run('UPDATE payments SET refunded_fen = refunded_fen + ?, updated_at = ? WHERE order_no = ?', [row.amount_fen, now, row.order_no]);
      await appendJournal(q, { kind: 'refund.succeeded', ref: refundNo, amountFen: -row.amount_fen, body: { orderNo: row.order_no, approverId: row.approver_id } }, now);
      payment = await getPaymentRow(q, row.order_no);
    }
    return { row: { ...row, state: to, updated_at: now }, payment, changed: true };
  });
  const refund = toRefund(result.row);
  if (result.changed) {
    env.bus.emit('refunds:changed', refund);
    if (result.payment) env.bus.emit('payments:changed', toPayment(result.payment));
    else if (to === 'succeeded') {
      // An offline-code payment: core/offline's row, read after the commit with this refund counted in.
      const offline = await env.offlinePayments?.findPayment(refund.orderNo);
      if (offline) env.bus.emit('payments:changed', offline);
    }
  }
  return { refund, changed: result.changed };
}
