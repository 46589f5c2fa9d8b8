/**
 * The anti-money-laundering rules, pure: a movement and what the watcher read around it in,
 * findings out. Nothing here touches a disk, a clock or the network, so every rule is tested on
 * its own and a catch-up after a crash finds exactly what the live run would have found (the
 * rules look at the movements' own times, never at "now").
 *
 * Invariants:
 * - A rule only ever flags; nothing here can refuse, hold or change a payment.
 * - A per-customer rule looks at one subject's movements only: two customers are never merged.
 *   Online payment codes carry no payer identity (a one-time token; its masked form changes with
 *   every code), so online sales are watched at the counter, as one subject (`counter`).
 * - Evidence names movements by their order or reference number and carries masked identifiers
 *   only (`138****1111`, a wallet's last four, `**** 5678`): never a full phone, account, wallet
 *   id or payment code.
 */
import { AmlRuleName } from '../api/aml';
import { formatFen } from '../money';
import { DEFAULT_AML_WATCH, type AmlWatchPolicy } from '../risk/aml-watch';
import type { RiskPolicy } from '../risk/policy';

/** The rules, in evaluation order (their names are the contract's, core/api/aml.ts). */
export const AML_RULES = AmlRuleName.options;
export type AmlRule = AmlRuleName;

/** What moved: a sale, cash handed out (service-point withdrawal, offline cash-out), a bill, a remittance paid in. */
export type MovementKind = 'sale' | 'withdrawal' | 'cash_out' | 'bill' | 'remittance';
export type Channel = 'online' | 'offline' | 'cash' | 'service';
/** Who a movement is attributed to: a customer's phone (hashed), an offline wallet, a bill account, or the counter itself. */
export type SubjectType = 'phone' | 'wallet' | 'account' | 'counter';

export interface Subject {
  type: SubjectType;
  /** A hash (or `counter`): never a plain phone, account or wallet id. */
  key: string;
  /** What a person may see: `138****1111`, `…1234`, `**** 5678`; null for the counter. */
  masked: string | null;
}

export const COUNTER: Subject = { type: 'counter', key: 'counter', masked: null };

export interface Movement {
  /** The journal row it was read from: the order movements were committed in. */
  seq: number;
  at: number;
  /** China calendar day of `at`. */
  day: string;
  kind: MovementKind;
  channel: Channel;
  /** Order number, withdrawal's order number, bill id or remittance reference. */
  ref: string;
  amountFen: number;
  subject: Subject | null;
  /** The masked identifier shown with it: the subject's, or a remittance's beneficiary (`**** 5678`). */
  party: string | null;
  /** At or just under the line that applied to it (the policy's ratio of that line, up to the line). */
  nearLimit: boolean;
  /** That line (fen), when one is known; an offline payment's cap is the offline engine's. */
  lineFen: number | null;
}

/** Every threshold the rules read: the policy's `aml` figures and its `amlWatch` section (or its defaults). */
export interface AmlThresholds extends AmlWatchPolicy {
  nearLimitRatio: number;
  nearLimitCount: number;
  cashOutCount: number;
}

export function thresholds(p: Pick<RiskPolicy, 'aml' | 'amlWatch'>): AmlThresholds {
  return { ...(p.amlWatch ?? DEFAULT_AML_WATCH), ...p.aml };
}

/** "Just under the line": at or above `ratio` of it, and not above it. Integer arithmetic (ratio to 0.1%). */
export function nearLine(amountFen: number, lineFen: number, ratio: number): boolean {
  return amountFen <= lineFen && amountFen * 1000 >= lineFen * Math.round(ratio * 1000);
}

const CASH_OUT: readonly MovementKind[] = ['withdrawal', 'cash_out'];
export const isCashOut = (m: Pick<Movement, 'kind'>) => CASH_OUT.includes(m.kind);

/** What the watcher read around one movement (the movement itself included where it belongs). */
export interface RuleContext {
  /** This movement's subject: its movements up to this one within `lookbackMs(t)` of it, oldest first. */
  subjectRecent: readonly Movement[];
  /** Remittances paid in at this counter up to this movement, within the remittance window. */
  remittances: readonly Movement[];
  /** The counter's totals of this movement's day, this one included. */
  today: { count: number; fen: number };
  /** The counter's totals of each earlier day with movements among the last `baselineDays` days. */
  baseline: ReadonlyArray<{ day: string; count: number; fen: number }>;
}

/** How far back a subject's movements are read: the longest window any per-subject rule uses. */
export function lookbackMs(t: AmlThresholds): number {
  return Math.max(t.nearLimitWindowMs, t.cashOutWindowMs, 86_400_000);
}

