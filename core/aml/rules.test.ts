import { describe, expect, it } from 'vitest';
import { DEFAULT_AML_WATCH } from '../risk/aml-watch';
import { DEFAULT_POLICY, parsePolicy } from '../risk/policy';
import { COUNTER, evaluate, explain, lookbackMs, nearLine, thresholds, yuan, type AmlThresholds, type Movement, type RuleContext, type Subject } from './rules';

const t: AmlThresholds = thresholds(DEFAULT_POLICY);
const H = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const dayOf = (at: number) => new Date(at + 8 * H).toISOString().slice(0, 10);
const phone = (n: string): Subject => ({ type: 'phone', key: `key-${n}`, masked: `138****${n}` });

let seq = 0;
function mv(at: number, amountFen: number, over: Partial<Movement> = {}): Movement {
  const kind = over.kind ?? 'withdrawal';
  const lineFen = kind === 'withdrawal' ? t.withdrawalLineFen : null;
  return {
    seq: ++seq, at, day: dayOf(at), kind, channel: 'service', ref: `R${seq}`, amountFen, subject: phone('1111'), party: '138****1111',
    nearLimit: lineFen !== null && nearLine(amountFen, lineFen, t.nearLimitRatio), lineFen, ...over,
  };
}

/** What the store reads around `m` (store.ts `context`), from a list of movements already read. */
function ctx(all: Movement[], m: Movement, th: AmlThresholds = t): RuleContext {
  const before = all.filter((x) => x.seq <= m.seq);
  const days = before.filter((x) => x.day < m.day && Date.parse(`${x.day}T00:00:00Z`) >= Date.parse(`${m.day}T00:00:00Z`) - th.volume.baselineDays * 86_400_000);
  const baseline = [...new Set(days.map((x) => x.day))].map((day) => ({
    day, count: days.filter((x) => x.day === day).length, fen: days.filter((x) => x.day === day).reduce((a, x) => a + x.amountFen, 0),
  }));
  const today = before.filter((x) => x.day === m.day);
  return {
    subjectRecent: m.subject ? before.filter((x) => x.subject?.key === m.subject!.key && x.at > m.at - lookbackMs(th)) : [],
    remittances: before.filter((x) => x.kind === 'remittance' && x.seq < m.seq && x.at > m.at - th.remitThenCashOut.windowMs),
    today: { count: today.length, fen: today.reduce((a, x) => a + x.amountFen, 0) },
    baseline,
  };
}

/** Feeds movements in order, as the watcher does; returns the rules that fired at each one. */
function run(list: Movement[], th: AmlThresholds = t): string[][] {
  return list.map((m) => evaluate(th, m, ctx(list, m, th)).map((f) => f.rule));
}

