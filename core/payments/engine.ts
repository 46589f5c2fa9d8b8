/**
 * The payment engine: one object per terminal that runs every payment operation and owns the
 * in-flight work. The operations live one per module (create, pay, query, cancel, refund,
 * precreate, recovery); state changes go only through repo.ts and the table of state.ts.
 *
 * Invariants:
 * - a payment's row (order number = idempotency key) is durable before any network call;
 * - a terminal state is never left; an unknown outcome never overwrites a known one;
 * - at most one charge per terminal is unfinished at any time (checked in the insert's
 *   transaction, so it holds across restarts too);
 * - a full payment code is never written anywhere: it lives in memory for its attempt only;
 * - each open payment or refund is driven by at most one task in this process (`running`).
 */
import { isAppError, type AppErrorShape } from '../api/errors';
import type { Payment, PaymentKind, Refund, ServiceRecord } from '../api/payments';
import type { Acquirer, OfflineRefunds } from '../acquirer/types';
import type { EventBus } from '../events';
import { checkFen } from '../money';
import { DEFAULT_REFUND_APPROVAL_FEN, DEFAULT_REFUND_DAILY_APPROVAL_FEN } from '../settings/service';
import type { Db } from '../store/db';
import { historyRows, mergeNewestFirst, type HistoryColumns, type HistoryFilter } from '../store/history-filter';
import { cancelPayment } from './cancel';
import { maskCode, recogniseCode } from './codes';
import { createPayment, createPaymentOnce } from './create';
import { paymentRequest, priorRequest } from './requests';
import { followUps, releaseDue, releaseIfDue } from './release';
import { PAYMENT_CODE_LIFE_MS } from '../config';
import { RequestErrors } from '../requests';
import { crashPoint } from './crash';
import { sleep, type EngineEnv } from './env';
import { PaymentErrors } from './errors';
import { runCharge } from './pay';
import { runPrecreate } from './precreate';
import { queryOrder } from './query';
import { openPayments, openRefunds, resolvePayment } from './recovery';
import { approvalNeed, checkRefundable, type RefundThresholds, createRefund, offlinePaymentFor, refundablePayment, refundsToSettle, runRefund, withOfflineRefunds } from './refund';
import { getPaymentRow, getRefundRow, toPayment, toRefund, type PaymentRow, type RefundRow } from './repo';
import { isTerminal, UNFINISHED_CHARGE_STATES } from './state';

export interface EngineOptions {
  db: Db;
  bus: EventBus;
  acquirer: Acquirer;
  terminalId: string;
  training: boolean;
  subject?: string;
  now?: () => number;
  log?: (msg: string, e?: unknown) => void;
  /** A sale's refunds above this in all (fen) need a supervisor's approval. Default ¥100.00. */
  refundApprovalFen?: number;
  /** An operator's refunds in a China day without a supervisor above this (fen) need one. Default ¥500.00. */
  refundDailyApprovalFen?: number;
  /** Dual control: checks the approver (OperatorService.approve) and returns their id. */
  approve?: (approverId: string | undefined, pin: string | undefined) => Promise<string>;
  /** Offline-code payments (core/offline's outbox), shown in history, detail and refunds. */
  offline?: OfflineHistory;
  /** A customer's payment code lives this long; an online charge still unresolved then is released (release.ts). */
  codeLifeMs?: number;
  /** The acquirer's offline routes, where refunds of confirmed offline payments go (refund.ts). */
  offlineRefunds?: OfflineRefunds;
  /** The service point (core/agent): bill payments as history rows, and the record behind a withdrawal or bill. */
  service?: ServiceHistory;
  /** An operator's name for a message (who holds an offline payment a cashier wants to refund). */
  operatorName?: (id: string) => Promise<string | null>;
}

/** The history filter every source takes: search, time range and kind. */
export type SourceFilter = HistoryFilter & { kind?: PaymentKind; limit: number };

/**
 * A source of history rows kept outside the payments table, read-only here: its own store is
 * the one place its rows change. Each answers the same filter in the same order, so the
 * cashier's history, detail view, refund checks and the Z report see every row of the till.
 */
export interface HistorySource {
  /** The first `limit` matches, newest first (created-at, then order number, descending). */
  history(f: SourceFilter): Promise<Payment[]>;
  /** One row as a payment, or null when the order number is not one of this source's. */
  findPayment(orderNo: string): Promise<Payment | null>;
}

