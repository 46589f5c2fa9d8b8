/**
 * Alipay's trade bill (`bill_type=trade`) for reconciliation: a zip holding two GBK CSV files,
 * the detail (业务明细) and the summary (汇总). The detail is found by its header row, not by its
 * file name (zip names are GBK too and tools disagree on how to read them). Lines starting with
 * `#` are Alipay's own title and footer. 业务类型 交易 is a payment, 退款 a refund (its request
 * number, our refund number, is 退款批次号/请求号); amounts are yuan, a refund's negative, and so
 * are our lines' (money out of the merchant is negative, as in the sandbox's statement).
 * Anything unreadable throws: a statement is never silently shortened.
 */
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import type { Statement, StatementLine } from '../types';
import { yuanToFen } from '../yuan';

const COL = {
  tradeNo: '支付宝交易号',
  orderNo: '商户订单号',
  kind: '业务类型',
  finishedAt: '完成时间',
  amount: '订单金额（元）',
  requestNo: '退款批次号/请求号',
};

/** `2026-12-06 10:11:12`, Beijing time, to epoch ms. */
function beijing(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +m[6]);
}

function cells(line: string): string[] {
  // Alipay's bill quotes nothing and pads cells with spaces and tabs.
  return line.split(',').map((c) => c.trim());
}

/** Reads the detail CSV (already decoded) into statement lines. */
export function parseTradeCsv(date: string, text: string): Statement {
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const head = rows.findIndex((l) => l.includes(COL.tradeNo) && l.includes(COL.kind));
  if (head < 0) throw new Error('alipay bill: no detail header');
  const names = cells(rows[head]);
  const at = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`alipay bill: no column ${name}`);
    return i;
  };
  const ix = { tradeNo: at(COL.tradeNo), orderNo: at(COL.orderNo), kind: at(COL.kind), finishedAt: at(COL.finishedAt), amount: at(COL.amount), requestNo: at(COL.requestNo) };
  const lines: StatementLine[] = [];
  for (const row of rows.slice(head + 1)) {
    const c = cells(row);
    const fen = yuanToFen(c[ix.amount]);
    const when = beijing(c[ix.finishedAt]);
    if (fen === null || Number.isNaN(when)) throw new Error(`alipay bill: unreadable line ${row.slice(0, 80)}`);
    if (c[ix.kind] === '交易') {
      lines.push({ kind: 'payment', orderNo: c[ix.orderNo], refNo: c[ix.tradeNo], amountFen: fen, at: when });
    } else if (c[ix.kind] === '退款') {
      lines.push({ kind: 'refund', orderNo: c[ix.orderNo], refNo: c[ix.requestNo] || c[ix.tradeNo], amountFen: -Math.abs(fen), at: when });
    } else {
      throw new Error(`alipay bill: unknown 业务类型 ${c[ix.kind]}`);
    }
  }
  const totalFen = lines.reduce((s, l) => s + l.amountFen, 0);
  return { date, lines, totalFen };
}

/** The downloaded zip → the day's statement. */
export function parseTradeBillZip(date: string, zip: Uint8Array): Statement {
  const files = unzipSync(zip);
  for (const [name, bytes] of Object.entries(files)) {
    if (!/\.csv$/i.test(name)) continue;
    const text = iconv.decode(Buffer.from(bytes), 'gbk');
    if (text.includes(COL.tradeNo) && text.includes(COL.kind) && text.includes(COL.requestNo)) return parseTradeCsv(date, text);
  }
  throw new Error('alipay bill: no detail file in the zip');
}
