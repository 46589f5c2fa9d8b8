/**
 * The reconciliation of online payments and refunds as a service: fetches the acquirer's day
 * statement, matches it (online.ts), corrects what the acquirer is authoritative on through
 * the payment state machine (core/payments/repo.ts, `correction`), keeps the rest for a
 * supervisor, and reports progress, the result, a CSV and the Z report's summary.
 *
 * Invariants:
 * - A correction is one transition of the payment state machine (`transitionPayment` /
 *   `transitionRefund` with a `correction`): the state, the money's journal row and the
 *   `reconcile.corrected` row saying why are one transaction. Nothing else changes a payment.
 * - A run of a day replaces that day's unresolved findings; a corrected line and a supervisor's
 *   resolution are kept (migration 120's triggers refuse to drop or change them).
 * - One run per day at a time; the daily run starts by itself once the business day (China
 *   time, by the trusted clock) has closed and `graceMs` passed, and again on later ticks until
 *   it has succeeded (an offline till catches up when the link is back), and for every closed
 *   day before it back to the first online payment (at most `CATCH_UP_DAYS`), oldest first: a
 *   counter that was off over a holiday reconciles each day it missed.
 * - A payment or refund started in the day's last minutes that the statement does not hold is
 *   carried to the next day's run (online.ts `CARRY_TAIL_MS`), which matches or reports it; a
 *   carry made into a day that has already run runs that day again.
 */
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../api/errors';
import type { OnlineReconcileLine, OnlineReconcileReport, ReconcileProgress, ReconcileSummary } from '../api/reconcile';
import type { StatementLine } from '../acquirer/types';
import { audit } from '../audit';
import { chinaDay } from '../clock/trusted-clock';
import type { EventBus } from '../events';
import { formatFen } from '../money';
import type { EngineEnv } from '../payments/env';
import { transitionPayment, transitionRefund } from '../payments/repo';
import type { Db } from '../store/db';
import { CARRY_TAIL_MS, describeFinding, matchOnline, type Finding, type LocalPayment, type LocalRefund } from './online';

/** Tenders that reach the acquirer online (the statement of `/v1/statement` holds only these). */
const ONLINE_TENDERS = ['wechat', 'alipay', 'unionpay', 'face', 'merchant_qr'] as const;
const DAY_MS = 86_400_000;
/** How far back the daily run catches up on closed days it missed. */
export const CATCH_UP_DAYS = 7;

export const ReconcileErrors = {
  unavailable: () =>
    new AppError('reconcile.unavailable', '无法取得收单机构的对账单（网络不通或收单机构未应答），请稍后再试。',
      'The acquirer’s statement could not be fetched (no network, or no answer); try again later.'),
  notFound: () => new AppError('reconcile.not_found', '找不到这条对账记录，请重新对账。', 'No such reconciliation line; run the reconciliation again.'),
  notWaiting: () =>
    new AppError('reconcile.not_waiting', '这条记录已自动更正，不需要主管处理。', 'This line was corrected by itself; there is nothing for a supervisor to resolve.'),
  resolvedAlready: () => new AppError('reconcile.resolved', '这条记录已由主管处理过。', 'A supervisor has already resolved this line.'),
  futureDay: () => new AppError('reconcile.future_day', '这一天还没到，不能对账。', 'That day has not come yet; it cannot be reconciled.'),
};

interface LineRow {
  day: string;
  kind: 'payment' | 'refund';
  ref: string;
  order_no: string;
  outcome: Finding['outcome'];
  local_fen: number | null;
  acquirer_fen: number | null;
  local_state: string | null;
  acquirer_state: Finding['acquirerState'];
  action: 'corrected' | 'supervisor';
  resolved_by: string | null;
  resolved_at: number | null;
  resolution: string | null;
}

