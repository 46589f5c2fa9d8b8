/**
 * Reads one journal row as a money movement for the rules. The journal (core/ledger) is the one
 * place every kind of money movement is committed — each service appends its row in the same
 * transaction as the change — so reading it in order sees every movement exactly once, whichever
 * module made it. The details a rule needs (who, which line) come from the row the same
 * transaction wrote beside it:
 *
 * | journal kind        | written by                        | movement                               | subject |
 * |---------------------|-----------------------------------|----------------------------------------|---------|
 * | `payment.succeeded` | core/payments (online code, QR, face) | a sale (`purpose = 'sale'` only: a withdrawal's charge is read when its cash is handed out) | the counter (no payer identity) |
 * | `cash.sale`         | core/payments                     | a cash sale                            | none    |
 * | `offline.accepted`  | core/offline                      | an offline sale or cash-out            | the wallet |
 * | `float.withdrawal`  | core/agent (cash handed out)      | a withdrawal                           | the customer's phone (hashed) |
 * | `float.bill`        | core/agent                        | a bill paid in cash                    | the bill account (hashed) |
 * | `float.in` with an `agent.remit` audit row | core/agent   | a remittance paid in                   | none (the masked beneficiary is shown) |
 *
 * Everything else (refunds, forwarding verdicts, float counts, credit sales: no money moved) is
 * not a movement. Only hashed keys and masked forms leave this file.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../store/db';
import { chinaDay } from '../reports/z';
import { COUNTER, nearLine, type AmlThresholds, type Movement, type Subject } from './rules';

export interface JournalHead {
  seq: number;
  at: number;
  kind: string;
  ref: string;
  amount_fen: number;
}

/** The journal kinds that can be a movement; the watcher skips the rest without a look-up. */
export const MOVEMENT_KINDS = ['payment.succeeded', 'cash.sale', 'offline.accepted', 'float.withdrawal', 'float.bill', 'float.in'] as const;

const ONLINE_TENDERS = new Set(['wechat', 'alipay', 'unionpay', 'face', 'merchant_qr']);

/** A subject key: a hash in a namespace per kind, so a wallet id and an account never collide. */
const hashKey = (type: string, raw: string) => createHash('sha256').update(`aml:${type}:${raw}`).digest('hex');

export async function movementOf(q: Queryable, r: JournalHead, t: AmlThresholds): Promise<Movement | null> {
  const base = { seq: r.seq, at: r.at, day: chinaDay(r.at), ref: r.ref };
  switch (r.kind) {
    case 'payment.succeeded': {
      const p = await q.get<{ amount_fen: number; purpose: string; tender: string }>('SELECT amount_fen, purpose, tender FROM payments WHERE order_no = ?', [r.ref]);
      if (!p || p.purpose !== 'sale' || !ONLINE_TENDERS.has(p.tender)) return null;
      return { ...base, kind: 'sale', channel: 'online', amountFen: p.amount_fen, subject: COUNTER, party: null, nearLimit: nearLine(p.amount_fen, t.onlineLineFen, t.nearLimitRatio), lineFen: t.onlineLineFen };
    }
    case 'cash.sale':
      return r.amount_fen > 0 ? { ...base, kind: 'sale', channel: 'cash', amountFen: r.amount_fen, subject: null, party: null, nearLimit: false, lineFen: null } : null;
    case 'offline.accepted': {
      const it = await q.get<{ amount_fen: number; purpose: string; wallet_id: string; near_limit: number }>(
        'SELECT amount_fen, purpose, wallet_id, near_limit FROM offline_items WHERE order_no = ?', [r.ref]);
      if (!it) return null;
      const subject: Subject = { type: 'wallet', key: hashKey('wallet', it.wallet_id), masked: `…${it.wallet_id.slice(-4)}` };
      // The offline engine decided "near its cap" at accept time, against the cap then in force.
      return { ...base, kind: it.purpose === 'cash_out' ? 'cash_out' : 'sale', channel: 'offline', amountFen: it.amount_fen, subject, party: subject.masked, nearLimit: it.near_limit === 1, lineFen: null };
    }
    case 'float.withdrawal': {
      const w = await q.get<{ amount_fen: number; customer_key: string; masked_phone: string; order_no: string | null }>(
        'SELECT amount_fen, customer_key, masked_phone, order_no FROM agent_withdrawals WHERE id = ?', [r.ref]);
      if (!w) return null;
      const subject: Subject = { type: 'phone', key: hashKey('phone', w.customer_key), masked: w.masked_phone };
      // The order number is what the acquirer knows the charge by; the withdrawal id if it was never stored.
      return { ...base, ref: w.order_no ?? r.ref, kind: 'withdrawal', channel: 'service', amountFen: w.amount_fen, subject, party: subject.masked,
        nearLimit: nearLine(w.amount_fen, t.withdrawalLineFen, t.nearLimitRatio), lineFen: t.withdrawalLineFen };
    }
    case 'float.bill': {
      const b = await q.get<{ amount_fen: number; biller_id: string; account: string; masked_account: string }>(
        'SELECT amount_fen, biller_id, account, masked_account FROM agent_bills WHERE id = ?', [r.ref]);
      if (!b) return null;
      const subject: Subject = { type: 'account', key: hashKey('account', `${b.biller_id}:${b.account}`), masked: b.masked_account };
      return { ...base, kind: 'bill', channel: 'service', amountFen: b.amount_fen, subject, party: subject.masked, nearLimit: false, lineFen: null };
    }
    case 'float.in': {
      // Cash paid in: a remittance when the same commit audited one under this reference;
      // otherwise the agent topping up the drawer, which is not a customer's movement.
      const a = await q.get<{ detail: string }>(
        "SELECT detail FROM audit_log WHERE action = 'agent.remit' AND json_extract(detail, '$.reference') = ? LIMIT 1", [r.ref]);
      if (!a || r.amount_fen <= 0) return null;
      const to = (JSON.parse(a.detail) as { to?: unknown }).to;
      const masked = typeof to === 'string' && /^\*{4} \d{4}$/.test(to) ? to : null;
      return { ...base, kind: 'remittance', channel: 'service', amountFen: r.amount_fen, subject: null, party: masked, nearLimit: false, lineFen: null };
    }
    default:
      return null;
  }
}
