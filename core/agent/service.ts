/**
 * The service point's rules. Invariants:
 * - a withdrawal's row (state `charging`) is written, with the customer's daily total checked,
 *   in one transaction BEFORE the charge is sent: two withdrawals racing for the same customer
 *   cannot both pass the ¥1,000 limit, and a crash mid-charge errs on the side of the limit;
 * - a failed charge releases its share of the limit (failed rows are not counted);
 * - cash leaves the float only when the charge succeeded, in the transaction that marks it paid;
 * - a bill's cash comes back out of the float only for a bill the biller refused, once, in the
 *   transaction that records the return (migration 402 refuses a second one too);
 * - every float movement, withdrawal paid out and bill paid is journalled and audited in the
 *   same transaction as the change;
 * - customers are referenced by a hash of their phone number; only a masked form is kept;
 * - each action the screens send with a request id (withdrawal, bill, float open/move/close,
 *   remittance, bill return) happens once per id: the id is stored in the transaction that
 *   creates the action's row, and a repeat is answered from that row (core/requests.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  WITHDRAW_DAILY_MAX_FEN,
  WITHDRAW_MIN_FEN,
  WITHDRAW_STEP_FEN,
  type BillPayment,
  type Biller,
  type FloatDay,
  type FloatMove,
  type Withdrawal,
} from '../api/agent';
import { AppError, toErrorShape } from '../api/errors';
import type { Message, Payment, PaymentState } from '../api/payments';
import { audit } from '../audit';
import { chinaDay } from '../china-time';
import type { EventBus } from '../events';
import { appendJournal } from '../ledger/journal';
import { RequestLog, type RecordRequest } from '../requests';
import type { Db, Queryable } from '../store/db';
import type { AgentAcquirer } from './acquirer';
import { BILL_COLUMNS, readBill, toBillPayment, type BillRow } from './bills';
import { AgentErrors } from './errors';

/**
 * What the service point needs of the payment engine: start the charge of a withdrawal's
 * scanned code. The composition root has the engine record it as a withdrawal with the order
 * (payments.purpose), so history, refunds and the Z report never take it for a sale.
 */
export interface ChargePort {
  charge(amountFen: number, code: string, operatorId: string | null): Promise<Pick<Payment, 'orderNo' | 'state' | 'maskedCode' | 'message'>>;
}

/** The business day in China time, as YYYY-MM-DD (core/china-time.ts). */
export const businessDay = chinaDay;

