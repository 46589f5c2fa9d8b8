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
import type { Payment, Refund } from '../api/payments';
import type { Acquirer } from '../acquirer/types';
import type { EventBus } from '../events';
import { checkFen } from '../money';
import type { Db } from '../store/db';
import { cancelPayment } from './cancel';
import { maskCode, recogniseCode } from './codes';
import { createPayment } from './create';
import { crashPoint } from './crash';
import { sleep, type EngineEnv } from './env';
import { PaymentErrors } from './errors';
import { runCharge } from './pay';
import { runPrecreate } from './precreate';
import { queryOrder } from './query';
import { openPayments, openRefunds, resolvePayment } from './recovery';
import { checkRefundable, createRefund, runRefund } from './refund';
import { getPaymentRow, getRefundRow, toPayment, toRefund, type PaymentRow, type RefundRow } from './repo';
import { isTerminal } from './state';

export interface EngineOptions {
  db: Db;
  bus: EventBus;
  acquirer: Acquirer;
  terminalId: string;
  training: boolean;
  subject?: string;
  now?: () => number;
  log?: (msg: string, e?: unknown) => void;
  /** Refunds above this (fen) need a supervisor's approval. Default ¥100.00. */
  refundApprovalFen?: number;
  /** Dual control: checks the approver (OperatorService.approve) and returns their id. */
  approve?: (approverId: string | undefined, pin: string | undefined) => Promise<string>;
  /** Offline-code payments (core/offline's outbox), shown in history, detail and refunds. */
  offline?: OfflineHistory;
}

/**
 * Offline-code payments live in core/offline's outbox, not in the payments table: that store
 * is the one place their state changes (accept, forwarding, the acquirer's verdict). The
 * engine only reads them, so the cashier's history, detail view and refund checks see every
 * payment of the till. The payments table stays the authority for online and local tenders.
 */
export interface OfflineHistory {
  /** The first `limit` matches, newest first (created-at, then order number, descending). */
  history(f: { text?: string; amountFen?: number; from?: number; to?: number; limit: number }): Promise<Payment[]>;
  /** One offline item as a payment, or null when the order number is not an offline item. */
  findPayment(orderNo: string): Promise<Payment | null>;
}

