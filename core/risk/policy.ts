/**
 * The offline risk policy: a declarative document (synced from the acquirer, validated here,
 * with safe defaults built in) and the pure function that evaluates it.
 *
 * Invariants:
 * - `decide` is pure and synchronous: the same policy, state and request give the same decision,
 *   and it touches no disk or network (a decision costs microseconds, see bench/offline.bench.ts).
 * - Every decision names the rule that made it; an accept names `within_budget`.
 * - A synced policy is only ever as strict as the acquirer says, but never looser than the
 *   regulator: regulator limits are clamped to the PBOC figures whatever the document says.
 * - Anti-money-laundering flags never refuse a payment: they mark it for review.
 */
import { z } from 'zod';
import type { Grade } from '../offline/code';
import { AmlWatchPolicy } from './aml-watch';

/** PBOC 条码支付业务规范 day limits per account (fen). Grade A is "by agreement". */
export const REGULATOR_DAY_LIMIT_FEN: Record<Grade, number | null> = { S: 50_000, B: 500_000, C: 100_000, A: null };

const FenLimit = z.number().int().min(0).max(100_000_000);

export const RiskPolicy = z
  .object({
    version: z.number().int().min(0),
    /** Largest single offline payment. */
    perPaymentCapFen: FenLimit,
    /** Per wallet per (Beijing) day, offline only, at this terminal. */
    walletDailyCapFen: FenLimit,
    /** Sum of every accepted offline item the acquirer has not answered yet (pending, sending). */
    exposureLimitFen: FenLimit,
    /** New offline payments stop when the oldest unforwarded item is older than this. */
    maxOldestPendingMs: z.number().int().min(60_000).max(7 * 86_400_000),
    /** Payments per wallet in any rolling hour. */
    velocityPerWalletPerHour: z.number().int().min(1).max(1000),
    /** Grade A day limit (by agreement with the acquirer); B, C, S are fixed by the regulator. */
    gradeADayLimitFen: FenLimit,
    aml: z
      .object({
        /** A payment at or above this share of a limit is "just under the limit". */
        nearLimitRatio: z.number().min(0.5).max(1),
        /** That many near-limit payments by one wallet in a day flags it. */
        nearLimitCount: z.number().int().min(2).max(100),
        /** That many cash-outs by one wallet in a day flags it. */
        cashOutCount: z.number().int().min(2).max(100),
      })
      .strict(),
    /**
     * The AML watcher's own thresholds (core/aml; aml-watch.ts). Optional: an acquirer that does
     * not send them leaves the built-in defaults in force.
     */
    amlWatch: AmlWatchPolicy.optional(),
  })
  .strict();
export type RiskPolicy = z.infer<typeof RiskPolicy>;

/** Built-in defaults: close to the peers' published figures (docs/DOMAIN.md), ¥ amounts in fen. */
export const DEFAULT_POLICY: RiskPolicy = {
  version: 0,
  perPaymentCapFen: 20_000, // ¥200
  walletDailyCapFen: 50_000, // ¥500
  exposureLimitFen: 500_000, // ¥5,000
  maxOldestPendingMs: 24 * 3_600_000, // Square's 24 h forwarding deadline
  velocityPerWalletPerHour: 10,
  gradeADayLimitFen: 500_000,
  aml: { nearLimitRatio: 0.9, nearLimitCount: 3, cashOutCount: 3 },
};

/** Parses a synced policy; on any fault keeps the previous one (never falls open). */
export function parsePolicy(raw: unknown): RiskPolicy | null {
  const r = RiskPolicy.safeParse(raw);
  return r.success ? r.data : null;
}

export type Purpose = 'sale' | 'cash_out';

export interface RiskRequest {
  amountFen: number;
  walletId: string;
  grade: Grade;
  /** Limits carried in the wallet's certificate. */
  certPerPaymentCapFen: number;
  certDailyCapFen: number;
  purpose: Purpose;
  nowMs: number;
}

/** The terminal's counters, as the risk engine needs them (read from memory, kept by the ledger). */
export interface RiskState {
  exposureFen: number;
  oldestPendingAt: number | null;
  /** This wallet, today: offline total (fen), near-limit count, cash-out count. */
  walletDay: { totalFen: number; nearLimit: number; cashOuts: number };
  /** This wallet's accept times (ms) within the last hour. */
  walletHourCount: number;
}

export type RiskRule =
  | 'within_budget'
  | 'per_payment_cap'
  | 'cert_per_payment_cap'
  | 'wallet_daily_cap'
  | 'cert_daily_cap'
  | 'regulator_day_limit'
  | 'exposure_limit'
  | 'oldest_pending_age'
  | 'velocity';

