/**
 * Reconciliation of online payments and refunds: the acquirer's day statement (`Acquirer.
 * statement`) matched against our payments and refunds. Pure, like `reconcile.ts` (offline
 * items): `matchOnline` takes both sides and returns the findings; the service
 * (online-service.ts) fetches, corrects, stores and exports.
 *
 * Outcomes per payment (order number) and per refund (refund number):
 * - matched              both sides agree (money moved once with the same amount, or moved on
 *                        neither side, or was paid and reversed where we say cancelled)
 * - missing_locally      the statement has it, we have no such payment or refund
 * - missing_at_acquirer  we say money moved (succeeded), the statement has no line for it
 * - amount_mismatch      both sides, different amounts
 * - status_mismatch      same amount, different outcome: we say failed, cancelled or closed and
 *                        the acquirer says paid (a refused re-send after the first request
 *                        landed: issue 11); a refund we failed that the acquirer paid; we say
 *                        paid and the acquirer reversed it; or still open here, paid there.
 *
 * The acquirer's ledger is the authority on money. Of these, exactly two are corrected by the
 * till itself (`correct`), through the payment state machine's corrections (core/payments/
 * state.ts): a failed/cancelled/closed payment the statement shows paid, same amount →
 * `succeeded` (a sale; never a withdrawal's charge, whose customer got no cash); a failed refund
 * the statement shows paid, same amount → `succeeded`. Everything else waits for a supervisor
 * (README.md, "What reconciliation may correct by itself").
 */
import type { OnlineOutcome } from '../api/reconcile';
import type { StatementLine } from '../acquirer/types';
import type { PaymentState, RefundState } from '../payments/state';
import { formatFen } from '../money';

export interface LocalPayment {
  orderNo: string;
  amountFen: number;
  /** When it was started here (ms); with `carryFrom`, a late one missing from the statement is carried. */
  createdAt?: number;
  state: PaymentState;
  /** A withdrawal's charge is never corrected by itself: the customer was told it failed and got no cash. */
  purpose?: 'sale' | 'withdrawal';
}
export interface LocalRefund {
  refundNo: string;
  orderNo: string;
  amountFen: number;
  createdAt?: number;
  state: RefundState;
}

export interface Finding {
  kind: 'payment' | 'refund';
  ref: string;
  orderNo: string;
  outcome: Exclude<OnlineOutcome, 'matched'>;
  localFen: number | null;
  acquirerFen: number | null;
  localState: string | null;
  acquirerState: 'paid' | 'reversed' | 'refunded' | null;
  /** What the till corrects by itself, on the acquirer's word; null: a supervisor decides. */
  correct: 'payment_succeeded' | 'refund_succeeded' | null;
}

export interface Matching {
  matched: number;
  findings: Finding[];
  /** Late items the statement does not hold: carried to the next day's run (none without `carryFrom`). */
  carried: Array<{ kind: 'payment' | 'refund'; ref: string }>;
}

/**
 * A payment or refund started this close to the day's end may have been completed by the
 * acquirer after midnight, and so be on the next day's statement (its day is the acquirer's
 * completion time). Ten minutes covers a customer's confirmation (USERPAYING is polled for up to
 * a few minutes, docs/DOMAIN.md) and the query after a lost answer.
 */
export const CARRY_TAIL_MS = 10 * 60_000;

const MONEY_MOVED: readonly PaymentState[] = ['succeeded'];
const NO_MONEY: readonly PaymentState[] = ['failed', 'cancelled', 'closed'];

interface AcqOrder {
  paidFen: number;
  reversedFen: number;
}

