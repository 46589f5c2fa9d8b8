/**
 * WeChat Pay's v2 bill (`downloadbill`, bill_type ALL) for reconciliation: UTF-8 text (a BOM
 * may lead), a header row, one row per transaction with every cell prefixed by a backtick, then
 * a summary header and its row. 交易状态 SUCCESS is a payment (微信订单号), REFUND a refund
 * (商户退款单号 = our refund number), REVOKED a reversal. Amounts are yuan; money out of the
 * merchant (refunds, reversals) is negative in our lines, as in the sandbox's statement. Anything unreadable
 * throws: a statement is never silently shortened.
 */
import type { Statement, StatementLine } from '../types';
import { yuanToFen } from '../yuan';

function beijing(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +m[6]) : NaN;
}

const cells = (line: string) => line.split(',').map((c) => c.replace(/^`/, '').trim());

export function parseWechatBill(date: string, text: string): Statement {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (rows.length === 0) throw new Error('wechat bill: empty');
  const names = cells(rows[0]);
  const at = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`wechat bill: no column ${name}`);
    return i;
  };
  const ix = { time: at('交易时间'), txId: at('微信订单号'), orderNo: at('商户订单号'), state: at('交易状态'), total: at('订单金额'), refundNo: at('商户退款单号'), refundFen: at('申请退款金额') };
  const lines: StatementLine[] = [];
  for (const row of rows.slice(1)) {
    if (!row.startsWith('`')) break; // the summary header: the detail is over
    const c = cells(row);
    const when = beijing(c[ix.time]);
    const state = c[ix.state];
    const fen = yuanToFen(state === 'REFUND' ? c[ix.refundFen] : c[ix.total]);
    if (fen === null || Number.isNaN(when)) throw new Error(`wechat bill: unreadable line ${row.slice(0, 80)}`);
    if (state === 'SUCCESS') lines.push({ kind: 'payment', orderNo: c[ix.orderNo], refNo: c[ix.txId], amountFen: fen, at: when });
    else if (state === 'REFUND') lines.push({ kind: 'refund', orderNo: c[ix.orderNo], refNo: c[ix.refundNo], amountFen: -Math.abs(fen), at: when });
    else if (state === 'REVOKED') lines.push({ kind: 'reversal', orderNo: c[ix.orderNo], refNo: c[ix.txId], amountFen: -Math.abs(fen), at: when });
    else throw new Error(`wechat bill: unknown 交易状态 ${state}`);
  }
  // A reversal takes money back only from a payment the same bill lists (a code payment
  // reversed before it was paid moved nothing).
  const paid = new Set(lines.filter((l) => l.kind === 'payment').map((l) => l.orderNo));
  const totalFen = lines.reduce((s, l) => s + (l.kind !== 'reversal' || paid.has(l.orderNo) ? l.amountFen : 0), 0);
  return { date, lines, totalFen };
}
