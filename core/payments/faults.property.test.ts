/**
 * Random sequences of charges, customer answers, cashier cancels and refunds under random
 * fault schedules (latency, dropped requests, responses dropped after commit, 500s, resets,
 * USERPAYING forever, declines). After each sequence the faults stop, recovery runs, and the
 * money invariants must hold (invariants.ts): nothing open, terminal and acquirer agree,
 * nobody charged twice, debits = payments − refunds, the journal whole.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultRuleInput } from '../acquirer/simulator/faults';
import { checkInvariants, walletBalances } from './invariants';
import { openKit, waitFor } from './test-kit';

const WALLETS = ['W01', 'W02', 'W03', 'W04', 'W05', 'W06', 'W07'];

const fault: fc.Arbitrary<FaultRuleInput> = fc.record({
  kind: fc.constantFrom('latency', 'drop_request', 'drop_response_after_commit', 'http_500', 'reset', 'userpaying_forever', 'decline') as fc.Arbitrary<FaultRuleInput['kind']>,
  op: fc.constantFrom('pay', 'query', 'cancel', 'refund', 'any') as fc.Arbitrary<FaultRuleInput['op']>,
  times: fc.integer({ min: 1, max: 3 }),
  latencyMs: fc.integer({ min: 0, max: 60 }),
  reason: fc.constantFrom('DECLINED', 'NOT_ENOUGH', 'LIMIT_EXCEEDED'),
});

type Op =
  | { t: 'charge'; wallet: string; amountFen: number; confirm: boolean; cancel: boolean; faults: FaultRuleInput[] }
  | { t: 'refund'; pick: number; part: number; faults: FaultRuleInput[] }
  | { t: 'qr'; wallet: string; amountFen: number; pay: boolean; faults: FaultRuleInput[] };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('charge' as const), wallet: fc.constantFrom(...WALLETS), amountFen: fc.integer({ min: 1, max: 3000 }), confirm: fc.boolean(), cancel: fc.boolean(), faults: fc.array(fault, { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }), faults: fc.array(fault, { maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('qr' as const), wallet: fc.constantFrom(...WALLETS), amountFen: fc.integer({ min: 1, max: 3000 }), pay: fc.boolean(), faults: fc.array(fault, { maxLength: 2 }) }) },
);

describe('random operations under random fault schedules', () => {
  it('keep terminal and acquirer in agreement, charge nobody twice, and balance the money', async () => {
    // Across all runs: how payments ended, so the property is known not to be vacuous.
    const ended = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        const kit = await openKit({ timings: { requestTimeoutMs: 150, userpayingMaxWaitMs: 250, unknownQueries: 2 } });
        try {
          const initial = await walletBalances(kit.sim.db);
          for (const o of ops) {
            await kit.control.setFaults(o.faults);
            if (o.t === 'charge') {
              const code = await kit.code(o.wallet);
              const p = await kit.engine.charge({ amountFen: o.amountFen, code }, null).catch((e: { code?: string }) => {
                // A charge left open by the faults (cancel unanswered) blocks the next one:
                // that is the one-at-a-time rule working, and nothing was started.
                if (e.code === 'payment.busy') return null;
                throw e;
              });
              if (!p) continue;
              if (o.confirm || o.cancel) {
                const seen = await waitFor(() => kit.engine.get(p.orderNo).then((r) => r.payment), (x) => !['created', 'paying'].includes(x.state), 5_000);
                if (seen.state === 'userpaying' && o.confirm) await kit.control.userPaying(p.orderNo, true).catch(() => undefined);
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
                if (o.pay) await kit.control.payQr(p.orderNo, o.wallet).catch(() => undefined);
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
          await kit.control.clearFaults();
          await kit.engine.recover();
          const report = await checkInvariants(kit.db, kit.sim.db, kit.terminalId, initial);
          expect(report.problems).toEqual([]);
          for (const r of await kit.db.all<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM payments GROUP BY state')) {
            ended.set(r.state, (ended.get(r.state) ?? 0) + r.n);
          }
          ended.set('refunds', (ended.get('refunds') ?? 0) + (await kit.count('refunds')));
        } finally {
          await kit.close();
        }
      }),
      { numRuns: 25, seed: Number(process.env.FC_SEED ?? 20261128), endOnFailure: true },
    );
    if (process.env.FC_STATS) console.log(Object.fromEntries(ended));
    for (const s of ['succeeded', 'failed', 'cancelled', 'refunds']) expect(ended.get(s) ?? 0, s).toBeGreaterThan(0);
  }, 120_000);
});
