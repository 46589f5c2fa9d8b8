/**
 * The thresholds of the anti-money-laundering watcher (core/aml), part of the synced risk
 * policy (`RiskPolicy.amlWatch`). Declarative: the acquirer may send its own figures at each
 * sync; an absent section means the built-in defaults below, and every figure is bounded so a
 * faulty document can neither switch a rule off nor make it fire on every movement (a document
 * outside the bounds is refused whole and the previous policy stays, as for the rest of the policy).
 *
 * The ratio and count of "just under a limit", and the count of cash-outs, are the policy's
 * existing `aml` figures (the same ones the offline risk engine flags items with), so one synced
 * number governs both. What is new here is what the offline engine could not see: the lines of
 * the other movements, the windows, structuring, remittances followed by cash-outs, and the
 * counter's own baseline.
 */
import { z } from 'zod';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const Fen = (min: number, max: number) => z.number().int().min(min).max(max);

export const AmlWatchPolicy = z
  .object({
    /**
     * The line an online payment is "just under": ¥1,000, where WeChat asks for the password and
     * where the regulator's grade-C day limit sits (docs/DOMAIN.md). Online codes carry no payer
     * identity, so this rule is watched at the counter (see core/aml/README.md).
     */
    onlineLineFen: Fen(1_000, 10_000_000),
    /**
     * The line a service-point withdrawal is "just under". A product choice, not a regulator's
     * figure: a third of the ¥1,000 daily limit, so three withdrawals just under it take nearly
     * the whole day's limit in pieces. Offline payments use the offline cap in force instead.
     */
    withdrawalLineFen: Fen(1_000, 100_000),
    /** Near-limit movements of one customer are counted within this rolling window. */
    nearLimitWindowMs: z.number().int().min(HOUR).max(30 * DAY),
    /** Cash-outs of one customer are counted within this rolling window. */
    cashOutWindowMs: z.number().int().min(HOUR).max(30 * DAY),
    /** Many small movements of one customer in one (China) day adding up to a large sum. */
    structuring: z
      .object({
        /** A movement below this is "small". */
        smallBelowFen: Fen(1_000, 10_000_000),
        /** At least this many small ones … */
        minCount: z.number().int().min(2).max(100),
        /** … adding up to at least this. */
        minTotalFen: Fen(1_000, 100_000_000),
      })
      .strict(),
    /** A round-amount cash-out soon after a remittance was paid in at this counter. */
    remitThenCashOut: z
      .object({
        windowMs: z.number().int().min(10 * 60_000).max(7 * DAY),
        /** "Round": a whole multiple of this (¥100 by default). */
        roundFen: Fen(1_000, 100_000),
        /** Remittances smaller than this are not counted. */
        minRemitFen: Fen(1_000, 100_000_000),
        /** Cash-outs smaller than this are not counted. */
        minCashOutFen: Fen(1_000, 100_000_000),
      })
      .strict(),
    /** The day's money through the counter against its own recent days. */
    volume: z
      .object({
        /** The baseline: the mean of the days with movements among the last this many days. */
        baselineDays: z.number().int().min(3).max(60),
        /** No baseline (no flag) until at least this many of those days had movements. */
        minBaselineDays: z.number().int().min(1).max(60),
        /** The day is unusual above this multiple of the baseline … */
        multiplier: z.number().min(1.5).max(20),
        /** … and above this sum, so a quiet shop's ordinary Saturday is not a case. */
        minDayFen: Fen(1_000, 100_000_000),
      })
      .strict()
      .refine((v) => v.minBaselineDays <= v.baselineDays, { message: 'minBaselineDays must not exceed baselineDays' }),
  })
  .strict();
export type AmlWatchPolicy = z.infer<typeof AmlWatchPolicy>;

/** Built-in defaults (¥ amounts in fen); docs/DOMAIN.md figures where there is one, else marked as ours above. */
export const DEFAULT_AML_WATCH: AmlWatchPolicy = {
  onlineLineFen: 100_000,
  withdrawalLineFen: 30_000,
  nearLimitWindowMs: DAY,
  cashOutWindowMs: DAY,
  structuring: { smallBelowFen: 30_000, minCount: 4, minTotalFen: 100_000 },
  remitThenCashOut: { windowMs: 2 * HOUR, roundFen: 10_000, minRemitFen: 50_000, minCashOutFen: 20_000 },
  volume: { baselineDays: 14, minBaselineDays: 7, multiplier: 3, minDayFen: 200_000 },
};
