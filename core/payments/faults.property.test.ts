/**
 * Random sequences of charges, customer answers, cashier cancels, refunds and restarts under
 * random fault schedules: latency (some beyond the request timeout, so a request lands after
 * the terminal gave up on it), dropped requests, responses dropped after commit (a refund's
 * too), 500s, resets, USERPAYING forever, declines, re-sends refused (4xx, signature, stale),
 * and the acquirer's clock skewed (within and beyond the 5-minute window). After each sequence
 * the faults stop, recovery runs, and the money invariants must hold (invariants.ts): nothing
 * open, journal == acquirer ledger, no debit without a succeeded sale, nobody charged twice, no
 * refund paid twice, debits = payments − refunds. A SIGKILL at every window (between request
 * and `paying` mark included) is the crash tests' (crash/), on the same harnesses.
 * Runs once per acquirer adapter (harness.ts `HARNESSES`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultRuleInput } from '../acquirer/simulator/faults';
import { HARNESSES } from './harness';
import { checkInvariants, walletBalances } from './invariants';
import { openKit, waitFor } from './test-kit';

const fault: fc.Arbitrary<FaultRuleInput> = fc.record({
  kind: fc.constantFrom(
    'latency', 'drop_request', 'drop_response_after_commit', 'http_500', 'reset', 'userpaying_forever', 'decline',
    'refuse_400', 'refuse_auth', 'refuse_stale', 'clock_skew',
  ) as fc.Arbitrary<FaultRuleInput['kind']>,
  op: fc.constantFrom('pay', 'query', 'cancel', 'refund', 'refund_query', 'any') as fc.Arbitrary<FaultRuleInput['op']>,
  times: fc.integer({ min: 1, max: 3 }),
  // Up to twice the request timeout below: a slow request may land after the terminal gave up.
  latencyMs: fc.integer({ min: 0, max: 300 }),
  skewMs: fc.integer({ min: -10 * 60_000, max: 10 * 60_000 }),
  reason: fc.constantFrom('DECLINED', 'NOT_ENOUGH', 'LIMIT_EXCEEDED'),
});

/** A lost answer and then refused re-sends: the schedule of issue 11's defects 1 and 2. */
const lostThenRefused: fc.Arbitrary<FaultRuleInput[]> = fc.record({
  op: fc.constantFrom('pay', 'refund') as fc.Arbitrary<'pay' | 'refund'>,
  lost: fc.constantFrom('drop_response_after_commit', 'latency') as fc.Arbitrary<'drop_response_after_commit' | 'latency'>,
  refusal: fc.constantFrom('refuse_400', 'refuse_auth', 'refuse_stale') as fc.Arbitrary<'refuse_400' | 'refuse_auth' | 'refuse_stale'>,
  times: fc.integer({ min: 1, max: 4 }),
}).map((x) => [
  { kind: x.lost, op: x.op, latencyMs: 300 },
  { kind: x.refusal, op: x.op, times: x.times },
]);

const faults = (max: number) => fc.oneof({ weight: 3, arbitrary: fc.array(fault, { maxLength: max }) }, { weight: 1, arbitrary: lostThenRefused });

type Op =
  | { t: 'charge'; wallet: number; password: boolean; amountFen: number; confirm: boolean; cancel: boolean; faults: FaultRuleInput[] }
  | { t: 'refund'; pick: number; part: number; faults: FaultRuleInput[] }
  | { t: 'qr'; wallet: number; amountFen: number; pay: boolean; faults: FaultRuleInput[] }
  | { t: 'restart' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('charge' as const), wallet: fc.nat(), password: fc.boolean(), amountFen: fc.integer({ min: 1, max: 3000 }), confirm: fc.boolean(), cancel: fc.boolean(), faults: faults(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }), faults: faults(2) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('qr' as const), wallet: fc.nat(), amountFen: fc.integer({ min: 1, max: 3000 }), pay: fc.boolean(), faults: fc.array(fault, { maxLength: 2 }) }) },
  // The till stops (whatever is open stays open, durable) and starts again: recovery on start.
  { weight: 1, arbitrary: fc.constant({ t: 'restart' as const }) },
);