/**
 * Offline-code payments live in core/offline's outbox, not in the payments table: that store
 * is the one place their state changes (accept, forwarding, the acquirer's verdict, review).
 * The payments table stays the authority for online and local tenders.
 */
export type OfflineHistory = HistorySource;

/**
 * The service point's bill payments (cash at the counter, core/agent's table) as history rows,
 * and the service point's record behind a withdrawal or a bill for the detail view.
 */
export interface ServiceHistory extends HistorySource {
  record(p: Payment): Promise<ServiceRecord | null>;
}

export interface ListFilter extends HistoryFilter {
  kind?: PaymentKind;
  limit: number;
  offset: number;
}

/** The payments table as a history source (core/store/history-filter.ts). */
const PAYMENT_COLUMNS: HistoryColumns = { table: 'payments', orderNo: 'order_no', amount: 'amount_fen', time: 'created_at', masked: 'masked_code' };

interface Task {
  abort: AbortController;
  promise: Promise<unknown>;
}

export class PaymentEngine {
  readonly env: EngineEnv;
  /** Not readonly: core/settings changes these after an approved, audited update (effective at once). */
  refundApprovalFen: number;
  refundDailyApprovalFen: number;
  private readonly approve: EngineOptions['approve'];
  private readonly offline: OfflineHistory | null;
  private readonly service: ServiceHistory | null;
  private readonly running = new Map<string, Task>();
  private readonly codeLifeMs: number;
  /** Release checks due at each charge's code life (release.ts), cleared on stop. */
  private readonly releaseTimers = new Set<NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(opts: EngineOptions) {
    this.env = {
      db: opts.db,
      bus: opts.bus,
      acquirer: opts.acquirer,
      terminalId: opts.terminalId,
      training: opts.training,
      subject: opts.subject ?? '村店收银台',
      now: opts.now ?? Date.now,
      log: opts.log ?? ((m, e) => console.error(`[payments] ${m}`, e instanceof Error ? e.message : (e ?? ''))),
      operatorName: opts.operatorName,
    };
    this.refundApprovalFen = opts.refundApprovalFen ?? DEFAULT_REFUND_APPROVAL_FEN;
    this.refundDailyApprovalFen = opts.refundDailyApprovalFen ?? DEFAULT_REFUND_DAILY_APPROVAL_FEN;
    this.approve = opts.approve;
    // Offline payments as shown and refunded here: with the refunds of this engine counted in.
    this.offline = opts.offline ? withOfflineRefunds(opts.db, opts.offline) : null;
    this.env.offlinePayments = this.offline;
    this.env.offlineRefunds = opts.offlineRefunds ?? null;
    this.service = opts.service ?? null;
    this.codeLifeMs = opts.codeLifeMs ?? PAYMENT_CODE_LIFE_MS;
  }

