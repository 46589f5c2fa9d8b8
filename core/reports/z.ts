/**
 * The daily (Z) report in the core. Invariants: integer fen only; the rows are the same the
 * cashier's history shows (the payment engine's list: the payments table merged with the
 * offline outbox and the service point's bills), so the report and the history never disagree;
 * the day is China's (UTC+8). Kinds are counted apart: only sales are takings; a withdrawal is
 * cash out of the drawer and a bill is cash held for the biller. A bill the biller refused is not
 * counted as a bill (it failed); its cash is the customer's, listed apart until it is handed back
 * (a `bill_return` movement of the float, so the float's expected cash stays true).
 */
import type { CallContext } from '../api/contract';
import type { Payment, PaymentKind, PaymentState, Tender } from '../api/payments';
import type { ZReport } from '../api/reports';
import type { Queryable } from '../store/db';

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
/** Counted towards the day's takings: paid, or accepted offline (pending at the acquirer). */
const COUNTED: readonly PaymentState[] = ['succeeded', 'accepted_offline'];
/** The roles that may see the cash float (the same as agent:float). */
const FLOAT_ROLES = ['agent', 'supervisor', 'trainer', 'admin'];
/** Page size when reading the day's payments (a village shop's day is far below it; paging keeps memory flat). */
const PAGE = 1000;

export function chinaDay(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Epoch ms of the day's first and last millisecond, China time. */
export function dayBounds(day: string): { from: number; to: number } {
  const from = Date.parse(`${day}T00:00:00+08:00`);
  return { from, to: from + DAY_MS - 1 };
}

type Sums = Pick<ZReport, 'byTender' | 'byKind' | 'byStatus' | 'totalFen' | 'refundedFen' | 'offlinePending' | 'hourly'>;
type Bucket = { count: number; fen: number };

/** The sums, pure: tested on its own. */
export function sumPayments(payments: readonly Payment[]): Sums {
  const tender = new Map<Tender, Bucket>();
  const kind = new Map<PaymentKind, Bucket>();
  const status = new Map<PaymentState, Bucket>();
  const hourly = Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0, fen: 0 }));
  let totalFen = 0;
  let refundedFen = 0;
  const offlinePending = { count: 0, fen: 0 };
  for (const p of payments) {
    const s = status.get(p.state) ?? { count: 0, fen: 0 };
    s.count++;
    s.fen += p.amountFen;
    status.set(p.state, s);
    refundedFen += p.refundedFen;
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
    const h = new Date(p.createdAt + CHINA_OFFSET_MS).getUTCHours();
    hourly[h].count++;
    hourly[h].fen += p.amountFen;
  }
  return {
    byTender: [...tender].map(([t, v]) => ({ tender: t, ...v })),
    byKind: [...kind].map(([kd, v]) => ({ kind: kd, ...v })),
    byStatus: [...status].map(([st, v]) => ({ state: st, ...v })),
    totalFen,
    refundedFen,
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
  now?: () => number;
}

export async function zReport(deps: ZReportDeps, day: string | undefined, ctx: CallContext): Promise<ZReport> {
  const d = day ?? chinaDay((deps.now ?? Date.now)());
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
  return { day: d, ...sumPayments(payments), offlineReview, billRefusals, receipts: { printed: r.printed, reprinted: r.reprinted, paperSaved: r.paperSaved }, float };
}