describe.each(HARNESSES.map((h) => [h.name, h] as const))('random operations under random fault schedules (%s)', (_name, harness) => {
  it('keep terminal and acquirer in agreement, charge nobody twice, pay no refund twice, and balance the money', async () => {
    // Across all runs: how payments ended, so the property is known not to be vacuous.
    const ended = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        const kit = await openKit({ harness, timings: { requestTimeoutMs: 150, userpayingMaxWaitMs: 250, unknownQueries: 2 } });
        const { plain, password } = kit.side.wallets;
        const all = [...plain, ...password];
        try {
          const initial = await walletBalances(kit.side.books);
          for (const o of ops) {
            if (o.t === 'restart') {
              await kit.restartEngine();
              await kit.engine.recover();
              continue;
            }
            await kit.side.setFaults(o.faults);
            if (o.t === 'charge') {
              const wallets = o.password ? password : plain;
              const code = await kit.code(wallets[o.wallet % wallets.length]);
              const p = await kit.engine.charge({ amountFen: o.amountFen, code }, null).catch((e: { code?: string }) => {
                // A charge left open by the faults (cancel unanswered) blocks the next one:
                // that is the one-at-a-time rule working, and nothing was started.
                if (e.code === 'payment.busy') return null;
                throw e;
              });
              if (!p) continue;
              if (o.confirm || o.cancel) {
                const seen = await waitFor(() => kit.engine.get(p.orderNo).then((r) => r.payment), (x) => !['created', 'paying'].includes(x.state), 5_000);
                if (seen.state === 'userpaying' && o.confirm) await kit.customer.userPaying(p.orderNo, true).catch(() => undefined);
                if (o.cancel) await kit.engine.cancel(p.orderNo).catch(() => undefined);
              }
              await kit.engine.settled(p.orderNo);
            } else if (o.t === 'qr') {
              const p = await kit.engine.precreate({ amountFen: o.amountFen }, null).catch((e: { code?: string }) => {
                if (e.code === 'payment.busy') return null;
                throw e;
              });
              if (!p) continue;
              const shown = await waitFor(() => kit.engine.get(p.orderNo).then((r) => r.payment), (x) => x.state !== 'created', 5_000);
              if (shown.state === 'awaiting_scan') {
                // The customer pays (or the cashier gives up); either may race the other faults.
                if (o.pay) await kit.customer.payQr(p.orderNo, all[o.wallet % all.length]).catch(() => undefined);
                else await kit.engine.cancel(p.orderNo).catch(() => undefined);
              }
              await kit.engine.settled(p.orderNo);
            } else {
              const paid = await kit.db.all<{ order_no: string; amount_fen: number; refunded_fen: number }>("SELECT order_no, amount_fen, refunded_fen FROM payments WHERE state = 'succeeded'");
              if (paid.length) {
                const p = paid[o.pick % paid.length];
                const amount = Math.max(1, Math.floor(((p.amount_fen - p.refunded_fen) * o.part) / 100));
                await kit.engine.refund({ orderNo: p.order_no, amountFen: amount, reason: 'property' }, null).catch(() => undefined);
              }
            }
            await kit.engine.idle();
          }
          await kit.side.clearFaults();
          // Whatever a slow request (latency beyond the timeout) still carries lands first.
          await new Promise((r) => setTimeout(r, 320));
          await kit.engine.recover();
          const report = await checkInvariants(kit.db, kit.side.books, kit.terminalId, initial);
          expect(report.problems).toEqual([]);
          for (const r of await kit.db.all<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM payments GROUP BY state')) {
            ended.set(r.state, (ended.get(r.state) ?? 0) + r.n);
          }
          ended.set('refunds', (ended.get('refunds') ?? 0) + (await kit.count('refunds')));
        } finally {
          await kit.close();
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 25), seed: Number(process.env.FC_SEED ?? 20261128), endOnFailure: true },
    );
    if (process.env.FC_STATS) console.log(Object.fromEntries(ended));
    for (const s of ['succeeded', 'failed', 'cancelled', 'refunds']) expect(ended.get(s) ?? 0, s).toBeGreaterThan(0);
  }, 240_000);
});