export interface ListFilter {
  text?: string;
  amountFen?: number;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

interface Task {
  abort: AbortController;
  promise: Promise<unknown>;
}

export class PaymentEngine {
  readonly env: EngineEnv;
  /** Not readonly: core/settings changes it after an approved, audited update (effective at once). */
  refundApprovalFen: number;
  private readonly approve: EngineOptions['approve'];
  private readonly offline: OfflineHistory | null;
  private readonly running = new Map<string, Task>();
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
    };
    this.refundApprovalFen = opts.refundApprovalFen ?? 100_00;
    this.approve = opts.approve;
    this.offline = opts.offline ?? null;
  }

  /** Charge a scanned online payment code. Returns the durable record; the rest runs on. */
  async charge(input: { amountFen: number; code: string }, operatorId: string | null): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const scheme = recogniseCode(input.code);
    const created = await createPayment(this.env, {
      kind: 'code', tender: scheme, amountFen, maskedCode: maskCode(input.code), operatorId, exclusive: true,
    });
    crashPoint('after_intent');
    const code = input.code;
    this.drive(created.orderNo, (signal) => runCharge(this.env, created, code, signal));
    return created;
  }

  /** Show a dynamic merchant QR for the amount. Returns at once; the QR follows as an event. */
  async precreate(input: { amountFen: number }, operatorId: string | null): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const created = await createPayment(this.env, { kind: 'qr', tender: 'merchant_qr', amountFen, operatorId, exclusive: true });
    this.drive(created.orderNo, (signal) => runPrecreate(this.env, created, signal));
    return created;
  }

  async cash(input: { amountFen: number; tenderedFen: number }, operatorId: string | null): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const tenderedFen = checkFen(input.tenderedFen);
    if (tenderedFen < amountFen) {
      throw PaymentErrors.cashShort(amountFen - tenderedFen);
    }
    return createPayment(this.env, {
      kind: 'cash', tender: 'cash', amountFen, operatorId, exclusive: false, cash: { tenderedFen, changeFen: tenderedFen - amountFen },
    });
  }

  async credit(input: { amountFen: number; customerName: string }, operatorId: string | null): Promise<Payment> {
    const amountFen = checkFen(input.amountFen);
    const name = input.customerName.trim();
    if (!name || name.length > 40 || /\p{Cc}/u.test(name)) throw PaymentErrors.badName();
    return createPayment(this.env, { kind: 'credit', tender: 'credit', amountFen, operatorId, exclusive: false, creditName: name });
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
    input: { orderNo: string; amountFen: number; reason: string; approverId?: string; approverPin?: string },
    operatorId: string | null,
  ): Promise<Refund> {
    const amountFen = checkFen(input.amountFen);
    await this.refuseOfflineRefund(input.orderNo);
    // Cheap checks first, so a refund that would be refused anyway never asks for a PIN.
    await checkRefundable(this.env.db, this.env, input.orderNo, amountFen);
    let approverId: string | null = null;
    if (amountFen > this.refundApprovalFen) {
      if (!this.approve) throw PaymentErrors.approvalUnavailable();
      approverId = await this.approve(input.approverId, input.approverPin);
    }
    const created = await createRefund(this.env, { orderNo: input.orderNo, amountFen, reason: input.reason, operatorId, approverId });
    crashPoint('refund_after_intent');
    return this.driveRefund(created.refundNo);
  }

  /**
   * Refunds of offline-code payments are refused, with nothing written, because:
   * - `accepted_offline`: the money has not moved yet. The acquirer has not seen the item and
   *   may still decline it (revoked wallet, insufficient funds), so paying money back now could
   *   return money the shop never receives; and the item cannot be withdrawn from forwarding
   *   (the acquirer is idempotent on order number, it will be charged anyway). Once it is
   *   forwarded and confirmed, the refund becomes a question for the acquirer.
   * - `succeeded`: the acquirer holds it under the offline routes (/offline/v1), whose
   *   protocol has no refund yet; the online refund route does not know offline order numbers.
   *   Refused plainly rather than sent to fail there.
   * - `declined_after_forwarding`: nothing was paid (the follow-up list handles it).
   */
  private async refuseOfflineRefund(orderNo: string): Promise<void> {
    if (!this.offline || (await getPaymentRow(this.env.db, orderNo))) return;
    const p = await this.offline.findPayment(orderNo);
    if (!p) return;
    if (p.state === 'accepted_offline') throw PaymentErrors.refundOfflinePending();
    if (p.state === 'succeeded') throw PaymentErrors.refundOfflineUnsupported();
    throw PaymentErrors.notRefundable();
  }

  async get(orderNo: string): Promise<{ payment: Payment; refunds: Refund[] }> {
    const payment = await this.payment(orderNo);
    const refunds = await this.env.db.all<RefundRow>('SELECT * FROM refunds WHERE order_no = ? ORDER BY created_at, refund_no', [orderNo]);
    return { payment, refunds: refunds.map(toRefund) };
  }

  async list(f: ListFilter): Promise<Payment[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (f.text) {
      where.push("order_no LIKE ? ESCAPE '\\'");
      params.push(`%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (f.amountFen !== undefined) {
      where.push('amount_fen = ?');
      params.push(f.amountFen);
    }
    if (f.from !== undefined) {
      where.push('created_at >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('created_at <= ?');
      params.push(f.to);
    }
    const sql = `SELECT * FROM payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, order_no DESC LIMIT ? OFFSET ?`;
    if (!this.offline) return (await this.env.db.all<PaymentRow>(sql, [...params, f.limit, f.offset])).map(toPayment);
    // Two sources, one order: the first offset + limit of each, merged, then the page. Exact,
    // since no row of the page can lie beyond the first offset + limit of its own source.
    const n = f.offset + f.limit;
    const [online, offline] = await Promise.all([
      this.env.db.all<PaymentRow>(sql, [...params, n, 0]),
      this.offline.history({ text: f.text, amountFen: f.amountFen, from: f.from, to: f.to, limit: n }),
    ]);
    return [...online.map(toPayment), ...offline]
      .sort((a, b) => b.createdAt - a.createdAt || (a.orderNo < b.orderNo ? 1 : a.orderNo > b.orderNo ? -1 : 0))
      .slice(f.offset, n);
  }

  /**
   * Resolves every payment and refund that is not final (on start, after a crash). Resolves
   * when all of them have been driven as far as the acquirer allows.
   */
  async recover(): Promise<void> {
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
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const t of this.running.values()) t.abort.abort();
    // Bounded: a task may be sleeping out an acquirer's rule (e.g. 15 s before a reverse).
    // Whatever is left open is durable and is resolved by recovery on the next start.
    await Promise.race([this.idle(), sleep(2_000)]);
  }

  private async payment(orderNo: string): Promise<Payment> {
    const row = await getPaymentRow(this.env.db, orderNo);
    if (row) return toPayment(row);
    // Offline items are read-only here: cancel and query leave accepted_offline and terminal
    // states alone, and refunds are refused before this point (refuseOfflineRefund).
    const offline = await this.offline?.findPayment(orderNo);
    if (!offline) throw PaymentErrors.notFound();
    return offline;
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
