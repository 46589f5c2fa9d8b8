/**
 * A total outage must not block the counter (issue 17): an online code charge that is still
 * unresolved once the customer's code is past its life (PAYMENT_CODE_LIFE_MS) is RELEASED —
 * the cashier is told at once to take another tender (cash, the offline code, credit), and the
 * charge no longer counts as the terminal's unfinished one (create.ts). Nothing else changes for
 * it: the engine keeps resolving it in the background exactly as before (query, then cancel;
 * the sweeper retries while the link is down), with one rule more, kept in repo.ts: a released
 * charge is never kept. If the acquirer says it was paid, it goes to `cancelling` and the
 * cancel reverses it — the customer paid another way, so keeping it would charge them twice.
 * Released charges are the follow-up list (`followUps`): still resolving, reversed, or a
 * reverse the acquirer refused (a supervisor then refunds it by hand).
 */
import type { Payment, PaymentState } from '../api/payments';
import type { EngineEnv } from './env';
import { releasedMessage } from './messages';
import { getPaymentRow, toPayment, type PaymentRow } from './repo';

/** States of a code charge that can still be released (QRs have their own expiry and close). */
const RELEASABLE: readonly PaymentState[] = ['created', 'paying', 'userpaying', 'unknown', 'cancelling'];
const marks = RELEASABLE.map(() => '?').join(',');

/** Releases one charge if it is due (past `codeLifeMs`, unresolved, not released yet); null if not. */
export async function releaseIfDue(env: EngineEnv, orderNo: string, codeLifeMs: number): Promise<Payment | null> {
  const row = await env.db.tx(async (q) => {
    const r = await getPaymentRow(q, orderNo);
    const now = env.now();
    if (!r || r.kind !== 'code' || r.released_at || !RELEASABLE.includes(r.state) || now - r.created_at < codeLifeMs) return undefined;
    const msg = releasedMessage(r.amount_fen);
    const done = await q.run('UPDATE payments SET released_at = ?, message_zh = ?, message_en = ?, updated_at = ? WHERE order_no = ? AND state = ? AND released_at IS NULL',
      [now, msg.zh, msg.en, now, orderNo, r.state]);
    return done.changes === 1 ? { ...r, released_at: now, message_zh: msg.zh, message_en: msg.en, updated_at: now } : undefined;
  });
  if (!row) return null;
  const payment = toPayment(row);
  env.bus.emit('payments:changed', payment);
  return payment;
}

/** Releases every charge of this terminal that is due (on each sweep, and at start). */
export async function releaseDue(env: EngineEnv, codeLifeMs: number): Promise<Payment[]> {
  const rows = await env.db.all<{ order_no: string }>(
    `SELECT order_no FROM payments WHERE terminal_id = ? AND kind = 'code' AND released_at IS NULL AND state IN (${marks}) AND created_at <= ?`,
    [env.terminalId, ...RELEASABLE, env.now() - codeLifeMs],
  );
  const out: Payment[] = [];
  for (const r of rows) {
    const p = await releaseIfDue(env, r.order_no, codeLifeMs);
    if (p) out.push(p);
  }
  return out;
}

/** The follow-up list: every released charge of this terminal, newest first. */
export async function followUps(env: EngineEnv, limit = 50): Promise<Payment[]> {
  const rows = await env.db.all<PaymentRow>(
    'SELECT * FROM payments WHERE terminal_id = ? AND released_at IS NOT NULL ORDER BY released_at DESC, order_no DESC LIMIT ?',
    [env.terminalId, limit],
  );
  return rows.map(toPayment);
}
