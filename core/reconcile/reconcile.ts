/**
 * Reconciliation of offline items: the acquirer's day statement matched against the local
 * record of that (Beijing) day. Pure: `reconcile` takes both lists and returns the report;
 * fetching and exporting are thin wrappers.
 *
 * Outcomes per order number:
 * - matched             on both sides, same amount, once
 * - missing_at_acquirer we accepted it (and it was not declined) but the statement lacks it —
 *                       still pending upload, or lost: the report says which local status it has
 * - missing_locally     the acquirer has it, we have no such item (a different terminal's? a bug?)
 * - amount_mismatch     both sides, different amounts
 * - duplicate           the statement lists it more than once (applied twice: must never happen)
 */
import type { ReconcileReport } from '../api/offline';
import { formatFen } from '../money';

export interface LocalLine {
  orderNo: string;
  amountFen: number;
  status: string;
}
export interface AcquirerLine {
  orderNo: string;
  amountFen: number;
}

export function reconcile(date: string, local: LocalLine[], acquirer: AcquirerLine[], now = Date.now()): ReconcileReport {
  const acq = new Map<string, AcquirerLine[]>();
  for (const l of acquirer) acq.set(l.orderNo, [...(acq.get(l.orderNo) ?? []), l]);
  const lines: ReconcileReport['lines'] = [];
  const seen = new Set<string>();
  for (const l of local) {
    seen.add(l.orderNo);
    const a = acq.get(l.orderNo);
    // A local decline is expected to be absent at the acquirer: it moved no money.
    if (!a) {
      if (l.status !== 'declined') lines.push({ orderNo: l.orderNo, outcome: 'missing_at_acquirer', localFen: l.amountFen, acquirerFen: null, localStatus: l.status });
      continue;
    }
    const total = a.reduce((s, x) => s + x.amountFen, 0);
    if (a.length > 1) lines.push({ orderNo: l.orderNo, outcome: 'duplicate', localFen: l.amountFen, acquirerFen: total, localStatus: l.status });
    else if (a[0].amountFen !== l.amountFen) lines.push({ orderNo: l.orderNo, outcome: 'amount_mismatch', localFen: l.amountFen, acquirerFen: a[0].amountFen, localStatus: l.status });
    else lines.push({ orderNo: l.orderNo, outcome: 'matched', localFen: l.amountFen, acquirerFen: a[0].amountFen, localStatus: l.status });
  }
  for (const [orderNo, a] of acq) {
    if (seen.has(orderNo)) continue;
    const total = a.reduce((s, x) => s + x.amountFen, 0);
    lines.push({ orderNo, outcome: a.length > 1 ? 'duplicate' : 'missing_locally', localFen: null, acquirerFen: total, localStatus: null });
  }
  const counts = { matched: 0, missing_at_acquirer: 0, missing_locally: 0, amount_mismatch: 0, duplicate: 0 };
  for (const l of lines) counts[l.outcome] += 1;
  return {
    date,
    generatedAt: now,
    counts,
    localTotalFen: local.filter((l) => l.status !== 'declined').reduce((s, l) => s + l.amountFen, 0),
    acquirerTotalFen: acquirer.reduce((s, l) => s + l.amountFen, 0),
    lines,
  };
}

const OUTCOME_ZH: Record<ReconcileReport['lines'][number]['outcome'], string> = {
  matched: '一致',
  missing_at_acquirer: '收单方缺失',
  missing_locally: '本机缺失',
  amount_mismatch: '金额不符',
  duplicate: '重复',
};

function cell(s: string): string {
  // Quote everything; neutralise spreadsheet formulas (a cell starting with = + - @).
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** CSV with a BOM so spreadsheet programs read the Chinese headers as UTF-8. */
export function reportCsv(r: ReconcileReport): string {
  const head = ['日期 date', '订单号 order', '结果 outcome', '结果 (中文)', '本机金额 local ¥', '收单金额 acquirer ¥', '本机状态 local status'];
  const rows = r.lines.map((l) => [r.date, l.orderNo, l.outcome, OUTCOME_ZH[l.outcome], l.localFen === null ? '' : formatFen(l.localFen), l.acquirerFen === null ? '' : formatFen(l.acquirerFen), l.localStatus ?? '']);
  return `\uFEFF${[head, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}
