/**
 * The payment engine's fault-schedule property, run against each wallet adapter and its fake
 * gateway (the sandbox's own run is core/payments/faults.property.test.ts): random charges,
 * customer confirmations, cashier cancels and refunds under random faults on every call
 * (answers lost after commit, delays past the timeout, 5xx, wrong signatures, system errors,
 * declines, USERPAYING). Then the faults stop, recovery runs, and terminal and gateway must
 * agree: every payment final, paid here exactly when paid there, refunds equal on both sides.
 * (Tests may reach core/payments; the adapters never do.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { PaymentEngine } from '../payments/engine';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { openAlipayKit } from './alipay/test-kit';
import type { Acquirer, AcquirerTimings } from './types';
import { openWechatKit } from './wechat/test-kit';

const T: AcquirerTimings = {
  requestTimeoutMs: 150, userpayingPollMs: 20, userpayingMaxWaitMs: 250, unknownFirstQueryMs: 10, unknownQueryEveryMs: 15, unknownQueries: 2,
  cancelNotBeforeMs: 0, cancelAttempts: 3, cancelEveryMs: 10, refundAttempts: 3, refundEveryMs: 10, qrExpiryMs: 1_000, qrPollMs: 20, sweepEveryMs: 60_000,
};

type Op = 'pay' | 'query' | 'cancel' | 'refund';
type Fault = 'drop' | 'delay' | 'http' | 'wrong_sig' | 'system_error' | 'decline' | 'userpaying';

interface Harness {
  acquirer: Acquirer;
  code(): string;
  fault(op: Op, f: Fault): void;
  clear(): void;
  confirm(orderNo: string): void;
  paidThere(orderNo: string): boolean;
  refundedThere(orderNo: string): number;
  close(): Promise<void>;
}

async function alipay(): Promise<Harness> {
  const kit = await openAlipayKit(T);
  const methods: Record<Op, string> = { pay: 'alipay.trade.pay', query: 'alipay.trade.query', cancel: 'alipay.trade.cancel', refund: 'alipay.trade.refund' };
  return {
    acquirer: kit.acquirer,
    code: () => `28${String(Math.floor(Math.random() * 1e16)).padStart(16, '0')}`,
    fault(op, f) {
      const m = methods[op];
      if (f === 'drop') kit.fake.next(m, { dropAfterCommit: true });
      else if (f === 'delay') kit.fake.next(m, { delayMs: 250 });
      else if (f === 'http') kit.fake.next(m, { httpStatus: 502 });
      else if (f === 'wrong_sig') kit.fake.next(m, { wrongSignature: true });
      else if (f === 'system_error') kit.fake.next(m, { answer: { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error' } });
      else if (f === 'decline' && op === 'pay') kit.fake.next(m, { answer: { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' } });
      else if (f === 'userpaying' && op === 'pay') kit.fake.next(m, { userpaying: true });
    },
    clear: () => kit.fake.clearScripts(),
    confirm: (no) => {
      if (kit.fake.orders.get(no)?.status === 'WAIT_BUYER_PAY') kit.fake.buyerPays(no);
    },
    paidThere(no) {
      const o = kit.fake.orders.get(no);
      return !!o?.paidAt && (o.status === 'TRADE_SUCCESS' || (o.refundedFen > 0 && o.refundedFen === o.amountFen));
    },
    refundedThere: (no) => kit.fake.refunds.filter((r) => r.orderNo === no).reduce((s, r) => s + r.amountFen, 0),
    close: () => kit.close(),
  };
}

async function wechat(): Promise<Harness> {
  const kit = await openWechatKit(T);
  const paths: Record<Op, string> = { pay: '/pay/micropay', query: '/pay/orderquery', cancel: '/secapi/pay/reverse', refund: '/secapi/pay/refund' };
  return {
    acquirer: kit.acquirer,
    code: () => `13${String(Math.floor(Math.random() * 1e16)).padStart(16, '0')}`,
    fault(op, f) {
      const p = paths[op];
      if (f === 'drop') kit.fake.next(p, { dropAfterCommit: true });
      else if (f === 'delay') kit.fake.next(p, { delayMs: 250 });
      else if (f === 'http') kit.fake.next(p, { httpStatus: 503 });
      else if (f === 'wrong_sig') kit.fake.next(p, { wrongSignature: true });
      else if (f === 'system_error') kit.fake.next(p, { answer: { result_code: 'FAIL', err_code: 'SYSTEMERROR' } });
      else if (f === 'decline' && op === 'pay') kit.fake.next(p, { answer: { result_code: 'FAIL', err_code: 'NOTENOUGH' } });
      else if (f === 'userpaying' && op === 'pay') kit.fake.next(p, { userpaying: true });
    },
    clear: () => kit.fake.clearScripts(),
    confirm: (no) => {
      if (kit.fake.orders.get(no)?.state === 'USERPAYING') kit.fake.buyerPays(no);
    },
    paidThere(no) {
      const s = kit.fake.orders.get(no)?.state;
      return s === 'SUCCESS' || s === 'REFUND';
    },
    refundedThere: (no) => kit.fake.refunds.filter((r) => r.orderNo === no).reduce((s, r) => s + r.fen, 0),
    close: () => kit.close(),
  };
}

const faultArb = fc.record({
  op: fc.constantFrom<Op>('pay', 'query', 'cancel', 'refund'),
  f: fc.constantFrom<Fault>('drop', 'delay', 'http', 'wrong_sig', 'system_error', 'decline', 'userpaying'),
});
type Step =
  | { t: 'charge'; amountFen: number; confirm: boolean; cancel: boolean; faults: Array<{ op: Op; f: Fault }> }
  | { t: 'refund'; pick: number; part: number; faults: Array<{ op: Op; f: Fault }> };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('charge' as const), amountFen: fc.integer({ min: 1, max: 3000 }), confirm: fc.boolean(), cancel: fc.boolean(), faults: fc.array(faultArb, { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }), faults: fc.array(faultArb, { maxLength: 2 }) }) },
);

async function waitState(engine: PaymentEngine, orderNo: string, pred: (s: string) => boolean, ms = 3_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = (await engine.get(orderNo)).payment.state;
    if (pred(s) || Date.now() > end) return s;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each([['Alipay', alipay], ['WeChat Pay', wechat]] as const)('engine under random faults against the %s adapter', (_, open) => {
  it('keeps terminal and gateway in agreement and every payment final', async () => {
    const ended = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 5 }), async (steps) => {
        const h = await open();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-wallet-prop-'));
        const db = await Db.open({ filename: path.join(dir, 't.sqlite') });
        await migrate(db, migrations);
        const engine = new PaymentEngine({ db, bus: new EventBus(), acquirer: h.acquirer, terminalId: 'T0001', training: false, log: () => undefined });
        try {
          for (const s of steps) {
            h.clear();
            for (const x of s.faults) h.fault(x.op, x.f);
            if (s.t === 'charge') {
              const p = await engine.charge({ amountFen: s.amountFen, code: h.code() }, null).catch((e: { code?: string }) => {
                if (e.code === 'payment.busy') return null;
                throw e;
              });
              if (!p) continue;
              if (s.confirm || s.cancel) {
                const st = await waitState(engine, p.orderNo, (x) => !['created', 'paying'].includes(x));
                if (st === 'userpaying' && s.confirm) h.confirm(p.orderNo);
                if (s.cancel) await engine.cancel(p.orderNo).catch(() => undefined);
              }
              await engine.settled(p.orderNo);
            } else {
              const paid = await db.all<{ order_no: string; amount_fen: number; refunded_fen: number }>("SELECT order_no, amount_fen, refunded_fen FROM payments WHERE state = 'succeeded'");
              if (paid.length) {
                const p = paid[s.pick % paid.length];
                const amount = Math.max(1, Math.floor(((p.amount_fen - p.refunded_fen) * s.part) / 100));
                await engine.refund({ orderNo: p.order_no, amountFen: amount, reason: 'property' }, null).catch(() => undefined);
              }
            }
            await engine.idle();
          }
          h.clear();
          await engine.recover();
          await engine.idle();
          const problems: string[] = [];
          for (const p of await db.all<{ order_no: string; state: string; refunded_fen: number }>("SELECT order_no, state, refunded_fen FROM payments WHERE kind IN ('code','qr')")) {
            ended.set(p.state, (ended.get(p.state) ?? 0) + 1);
            if (!['succeeded', 'failed', 'cancelled', 'closed'].includes(p.state)) problems.push(`${p.order_no} left ${p.state}`);
            if ((p.state === 'succeeded') !== h.paidThere(p.order_no)) problems.push(`${p.order_no}: terminal ${p.state}, gateway paid ${h.paidThere(p.order_no)}`);
            if (p.state === 'succeeded' && p.refunded_fen !== h.refundedThere(p.order_no)) problems.push(`${p.order_no}: refunded ${p.refunded_fen} here, ${h.refundedThere(p.order_no)} there`);
          }
          for (const r of await db.all<{ refund_no: string; state: string }>("SELECT refund_no, state FROM refunds WHERE state NOT IN ('succeeded','failed')")) problems.push(`refund ${r.refund_no} left ${r.state}`);
          expect(problems).toEqual([]);
        } finally {
          await engine.stop();
          await db.close();
          await h.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      {
        numRuns: 12,
        seed: Number(process.env.FC_SEED ?? 20261206),
        endOnFailure: true,
        // One paid and one declined charge always run, so the coverage check below holds for any
        // seed (FC_SEED) rather than depending on what the random runs happened to draw.
        examples: [[[
          { t: 'charge', amountFen: 100, confirm: false, cancel: false, faults: [] },
          { t: 'charge', amountFen: 200, confirm: false, cancel: false, faults: [{ op: 'pay', f: 'decline' }] },
        ]]],
      },
    );
    for (const s of ['succeeded', 'failed']) expect(ended.get(s) ?? 0, s).toBeGreaterThan(0);
  }, 180_000);
});
