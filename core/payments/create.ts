/**
 * Creating a payment: the order number (terminal id + China calendar date + per-day sequence,
 * the idempotency key of every later request) and the row are written in one transaction
 * BEFORE any network call. For a charge, the same transaction checks that no other charge of
 * this terminal is unfinished, so two charges can never start side by side.
 * Cash and credit sales are complete on creation: row and journal entry in one commit.
 */
import type { Payment, Tender } from '../api/payments';
import { appendJournal } from '../ledger/journal';
import type { Queryable } from '../store/db';
import type { EngineEnv } from './env';
import { PaymentErrors } from './errors';
import { messageFor } from './messages';
import { getPaymentRow, toPayment, type PaymentRow } from './repo';
import { priorRequest, recordRequest, type PaymentRequest } from './requests';
import { RequestErrors } from '../requests';
import { UNFINISHED_CHARGE_STATES } from './state';
import { chinaDay } from '../china-time';

/** The terminal's business day, China time (UTC+8), as YYYYMMDD. */
export function chinaDate(t: number): string {
  return chinaDay(t).replace(/-/g, '');
}

export async function nextOrderNo(q: Queryable, terminalId: string, now: number): Promise<string> {
  const day = chinaDate(now);
  await q.run(
    'INSERT INTO order_sequence (terminal_id, day, last) VALUES (?, ?, 1) ON CONFLICT(terminal_id, day) DO UPDATE SET last = last + 1',
    [terminalId, day],
  );
  const row = await q.get<{ last: number }>('SELECT last FROM order_sequence WHERE terminal_id = ? AND day = ?', [terminalId, day]);
  return `${terminalId}${day}${String(row!.last).padStart(6, '0')}`;
}

export interface NewPayment {
  kind: PaymentRow['kind'];
  tender: Tender;
  amountFen: number;
  maskedCode?: string | null;
  operatorId: string | null;
  cash?: { tenderedFen: number; changeFen: number };
  creditName?: string;
  /** Refuse while another charge of this terminal is unfinished. */
  exclusive: boolean;
  /** A sale unless the service point charges a withdrawal (recorded with the order, never guessed later). */
  purpose?: PaymentRow['purpose'];
  /** The screen's request id (requests.ts): a repeat gets this first row back, and nothing is created. */
  request?: PaymentRequest | null;
}

export async function createPayment(env: EngineEnv, input: NewPayment): Promise<Payment> {
  return (await createPaymentOnce(env, input)).payment;
}

/**
 * As `createPayment`; `replayed` when the request id had already created the payment (returned
 * as it is now, nothing written). Checked before "one at a time": a repeat of the charge that
 * is running is answered with it, not refused as busy.
 */
export async function createPaymentOnce(env: EngineEnv, input: NewPayment): Promise<{ payment: Payment; replayed: boolean }> {
  const complete = input.kind === 'cash' || input.kind === 'credit';
  let replayed = false;
  const row = await env.db.tx(async (q) => {
    const prior = input.request ? await priorRequest(q, input.request) : null;
    if (prior) {
      const first = prior.orderNo ? await getPaymentRow(q, prior.orderNo) : undefined;
      if (!first) throw RequestErrors.mismatch();
      replayed = true;
      return first;
    }
    if (input.exclusive) {
      const marks = UNFINISHED_CHARGE_STATES.map(() => '?').join(',');
      const busy = await q.get<{ order_no: string }>(
        // A released charge (release.ts) no longer holds the counter: it is resolved in the background.
        `SELECT order_no FROM payments WHERE terminal_id = ? AND kind IN ('code','qr') AND state IN (${marks}) AND released_at IS NULL LIMIT 1`,
        [env.terminalId, ...UNFINISHED_CHARGE_STATES],
      );
      if (busy) throw PaymentErrors.busy(busy.order_no);
    }
    const now = env.now();
    const orderNo = await nextOrderNo(q, env.terminalId, now);
    const state = complete ? 'succeeded' : 'created';
    const msg = messageFor(state, input.amountFen);
    const r: PaymentRow = {
      order_no: orderNo, terminal_id: env.terminalId, kind: input.kind, tender: input.tender, amount_fen: input.amountFen, state,
      masked_code: input.maskedCode ?? null, message_zh: msg.zh, message_en: msg.en, error_json: null, refunded_fen: 0,
      training: env.training ? 1 : 0, qr_content: null, qr_expires_at: null, cash_tendered_fen: input.cash?.tenderedFen ?? null,
      cash_change_fen: input.cash?.changeFen ?? null, credit_name: input.creditName ?? null, operator_id: input.operatorId,
      acquirer_trade_no: null, purpose: input.purpose ?? 'sale', created_at: now, updated_at: now,
    };
    await q.run(
      `INSERT INTO payments (order_no, terminal_id, kind, tender, amount_fen, state, masked_code, message_zh, message_en, error_json, refunded_fen,
        training, qr_content, qr_expires_at, cash_tendered_fen, cash_change_fen, credit_name, operator_id, acquirer_trade_no, purpose, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.order_no, r.terminal_id, r.kind, r.tender, r.amount_fen, r.state, r.masked_code, r.message_zh, r.message_en, r.error_json, r.refunded_fen,
        r.training, r.qr_content, r.qr_expires_at, r.cash_tendered_fen, r.cash_change_fen, r.credit_name, r.operator_id, r.acquirer_trade_no, r.purpose,
        r.created_at, r.updated_at],
    );
    if (input.request) await recordRequest(q, input.request, { orderNo }, now);
    if (complete) {
      await appendJournal(q, {
        kind: input.kind === 'cash' ? 'cash.sale' : 'credit.sale',
        ref: orderNo,
        amountFen: input.amountFen,
        body: input.kind === 'cash' ? { tenderedFen: input.cash?.tenderedFen, changeFen: input.cash?.changeFen } : { creditName: input.creditName },
      }, now);
    }
    return r;
  });
  const payment = toPayment(row);
  if (!replayed) env.bus.emit('payments:changed', payment);
  return { payment, replayed };
}
