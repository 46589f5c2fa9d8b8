/**
 * The daily (Z) report in the core. Invariants: integer fen only; the rows are the same the
 * cashier's history shows (the payment engine's list: the payments table merged with the
 * offline outbox and the service point's bills), so the report and the history never disagree;
 * the day is China's (UTC+8). Kinds are counted apart: only sales are takings; a withdrawal is
 * cash out of the drawer and a bill is cash held for the biller. A bill the biller refused is not
 * counted as a bill (it failed); its cash is the customer's, listed apart until it is handed back
 * (a `bill_return` movement of the float, so the float's expected cash stays true).
 *
 * A closed day stays closed: every money movement counts on the day it happens (a refund on the
 * day it is made, not the day of its sale); closing a day stores its report as a numbered,
 * immutable snapshot (table `z_closings`) with its SHA-256 in the journal (`z.closed`), and the
 * report of a closed day is that snapshot, with what happened on the day after the close beside it.
 */
import { createHash } from 'node:crypto';
import type { CallContext } from '../api/contract';
import { AppError } from '../api/errors';
import { chinaDay, chinaHour, dayEnd, dayStart } from '../china-time';
import type { Payment, PaymentKind, PaymentState, Tender } from '../api/payments';
import type { ZReport } from '../api/reports';
import { appendJournal } from '../ledger/journal';
import type { Db, Queryable } from '../store/db';

/** Counted towards the day's takings: paid, or accepted offline (pending at the acquirer). */
const COUNTED: readonly PaymentState[] = ['succeeded', 'accepted_offline'];
/** The roles that may see the cash float (the same as agent:float). */
const FLOAT_ROLES = ['agent', 'supervisor', 'trainer', 'admin'];
/** Page size when reading the day's payments (a village shop's day is far below it; paging keeps memory flat). */
const PAGE = 1000;

// China days and hours come from the app's one China-time module (the screens use it too).
export { chinaDay };

/** Epoch ms of the day's first and last millisecond, China time. */
export function dayBounds(day: string): { from: number; to: number } {
  return { from: dayStart(day), to: dayEnd(day) };
}

type Sums = Pick<ZReport, 'byTender' | 'byKind' | 'byStatus' | 'totalFen' | 'offlinePending' | 'hourly'>;
type Bucket = { count: number; fen: number };

/** The sums, pure: tested on its own. */
export function sumPayments(payments: readonly Payment[]): Sums {
  const tender = new Map<Tender, Bucket>();
  const kind = new Map<PaymentKind, Bucket>();
  const status = new Map<PaymentState, Bucket>();
  const hourly = Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0, fen: 0 }));
  let totalFen = 0;
  const offlinePending = { count: 0, fen: 0 };
  for (const p of payments) {
    const s = status.get(p.state) ?? { count: 0, fen: 0 };
    s.count++;
    s.fen += p.amountFen;
    status.set(p.state, s);
    // A payment's refunds are not counted here, on the day of the sale: they count on the day
    // they are made (refundsOfDay), so a closed day's figures never change.
    if (!COUNTED.includes(p.state)) continue;
    const k = kind.get(p.kind) ?? { count: 0, fen: 0 };
    k.count++;
    k.fen += p.amountFen;
    kind.set(p.kind, k);
    // Offline-code items of any kind wait for the same acquirer (a queued bill is not one of them).
    if (p.state === 'accepted_offline' && p.tender === 'offline_code') {
      offlinePending.count++;
      offlinePending.fen += p.amountFen;
    }
    if (p.kind !== 'sale') continue;
    const tt = tender.get(p.tender) ?? { count: 0, fen: 0 };
    tt.count++;
    tt.fen += p.amountFen;
    tender.set(p.tender, tt);
    totalFen += p.amountFen;
    const h = chinaHour(p.createdAt);
    hourly[h].count++;
    hourly[h].fen += p.amountFen;
  }
  return {
    byTender: [...tender].map(([t, v]) => ({ tender: t, ...v })),
    byKind: [...kind].map(([kd, v]) => ({ kind: kd, ...v })),
    byStatus: [...status].map(([st, v]) => ({ state: st, ...v })),
    totalFen,
    offlinePending,
    hourly,
  };
}

