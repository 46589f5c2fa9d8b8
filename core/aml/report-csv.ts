/**
 * The AML report as the CSV file an agent hands to the acquirer: a heading block (period,
 * terminal, who exported it and when), the totals, one row per case, one row per piece of
 * evidence. Every label is zh-CN first, then English. Identifiers are exactly what the report
 * holds: masked forms and keyed subject references, never a full phone, account or code.
 *
 * csv-stringify writes the file: quoting, a BOM so spreadsheet programs read the Chinese as
 * UTF-8, CRLF lines, and `escape_formulas` so no cell can run as a spreadsheet formula.
 */
import { stringify } from 'csv-stringify/sync';
import type { AmlCase, AmlReport, AmlStatus } from '../api/aml';
import { formatFen } from '../money';
import { CHANNEL_NAME, KIND_NAME, RULE_NAME, SUBJECT_NAME } from './rules';
import { chinaMinute } from '../china-time';

const both = (w: { zh: string; en: string }) => `${w.zh} / ${w.en}`;

export const STATUS_NAME: Record<AmlStatus, { zh: string; en: string }> = {
  open: { zh: '待处理', en: 'Open' },
  noted: { zh: '已说明', en: 'Noted' },
  reported: { zh: '已上报', en: 'Reported' },
};

/** Epoch ms → `YYYY-MM-DD HH:mm`, China time (core/china-time.ts). */
export const chinaTime = chinaMinute;

export interface ExportMeta {
  exportedBy: string;
  exportedAt: number;
  /** Operator id → name, for the notes' authors. */
  name: (id: string | null) => string;
}

export function reportFileName(r: Pick<AmlReport, 'from' | 'to' | 'terminalId'>): string {
  return `AML-${r.terminalId}-${r.from.replace(/-/g, '')}-${r.to.replace(/-/g, '')}.csv`;
}

export function reportCsv(r: AmlReport, meta: ExportMeta): string {
  const subject = (c: AmlCase) => both(SUBJECT_NAME[c.subjectType]);
  const rows: Array<Array<string | number>> = [
    ['反洗钱可疑情况报告 / Suspicious-pattern (AML) report'],
    ['期间 / Period', r.from, r.to],
    ['终端 / Terminal', r.terminalId],
    ['导出人 / Exported by', meta.exportedBy],
    ['导出时间（北京时间）/ Exported at (China time)', chinaTime(meta.exportedAt)],
    [],
    ['汇总 / Totals', '笔数 / Count', '金额（元）/ Amount (¥)'],
    ['可疑情况 / Cases', r.totals.cases, ''],
    ...(['open', 'noted', 'reported'] as const).map((s) => [both(STATUS_NAME[s]), r.totals.byStatus[s], '']),
    ...r.totals.byRule.map((b) => [both(RULE_NAME[b.rule]), b.count, formatFen(b.fen)]),
    ['涉及交易（不重复计）/ Movements named (each once)', r.totals.movements.count, formatFen(r.totals.movements.fen)],
    [],
    [
      '编号 / Case no.', '规则 / Rule', '规则所见 / What the rule saw', '对象 / Subject', '对象（脱敏）/ Masked', '对象参考号 / Subject ref',
      '开立时间 / Opened', '笔数 / Count', '金额（元）/ Amount (¥)', '状态 / Status', '代理说明 / Agent’s note', '说明人 / Noted by',
      '说明时间 / Noted at', '上报时间 / Reported at',
    ],
    ...r.cases.map((c) => [
      c.caseNo, both(c.ruleName), both(c.explain), subject(c), c.subjectMasked ?? '', c.subjectRef, chinaTime(c.openedAt), c.count,
      formatFen(c.totalFen), both(STATUS_NAME[c.status]), c.note ?? '', c.notedBy ? meta.name(c.notedBy) : '',
      c.notedAt ? chinaTime(c.notedAt) : '', c.reportedAt ? chinaTime(c.reportedAt) : '',
    ]),
    [],
    ['编号 / Case no.', '时间 / Time', '业务 / Kind', '渠道 / Channel', '单号 / Reference', '金额（元）/ Amount (¥)', '对象（脱敏）/ Masked'],
    ...r.cases.flatMap((c) => c.evidence.map((e) => [
      c.caseNo, chinaTime(e.at), both(KIND_NAME[e.kind]), both(CHANNEL_NAME[e.channel]), e.ref, formatFen(e.amountFen), e.party ?? '',
    ])),
  ];
  return stringify(rows, { bom: true, escape_formulas: true, record_delimiter: 'windows' });
}
