/**
 * Refunds, full or partial. Each has its own refund number (order number + `R` + sequence),
 * written with the amount BEFORE the request, and re-sent unchanged on every retry — the
 * acquirer treats a repeated refund number as a no-op. In the transaction that writes it:
 * the payment must have succeeded, the new refund plus every refund not failed must not
 * exceed the amount paid, the acquirer's refund count and window must allow it, and the audit
 * row names the operator and, above the threshold, the approving supervisor.
 *
 * Offline-code payments are refunded the same way once the acquirer has confirmed them (the
 * payment is then an acquirer transaction): same refund numbers, same rules, the same table
 * (migration 210 bounds them there too), sent to the acquirer's offline routes. Before that
 * they are refused with nothing written, saying why by the outbox's stage (not forwarded:
 * `refund.offline_pending`; forwarded, no answer: `refund.offline_unconfirmed`; flagged for
 * review: `refund.offline_review`; held by a supervisor: `refund.offline_held`, naming them):
 * the money has not moved (or is held), the acquirer may still decline the item, and a
 * forwarded item cannot be called back.
 * After an unknown outcome, the refund is queried (both routes can be asked) before its number
 * is sent again. A refund that may have been delivered never fails on a refused re-send (4xx,
 * signature, stale): it stays `pending`, its amount reserved, until a query answers.
 */
import type { AppError } from '../api/errors';
import type { Payment, Refund } from '../api/payments';
import type { RefundOutcome, RefundQueryOutcome, RefundRequest } from '../acquirer/types';
import { audit } from '../audit';
import { checkFen } from '../money';
import { crashPoint } from './crash';
import { sleep, type EngineEnv } from './env';
import { PaymentErrors } from './errors';
import { declineShape } from './query';
import type { Db, Queryable } from '../store/db';
import { getPaymentRow, getRefundRow, toRefund, transitionRefund, type RefundRow } from './repo';
import { REFUND_HOLDING_STATES } from './state';
import { priorRequest, recordRequest, type PaymentRequest } from './requests';
import { RequestErrors } from '../requests';

export interface NewRefund {
  orderNo: string;
  amountFen: number;
  reason: string;
  operatorId: string | null;
  approverId: string | null;
  /** Checked again in the writing transaction when there is no approver (engine.ts passes them). */
  thresholds?: RefundThresholds;
  /** The screen's request id (requests.ts): a repeat gets the first refund back, nothing written. */
  request?: PaymentRequest | null;
}

/**
 * When a refund needs a supervisor (dual control), both bounded settings (core/settings):
 * - `perSaleFen`: the SALE's cumulative refunds (every refund not failed, this one included)
 *   above it, so splitting a refund into small ones never avoids the approval;
 * - `dailyPerOperatorFen`: the operator's refunds made today (China day) without a supervisor,
 *   this one included, above it.
 */
export interface RefundThresholds {
  perSaleFen: number;
  dailyPerOperatorFen: number;
}

const DAY_MS = 24 * 3600_000;
const CHINA_OFFSET_MS = 8 * 3600_000;