/** A case's extent: new evidence joins the same case while it falls within it. */
export type Scope = { kind: 'day'; day: string } | { kind: 'window'; windowMs: number };

export interface Finding {
  rule: AmlRule;
  subject: Subject;
  scope: Scope;
  /** The movements that make the pattern, oldest first. */
  evidence: Movement[];
  /** The figures the rule compared (fen, counts, ms): shown and exported with the case. */
  figures: Record<string, number>;
}

/** Evaluates every rule for one movement; the order of findings is the order of AML_RULES. */
export function evaluate(t: AmlThresholds, m: Movement, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const s = m.subject;
  const mine = ctx.subjectRecent.filter((x) => s !== null && x.subject?.key === s.key && x.seq <= m.seq);

  if (s && m.nearLimit) {
    const hits = mine.filter((x) => x.nearLimit && x.at > m.at - t.nearLimitWindowMs);
    if (hits.length >= t.nearLimitCount) {
      out.push({
        rule: 'near_limit_repeated', subject: s, scope: { kind: 'window', windowMs: t.nearLimitWindowMs }, evidence: hits,
        figures: { count: hits.length, minCount: t.nearLimitCount, ratioPermille: Math.round(t.nearLimitRatio * 1000), ...(m.lineFen !== null ? { lineFen: m.lineFen } : {}), windowMs: t.nearLimitWindowMs },
      });
    }
  }

  if (s && s.type !== 'counter' && isCashOut(m)) {
    const hits = mine.filter((x) => isCashOut(x) && x.at > m.at - t.cashOutWindowMs);
    if (hits.length >= t.cashOutCount) {
      out.push({
        rule: 'repeated_cash_out', subject: s, scope: { kind: 'window', windowMs: t.cashOutWindowMs }, evidence: hits,
        figures: { count: hits.length, minCount: t.cashOutCount, windowMs: t.cashOutWindowMs },
      });
    }
  }

  const st = t.structuring;
  if (s && s.type !== 'counter' && m.amountFen < st.smallBelowFen) {
    const hits = mine.filter((x) => x.day === m.day && x.amountFen < st.smallBelowFen);
    const sum = hits.reduce((a, x) => a + x.amountFen, 0);
    if (hits.length >= st.minCount && sum >= st.minTotalFen) {
      out.push({
        rule: 'structuring', subject: s, scope: { kind: 'day', day: m.day }, evidence: hits,
        figures: { count: hits.length, minCount: st.minCount, totalFen: sum, minTotalFen: st.minTotalFen, smallBelowFen: st.smallBelowFen },
      });
    }
  }

  const rc = t.remitThenCashOut;
  if (s && s.type !== 'counter' && isCashOut(m) && m.amountFen % rc.roundFen === 0 && m.amountFen >= rc.minCashOutFen) {
    const rems = ctx.remittances.filter((r) => r.kind === 'remittance' && r.seq < m.seq && r.at <= m.at && r.at > m.at - rc.windowMs && r.amountFen >= rc.minRemitFen);
    if (rems.length) {
      out.push({
        rule: 'remit_then_cash_out', subject: s, scope: { kind: 'window', windowMs: rc.windowMs }, evidence: [...rems, m],
        figures: { remittedFen: rems.reduce((a, r) => a + r.amountFen, 0), cashOutFen: m.amountFen, roundFen: rc.roundFen, windowMs: rc.windowMs },
      });
    }
  }

  const v = t.volume;
  if (ctx.baseline.length >= v.minBaselineDays) {
    const meanFen = Math.round(ctx.baseline.reduce((a, d) => a + d.fen, 0) / ctx.baseline.length);
    const unusual = (fen: number) => fen >= v.minDayFen && fen > v.multiplier * meanFen;
    // Once a day, on the movement that takes the day over the line: the case holds that moment's
    // figures and that movement; the rest of the day's movements are the counter's ordinary trade.
    if (unusual(ctx.today.fen) && !unusual(ctx.today.fen - m.amountFen)) {
      out.push({
        rule: 'volume_spike', subject: COUNTER, scope: { kind: 'day', day: m.day }, evidence: [m],
        figures: {
          todayFen: ctx.today.fen, todayCount: ctx.today.count, baselineFen: meanFen, baselineDays: ctx.baseline.length,
          multiplierPermille: Math.round(v.multiplier * 1000), minDayFen: v.minDayFen,
        },
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------ words (zh-CN first, en)

type Words = { zh: string; en: string };

export const RULE_NAME: Record<AmlRule, Words> = {
  near_limit_repeated: { zh: '多笔金额紧贴限额', en: 'Repeated amounts just under a limit' },
  repeated_cash_out: { zh: '同一客户反复取现', en: 'Repeated cash-outs by one customer' },
  structuring: { zh: '多笔小额凑成大额（拆分）', en: 'Many small amounts adding up to a large one (structuring)' },
  remit_then_cash_out: { zh: '汇款后随即整额取现', en: 'Round cash-out right after a remittance' },
  volume_spike: { zh: '本柜台当日金额异常', en: "Unusual volume against this counter's baseline" },
};

export const KIND_NAME: Record<MovementKind, Words> = {
  sale: { zh: '销售收款', en: 'Sale' },
  withdrawal: { zh: '助农取款', en: 'Withdrawal' },
  cash_out: { zh: '离线取现', en: 'Offline cash-out' },
  bill: { zh: '代缴费', en: 'Bill payment' },
  remittance: { zh: '汇款（收现）', en: 'Remittance (cash in)' },
};

export const CHANNEL_NAME: Record<Channel, Words> = {
  online: { zh: '线上付款码', en: 'Online code' },
  offline: { zh: '离线付款码', en: 'Offline code' },
  cash: { zh: '现金', en: 'Cash' },
  service: { zh: '助农服务', en: 'Service point' },
};

export const SUBJECT_NAME: Record<SubjectType, Words> = {
  phone: { zh: '客户手机', en: 'Customer phone' },
  wallet: { zh: '离线钱包', en: 'Offline wallet' },
  account: { zh: '缴费户号', en: 'Bill account' },
  counter: { zh: '本柜台', en: 'This counter' },
};

/** ¥1,234.50: integer fen through core/money, thousands grouped in the integer part only. */
export function yuan(fen: number): string {
  const [int, dec] = formatFen(fen).split('.');
  return `¥${int.replace(/\B(?=(\d{3})+$)/g, ',')}.${dec}`;
}
const hours = (ms: number) => Math.round(ms / 3_600_000);
const pct = (permille: number) => `${permille / 10}%`;

/** What the rule saw, in a sentence, from the figures stored with the case. */
export function explain(rule: AmlRule, f: Record<string, number>): Words {
  switch (rule) {
    case 'near_limit_repeated': {
      const line = f.lineFen !== undefined ? yuan(f.lineFen) : null;
      return {
        zh: `${hours(f.windowMs)} 小时内 ${f.count} 笔金额达到${line ? `限额 ${line} ` : '离线单笔上限'}的 ${pct(f.ratioPermille)} 以上且未超过（达到 ${f.minCount} 笔即标记）。`,
        en: `${f.count} movements within ${hours(f.windowMs)} h at ${pct(f.ratioPermille)} or more of ${line ? `the ${line} line` : 'the offline per-payment cap'}, none above it (flagged from ${f.minCount}).`,
      };
    }
    case 'repeated_cash_out':
      return {
        zh: `${hours(f.windowMs)} 小时内取现 ${f.count} 次（达到 ${f.minCount} 次即标记）。`,
        en: `${f.count} cash-outs within ${hours(f.windowMs)} h (flagged from ${f.minCount}).`,
      };
    case 'structuring':
      return {
        zh: `当天 ${f.count} 笔小额（每笔低于 ${yuan(f.smallBelowFen)}），合计 ${yuan(f.totalFen)}（${f.minCount} 笔且合计达到 ${yuan(f.minTotalFen)} 即标记）。`,
        en: `${f.count} small amounts in one day (each below ${yuan(f.smallBelowFen)}) adding up to ${yuan(f.totalFen)} (flagged from ${f.minCount} and ${yuan(f.minTotalFen)}).`,
      };
    case 'remit_then_cash_out':
      return {
        zh: `本柜台收汇款现金 ${yuan(f.remittedFen)} 后 ${hours(f.windowMs)} 小时内，该客户取出整额现金 ${yuan(f.cashOutFen)}（${yuan(f.roundFen)} 的整数倍）。`,
        en: `${yuan(f.cashOutFen)} in cash (a multiple of ${yuan(f.roundFen)}) taken out by this customer within ${hours(f.windowMs)} h of ${yuan(f.remittedFen)} paid in for remittance at this counter.`,
      };
    case 'volume_spike':
      return {
        zh: `今日经本柜台 ${yuan(f.todayFen)}（${f.todayCount} 笔），超过近 ${f.baselineDays} 个营业日日均 ${yuan(f.baselineFen)} 的 ${f.multiplierPermille / 1000} 倍。`,
        en: `${yuan(f.todayFen)} through this counter today (${f.todayCount} movements), above ${f.multiplierPermille / 1000} times the mean of ${yuan(f.baselineFen)} over its last ${f.baselineDays} trading days.`,
      };
  }
}