  /**
   * Charge a scanned online payment code. Returns the durable record; the rest runs on.
   * `purpose` is `withdrawal` only when the service point charges an assisted withdrawal: it is
   * recorded with the order in the same commit, so history and the Z report never take the
   * charge for a sale (the contract's `payments:charge` always charges a sale).
   */
  async charge(input: { amountFen: number; code: string; requestId?: string }, operatorId: string | null, purpose: 'sale' | 'withdrawal' = 'sale'): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const scheme = recogniseCode(input.code);
    const maskedCode = maskCode(input.code);
    const request = paymentRequest(input.requestId, 'payments:charge', { amountFen, maskedCode, operatorId, purpose });
    const { payment: created, replayed } = await createPaymentOnce(this.env, {
      kind: 'code', tender: scheme, amountFen, maskedCode, operatorId, exclusive: true, purpose, request,
    });
    // A repeat of the request: the first answer (the record as it is now), nothing sent again.
    if (replayed) return created;
    crashPoint('after_intent');
    const code = input.code;
    this.drive(created.orderNo, (signal) => runCharge(this.env, created, code, signal));
    this.releaseWhenDue(created);
    return created;
  }

  /** Show a dynamic merchant QR for the amount. Returns at once; the QR follows as an event. */
  async precreate(input: { amountFen: number; requestId?: string }, operatorId: string | null): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const request = paymentRequest(input.requestId, 'payments:precreate', { amountFen, operatorId });
    const { payment: created, replayed } = await createPaymentOnce(this.env, { kind: 'qr', tender: 'merchant_qr', amountFen, operatorId, exclusive: true, request });
    if (replayed) return created;
    this.drive(created.orderNo, (signal) => runPrecreate(this.env, created, signal));
    return created;
  }

  async cash(input: { amountFen: number; tenderedFen: number; requestId?: string }, operatorId: string | null): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const tenderedFen = checkFen(input.tenderedFen);
    if (tenderedFen < amountFen) {
      throw PaymentErrors.cashShort(amountFen - tenderedFen);
    }
    const request = paymentRequest(input.requestId, 'payments:cash', { amountFen, tenderedFen, operatorId });
    return createPayment(this.env, {
      kind: 'cash', tender: 'cash', amountFen, operatorId, exclusive: false, cash: { tenderedFen, changeFen: tenderedFen - amountFen }, request,
    });
  }

  async credit(input: { amountFen: number; customerName: string; requestId?: string }, operatorId: string | null): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const name = input.customerName.trim();
    if (!name || name.length > 40 || /\p{Cc}/u.test(name)) throw PaymentErrors.badName();
    const request = paymentRequest(input.requestId, 'payments:credit', { amountFen, customerName: name, operatorId });
    return createPayment(this.env, { kind: 'credit', tender: 'credit', amountFen, operatorId, exclusive: false, creditName: name, request });
  }

  /** The cashier gives up on an unfinished payment: it is cancelled at the acquirer. */
  async cancel(orderNo: string): Promise<Payment> {
    const p = await this.payment(orderNo);
    if (isTerminal(p.state)) {
      if (p.state === 'cancelled' || p.state === 'closed') return p;
      throw PaymentErrors.notCancellable();
    }
    if (p.state === 'accepted_offline') throw PaymentErrors.notCancellable();
    const task = this.running.get(orderNo);
    if (task) task.abort.abort();
    else this.drive(orderNo, () => cancelPayment(this.env, p));
    // Give the task a moment to reach `cancelling`, so the cashier sees the cancel under way.
    await Promise.race([this.running.get(orderNo)?.promise, sleep(1500)]);
    return this.payment(orderNo);
  }

  /** Manual look-up at the acquirer (after an unknown outcome): applies what it says. */
  async query(orderNo: string): Promise<Payment> {
    const p = await this.payment(orderNo);
    if (isTerminal(p.state) || p.tender === 'cash' || p.tender === 'credit' || p.state === 'accepted_offline') return p;
    return (await queryOrder(this.env, p)).payment;
  }

  async refund(
    input: { orderNo: string; amountFen: number; reason: string; approverId?: string; approverPin?: string; requestId?: string },
    operatorId: string | null,
  ): Promise<Refund> {
    const amountFen = checkFen(input.amountFen);
    // A repeat of the request comes first: answered with the first refund (once its send is
    // done), before any rule that the first one's own success would now fail, and before a PIN.
    const request = paymentRequest(input.requestId, 'payments:refund', { orderNo: input.orderNo, amountFen, reason: input.reason, operatorId });
    const prior = request ? await priorRequest(this.env.db, request) : null;
    if (prior) {
      if (!prior.refundNo) throw RequestErrors.mismatch();
      await this.running.get(prior.refundNo)?.promise;
      return toRefund((await getRefundRow(this.env.db, prior.refundNo))!);
    }
    await this.refuseIfNotASale(input.orderNo);
    // Cheap checks first, so a refund that would be refused anyway never asks for a PIN.
    await checkRefundable(this.env.db, this.env, input.orderNo, amountFen, await offlinePaymentFor(this.env, input.orderNo));
    let approverId: string | null = null;
    const thresholds = this.refundThresholds();
    const need = await approvalNeed(this.env.db, input.orderNo, operatorId, amountFen, this.env.now(), thresholds);
    if (need) {
      if (!this.approve) throw PaymentErrors.approvalUnavailable();
      // Asked for without an approver: say why (the sale's total, or the operator's day).
      if (!input.approverId || !input.approverPin) throw need;
      approverId = await this.approve(input.approverId, input.approverPin);
    }
    const created = await createRefund(this.env, { orderNo: input.orderNo, amountFen, reason: input.reason, operatorId, approverId, thresholds, request });
    crashPoint('refund_after_intent');
    return this.driveRefund(created.refundNo);
  }

  /** The thresholds in effect now (settings change them in place). */
  private refundThresholds(): RefundThresholds {
    return { perSaleFen: this.refundApprovalFen, dailyPerOperatorFen: this.refundDailyApprovalFen };
  }

  /**
   * Whether `refund` would ask this operator for a supervisor's approval for this amount now:
   * the same `approvalNeed` with the same thresholds, read outside any transaction (the refund
   * decides again when it writes). Lets the screen show the approval fields up front.
   */
  async refundApproval(orderNo: string, amountFen: number, operatorId: string | null): Promise<{ needed: boolean; why: AppErrorShape | null }> {
    const need = await approvalNeed(this.env.db, orderNo, operatorId, checkFen(amountFen), this.env.now(), this.refundThresholds());
    return { needed: need !== null, why: need ? need.toShape() : null };
  }

  /**
   * Only a sale is refunded here; anything else is refused with nothing written:
   * - a withdrawal's charge: the customer already has the cash; "refunding" it would pay the
   *   same money out twice. A mistake is a float correction and a matter for the acquirer.
   * - a bill payment: the biller holds the money and handles refunds; one the biller refused
   *   has its cash given back at the service point (`agent:billReturn`).
   *
   * An offline-code sale follows refund.ts's rules: refunded like any other once the acquirer
   * has confirmed it, refused plainly before, saying why (not forwarded, no answer yet, waiting
   * for review, held by a supervisor).
   */
  private async refuseIfNotASale(orderNo: string): Promise<void> {
    const row = await getPaymentRow(this.env.db, orderNo);
    if (row) {
      if (row.purpose === 'withdrawal') throw PaymentErrors.refundWithdrawal();
      return;
    }
    const bill = await this.service?.findPayment(orderNo);
    // A bill the biller refused: its cash goes back at the service point (core/agent), not as a refund.
    if (bill) throw bill.state === 'failed' ? PaymentErrors.refundRefusedBill() : PaymentErrors.refundBill();
    const p = await this.offline?.findPayment(orderNo);
    if (p?.kind === 'withdrawal') throw PaymentErrors.refundWithdrawal();
  }

  async get(orderNo: string): Promise<{ payment: Payment; refunds: Refund[]; service: ServiceRecord | null; refundBlock: AppErrorShape | null }> {
    const payment = await this.payment(orderNo);
    const refunds = await this.env.db.all<RefundRow>('SELECT * FROM refunds WHERE order_no = ? ORDER BY created_at, refund_no', [orderNo]);
    const service = payment.kind !== 'sale' && this.service ? await this.service.record(payment) : null;
    return { payment, refunds: refunds.map(toRefund), service, refundBlock: await this.refundBlock(orderNo) };
  }

  /**
   * Why `refund` would refuse this payment now whatever the amount, or null: the very checks
   * `refund` runs first (not a sale; not succeeded; an offline payment not confirmed or held;
   * the window; the count), so the detail screen and the refusal never disagree.
   */
  private async refundBlock(orderNo: string): Promise<AppErrorShape | null> {
    try {
      await this.refuseIfNotASale(orderNo);
      await refundablePayment(this.env.db, this.env, orderNo, await offlinePaymentFor(this.env, orderNo));
      return null;
    } catch (e) {
      if (isAppError(e)) return e.toShape();
      throw e;
    }
  }

  /** The till's history, every source merged into one order (core/store/history-filter.ts). */
  async list(f: ListFilter): Promise<Payment[]> {
    const own = (filter: ListFilter) =>
      historyRows<PaymentRow>(this.env.db, PAYMENT_COLUMNS, filter, filter.kind ? [{ sql: 'purpose = ?', params: [filter.kind] }] : []);
    const sources = [this.offline, this.service].filter((x): x is HistorySource => x !== null);
    if (!sources.length) return (await own(f)).map(toPayment);
    const n = f.offset + f.limit;
    const { offset: _offset, ...filter } = { ...f, limit: n };
    const lists = await Promise.all([own({ ...filter, offset: 0 }).then((rows) => rows.map(toPayment)), ...sources.map((s) => s.history(filter))]);
    return mergeNewestFirst(lists, f.offset, f.limit);
  }

  /**
   * Resolves every payment and refund that is not final (on start, after a crash). Resolves
   * when all of them have been driven as far as the acquirer allows.
   */
  async recover(): Promise<void> {
    // A charge left unresolved past its code's life (after a crash, or an outage the sweeper
    // is waiting out) is released first, so the counter can take another tender.
    await releaseDue(this.env, this.codeLifeMs);
    const tasks: Array<Promise<unknown>> = [];
    for (const p of await openPayments(this.env)) {
      if (!this.running.has(p.orderNo)) tasks.push(this.drive(p.orderNo, (signal) => resolvePayment(this.env, p, signal)));
    }
    for (const refundNo of await openRefunds(this.env)) {
      if (!this.running.has(refundNo)) tasks.push(this.drive(refundNo, () => runRefund(this.env, refundNo)));
    }
    await Promise.all(tasks);
  }

  /** Runs `recover` every `sweepEveryMs` for anything stuck (Alipay's advice: every 15 min). */
  startSweeper(): void {
    if (this.sweeper || this.stopped) return;
    const every = this.env.acquirer.config().timings.sweepEveryMs;
    this.sweeper = setInterval(() => {
      this.recover().catch((e) => this.env.log('sweep failed', e));
    }, every);
    this.sweeper.unref();
  }

  /** Waits for one payment's task (if any) and returns the payment as it then is. */
  async settled(orderNo: string): Promise<Payment> {
    await this.running.get(orderNo)?.promise;
    return this.payment(orderNo);
  }

  /** Waits until nothing is in flight. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((t) => t.promise));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.releaseTimers) clearTimeout(t);
    this.releaseTimers.clear();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const t of this.running.values()) t.abort.abort();
    // Bounded: a task may be sleeping out an acquirer's rule (e.g. 15 s before a reverse).
    // Whatever is left open is durable and is resolved by recovery on the next start.
    await Promise.race([this.idle(), sleep(2_000)]);
  }

  /** The follow-up list: charges released during an outage, whatever became of them (release.ts). */
  followUps(): Promise<Payment[]> {
    return followUps(this.env);
  }

  /** Refunds the acquirer could not deliver, kept pending for a supervisor to settle by hand (refund.ts). */
  refundsToSettle(): Promise<Refund[]> {
    return refundsToSettle(this.env);
  }

  /**
   * Tells the cashier at once when the customer's code runs out while the charge is unresolved
   * (release.ts); the sweeper and recovery release anything a timer missed (a restart).
   */
  private releaseWhenDue(p: Payment): void {
    const t = setTimeout(() => {
      this.releaseTimers.delete(t);
      releaseIfDue(this.env, p.orderNo, this.codeLifeMs).catch((e) => this.env.log(`release of ${p.orderNo} failed; the sweeper retries`, e));
    }, Math.max(0, p.createdAt + this.codeLifeMs - this.env.now()));
    t.unref();
    this.releaseTimers.add(t);
  }

  /** This terminal's unfinished sale charge, or null (at most one: see the invariants). */
  async openSale(): Promise<Payment | null> {
    const marks = UNFINISHED_CHARGE_STATES.map(() => '?').join(',');
    const row = await this.env.db.get<PaymentRow>(
      // A released charge (release.ts) is resolved in the background and does not hold the checkout.
      `SELECT * FROM payments WHERE terminal_id = ? AND kind IN ('code','qr') AND purpose = 'sale' AND state IN (${marks}) AND released_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      [this.env.terminalId, ...UNFINISHED_CHARGE_STATES]);
    return row ? toPayment(row) : null;
  }

  private async payment(orderNo: string): Promise<Payment> {
    const row = await getPaymentRow(this.env.db, orderNo);
    if (row) return toPayment(row);
    // Rows of the other sources are read-only here: cancel and query leave accepted_offline,
    // cash and terminal states alone, and refunds are refused before this point (refuseIfNotASale).
    const other = (await this.offline?.findPayment(orderNo)) ?? (await this.service?.findPayment(orderNo));
    if (!other) throw PaymentErrors.notFound();
    return other;
  }

  private async driveRefund(refundNo: string): Promise<Refund> {
    await this.drive(refundNo, () => runRefund(this.env, refundNo));
    const row = await getRefundRow(this.env.db, refundNo);
    return toRefund(row!);
  }

  /** Runs `fn` as the one task of `key`; failures are logged and left to the sweeper. */
  private drive(key: string, fn: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
    const existing = this.running.get(key);
    if (existing) return existing.promise;
    const abort = new AbortController();
    const promise = fn(abort.signal)
      .catch((e) => this.env.log(`task ${key} stopped; the sweeper will resume it`, e))
      .finally(() => this.running.delete(key));
    this.running.set(key, { abort, promise });
    return promise;
  }
}