/** Why this refund needs a supervisor's approval (auth.approval_required, saying why), or null. Read in `q`. */
export async function approvalNeed(
  q: Queryable,
  orderNo: string,
  operatorId: string | null,
  amountFen: number,
  now: number,
  t: RefundThresholds,
): Promise<AppError | null> {
  const marks = REFUND_HOLDING_STATES.map(() => '?').join(',');
  const sale = await q.get<{ s: number | null }>(`SELECT SUM(amount_fen) AS s FROM refunds WHERE order_no = ? AND state IN (${marks})`, [orderNo, ...REFUND_HOLDING_STATES]);
  const saleTotal = (sale?.s ?? 0) + amountFen;
  if (saleTotal > t.perSaleFen) return PaymentErrors.refundApprovalSale(saleTotal, t.perSaleFen);
  const dayStart = Math.floor((now + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
  const day = await q.get<{ s: number | null }>(
    `SELECT SUM(amount_fen) AS s FROM refunds WHERE operator_id IS ? AND approver_id IS NULL AND state IN (${marks}) AND created_at >= ? AND created_at < ?`,
    [operatorId, ...REFUND_HOLDING_STATES, dayStart, dayStart + DAY_MS],
  );
  const dayTotal = (day?.s ?? 0) + amountFen;
  if (dayTotal > t.dailyPerOperatorFen) return PaymentErrors.refundApprovalDaily(dayTotal, t.dailyPerOperatorFen);
  return null;
}

/** A refund's payment as the rules see it, from the payments table or from core/offline's outbox. */
interface Refundable {
  orderNo: string;
  amountFen: number;
  createdAt: number;
  /** Cash and credit: refunded at the till, no acquirer, no refund window. */
  local: boolean;
}

/** An offline payment as the refund rules read it, with the name of the supervisor holding it (stage `held`). */
export interface OfflineSale {
  payment: Payment;
  heldByName: string | null;
}

/**
 * The offline payment behind `orderNo`, read before any transaction (its store reads through
 * the database's own queue): null when the order is in the payments table or is not an offline
 * payment. What the rules use of it no longer changes once the acquirer has confirmed it: its
 * amount, its time, its final `succeeded` state.
 */
export async function offlinePaymentFor(env: EngineEnv, orderNo: string): Promise<OfflineSale | null> {
  if (!env.offlinePayments || (await getPaymentRow(env.db, orderNo))) return null;
  const payment = await env.offlinePayments.findPayment(orderNo);
  if (!payment) return null;
  const heldBy = payment.forwarding?.stage === 'held' ? payment.forwarding.heldBy : null;
  return { payment, heldByName: heldBy ? ((await env.operatorName?.(heldBy)) ?? heldBy) : null };
}

/**
 * Why an offline payment cannot be refunded yet, by how far it has got with the acquirer (the
 * outbox's stage); null once the acquirer confirmed it, or declined it (not refundable at all).
 */
function notYetConfirmed(o: OfflineSale): AppError | null {
  switch (o.payment.forwarding?.stage) {
    case 'not_forwarded':
      return PaymentErrors.refundOfflinePending();
    case 'awaiting_answer':
      return PaymentErrors.refundOfflineUnconfirmed();
    case 'review':
      return PaymentErrors.refundOfflineReview();
    case 'held':
      return PaymentErrors.refundOfflineHeld(o.heldByName);
    case 'confirmed':
    case 'declined':
      return null;
    default:
      // A source that does not say its stage: pending is all that can honestly be said.
      return o.payment.state === 'accepted_offline' ? PaymentErrors.refundOfflinePending() : null;
  }
}

/** An offline payment as a refund's payment, or the plain reason it cannot be refunded yet. */
function confirmedOffline(env: EngineEnv, o: OfflineSale): Refundable {
  const p = o.payment;
  const wait = notYetConfirmed(o);
  if (wait) throw wait;
  if (p.state !== 'succeeded') throw PaymentErrors.notRefundable();
  if (!env.offlineRefunds) throw PaymentErrors.refundOfflineUnavailable();
  return { orderNo: p.orderNo, amountFen: p.amountFen, createdAt: p.createdAt, local: false };
}

/**
 * The rules about the payment itself, whatever the amount: it exists, it succeeded (an offline
 * one: confirmed), it is within the acquirer's refund window and refund count. `refundBlock`
 * (engine.ts) answers the detail screen with these, before any amount is typed.
 */
export async function refundablePayment(
  q: Queryable,
  env: EngineEnv,
  orderNo: string,
  offline: OfflineSale | null,
): Promise<{ p: Refundable; count: number }> {
  const info = env.acquirer.config();
  const row = await getPaymentRow(q, orderNo);
  let p: Refundable;
  if (row) {
    if (row.state !== 'succeeded') throw PaymentErrors.notRefundable();
    p = { orderNo: row.order_no, amountFen: row.amount_fen, createdAt: row.created_at, local: row.kind === 'cash' || row.kind === 'credit' };
  } else if (offline) {
    p = confirmedOffline(env, offline);
  } else {
    throw PaymentErrors.notFound();
  }
  if (!p.local && env.now() - p.createdAt > info.refundWindowMs) throw PaymentErrors.refundTooLate();
  const count = (await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM refunds WHERE order_no = ?', [p.orderNo]))!.n;
  if (count >= info.maxRefundsPerPayment) throw PaymentErrors.refundTooMany(info.maxRefundsPerPayment);
  return { p, count };
}

/**
 * The refund rules, read in `q`: called once outside any transaction (a cheap early answer,
 * before asking a supervisor for a PIN) and again inside the transaction that writes the
 * refund, where it is authoritative. `offline` is `offlinePaymentFor(orderNo)`, read first.
 */
export async function checkRefundable(
  q: Queryable,
  env: EngineEnv,
  orderNo: string,
  amountFen: number,
  offline: OfflineSale | null = null,
): Promise<{ p: Refundable; count: number }> {
  const found = await refundablePayment(q, env, orderNo, offline);
  const marks = REFUND_HOLDING_STATES.map(() => '?').join(',');
  const held = await q.get<{ held: number | null }>(
    `SELECT SUM(amount_fen) AS held FROM refunds WHERE order_no = ? AND state IN (${marks})`,
    [found.p.orderNo, ...REFUND_HOLDING_STATES],
  );
  const left = found.p.amountFen - (held?.held ?? 0);
  if (amountFen > left) throw PaymentErrors.refundExceeds(left);
  return found;
}

/** Writes the refund intent (checks included) in one transaction; refuses with nothing written. */
export async function createRefund(env: EngineEnv, input: NewRefund): Promise<Refund> {
  const amount = checkFen(input.amountFen);
  const offline = await offlinePaymentFor(env, input.orderNo);
  let replayed = false;
  const row = await env.db.tx(async (q) => {
    // A repeat that raced the first try past the engine's early look: the first refund, as it is.
    const prior = input.request ? await priorRequest(q, input.request) : null;
    if (prior) {
      const first = prior.refundNo ? await getRefundRow(q, prior.refundNo) : undefined;
      if (!first) throw RequestErrors.mismatch();
      replayed = true;
      return first;
    }
    const { p, count } = await checkRefundable(q, env, input.orderNo, amount, offline);
    const now = env.now();
    // Authoritative here: two refunds side by side cannot each stay under a threshold unseen.
    if (input.approverId === null && input.thresholds) {
      const need = await approvalNeed(q, p.orderNo, input.operatorId, amount, now, input.thresholds);
      if (need) throw need;
    }
    const r: RefundRow = {
      refund_no: `${p.orderNo}R${String(count + 1).padStart(2, '0')}`,
      order_no: p.orderNo, amount_fen: amount, state: 'created', reason: input.reason, error_json: null,
      operator_id: input.operatorId, approver_id: input.approverId, created_at: now, updated_at: now,
    };
    await q.run(
      'INSERT INTO refunds (refund_no, order_no, amount_fen, state, reason, error_json, operator_id, approver_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [r.refund_no, r.order_no, r.amount_fen, r.state, r.reason, r.error_json, r.operator_id, r.approver_id, r.created_at, r.updated_at],
    );
    if (input.request) await recordRequest(q, input.request, { refundNo: r.refund_no }, now);
    await audit(q, {
      operatorId: input.operatorId,
      approverId: input.approverId,
      action: 'payment.refund',
      detail: { orderNo: p.orderNo, refundNo: r.refund_no, amountFen: amount, ...(offline ? { tender: 'offline_code' } : {}) },
    }, now);
    return r;
  });
  const refund = toRefund(row);
  if (!replayed) env.bus.emit('refunds:changed', refund);
  return refund;
}

/** Where one refund is sent, and asked about: the acquirer's refund route, or its offline one. */
interface RefundRoute {
  refund(req: RefundRequest): Promise<RefundOutcome>;
  queryRefund(refundNo: string): Promise<RefundQueryOutcome>;
}

/**
 * Sends (or re-sends) a refund until the acquirer answers, up to `refundAttempts`; a refund
 * still unanswered stays `pending` for the sweeper. Cash and credit refunds are local.
 */
export async function runRefund(env: EngineEnv, refundNo: string): Promise<Refund> {
  const t = env.acquirer.config().timings;
  const row = await env.db.get<RefundRow>('SELECT * FROM refunds WHERE refund_no = ?', [refundNo]);
  if (!row) throw PaymentErrors.notFound();
  const local = await getPaymentRow(env.db, row.order_no);
  let cur = toRefund(row);
  // Found pending (after a crash, or by the sweeper): an earlier request may have reached the acquirer.
  let maybeSent = cur.state === 'pending';
  if (cur.state === 'created') cur = (await transitionRefund(env, refundNo, 'pending')).refund;
  if (cur.state !== 'pending') return cur;
  if (local && (local.kind === 'cash' || local.kind === 'credit')) return (await transitionRefund(env, refundNo, 'succeeded')).refund;
  const totalFen = local ? local.amount_fen : (await env.offlinePayments?.findPayment(row.order_no))?.amountFen;
  const acquirer = env.acquirer;
  const online: RefundRoute = { refund: (req) => acquirer.refund(req), queryRefund: (no) => acquirer.queryRefund(row.order_no, no) };
  const route: RefundRoute | null | undefined = local ? online : env.offlineRefunds;
  if (!route || totalFen === undefined) {
    // Written while the route existed; the sweeper sends it once the acquirer is configured again.
    env.log(`refund ${refundNo} left pending: no acquirer route for its payment`);
    return cur;
  }
  for (let i = 0; i < t.refundAttempts; i += 1) {
    if (i > 0) await sleep(t.refundEveryMs);
    if (maybeSent) {
      const q = await route.queryRefund(refundNo);
      if (q.status === 'succeeded') return (await transitionRefund(env, refundNo, 'succeeded')).refund;
      if (q.status === 'failed') return (await transitionRefund(env, refundNo, 'failed', declineShape(q))).refund;
      if (q.status === 'settle_by_hand') return settleByHand(env, refundNo, declineShape(q));
      // Still unknown (or the query refused): ask again later. Not found: it never arrived, so send it (same number).
      if (q.status !== 'not_found') continue;
    }
    const o = await route.refund({ orderNo: row.order_no, refundNo, amountFen: row.amount_fen, totalFen, reason: row.reason });
    crashPoint('refund_after_response');
    if (o.status === 'succeeded') return (await transitionRefund(env, refundNo, 'succeeded')).refund;
    if (o.status === 'failed') {
      if (!maybeSent) return (await transitionRefund(env, refundNo, 'failed', declineShape(o))).refund;
      // Declined now, but an earlier copy was out: the acquirer's record of the number decides.
      const q = await route.queryRefund(refundNo);
      if (q.status === 'succeeded') return (await transitionRefund(env, refundNo, 'succeeded')).refund;
      if (q.status === 'settle_by_hand') return settleByHand(env, refundNo, declineShape(q));
      if (q.status === 'not_found' || q.status === 'failed') return (await transitionRefund(env, refundNo, 'failed', declineShape(o))).refund;
      continue;
    }
    // Refused (4xx, signature, stale): THIS request was not processed. With nothing sent
    // before, nothing can have been delivered and the refund fails, releasing its amount;
    // otherwise it stays pending, its amount reserved, until a query answers.
    if (o.status === 'refused') {
      if (!maybeSent) return (await transitionRefund(env, refundNo, 'failed', declineShape(o))).refund;
      continue;
    }
    maybeSent = true;
  }
  return toRefund((await getRefundRow(env.db, refundNo))!);
}

/**
 * The acquirer moved the refund's money but could not deliver it (`settle_by_hand`): the refund
 * stays `pending` — its amount reserved, so no second refund can pay the customer twice — and
 * carries the reason, which puts it on the supervisor's list (`refundsToSettle`). The sweeper
 * keeps asking; once settled on the merchant platform the acquirer's answer ends it as usual.
 * Recorded (event, audit) once, not on every sweep.
 */
async function settleByHand(env: EngineEnv, refundNo: string, error: { code: string; zh: string; en: string }): Promise<Refund> {
  const json = JSON.stringify(error);
  const row = await env.db.tx(async (q) => {
    const now = env.now();
    const r = await q.run("UPDATE refunds SET error_json = ?, updated_at = ? WHERE refund_no = ? AND state = 'pending' AND error_json IS NOT ?", [json, now, refundNo, json]);
    const cur = (await getRefundRow(q, refundNo))!;
    if (r.changes === 1) await audit(q, { operatorId: null, approverId: null, action: 'payment.refund_by_hand', detail: { orderNo: cur.order_no, refundNo, code: error.code } }, now);
    return { cur, changed: r.changes === 1 };
  });
  const out = toRefund(row.cur);
  if (row.changed) {
    env.log(`refund ${refundNo}: ${error.code}, to be settled by hand`);
    env.bus.emit('refunds:changed', out);
  }
  return out;
}

/** Refunds the acquirer could not deliver, still pending: a supervisor settles them by hand. Newest first. */
export async function refundsToSettle(env: EngineEnv, limit = 50): Promise<Refund[]> {
  const rows = await env.db.all<RefundRow>(
    "SELECT * FROM refunds WHERE state = 'pending' AND error_json IS NOT NULL ORDER BY updated_at DESC, refund_no DESC LIMIT ?",
    [limit],
  );
  return rows.map(toRefund);
}

export async function refund(env: EngineEnv, input: NewRefund): Promise<Refund> {
  const created = await createRefund(env, input);
  crashPoint('refund_after_intent');
  return runRefund(env, created.refundNo);
}

/**
 * An offline-payment history as the engine shows it: each payment with the refunds made here
 * counted in `refundedFen` (core/offline's outbox knows nothing of refunds; the refunds table
 * is this engine's). Wraps the source given to the engine, so history, detail, the Z report
 * and the refund rules all see the same figure.
 */
export function withOfflineRefunds<F>(db: Db, source: { history(f: F): Promise<Payment[]>; findPayment(orderNo: string): Promise<Payment | null> }) {
  const counted = async (ps: Payment[]): Promise<Payment[]> => {
    // Only a confirmed payment can have refunds.
    const ids = ps.filter((p) => p.state === 'succeeded').map((p) => p.orderNo);
    if (!ids.length) return ps;
    const rows = await db.all<{ order_no: string; fen: number }>(
      `SELECT order_no, SUM(amount_fen) AS fen FROM refunds WHERE state = 'succeeded' AND order_no IN (${ids.map(() => '?').join(',')}) GROUP BY order_no`,
      ids,
    );
    const by = new Map(rows.map((r) => [r.order_no, r.fen]));
    return ps.map((p) => (by.has(p.orderNo) ? { ...p, refundedFen: by.get(p.orderNo)! } : p));
  };
  return {
    history: async (f: F) => counted(await source.history(f)),
    findPayment: async (orderNo: string) => {
      const p = await source.findPayment(orderNo);
      return p ? (await counted([p]))[0]! : null;
    },
  };
}