export const maskPhone = (p: string) => `${p.slice(0, 3)}****${p.slice(-4)}`;
export const maskAccount = (a: string) => `**** ${a.slice(-4)}`;
const customerKey = (phone: string) => createHash('sha256').update(`withdraw-customer:${phone}`).digest('hex');
const newId = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`;

const SUCCEEDED: readonly PaymentState[] = ['succeeded'];
const FAILED: readonly PaymentState[] = ['failed', 'cancelled', 'closed', 'declined_after_forwarding'];
const BILLER_MAX_AGE_MS = 24 * 3_600_000;

interface WithdrawalRow {
  id: string;
  day: string;
  customer_key: string;
  masked_phone: string;
  amount_fen: number;
  state: 'charging' | 'paid' | 'failed';
  order_no: string | null;
  masked_code: string | null;
  message_zh: string;
  message_en: string;
  created_at: number;
}

const MSG = {
  charging: { zh: '请客户在手机上确认付款，确认成功后再付现金。', en: 'Ask the customer to confirm the payment on their phone; hand out cash only after it succeeds.' },
  paid: { zh: '客户已付款，请付给客户现金，并请客户在收据上签字。', en: 'The customer has paid: hand out the cash and have the customer sign the receipt.' },
};

export class AgentService {
  /** Recent payment events, so a result that arrives before the order number is stored is not lost. */
  private readonly recent = new Map<string, Payment>();
  private readonly requests: RequestLog;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly acquirer: AgentAcquirer,
    private readonly payments: ChargePort,
    private readonly now: () => number = Date.now,
    /**
     * The business day of the float and of the per-customer withdrawal limit: the trusted clock's
     * counter day in the app (core/clock), which a PC clock moved back or forward cannot change.
     */
    private readonly today: () => string = () => businessDay(now()),
  ) {
    this.requests = new RequestLog(db, now);
    bus.subscribe((name, payload) => {
      if (name === 'payments:changed') void this.onPayment(payload as Payment).catch(() => undefined);
      if (name === 'connectivity:changed' && (payload as { state: string }).state !== 'offline') {
        void this.forwardQueued().catch(() => undefined);
      }
    });
  }

  // ---------------------------------------------------------------- cash float

  async float(): Promise<FloatDay> {
    return this.readFloat(this.db, this.today());
  }

  private async readFloat(q: Queryable, day: string): Promise<FloatDay> {
    const d = await q.get<{ opening_fen: number; opened_at: number; closing_fen: number | null; closed_at: number | null; variance_fen: number | null }>(
      'SELECT * FROM agent_float_days WHERE day = ?', [day]);
    const moves = await q.all<{ at: number; kind: FloatMove['kind']; amount_fen: number; reason: string; operator_id: string | null }>(
      'SELECT at, kind, amount_fen, reason, operator_id FROM agent_float_moves WHERE day = ? ORDER BY seq', [day]);
    return {
      day,
      openingFen: d?.opening_fen ?? null,
      openedAt: d?.opened_at ?? null,
      expectedFen: moves.reduce((s, m) => s + m.amount_fen, 0),
      closingFen: d?.closing_fen ?? null,
      closedAt: d?.closed_at ?? null,
      varianceFen: d?.variance_fen ?? null,
      movements: moves.map((m) => ({ at: m.at, kind: m.kind, amountFen: m.amount_fen, reason: m.reason, operatorId: m.operator_id })),
    };
  }

  /** The open float of the day, inside a transaction; throws when not open or already closed. */
  private async openFloat(q: Queryable, day: string): Promise<FloatDay> {
    const f = await this.readFloat(q, day);
    if (f.openedAt === null) throw AgentErrors.floatNotOpen();
    if (f.closedAt !== null) throw AgentErrors.floatClosed();
    return f;
  }

  private async move(q: Queryable, day: string, kind: FloatMove['kind'], amountFen: number, reason: string, operatorId: string | null, ref: string) {
    const at = this.now();
    await q.run('INSERT INTO agent_float_moves (day, at, kind, amount_fen, reason, operator_id) VALUES (?, ?, ?, ?, ?, ?)',
      [day, at, kind, amountFen, reason, operatorId]);
    if (amountFen !== 0) await appendJournal(q, { kind: `float.${kind}`, ref, amountFen, body: { day, reason } }, at);
  }

  private async emitFloat(): Promise<FloatDay> {
    const f = await this.float();
    this.bus.emit('agent:floatChanged', f);
    return f;
  }

  /** A repeat of a float action's request id: the float of the day it was made, as it stands. */
  private readonly replayFloat = (day: string) => this.readFloat(this.db, day);

  async floatOpen(countedFen: number, operatorId: string | null, requestId?: string): Promise<FloatDay> {
    return this.requests.once({ requestId, method: 'agent:floatOpen', params: { countedFen } },
      (record) => this.doFloatOpen(countedFen, operatorId, record), this.replayFloat);
  }

  private async doFloatOpen(countedFen: number, operatorId: string | null, record: RecordRequest): Promise<FloatDay> {
    const day = this.today();
    await this.db.tx(async (q) => {
      if (await q.get('SELECT 1 FROM agent_float_days WHERE day = ?', [day])) throw AgentErrors.floatAlreadyOpen();
      await record(q, day);
      await q.run('INSERT INTO agent_float_days (day, opening_fen, opened_at) VALUES (?, ?, ?)', [day, countedFen, this.now()]);
      await this.move(q, day, 'open', countedFen, 'opening count', operatorId, `FLOAT-${day}`);
      await audit(q, { operatorId, action: 'float.open', detail: { day, countedFen } }, this.now());
    });
    return this.emitFloat();
  }

  async floatMove(direction: 'in' | 'out', amountFen: number, reason: string, operatorId: string | null, requestId?: string): Promise<FloatDay> {
    return this.requests.once({ requestId, method: 'agent:floatMove', params: { direction, amountFen, reason } },
      (record) => this.doFloatMove(direction, amountFen, reason, operatorId, record), this.replayFloat);
  }

  private async doFloatMove(direction: 'in' | 'out', amountFen: number, reason: string, operatorId: string | null, record: RecordRequest): Promise<FloatDay> {
    const day = this.today();
    await this.db.tx(async (q) => {
      const f = await this.openFloat(q, day);
      await record(q, day);
      if (direction === 'out') {
        const available = f.expectedFen - (await this.chargingSum(q, day));
        if (available < amountFen) throw AgentErrors.notEnoughCash(Math.max(0, available));
      }
      await this.move(q, day, direction, direction === 'in' ? amountFen : -amountFen, reason, operatorId, `FLOAT-${day}`);
      await audit(q, { operatorId, action: `float.${direction}`, detail: { day, amountFen, reason } }, this.now());
    });
    return this.emitFloat();
  }

  async floatClose(countedFen: number, operatorId: string | null, requestId?: string): Promise<FloatDay> {
    return this.requests.once({ requestId, method: 'agent:floatClose', params: { countedFen } },
      (record) => this.doFloatClose(countedFen, operatorId, record), this.replayFloat);
  }

  private async doFloatClose(countedFen: number, operatorId: string | null, record: RecordRequest): Promise<FloatDay> {
    const day = this.today();
    await this.db.tx(async (q) => {
      const f = await this.openFloat(q, day);
      await record(q, day);
      const variance = countedFen - f.expectedFen;
      await q.run('UPDATE agent_float_days SET closing_fen = ?, closed_at = ?, variance_fen = ? WHERE day = ?', [countedFen, this.now(), variance, day]);
      await this.move(q, day, 'close', 0, `closing count ${countedFen}, variance ${variance}`, operatorId, `FLOAT-${day}`);
      await audit(q, { operatorId, action: 'float.close', detail: { day, countedFen, expectedFen: f.expectedFen, varianceFen: variance } }, this.now());
    });
    return this.emitFloat();
  }

  // ---------------------------------------------------------------- withdrawal

  private async chargingSum(q: Queryable, day: string): Promise<number> {
    const r = await q.get<{ s: number | null }>("SELECT SUM(amount_fen) AS s FROM agent_withdrawals WHERE day = ? AND state = 'charging'", [day]);
    return r?.s ?? 0;
  }

  private async usedToday(q: Queryable, key: string, day: string): Promise<number> {
    const r = await q.get<{ s: number | null }>(
      "SELECT SUM(amount_fen) AS s FROM agent_withdrawals WHERE customer_key = ? AND day = ? AND state != 'failed'", [key, day]);
    return r?.s ?? 0;
  }

  private async toWithdrawal(q: Queryable, row: WithdrawalRow): Promise<Withdrawal> {
    const used = await this.usedToday(q, row.customer_key, row.day);
    return {
      id: row.id,
      amountFen: row.amount_fen,
      state: row.state,
      orderNo: row.order_no,
      maskedCode: row.masked_code,
      maskedPhone: row.masked_phone,
      message: { zh: row.message_zh, en: row.message_en },
      createdAt: row.created_at,
      remainingTodayFen: Math.max(0, WITHDRAW_DAILY_MAX_FEN - used),
    };
  }

  async withdrawal(id: string): Promise<Withdrawal> {
    const row = await this.db.get<WithdrawalRow>('SELECT * FROM agent_withdrawals WHERE id = ?', [id]);
    if (!row) throw AgentErrors.notFound();
    return this.toWithdrawal(this.db, row);
  }

  async withdraw(input: { amountFen: number; code: string; customerPhone: string; requestId?: string }, operatorId: string | null): Promise<Withdrawal> {
    const { requestId, ...params } = input;
    return this.requests.once({ requestId, method: 'agent:withdraw', params },
      (record) => this.doWithdraw(params, operatorId, record), (id) => this.withdrawal(id));
  }

  private async doWithdraw(input: { amountFen: number; code: string; customerPhone: string }, operatorId: string | null, record: RecordRequest): Promise<Withdrawal> {
    const { amountFen, code, customerPhone } = input;
    if (amountFen < WITHDRAW_MIN_FEN || amountFen % WITHDRAW_STEP_FEN !== 0) throw AgentErrors.withdrawStep();
    const day = this.today();
    const key = customerKey(customerPhone);
    const id = newId('W');
    await this.db.tx(async (q) => {
      const used = await this.usedToday(q, key, day);
      if (used + amountFen > WITHDRAW_DAILY_MAX_FEN) throw AgentErrors.dailyLimit(Math.max(0, WITHDRAW_DAILY_MAX_FEN - used));
      const f = await this.openFloat(q, day);
      const available = f.expectedFen - (await this.chargingSum(q, day));
      if (available < amountFen) throw AgentErrors.notEnoughCash(Math.max(0, available));
      await q.run(
        `INSERT INTO agent_withdrawals (id, day, customer_key, masked_phone, amount_fen, state, message_zh, message_en, created_at, operator_id)
         VALUES (?, ?, ?, ?, ?, 'charging', ?, ?, ?, ?)`,
        [id, day, key, maskPhone(customerPhone), amountFen, MSG.charging.zh, MSG.charging.en, this.now(), operatorId]);
      await record(q, id);
      await audit(q, { operatorId, action: 'withdrawal.start', detail: { id, amountFen } }, this.now());
    });

    let charged: Awaited<ReturnType<ChargePort['charge']>>;
    try {
      charged = await this.payments.charge(amountFen, code, operatorId);
    } catch (e) {
      const shape = toErrorShape(e);
      await this.finish(id, 'failed', { zh: shape.zh, en: shape.en });
      throw e instanceof AppError ? e : new AppError(shape.code, shape.zh, shape.en);
    }
    await this.db.run('UPDATE agent_withdrawals SET order_no = ?, masked_code = ? WHERE id = ?', [charged.orderNo, charged.maskedCode, id]);
    const latest = this.recent.get(charged.orderNo) ?? charged;
    await this.settle(id, latest.state, latest.message);
    return this.withdrawal(id);
  }

  private async onPayment(p: Payment): Promise<void> {
    this.recent.set(p.orderNo, p);
    if (this.recent.size > 200) this.recent.delete(this.recent.keys().next().value as string);
    const row = await this.db.get<{ id: string }>("SELECT id FROM agent_withdrawals WHERE order_no = ? AND state = 'charging'", [p.orderNo]);
    if (row) await this.settle(row.id, p.state, p.message);
  }

  private async settle(id: string, state: PaymentState, message: Message): Promise<void> {
    if (SUCCEEDED.includes(state)) await this.finish(id, 'paid', MSG.paid);
    else if (FAILED.includes(state)) await this.finish(id, 'failed', message);
  }

  /** Moves a charging withdrawal to its end state once; pays the cash out of the float when paid. */
  private async finish(id: string, state: 'paid' | 'failed', message: Message): Promise<void> {
    const done = await this.db.tx(async (q) => {
      const row = await q.get<WithdrawalRow>('SELECT * FROM agent_withdrawals WHERE id = ?', [id]);
      if (!row || row.state !== 'charging') return null;
      await q.run('UPDATE agent_withdrawals SET state = ?, message_zh = ?, message_en = ? WHERE id = ?', [state, message.zh, message.en, id]);
      if (state === 'paid') await this.move(q, row.day, 'withdrawal', -row.amount_fen, `withdrawal ${id}`, null, id);
      await audit(q, { operatorId: null, action: `withdrawal.${state}`, detail: { id, amountFen: row.amount_fen, orderNo: row.order_no } }, this.now());
      return this.toWithdrawal(q, { ...row, state, message_zh: message.zh, message_en: message.en });
    });
    if (done) {
      this.bus.emit('agent:withdrawalChanged', done);
      if (state === 'paid') await this.emitFloat();
    }
  }

  // ---------------------------------------------------------------- bills, balance, remittance

  async billers(): Promise<Biller[]> {
    const rows = await this.db.all<{ id: string; kind: Biller['kind']; name_zh: string; name_en: string; account_digits: number; synced_at: number }>(
      'SELECT * FROM agent_billers ORDER BY rowid');
    const stale = rows.length === 0 || this.now() - rows[0].synced_at > BILLER_MAX_AGE_MS;
    if (stale) {
      try {
        const fresh = await this.acquirer.billers();
        const at = this.now();
        await this.db.tx(async (q) => {
          await q.run('DELETE FROM agent_billers');
          for (const b of fresh) {
            await q.run('INSERT INTO agent_billers (id, kind, name_zh, name_en, account_digits, synced_at) VALUES (?, ?, ?, ?, ?, ?)',
              [b.id, b.kind, b.name.zh, b.name.en, b.accountDigits, at]);
          }
        });
        return fresh.map((b) => ({ ...b, syncedAt: at }));
      } catch (e) {
        // Offline: the last synced catalogue still serves; with none, the error says why.
        if (rows.length === 0) throw e;
      }
    }
    return rows.map((r) => ({ id: r.id, kind: r.kind, name: { zh: r.name_zh, en: r.name_en }, accountDigits: r.account_digits, syncedAt: r.synced_at }));
  }

  private async checkBiller(billerId: string, account: string): Promise<void> {
    const b = (await this.billers()).find((x) => x.id === billerId);
    if (!b) throw AgentErrors.unknownBiller();
    if (account.length !== b.accountDigits) throw AgentErrors.noSuchAccount();
  }

  async billLookup(billerId: string, account: string) {
    await this.checkBiller(billerId, account);
    const r = await this.acquirer.lookupBill(billerId, account);
    return { maskedAccount: maskAccount(account), maskedHolder: `${r.holder.slice(0, 1)}*${r.holder.slice(-1)}`, dueFen: r.dueFen };
  }

  async billPay(input: { billerId: string; account: string; amountFen: number; requestId?: string }, operatorId: string | null): Promise<BillPayment> {
    const { requestId, ...params } = input;
    return this.requests.once({ requestId, method: 'agent:billPay', params },
      (record) => this.doBillPay(params, operatorId, record), async (id) => toBillPayment((await readBill(this.db, id))!));
  }

  private async doBillPay(input: { billerId: string; account: string; amountFen: number }, operatorId: string | null, record: RecordRequest): Promise<BillPayment> {
    const { billerId, account, amountFen } = input;
    await this.checkBiller(billerId, account);
    const day = this.today();
    await this.openFloat(this.db, day); // cash is taken at the counter: the drawer must be counted first
    const id = newId('BP');
    let reference: string | null = null;
    let state: 'paid' | 'queued' = 'paid';
    try {
      reference = (await this.acquirer.payBill(billerId, account, amountFen, id)).reference;
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'agent.offline')) throw e;
      state = 'queued';
    }
    const at = this.now();
    await this.db.tx(async (q) => {
      await this.openFloat(q, day);
      await q.run(
        'INSERT INTO agent_bills (id, day, biller_id, account, masked_account, amount_fen, state, reference, created_at, operator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [id, day, billerId, account, maskAccount(account), amountFen, state, reference, at, operatorId]);
      await record(q, id);
      await this.move(q, day, 'bill', amountFen, `bill ${id}`, operatorId, id);
      await audit(q, { operatorId, action: `bill.${state}`, detail: { id, billerId, amountFen } }, at);
    });
    const bill = toBillPayment((await readBill(this.db, id))!);
    // The receipt service prints the customer's receipt (provisional when queued) from this event.
    this.bus.emit('agent:billChanged', bill);
    await this.emitFloat();
    return bill;
  }

  /**
   * Sends queued bill payments once the link is back; stops at the first offline answer. A bill
   * the biller refuses keeps what it said and waits, on the service point's list, for its cash
   * to go back to the customer (`billReturn`).
   */
  async forwardQueued(): Promise<number> {
    const rows = await this.db.all<{ id: string; biller_id: string; account: string; amount_fen: number }>(
      "SELECT id, biller_id, account, amount_fen FROM agent_bills WHERE state = 'queued' ORDER BY created_at");
    let sent = 0;
    for (const r of rows) {
      let changed: boolean;
      try {
        const { reference } = await this.acquirer.payBill(r.biller_id, r.account, r.amount_fen, r.id);
        changed = await this.db.tx(async (q) => {
          const u = await q.run("UPDATE agent_bills SET state = 'paid', reference = ? WHERE id = ? AND state = 'queued'", [reference, r.id]);
          if (u.changes) await audit(q, { operatorId: null, action: 'bill.forwarded', detail: { id: r.id } }, this.now());
          return u.changes > 0;
        });
        sent++;
      } catch (e) {
        if (e instanceof AppError && e.code === 'agent.offline') break;
        const refusal = toErrorShape(e);
        changed = await this.db.tx(async (q) => {
          const u = await q.run("UPDATE agent_bills SET state = 'failed', refusal_code = ?, refusal_zh = ?, refusal_en = ? WHERE id = ? AND state = 'queued'",
            [refusal.code, refusal.zh, refusal.en, r.id]);
          if (u.changes) await audit(q, { operatorId: null, action: 'bill.declined', detail: { id: r.id, code: refusal.code, amountFen: r.amount_fen } }, this.now());
          return u.changes > 0;
        });
      }
      if (changed) this.bus.emit('agent:billChanged', toBillPayment((await readBill(this.db, r.id))!));
    }
    return sent;
  }

  /** Bills the biller refused whose cash is still in the drawer, oldest first. */
  async billsToReturn(): Promise<BillPayment[]> {
    const rows = await this.db.all<BillRow>(
      `SELECT ${BILL_COLUMNS.select} FROM ${BILL_COLUMNS.table} WHERE b.state = 'failed' AND b.returned_at IS NULL ORDER BY b.created_at, b.id`);
    return rows.map(toBillPayment);
  }

  /**
   * A refused bill's cash goes back to the customer, out of today's float: the return, its
   * movement, journal row and audit row are one transaction, and happen once. Asked again, it
   * answers the bill as it is (returned) and moves nothing; migration 402's trigger refuses a
   * second return in the database too. Refused with nothing written for a bill that was not
   * refused, a float not open or closed, or a drawer short of the amount.
   */
  async billReturn(id: string, operatorId: string | null, requestId?: string): Promise<BillPayment> {
    return this.requests.once({ requestId, method: 'agent:billReturn', params: { id } },
      (record) => this.doBillReturn(id, operatorId, record), async (ref) => toBillPayment((await readBill(this.db, ref))!));
  }

  private async doBillReturn(id: string, operatorId: string | null, record: RecordRequest): Promise<BillPayment> {
    const day = this.today();
    const moved = await this.db.tx(async (q) => {
      const r = await readBill(q, id);
      if (!r) throw AgentErrors.notFound();
      if (r.returned_at !== null) return false;
      if (r.state !== 'failed') throw AgentErrors.billNotRefused();
      const f = await this.openFloat(q, day);
      const available = f.expectedFen - (await this.chargingSum(q, day));
      if (available < r.amount_fen) throw AgentErrors.notEnoughCash(Math.max(0, available));
      const at = this.now();
      await q.run('UPDATE agent_bills SET returned_at = ?, returned_by = ? WHERE id = ?', [at, operatorId, id]);
      await record(q, id);
      await this.move(q, day, 'bill_return', -r.amount_fen, `bill return ${id}`, operatorId, id);
      await audit(q, { operatorId, action: 'bill.return', detail: { id, billerId: r.biller_id, amountFen: r.amount_fen, billDay: r.day, refusal: r.refusal_code } }, at);
      return true;
    });
    const bill = toBillPayment((await readBill(this.db, id))!);
    if (moved) {
      this.bus.emit('agent:billChanged', bill);
      await this.emitFloat();
    }
    return bill;
  }

  /**
   * Bills taken in [from, to] that the biller refused, for the Z report: those whose cash is
   * still to be given back, and those whose cash was.
   */
  async refusalTotals(from: number, to: number): Promise<{ toReturn: { count: number; fen: number }; returned: { count: number; fen: number } }> {
    const rows = await this.db.all<{ returned: number; n: number; fen: number }>(
      `SELECT returned_at IS NOT NULL AS returned, COUNT(*) AS n, SUM(amount_fen) AS fen FROM agent_bills
       WHERE state = 'failed' AND created_at >= ? AND created_at <= ? GROUP BY returned_at IS NOT NULL`, [from, to]);
    const pick = (returned: number) => {
      const x = rows.find((y) => y.returned === returned);
      return { count: x?.n ?? 0, fen: x?.fen ?? 0 };
    };
    return { toReturn: pick(0), returned: pick(1) };
  }

  async balance(code: string, operatorId: string | null) {
    const r = await this.acquirer.balance(code);
    await this.db.tx((q) => audit(q, { operatorId, action: 'agent.balance', detail: { account: maskAccount(r.account) } }, this.now()));
    return { maskedAccount: `6217 **** **** ${r.account.slice(-4)}`, balanceFen: r.balanceFen };
  }

  async remit(input: { toAccount: string; toName: string; amountFen: number; requestId?: string }, operatorId: string | null) {
    const { requestId, ...params } = input;
    const answer = (reference: string) => ({ reference, maskedAccount: maskAccount(params.toAccount), amountFen: params.amountFen });
    return this.requests.once({ requestId, method: 'agent:remit', params },
      (record) => this.doRemit(params, operatorId, record), async (reference) => answer(reference));
  }

  private async doRemit(input: { toAccount: string; toName: string; amountFen: number }, operatorId: string | null, record: RecordRequest) {
    const day = this.today();
    await this.openFloat(this.db, day);
    const r = await this.acquirer.remit(input.toAccount, input.toName, input.amountFen);
    await this.db.tx(async (q) => {
      await this.openFloat(q, day);
      await this.move(q, day, 'in', input.amountFen, `remittance ${r.reference}`, operatorId, r.reference);
      await record(q, r.reference);
      await audit(q, { operatorId, action: 'agent.remit', detail: { reference: r.reference, amountFen: input.amountFen, to: maskAccount(input.toAccount) } }, this.now());
    });
    await this.emitFloat();
    return { reference: r.reference, maskedAccount: maskAccount(input.toAccount), amountFen: input.amountFen };
  }
}