export interface ZReportDeps {
  db: Queryable;
  /** The payment engine's list (payments table + offline outbox), newest first. */
  listPayments(f: { from: number; to: number; limit: number; offset: number }): Promise<Payment[]>;
  receiptStats(day: string): Promise<{ printed: number; reprinted: number; paperSaved: number }>;
  /** Flagged offline items accepted in [from, to] (core/offline): waiting for review, and held. */
  offlineReview?(from: number, to: number): Promise<ZReport['offlineReview']>;
  /** Bills taken in [from, to] that the biller refused (core/agent): cash still to return, and returned. */
  billRefusals?(from: number, to: number): Promise<ZReport['billRefusals']>;
  /** The day's reconciliation of online payments in brief (core/reconcile), or null before it ran. */
  reconciliation?(day: string): Promise<ZReport['reconciliation']>;
  now?: () => number;
}

/** Refunds that succeeded in [from, to], by the tender of the payment they return (an offline item's: the offline code). */
export async function refundsOfDay(q: Queryable, from: number, to: number): Promise<Array<Bucket & { tender: Tender }>> {
  return q.all<Bucket & { tender: Tender }>(
    `SELECT COALESCE(p.tender, 'offline_code') AS tender, COUNT(*) AS count, SUM(r.amount_fen) AS fen
       FROM refunds r LEFT JOIN payments p ON p.order_no = r.order_no
      WHERE r.state = 'succeeded' AND r.updated_at BETWEEN ? AND ?
      GROUP BY 1 ORDER BY 1`,
    [from, to],
  );
}

/** The day's own figures, computed live (a closed day's report is its stored snapshot instead). */
async function liveReport(deps: ZReportDeps, d: string, ctx: CallContext): Promise<ZReport> {
  const { from, to } = dayBounds(d);
  const payments: Payment[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await deps.listPayments({ from, to, limit: PAGE, offset });
    payments.push(...page);
    if (page.length < PAGE) break;
  }
  const r = await deps.receiptStats(d);
  const offlineReview = (await deps.offlineReview?.(from, to)) ?? { waiting: { count: 0, fen: 0 }, held: { count: 0, fen: 0 } };
  const billRefusals = (await deps.billRefusals?.(from, to)) ?? { toReturn: { count: 0, fen: 0 }, returned: { count: 0, fen: 0 } };
  let float: ZReport['float'] = null;
  if (ctx.operator && FLOAT_ROLES.includes(ctx.operator.role)) {
    const f = await deps.db.get<{ opening_fen: number; closing_fen: number | null; variance_fen: number | null }>(
      'SELECT opening_fen, closing_fen, variance_fen FROM agent_float_days WHERE day = ?', [d]);
    if (f) {
      // Expected = the sum of the day's movements (opening included), as core/agent computes it.
      const m = await deps.db.get<{ s: number | null }>('SELECT SUM(amount_fen) AS s FROM agent_float_moves WHERE day = ?', [d]);
      float = { openingFen: f.opening_fen, expectedFen: m?.s ?? 0, closingFen: f.closing_fen, varianceFen: f.variance_fen };
    }
  }
  const reconciliation = (await deps.reconciliation?.(d)) ?? null;
  const sums = sumPayments(payments);
  const refundsByTender = await refundsOfDay(deps.db, from, to);
  const refundedFen = refundsByTender.reduce((n, x) => n + x.fen, 0);
  const tenders = new Set([...sums.byTender.map((x) => x.tender), ...refundsByTender.map((x) => x.tender)]);
  const netByTender = [...tenders].map((tender) => ({
    tender,
    fen: (sums.byTender.find((x) => x.tender === tender)?.fen ?? 0) - (refundsByTender.find((x) => x.tender === tender)?.fen ?? 0),
  }));
  return {
    day: d, ...sums, refundedFen, refundsByTender, netByTender, netFen: sums.totalFen - refundedFen,
    offlineReview, billRefusals, receipts: { printed: r.printed, reprinted: r.reprinted, paperSaved: r.paperSaved }, float, reconciliation,
    closed: null, afterClose: null,
  };
}

export const ReportErrors = {
  alreadyClosed: (day: string, number: number) =>
    new AppError('reports.already_closed', `${day} 已关账（Z 第 ${number} 号），不能再次关账；重打请直接打印这份报表。`,
      `${day} is already closed (Z no. ${number}); it cannot be closed again. To reprint, print this report.`, { day, number }),
  futureDay: (day: string) =>
    new AppError('reports.future_day', `${day} 还没有到，不能关账。`, `${day} has not come yet: it cannot be closed.`, { day }),
  snapshotAltered: (day: string, number: number) =>
    new AppError('reports.snapshot_altered', `${day} 的关账报表（Z 第 ${number} 号）与账本中的校验值不符：报表被改动过。请联系主管和收单机构核对账本。`,
      `The closed report of ${day} (Z no. ${number}) does not match the hash in the journal: it was altered. Call your supervisor and the acquirer to check the books.`, { day, number }),
};