describe('just under a limit, repeated', () => {
  it('is "near" from 90% of the line up to the line, not above it', () => {
    expect(nearLine(27_000, 30_000, 0.9)).toBe(true);
    expect(nearLine(26_999, 30_000, 0.9)).toBe(false);
    expect(nearLine(30_000, 30_000, 0.9)).toBe(true);
    expect(nearLine(30_001, 30_000, 0.9)).toBe(false);
  });

  it('fires at the third withdrawal just under the line for one phone within 24 h, not at the second', () => {
    const list = [mv(T0, 29_000), mv(T0 + H, 28_000), mv(T0 + 2 * H, 29_000)];
    const fired = run(list);
    expect(fired[0]).not.toContain('near_limit_repeated');
    expect(fired[1]).not.toContain('near_limit_repeated');
    expect(fired[2]).toContain('near_limit_repeated');
    const f = evaluate(t, list[2], ctx(list, list[2])).find((x) => x.rule === 'near_limit_repeated')!;
    expect(f.evidence.map((e) => e.seq)).toEqual(list.map((m) => m.seq));
    expect(f.figures).toMatchObject({ count: 3, minCount: 3, lineFen: 30_000, ratioPermille: 900 });
  });

  it('does not count a withdrawal below 90% of the line or above it', () => {
    expect(run([mv(T0, 29_000), mv(T0 + H, 26_000), mv(T0 + 2 * H, 29_000)])[2]).not.toContain('near_limit_repeated');
    expect(run([mv(T0, 29_000), mv(T0 + H, 31_000), mv(T0 + 2 * H, 29_000)])[2]).not.toContain('near_limit_repeated');
  });

  it('counts only within the window: the first one 24 h before the third is out', () => {
    expect(run([mv(T0, 29_000), mv(T0 + H, 29_000), mv(T0 + 24 * H, 29_000)])[2]).not.toContain('near_limit_repeated');
    expect(run([mv(T0, 29_000), mv(T0 + H, 29_000), mv(T0 + 24 * H - 1, 29_000)])[2]).toContain('near_limit_repeated');
  });

  it('never merges two customers', () => {
    const b = phone('2222');
    expect(run([mv(T0, 29_000), mv(T0 + H, 29_000, { subject: b, party: b.masked }), mv(T0 + 2 * H, 29_000)])[2]).not.toContain('near_limit_repeated');
  });

  it('follows the synced count and the line of each kind', () => {
    const two = thresholds({ ...DEFAULT_POLICY, aml: { ...DEFAULT_POLICY.aml, nearLimitCount: 2 } });
    expect(run([mv(T0, 29_000), mv(T0 + H, 29_000)], two)[1]).toContain('near_limit_repeated');
    // Online sales are watched at the counter against the ¥1,000 line.
    const sale = (at: number, fen: number) => mv(at, fen, { kind: 'sale', channel: 'online', subject: COUNTER, party: null, nearLimit: nearLine(fen, t.onlineLineFen, 0.9), lineFen: t.onlineLineFen });
    expect(run([sale(T0, 95_000), sale(T0 + H, 99_900), sale(T0 + 2 * H, 100_000)])[2]).toEqual(['near_limit_repeated']);
  });
});

describe('repeated cash-outs', () => {
  it('fires at the third cash-out of one customer within 24 h, counting offline cash-outs too', () => {
    const w = { type: 'wallet' as const, key: 'wallet-9', masked: '…0009' };
    const list = [mv(T0, 5_000, { kind: 'cash_out', channel: 'offline', subject: w, nearLimit: false }), mv(T0 + H, 5_000, { kind: 'cash_out', channel: 'offline', subject: w, nearLimit: false }),
      mv(T0 + 2 * H, 5_000, { kind: 'cash_out', channel: 'offline', subject: w, nearLimit: false })];
    expect(run(list).map((r) => r.includes('repeated_cash_out'))).toEqual([false, false, true]);
  });

  it('does not count sales, nor another customer', () => {
    const list = [mv(T0, 5_000), mv(T0 + H, 5_000, { kind: 'sale', nearLimit: false }), mv(T0 + 2 * H, 5_000, { subject: phone('3333') }), mv(T0 + 3 * H, 5_000)];
    expect(run(list).some((r) => r.includes('repeated_cash_out'))).toBe(false);
  });
});

describe('structuring', () => {
  it('fires when small amounts of one customer in one day reach the count and the sum', () => {
    // 4 × ¥250 = ¥1,000: each below ¥300, together the day's ¥1,000.
    const list = [0, 1, 2, 3].map((i) => mv(T0 + i * H, 25_000));
    expect(run(list).map((r) => r.includes('structuring'))).toEqual([false, false, false, true]);
  });

  it('does not fire one fen short of the sum, nor across two days', () => {
    const short = [mv(T0, 25_000), mv(T0 + H, 25_000), mv(T0 + 2 * H, 25_000), mv(T0 + 3 * H, 24_999)];
    expect(run(short)[3]).not.toContain('structuring');
    const lateNight = Date.parse('2026-03-02T22:00:00+08:00');
    const split = [mv(lateNight, 25_000), mv(lateNight + H, 25_000), mv(lateNight + 2.5 * H, 25_000), mv(lateNight + 3 * H, 25_000)];
    expect(split[2].day).not.toBe(split[1].day);
    expect(run(split)[3]).not.toContain('structuring');
  });

  it('is not applied to the counter, which sells many small things every day', () => {
    const list = [0, 1, 2, 3, 4].map((i) => mv(T0 + i * H, 25_000, { kind: 'sale', channel: 'online', subject: COUNTER, party: null, nearLimit: false }));
    expect(run(list).flat()).not.toContain('structuring');
  });
});