export interface OnlineReconcilerDeps {
  db: Db;
  bus: EventBus;
  /** The payment engine's environment: its acquirer (the statement) and the state machine's transitions. */
  env: EngineEnv;
  /** The trusted clock (core/clock): which business day has closed. */
  now?: () => number;
  /** Wait this long after midnight (China time) before the daily run: the statement settles. */
  graceMs?: number;
  /** How often the daily run checks whether it is due. */
  tickMs?: number;
}

function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}

export class OnlineReconciler {
  private readonly now: () => number;
  private readonly running = new Map<string, Promise<OnlineReconcileReport>>();
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;

  constructor(private readonly deps: OnlineReconcilerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Runs (or joins the run of) one business day: a closed one (the daily run), or on demand any
   * day up to today (today's is provisional: a later run replaces its unresolved findings).
   */
  run(day: string, trigger: 'daily' | 'manual', operatorId: string | null): Promise<OnlineReconcileReport> {
    if (dayStart(day) > this.now()) return Promise.reject(ReconcileErrors.futureDay());
    const open = this.running.get(day);
    if (open) return open;
    const p = this.runOnce(day, trigger, operatorId).finally(() => this.running.delete(day));
    this.running.set(day, p);
    return p;
  }

  private progress(p: ReconcileProgress): void {
    this.deps.bus.emit('reconcile:progress', p);
  }

  private async runOnce(day: string, trigger: 'daily' | 'manual', operatorId: string | null): Promise<OnlineReconcileReport> {
    const { db, env } = this.deps;
    this.progress({ day, step: 'statement', done: 0, total: 0 });
    let statement: StatementLine[];
    try {
      statement = (await env.acquirer.statement(day)).lines;
    } catch {
      this.progress({ day, step: 'failed', done: 0, total: 0 });
      throw ReconcileErrors.unavailable();
    }
    this.progress({ day, step: 'matching', done: 0, total: statement.length });
    const { payments, refunds } = await this.local(day, statement);
    const nextDay = chinaDay(dayStart(day) + DAY_MS);
    const m = matchOnline(payments, refunds, statement, { carryFrom: dayStart(day) + DAY_MS - CARRY_TAIL_MS });
    const toCorrect = m.findings.filter((f) => f.correct);
    const corrected = new Set<Finding>();
    for (const [i, f] of toCorrect.entries()) {
      this.progress({ day, step: 'correcting', done: i, total: toCorrect.length });
      const correction = { day, why: `statement ${day}: ${f.outcome}, acquirer ${f.acquirerState} ${f.acquirerFen} fen, till ${f.localState}` };
      try {
        const r = f.correct === 'payment_succeeded'
          ? (await transitionPayment(env, f.ref, 'succeeded', { correction, error: null })).changed
          : (await transitionRefund(env, f.ref, 'succeeded', undefined, correction)).changed;
        if (r) corrected.add(f);
      } catch (e) {
        // A refund whose correction would pass the amount paid (the payments CHECK), or any other
        // refusal: nothing was written; the line waits for a supervisor.
        env.log(`reconcile: correction of ${f.ref} refused`, e);
      }
    }
    const after = await this.local(day, statement);
    const localNetFen = after.payments.filter((p) => p.state === 'succeeded').reduce((s, p) => s + p.amountFen, 0)
      - after.refunds.filter((r) => r.state === 'succeeded').reduce((s, r) => s + r.amountFen, 0);
    const acquirerNetFen = statement.reduce((s, l) => s + l.amountFen, 0);
    const at = this.now();
    await db.tx(async (q) => {
      // Unresolved findings of an earlier run are replaced; corrected and resolved ones stay.
      await q.run("DELETE FROM reconcile_lines WHERE day = ? AND action = 'supervisor' AND resolved_at IS NULL", [day]);
      for (const f of m.findings) {
        await q.run(
          `INSERT OR IGNORE INTO reconcile_lines (day, kind, ref, order_no, outcome, local_fen, acquirer_fen, local_state, acquirer_state, action)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [day, f.kind, f.ref, f.orderNo, f.outcome, f.localFen, f.acquirerFen, f.localState, f.acquirerState, corrected.has(f) ? 'corrected' : 'supervisor'],
        );
      }
      // A line kept from an earlier run whose item now matches is listed once, not counted again as matched.
      const found = new Set(m.findings.map((f) => `${f.kind}|${f.ref}`));
      const kept = (await q.all<{ kind: string; ref: string }>('SELECT kind, ref FROM reconcile_lines WHERE day = ?', [day])).filter((r) => !found.has(`${r.kind}|${r.ref}`)).length;
      await q.run(
        `INSERT INTO reconcile_runs (day, ran_at, trigger, operator_id, matched, local_total_fen, acquirer_total_fen) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(day) DO UPDATE SET ran_at = excluded.ran_at, trigger = excluded.trigger, operator_id = excluded.operator_id,
           matched = excluded.matched, local_total_fen = excluded.local_total_fen, acquirer_total_fen = excluded.acquirer_total_fen`,
        [day, at, trigger, operatorId, Math.max(0, m.matched - kept), localNetFen, acquirerNetFen],
      );
      await q.run('DELETE FROM reconcile_carry WHERE from_day = ?', [day]);
      for (const c of m.carried) await q.run('INSERT INTO reconcile_carry (from_day, to_day, kind, ref) VALUES (?, ?, ?, ?)', [day, nextDay, c.kind, c.ref]);
      await audit(q, { operatorId, action: 'reconcile.run', detail: { day, trigger, findings: m.findings.length, corrected: corrected.size, carried: m.carried.length } }, at);
    });
    this.progress({ day, step: 'done', done: toCorrect.length, total: toCorrect.length });
    // The next day already ran without these (days reconciled out of order): it runs again with them.
    if (m.carried.length && (await db.get('SELECT 1 AS x FROM reconcile_runs WHERE day = ?', [nextDay]))) {
      await this.run(nextDay, trigger, operatorId).catch(() => undefined);
    }
    return (await this.report(day))!;
  }

  /** Our online payments and refunds of the day, and any other the statement names. */
  private async local(day: string, statement: readonly StatementLine[]): Promise<{ payments: LocalPayment[]; refunds: LocalRefund[] }> {
    const { db } = this.deps;
    const from = dayStart(day);
    const tenders = ONLINE_TENDERS.map(() => '?').join(',');
    const orders = [...new Set(statement.filter((l) => l.kind !== 'refund').map((l) => l.orderNo))];
    const refundNos = [...new Set(statement.filter((l) => l.kind === 'refund').map((l) => l.refNo))];
    // Late ones the day before's statement did not hold (carried here), as if this statement named them.
    const carried = await db.all<{ kind: 'payment' | 'refund'; ref: string }>('SELECT kind, ref FROM reconcile_carry WHERE to_day = ?', [day]);
    orders.push(...carried.filter((c) => c.kind === 'payment').map((c) => c.ref));
    refundNos.push(...carried.filter((c) => c.kind === 'refund').map((c) => c.ref));
    const inList = (n: number) => (n ? Array.from({ length: n }, () => '?').join(',') : "''");
    const payments = await db.all<{ order_no: string; amount_fen: number; state: LocalPayment['state']; purpose: 'sale' | 'withdrawal'; created_at: number }>(
      `SELECT order_no, amount_fen, state, purpose, created_at FROM payments WHERE tender IN (${tenders}) AND ((created_at >= ? AND created_at < ?) OR order_no IN (${inList(orders.length)}))`,
      [...ONLINE_TENDERS, from, from + DAY_MS, ...orders],
    );
    const refunds = await db.all<{ refund_no: string; order_no: string; amount_fen: number; state: LocalRefund['state']; created_at: number }>(
      `SELECT r.refund_no, r.order_no, r.amount_fen, r.state, r.created_at FROM refunds r JOIN payments p ON p.order_no = r.order_no
       WHERE p.tender IN (${tenders}) AND ((r.created_at >= ? AND r.created_at < ?) OR r.refund_no IN (${inList(refundNos.length)}))`,
      [...ONLINE_TENDERS, from, from + DAY_MS, ...refundNos],
    );
    return {
      payments: payments.map((p) => ({ orderNo: p.order_no, amountFen: p.amount_fen, state: p.state, purpose: p.purpose, createdAt: p.created_at })),
      refunds: refunds.map((r) => ({ refundNo: r.refund_no, orderNo: r.order_no, amountFen: r.amount_fen, state: r.state, createdAt: r.created_at })),
    };
  }

  /** The day's last result, or null before its first run. */
  async report(day: string): Promise<OnlineReconcileReport | null> {
    const run = await this.deps.db.get<{ ran_at: number; trigger: 'daily' | 'manual'; matched: number; local_total_fen: number; acquirer_total_fen: number }>(
      'SELECT * FROM reconcile_runs WHERE day = ?', [day]);
    if (!run) return null;
    const rows = await this.deps.db.all<LineRow>("SELECT * FROM reconcile_lines WHERE day = ? ORDER BY action = 'corrected', kind, ref", [day]);
    const lines: OnlineReconcileLine[] = rows.map((r) => {
      const f: Finding = { kind: r.kind, ref: r.ref, orderNo: r.order_no, outcome: r.outcome, localFen: r.local_fen, acquirerFen: r.acquirer_fen, localState: r.local_state, acquirerState: r.acquirer_state, correct: null };
      return {
        kind: r.kind, ref: r.ref, orderNo: r.order_no, outcome: r.outcome, localFen: r.local_fen, acquirerFen: r.acquirer_fen,
        localState: r.local_state, acquirerState: r.acquirer_state, action: r.action, ...describeFinding(f, r.action === 'corrected'),
        resolvedBy: r.resolved_by, resolvedAt: r.resolved_at, resolution: r.resolution,
      };
    });
    const counts = { matched: run.matched, missing_locally: 0, missing_at_acquirer: 0, amount_mismatch: 0, status_mismatch: 0 };
    for (const l of lines) counts[l.outcome] += 1;
    const carried = (await this.deps.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM reconcile_carry WHERE from_day = ?', [day]))!.n;
    return {
      day, ranAt: run.ran_at, trigger: run.trigger, counts, carried,
      corrected: lines.filter((l) => l.action === 'corrected').length,
      waiting: lines.filter((l) => l.action === 'supervisor' && l.resolvedAt === null).length,
      localNetFen: run.local_total_fen, acquirerNetFen: run.acquirer_total_fen, lines,
    };
  }

  /** A supervisor closes a waiting line (the dispatcher admits supervisors and administrators only). */
  async resolve(input: { day: string; kind: 'payment' | 'refund'; ref: string; note: string }, operatorId: string): Promise<OnlineReconcileReport> {
    const at = this.now();
    await this.deps.db.tx(async (q) => {
      const row = await q.get<LineRow>('SELECT * FROM reconcile_lines WHERE day = ? AND kind = ? AND ref = ?', [input.day, input.kind, input.ref]);
      if (!row) throw ReconcileErrors.notFound();
      if (row.action !== 'supervisor') throw ReconcileErrors.notWaiting();
      if (row.resolved_at !== null) throw ReconcileErrors.resolvedAlready();
      await q.run('UPDATE reconcile_lines SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE day = ? AND kind = ? AND ref = ?',
        [operatorId, at, input.note, input.day, input.kind, input.ref]);
      await audit(q, { operatorId, action: 'reconcile.resolve', detail: { day: input.day, kind: input.kind, ref: input.ref, outcome: row.outcome, note: input.note } }, at);
    });
    return (await this.report(input.day))!;
  }

  /** The Z report's share: the day's last result in brief, or null before its first run. */
  async summary(day: string): Promise<ReconcileSummary | null> {
    const r = await this.report(day);
    return r && { ranAt: r.ranAt, counts: r.counts, corrected: r.corrected, waiting: r.waiting };
  }

  /** CSV with csv-stringify (as core/aml/report-csv.ts): BOM, CRLF, every cell quoted, formulas escaped. */
  async csv(day: string): Promise<{ csv: string; fileName: string }> {
    const r = await this.report(day);
    const rows: Array<Array<string | number>> = [
      ['在线交易对账 / Online payments reconciliation', day],
      ['对账时间（北京时间）/ Run at (China time)', r ? new Date(r.ranAt + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : ''],
      ['一致 / Matched', r?.counts.matched ?? 0],
      ['自动更正 / Corrected', r?.corrected ?? 0],
      ['待主管处理 / Waiting for a supervisor', r?.waiting ?? 0],
      ['本机净额（元）/ Till net (¥)', r ? formatFen(Math.abs(r.localNetFen)) : ''],
      ['收单机构净额（元）/ Acquirer net (¥)', r ? formatFen(Math.abs(r.acquirerNetFen)) : ''],
      [],
      ['类型 / Kind', '单号 / Ref', '订单号 / Order', '结果 / Outcome', '本机金额 / Till ¥', '收单金额 / Acquirer ¥', '本机状态 / Till state', '收单状态 / Acquirer state',
        '处理 / Action', '说明 / Finding', '主管 / Resolved by', '主管说明 / Resolution'],
      ...(r?.lines ?? []).map((l) => [
        l.kind, l.ref, l.orderNo, l.outcome, l.localFen === null ? '' : formatFen(l.localFen), l.acquirerFen === null ? '' : formatFen(l.acquirerFen),
        l.localState ?? '', l.acquirerState ?? '', l.action, `${l.zh} / ${l.en}`, l.resolvedBy ?? '', l.resolution ?? '',
      ]),
    ];
    const csv = stringify(rows, { bom: true, record_delimiter: 'windows', quoted: true, escape_formulas: true });
    return { csv, fileName: `reconcile-online-${day.replace(/-/g, '')}.csv` };
  }

  /** The daily run: checks every `tickMs` whether yesterday (China time) is due and not yet reconciled. */
  startDaily(): void {
    const tick = () => void this.dailyDue().catch(() => undefined);
    this.timer = setInterval(tick, this.deps.tickMs ?? 10 * 60_000);
    this.timer.unref();
    this.first = setTimeout(tick, 5_000);
    this.first.unref();
  }

  /**
   * Runs every closed day not yet reconciled, oldest first: yesterday once the day has closed
   * (plus grace), and the days before it back to the first online payment, at most
   * `CATCH_UP_DAYS` (a counter that was off). Stops at the first that fails (the next tick
   * tries again). Returns whether any ran.
   */
  async dailyDue(): Promise<boolean> {
    const now = this.now();
    const todayStart = dayStart(chinaDay(now));
    if (now - todayStart < (this.deps.graceMs ?? 30 * 60_000)) return false;
    const first = (await this.deps.db.get<{ at: number | null }>(
      `SELECT MIN(created_at) AS at FROM payments WHERE tender IN (${ONLINE_TENDERS.map(() => '?').join(',')})`, [...ONLINE_TENDERS]))?.at ?? null;
    const firstDay = first === null ? null : chinaDay(first);
    const due: string[] = [];
    for (let back = CATCH_UP_DAYS; back >= 1; back--) {
      const day = chinaDay(todayStart - (back - 1) * DAY_MS - 1);
      // Yesterday always (the acquirer may hold what we do not); earlier days only since the first payment.
      if (back > 1 && (firstDay === null || day < firstDay)) continue;
      if (!(await this.deps.db.get('SELECT 1 AS x FROM reconcile_runs WHERE day = ?', [day]))) due.push(day);
    }
    for (const day of due) await this.run(day, 'daily', null);
    return due.length > 0;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.first) clearTimeout(this.first);
    this.timer = null;
    this.first = null;
  }
}
