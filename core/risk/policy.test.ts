import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_POLICY, parsePolicy, regulatorLimit, type RiskPolicy, type RiskRequest, type RiskState } from './policy';

const policy: RiskPolicy = { ...DEFAULT_POLICY, perPaymentCapFen: 20_000, walletDailyCapFen: 300_000, exposureLimitFen: 1_000_000, gradeADayLimitFen: 800_000 };
const state = (p: Partial<RiskState> = {}): RiskState => ({
  exposureFen: 0, oldestPendingAt: null, walletDay: { totalFen: 0, nearLimit: 0, cashOuts: 0 }, walletHourCount: 0, ...p,
});
const req = (p: Partial<RiskRequest> = {}): RiskRequest => ({
  amountFen: 1000, walletId: 'W', grade: 'B', certPerPaymentCapFen: 50_000, certDailyCapFen: 500_000, purpose: 'sale', nowMs: 10 * 3_600_000, ...p,
});

describe('risk decisions name the rule that made them', () => {
  it('accepts within budget and says so, with what remains', () => {
    const d = decide(policy, state(), req());
    expect(d).toMatchObject({ accept: true, rule: 'within_budget', flags: [] });
    expect(d.remainingFen).toBe(300_000 - 1000);
  });
  it('refuses above the per-payment cap', () => {
    expect(decide(policy, state(), req({ amountFen: 20_001 }))).toMatchObject({ accept: false, rule: 'per_payment_cap', limitFen: 20_000 });
  });
  it("refuses above the wallet certificate's own per-payment cap", () => {
    expect(decide(policy, state(), req({ certPerPaymentCapFen: 500 }))).toMatchObject({ accept: false, rule: 'cert_per_payment_cap' });
  });
  it("refuses when the wallet's offline total for the day would pass its cap", () => {
    expect(decide(policy, state({ walletDay: { totalFen: 299_500, nearLimit: 0, cashOuts: 0 } }), req())).toMatchObject({ accept: false, rule: 'wallet_daily_cap', remainingFen: 500 });
  });
  it('refuses past the certificate day cap', () => {
    expect(decide(policy, state({ walletDay: { totalFen: 4_500, nearLimit: 0, cashOuts: 0 } }), req({ certDailyCapFen: 5_000 }))).toMatchObject({ accept: false, rule: 'cert_daily_cap' });
  });
  it('refuses when total outstanding exposure would pass its limit', () => {
    expect(decide(policy, state({ exposureFen: 999_500 }), req())).toMatchObject({ accept: false, rule: 'exposure_limit', remainingFen: 500 });
  });
  it('refuses new offline payments when the oldest unforwarded item is too old', () => {
    const now = 100 * 3_600_000;
    expect(decide(policy, state({ oldestPendingAt: now - policy.maxOldestPendingMs - 1 }), req({ nowMs: now }))).toMatchObject({ accept: false, rule: 'oldest_pending_age' });
    expect(decide(policy, state({ oldestPendingAt: now - policy.maxOldestPendingMs }), req({ nowMs: now })).accept).toBe(true);
  });
  it('refuses a wallet paying too often within an hour (velocity)', () => {
    expect(decide(policy, state({ walletHourCount: policy.velocityPerWalletPerHour }), req())).toMatchObject({ accept: false, rule: 'velocity' });
  });
  it.each([
    ['S', 50_000],
    ['C', 100_000],
    ['B', 500_000],
  ] as const)('applies the regulator day limit of grade %s (%i fen) whatever the policy says', (grade, limit) => {
    const loose: RiskPolicy = { ...policy, walletDailyCapFen: 10_000_000, exposureLimitFen: 10_000_000 };
    const s = state({ walletDay: { totalFen: limit - 999, nearLimit: 0, cashOuts: 0 } });
    expect(decide(loose, s, req({ grade, certDailyCapFen: 10_000_000 }))).toMatchObject({ accept: false, rule: 'regulator_day_limit', limitFen: limit, remainingFen: 999 });
    expect(decide(loose, s, req({ grade, certDailyCapFen: 10_000_000, amountFen: 999 })).accept).toBe(true);
  });
  it('uses the agreed limit for grade A', () => {
    expect(regulatorLimit(policy, 'A')).toBe(800_000);
  });
  it('flags repeated payments just under the limit for review without refusing them', () => {
    const d = decide(policy, state({ walletDay: { totalFen: 40_000, nearLimit: 2, cashOuts: 0 } }), req({ amountFen: 19_000 }));
    expect(d).toMatchObject({ accept: true, nearLimit: true, flags: ['near_limit_repeated'] });
    expect(decide(policy, state(), req({ amountFen: 19_000 })).flags).toEqual([]);
  });
  it('flags repeated cash-outs for review', () => {
    const d = decide(policy, state({ walletDay: { totalFen: 0, nearLimit: 0, cashOuts: 2 } }), req({ purpose: 'cash_out' }));
    expect(d.flags).toEqual(['repeated_cash_out']);
  });
  it('keeps the previous policy when a synced one is malformed (never falls open)', () => {
    expect(parsePolicy({ ...DEFAULT_POLICY, perPaymentCapFen: -1 })).toBeNull();
    expect(parsePolicy({ ...DEFAULT_POLICY, extra: 1 })).toBeNull();
    expect(parsePolicy(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
  });
  it('decides in well under a millisecond', () => {
    const t = performance.now();
    for (let i = 0; i < 10_000; i++) decide(policy, state({ exposureFen: i }), req({ amountFen: 1 + (i % 20_000) }));
    expect((performance.now() - t) / 10_000).toBeLessThan(0.1);
  });
});