describe('round cash-out right after a remittance', () => {
  const remit = (at: number, fen: number) => mv(at, fen, { kind: 'remittance', subject: null, party: '**** 5678', nearLimit: false, lineFen: null });

  it('fires for a round cash-out within 2 h of a remittance paid in, with both as evidence', () => {
    const list = [remit(T0, 200_000), mv(T0 + H, 50_000)];
    const f = evaluate(t, list[1], ctx(list, list[1]));
    expect(f.map((x) => x.rule)).toContain('remit_then_cash_out');
    expect(f.find((x) => x.rule === 'remit_then_cash_out')!.evidence.map((e) => e.kind)).toEqual(['remittance', 'withdrawal']);
  });

  it('does not fire for an amount that is not round, too small, too late, or after a small remittance', () => {
    expect(run([remit(T0, 200_000), mv(T0 + H, 25_000)])[1]).not.toContain('remit_then_cash_out');
    expect(run([remit(T0, 200_000), mv(T0 + H, 10_000)])[1]).not.toContain('remit_then_cash_out');
    expect(run([remit(T0, 200_000), mv(T0 + 2 * H, 50_000)])[1]).not.toContain('remit_then_cash_out');
    expect(run([remit(T0, 49_999), mv(T0 + H, 50_000)])[1]).not.toContain('remit_then_cash_out');
  });
});

describe("volume against the counter's baseline", () => {
  const sale = (at: number, fen: number) => mv(at, fen, { kind: 'sale', channel: 'cash', subject: null, party: null, nearLimit: false, lineFen: null });
  const history = (days: number) => Array.from({ length: days }, (_, i) => sale(T0 - (i + 1) * 24 * H, 50_000));

  it('fires once, on the movement that takes the day above 3 × the mean and ¥2,000', () => {
    const list = [...history(7), sale(T0, 100_000), sale(T0 + H, 100_000), sale(T0 + 2 * H, 100_000)];
    const fired = run(list).slice(7);
    // ¥1,000 (not above ¥1,500 and not ¥2,000), ¥2,000 (crosses), ¥3,000 (already over: no second case)
    expect(fired).toEqual([[], ['volume_spike'], []]);
    const f = evaluate(t, list[8], ctx(list, list[8]))[0];
    expect(f.subject).toEqual(COUNTER);
    expect(f.figures).toMatchObject({ todayFen: 200_000, baselineFen: 50_000, baselineDays: 7 });
  });

  it('needs 7 days with movements before it has a baseline', () => {
    const list = [...history(6), sale(T0, 300_000)];
    expect(run(list)[6]).toEqual([]);
  });
});

describe('thresholds and words', () => {
  it('takes the built-in defaults when the acquirer sends no amlWatch section, and refuses one out of bounds', () => {
    expect(thresholds(DEFAULT_POLICY)).toMatchObject({ ...DEFAULT_AML_WATCH, nearLimitRatio: 0.9, nearLimitCount: 3, cashOutCount: 3 });
    const synced = parsePolicy({ ...DEFAULT_POLICY, amlWatch: { ...DEFAULT_AML_WATCH, withdrawalLineFen: 50_000 } });
    expect(synced && thresholds(synced).withdrawalLineFen).toBe(50_000);
    expect(parsePolicy({ ...DEFAULT_POLICY, amlWatch: { ...DEFAULT_AML_WATCH, withdrawalLineFen: 0 } })).toBeNull();
    expect(parsePolicy({ ...DEFAULT_POLICY, amlWatch: { ...DEFAULT_AML_WATCH, volume: { ...DEFAULT_AML_WATCH.volume, minBaselineDays: 20, baselineDays: 10 } } })).toBeNull();
    expect(parsePolicy({ ...DEFAULT_POLICY, amlWatch: { ...DEFAULT_AML_WATCH, extra: 1 } })).toBeNull();
  });

  it('explains a case with its figures in both languages', () => {
    const w = explain('near_limit_repeated', { count: 3, minCount: 3, ratioPermille: 900, lineFen: 30_000, windowMs: 24 * H });
    expect(w.zh).toContain('24 小时内 3 笔');
    expect(w.zh).toContain('¥300.00');
    expect(w.en).toContain('90%');
    expect(yuan(123_456_789)).toBe('¥1,234,567.89');
  });
});