type ClosingRow = { number: number; day: string; closed_at: number; closed_by: string; report_json: string; hash: string };

const zRef = (n: number) => `Z${String(n).padStart(6, '0')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The stored snapshot of a closed day, checked against the hash the journal holds for it, with
 * what happened that day after the close beside it; null when the day is not closed.
 */
async function closedReport(deps: ZReportDeps, d: string, ctx: CallContext): Promise<ZReport | null> {
  const c = await deps.db.get<ClosingRow>('SELECT * FROM z_closings WHERE day = ?', [d]);
  if (!c) return null;
  const j = await deps.db.get<{ body: string }>("SELECT body FROM journal WHERE kind = 'z.closed' AND ref = ?", [zRef(c.number)]);
  const journalHash = j ? (JSON.parse(j.body) as { hash?: unknown }).hash : null;
  if (sha256(c.report_json) !== c.hash || journalHash !== c.hash) throw ReportErrors.snapshotAltered(d, c.number);
  const stored = JSON.parse(c.report_json) as ZReport;
  const { to } = dayBounds(d);
  // After the close, on the same day: sales (takings) and refunds, counted live.
  const sales = { count: 0, fen: 0 };
  for (let offset = 0; ; offset += PAGE) {
    const page = await deps.listPayments({ from: c.closed_at + 1, to, limit: PAGE, offset });
    for (const p of page) {
      if (p.kind === 'sale' && COUNTED.includes(p.state) && p.createdAt > c.closed_at) {
        sales.count++;
        sales.fen += p.amountFen;
      }
    }
    if (page.length < PAGE) break;
  }
  const late = await refundsOfDay(deps.db, c.closed_at + 1, to);
  const refunds = { count: late.reduce((n, x) => n + x.count, 0), fen: late.reduce((n, x) => n + x.fen, 0) };
  const mayFloat = ctx.operator !== null && FLOAT_ROLES.includes(ctx.operator.role);
  return {
    ...stored,
    float: mayFloat ? stored.float : null,
    closed: { number: c.number, at: c.closed_at, by: c.closed_by, hash: c.hash },
    afterClose: sales.count + refunds.count > 0 ? { sales, refunds } : null,
  };
}

export async function zReport(deps: ZReportDeps, day: string | undefined, ctx: CallContext): Promise<ZReport> {
  const d = day ?? chinaDay((deps.now ?? Date.now)());
  return (await closedReport(deps, d, ctx)) ?? liveReport(deps, d, ctx);
}

/**
 * Closes a day: its report as it stands now, stored whole (numbered, immutable) with its SHA-256
 * in the journal, in one transaction. Once per day; never a day still to come.
 */
export async function closeDay(deps: ZReportDeps & { db: Db }, day: string | undefined, ctx: CallContext): Promise<ZReport> {
  const now = (deps.now ?? Date.now)();
  const d = day ?? chinaDay(now);
  if (d > chinaDay(now)) throw ReportErrors.futureDay(d);
  const existing = await deps.db.get<{ number: number }>('SELECT number FROM z_closings WHERE day = ?', [d]);
  if (existing) throw ReportErrors.alreadyClosed(d, existing.number);
  const { closed: _c, afterClose: _a, ...report } = await liveReport(deps, d, ctx);
  const json = JSON.stringify(report);
  const hash = sha256(json);
  const by = ctx.operator?.id ?? 'system';
  try {
    await deps.db.tx(async (q) => {
      const r = await q.run('INSERT INTO z_closings (day, closed_at, closed_by, report_json, hash) VALUES (?, ?, ?, ?, ?)', [d, now, by, json, hash]);
      await appendJournal(q, { kind: 'z.closed', ref: zRef(r.lastID), amountFen: 0, body: { day: d, number: r.lastID, hash, by } }, now);
    });
  } catch (e) {
    // Two closes at once: the day is UNIQUE, the second is told the first's number.
    const again = await deps.db.get<{ number: number }>('SELECT number FROM z_closings WHERE day = ?', [d]);
    if (again) throw ReportErrors.alreadyClosed(d, again.number);
    throw e;
  }
  return zReport(deps, d, ctx);
}
