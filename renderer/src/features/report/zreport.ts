/**
 * Sums for the daily (Z) report from the day's payments, integer fen only. Pure, so it is
 * unit-tested; the payments themselves come from the core (payments:list).
 */
import type { Payment, PaymentState, Tender } from '../../../../core/api/payments';

export interface ZReport {
  byTender: Array<{ tender: Tender; count: number; fen: number }>;
  byStatus: Array<{ state: PaymentState; count: number; fen: number }>;
  /** Paid plus accepted offline. */
  totalFen: number;
  refundedFen: number;
  offlinePending: { count: number; fen: number };
  /** 24 buckets, China time, of paid and accepted-offline amounts. */
  hourly: Array<{ hour: number; count: number; fen: number }>;
}

const COUNTED: readonly PaymentState[] = ['succeeded', 'accepted_offline'];
const CHINA_OFFSET_MS = 8 * 3_600_000;

export function zReport(payments: readonly Payment[]): ZReport {
  const tender = new Map<Tender, { count: number; fen: number }>();
  const status = new Map<PaymentState, { count: number; fen: number }>();
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
    const tt = tender.get(p.tender) ?? { count: 0, fen: 0 };
    tt.count++;
    tt.fen += p.amountFen;
    tender.set(p.tender, tt);
    totalFen += p.amountFen;
    if (p.state === 'accepted_offline') {
      offlinePending.count++;
      offlinePending.fen += p.amountFen;
    }
    const h = new Date(p.createdAt + CHINA_OFFSET_MS).getUTCHours();
    hourly[h].count++;
    hourly[h].fen += p.amountFen;
  }
  return {
    byTender: [...tender].map(([t, v]) => ({ tender: t, ...v })),
    byStatus: [...status].map(([st, v]) => ({ state: st, ...v })),
    totalFen,
    refundedFen,
    offlinePending,
    hourly,
  };
}

/** One CSV field: quoted when it holds a comma, quote or line break; formula-leading characters neutralised. */
export function csvField(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  // A BOM so spreadsheet programs read the Chinese as UTF-8.
  return `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