export function matchOnline(
  payments: readonly LocalPayment[],
  refunds: readonly LocalRefund[],
  statement: readonly StatementLine[],
  opts: { carryFrom?: number } = {},
): Matching {
  const orders = new Map<string, AcqOrder>();
  const acqRefunds = new Map<string, { orderNo: string; fen: number }>();
  for (const l of statement) {
    if (l.kind === 'refund') {
      const r = acqRefunds.get(l.refNo) ?? { orderNo: l.orderNo, fen: 0 };
      r.fen += Math.abs(l.amountFen);
      acqRefunds.set(l.refNo, r);
      continue;
    }
    const o = orders.get(l.orderNo) ?? { paidFen: 0, reversedFen: 0 };
    if (l.kind === 'payment') o.paidFen += Math.abs(l.amountFen);
    else o.reversedFen += Math.abs(l.amountFen);
    orders.set(l.orderNo, o);
  }
  const findings: Finding[] = [];
  const carried: Matching['carried'] = [];
  const late = (createdAt: number | undefined) => opts.carryFrom !== undefined && createdAt !== undefined && createdAt >= opts.carryFrom;
  let matched = 0;
  const add = (f: Omit<Finding, 'correct'> & { correct?: Finding['correct'] }) => findings.push({ correct: null, ...f });

  const seenOrders = new Set<string>();
  for (const p of payments) {
    seenOrders.add(p.orderNo);
    const o = orders.get(p.orderNo);
    const acquirerState: Finding['acquirerState'] = !o ? null : o.reversedFen > 0 ? 'reversed' : o.paidFen > 0 ? 'paid' : null;
    const acquirerFen = !o ? null : o.paidFen || o.reversedFen;
    const base = { kind: 'payment' as const, ref: p.orderNo, orderNo: p.orderNo, localFen: p.amountFen, acquirerFen, localState: p.state, acquirerState };
    if (MONEY_MOVED.includes(p.state)) {
      if (acquirerState === null && late(p.createdAt)) carried.push({ kind: 'payment', ref: p.orderNo });
      else if (acquirerState === null) add({ ...base, outcome: 'missing_at_acquirer' });
      else if (acquirerFen !== p.amountFen) add({ ...base, outcome: 'amount_mismatch' });
      else if (acquirerState === 'reversed') add({ ...base, outcome: 'status_mismatch' });
      else matched += 1;
    } else if (NO_MONEY.includes(p.state)) {
      if (acquirerState !== 'paid') matched += 1;
      else if (acquirerFen !== p.amountFen) add({ ...base, outcome: 'amount_mismatch' });
      // A withdrawal's charge waits for a supervisor: the customer paid and was handed no cash.
      else add({ ...base, outcome: 'status_mismatch', correct: p.purpose === 'withdrawal' ? null : 'payment_succeeded' });
    } else if (acquirerState === 'paid') {
      // Still open here: the engine's recovery and sweeper own it; the line waits if they do not settle it.
      add({ ...base, outcome: 'status_mismatch' });
    }
  }
  for (const [orderNo, o] of orders) {
    if (seenOrders.has(orderNo) || o.paidFen === 0) continue;
    add({ kind: 'payment', ref: orderNo, orderNo, outcome: 'missing_locally', localFen: null, acquirerFen: o.paidFen, localState: null, acquirerState: o.reversedFen > 0 ? 'reversed' : 'paid' });
  }

  const seenRefunds = new Set<string>();
  for (const r of refunds) {
    seenRefunds.add(r.refundNo);
    const a = acqRefunds.get(r.refundNo);
    const base = { kind: 'refund' as const, ref: r.refundNo, orderNo: r.orderNo, localFen: r.amountFen, acquirerFen: a?.fen ?? null, localState: r.state, acquirerState: a ? ('refunded' as const) : null };
    if (r.state === 'succeeded') {
      if (!a && late(r.createdAt)) carried.push({ kind: 'refund', ref: r.refundNo });
      else if (!a) add({ ...base, outcome: 'missing_at_acquirer' });
      else if (a.fen !== r.amountFen) add({ ...base, outcome: 'amount_mismatch' });
      else matched += 1;
    } else if (r.state === 'failed') {
      if (!a) matched += 1;
      else if (a.fen !== r.amountFen) add({ ...base, outcome: 'amount_mismatch' });
      else add({ ...base, outcome: 'status_mismatch', correct: 'refund_succeeded' });
    } else if (a) {
      add({ ...base, outcome: 'status_mismatch' });
    }
  }
  for (const [refundNo, a] of acqRefunds) {
    if (seenRefunds.has(refundNo)) continue;
    add({ kind: 'refund', ref: refundNo, orderNo: a.orderNo, outcome: 'missing_locally', localFen: null, acquirerFen: a.fen, localState: null, acquirerState: 'refunded' });
  }
  return { matched, findings, carried };
}

const yuan = (fen: number | null) => (fen === null ? '—' : `¥${formatFen(fen)}`);

/** The finding in words (zh-CN, en): what was found, and what was done or is to be done. */
export function describeFinding(f: Finding, corrected: boolean): { zh: string; en: string } {
  const what = f.kind === 'payment' ? { zh: '收款', en: 'payment' } : { zh: '退款', en: 'refund' };
  let zh: string;
  let en: string;
  switch (f.outcome) {
    case 'missing_locally':
      zh = `收单机构对账单有这笔${what.zh}（${yuan(f.acquirerFen)}），本机没有记录。`;
      en = `The acquirer’s statement has this ${what.en} (${yuan(f.acquirerFen)}); this till has no record of it.`;
      break;
    case 'missing_at_acquirer':
      zh = `本机记为成功（${yuan(f.localFen)}），收单机构对账单没有这笔${what.zh}。`;
      en = `This till says it succeeded (${yuan(f.localFen)}); the acquirer’s statement has no such ${what.en}.`;
      break;
    case 'amount_mismatch':
      zh = `金额不符：本机 ${yuan(f.localFen)}，收单机构 ${yuan(f.acquirerFen)}。`;
      en = `Amounts differ: this till ${yuan(f.localFen)}, the acquirer ${yuan(f.acquirerFen)}.`;
      break;
    default:
      if (f.acquirerState === 'reversed') {
        zh = '本机记为已收款，收单机构已撤销（钱已退回顾客）。';
        en = 'This till says paid; the acquirer reversed it (the money went back to the customer).';
      } else {
        zh = `状态不符：本机为“${f.localState}”，收单机构显示已${f.kind === 'payment' ? '付款' : '退款'}（${yuan(f.acquirerFen)}）。`;
        en = `Status differs: this till says “${f.localState}”, the acquirer shows it ${f.kind === 'payment' ? 'paid' : 'refunded'} (${yuan(f.acquirerFen)}).`;
      }
  }
  if (corrected) {
    zh += ' 已按收单机构的记录自动更正为成功，并记入流水。';
    en += ' Corrected to succeeded on the acquirer’s record, with a journal row.';
  } else {
    zh += ' 请主管核实处理。';
    en += ' A supervisor checks and resolves it.';
  }
  return { zh, en };
}