export type AmlFlag = 'near_limit_repeated' | 'repeated_cash_out';

export interface RiskDecision {
  accept: boolean;
  rule: RiskRule;
  /** The limit that applied and the amount still available under it, for the cashier's screen. */
  limitFen: number | null;
  remainingFen: number | null;
  flags: AmlFlag[];
  nearLimit: boolean;
}

export function regulatorLimit(policy: RiskPolicy, grade: Grade): number {
  return grade === 'A' ? policy.gradeADayLimitFen : (REGULATOR_DAY_LIMIT_FEN[grade] as number);
}

function refuse(rule: RiskRule, limitFen: number | null, remainingFen: number | null): RiskDecision {
  return { accept: false, rule, limitFen, remainingFen, flags: [], nearLimit: false };
}

/** Evaluates the rules in a fixed order (cheapest to explain first); the first refusal wins. */
export function decide(policy: RiskPolicy, state: RiskState, r: RiskRequest): RiskDecision {
  const a = r.amountFen;
  if (a > policy.perPaymentCapFen) return refuse('per_payment_cap', policy.perPaymentCapFen, policy.perPaymentCapFen);
  if (a > r.certPerPaymentCapFen) return refuse('cert_per_payment_cap', r.certPerPaymentCapFen, r.certPerPaymentCapFen);
  if (state.oldestPendingAt !== null && r.nowMs - state.oldestPendingAt > policy.maxOldestPendingMs) {
    return refuse('oldest_pending_age', null, null);
  }
  const expLeft = policy.exposureLimitFen - state.exposureFen;
  if (a > expLeft) return refuse('exposure_limit', policy.exposureLimitFen, Math.max(0, expLeft));
  const dayLeft = policy.walletDailyCapFen - state.walletDay.totalFen;
  if (a > dayLeft) return refuse('wallet_daily_cap', policy.walletDailyCapFen, Math.max(0, dayLeft));
  const certLeft = r.certDailyCapFen - state.walletDay.totalFen;
  if (a > certLeft) return refuse('cert_daily_cap', r.certDailyCapFen, Math.max(0, certLeft));
  const reg = regulatorLimit(policy, r.grade);
  const regLeft = reg - state.walletDay.totalFen;
  if (a > regLeft) return refuse('regulator_day_limit', reg, Math.max(0, regLeft));
  if (state.walletHourCount + 1 > policy.velocityPerWalletPerHour) return refuse('velocity', null, null);

  // AML: "just under a limit" is measured against the tightest per-payment limit that applied.
  const cap = Math.min(policy.perPaymentCapFen, r.certPerPaymentCapFen);
  const nearLimit = a * 1 >= cap * policy.aml.nearLimitRatio;
  const flags: AmlFlag[] = [];
  if (nearLimit && state.walletDay.nearLimit + 1 >= policy.aml.nearLimitCount) flags.push('near_limit_repeated');
  if (r.purpose === 'cash_out' && state.walletDay.cashOuts + 1 >= policy.aml.cashOutCount) flags.push('repeated_cash_out');
  const remaining = Math.min(expLeft, dayLeft, certLeft, regLeft) - a;
  return { accept: true, rule: 'within_budget', limitFen: null, remainingFen: remaining, flags, nearLimit };
}

export const RULE_TEXT: Record<RiskRule, { zh: string; en: string }> = {
  within_budget: { zh: '在离线额度内。', en: 'Within the offline budget.' },
  per_payment_cap: { zh: '超过单笔离线限额，请收现金或联网后付款。', en: 'Above the per-payment offline cap; take cash or pay online later.' },
  cert_per_payment_cap: { zh: '超过该钱包的单笔离线限额。', en: "Above this wallet's per-payment offline limit." },
  wallet_daily_cap: { zh: '该顾客今日离线付款已达上限。', en: "This customer's offline total for today is used up." },
  cert_daily_cap: { zh: '该钱包今日离线额度已用完。', en: "This wallet's own daily offline limit is used up." },
  regulator_day_limit: { zh: '已达监管规定的每日限额（静态码500元，B类5000元，C类1000元）。', en: 'The regulatory day limit is reached (static ¥500, grade B ¥5,000, grade C ¥1,000).' },
  exposure_limit: { zh: '本机待上传离线款总额已达上限，请先联网上传。', en: 'Total pending offline money at this terminal is at its limit; forward first.' },
  oldest_pending_age: { zh: '有离线款超过上传期限未上传，请先联网上传后再离线收款。', en: 'An offline payment is overdue for upload; forward before taking more offline payments.' },
  velocity: { zh: '该顾客一小时内离线付款次数过多。', en: 'Too many offline payments by this customer within an hour.' },
};
