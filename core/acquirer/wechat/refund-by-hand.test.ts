/**
 * WeChat Pay refundquery `CHANGE` (refund abnormal: the money left the merchant but the
 * customer's card refused it; WeChat holds it until the merchant settles it on the merchant
 * platform) through the engine against the fake gateway: never succeeded, never failed (that
 * would release its amount for a second refund), on the supervisor's list until WeChat says
 * it is settled. (Tests may reach core/payments; the adapter never does.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../events';
import { PaymentEngine } from '../../payments/engine';
import { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { migrations } from '../../store/migrations';
import { WALLET_TEST_TIMINGS } from '../fake-kit';
import { openWechatKit, type WechatKit } from './test-kit';

let kit: WechatKit;
let db: Db;
let engine: PaymentEngine;
let dir: string;

beforeEach(async () => {
  kit = await openWechatKit(WALLET_TEST_TIMINGS);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-wx-change-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
  engine = new PaymentEngine({ db, bus: new EventBus(), acquirer: kit.acquirer, terminalId: 'T0001', training: false, log: () => undefined });
});
afterEach(async () => {
  await engine.stop();
  await db.close();
  await kit.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A paid WeChat charge, then a refund whose answer is lost after WeChat took it, later reported CHANGE. */
async function refundThatTurnsAbnormal() {
  const p = await engine.charge({ amountFen: 1000, code: '134567890123456789' }, null);
  expect((await engine.settled(p.orderNo)).state).toBe('succeeded');
  kit.fake.next('/secapi/pay/refund', { dropAfterCommit: true });
  // From now on WeChat's own record of the refund says CHANGE (played before each refundquery).
  kit.fake.planner = (key) => {
    if (key === '/pay/refundquery') for (const r of kit.fake.refunds) r.status = 'CHANGE';
    return undefined;
  };
  const r = await engine.refund({ orderNo: p.orderNo, amountFen: 600, reason: '退货' }, null);
  return { p, r };
}

describe('WeChat refund CHANGE: settled by hand, its amount kept reserved', () => {
  it('is neither succeeded nor failed: pending, with the reason, on the supervisor’s list', async () => {
    const { p, r } = await refundThatTurnsAbnormal();
    expect(r.state).toBe('pending');
    expect(r.settleByHand).toMatchObject({ code: 'acquirer.change', zh: expect.stringContaining('商户平台'), en: expect.stringContaining('by hand') });
    expect((await engine.get(p.orderNo)).payment.refundedFen).toBe(0);
    expect((await engine.refundsToSettle()).map((x) => x.refundNo)).toEqual([r.refundNo]);
  });

  it('does not release the amount: a second refund that would pay the customer twice is refused', async () => {
    const { p } = await refundThatTurnsAbnormal();
    await expect(engine.refund({ orderNo: p.orderNo, amountFen: 500, reason: 'again' }, null)).rejects.toMatchObject({ code: 'refund.exceeds', detail: { leftFen: 400 } });
  });

  it('stays on the list across sweeps, recorded once, and ends when WeChat reports it settled', async () => {
    const { p, r } = await refundThatTurnsAbnormal();
    await engine.recover();
    await engine.idle();
    expect((await engine.get(p.orderNo)).refunds[0]).toMatchObject({ state: 'pending', settleByHand: { code: 'acquirer.change' } });
    const audits = await db.all<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'payment.refund_by_hand'");
    expect(audits[0]!.n).toBe(1);
    // The supervisor settled it on the merchant platform: WeChat now reports SUCCESS.
    kit.fake.planner = null;
    for (const x of kit.fake.refunds) x.status = 'SUCCESS';
    await engine.recover();
    await engine.idle();
    const after = await engine.get(p.orderNo);
    expect(after.refunds[0]).toMatchObject({ refundNo: r.refundNo, state: 'succeeded', settleByHand: null });
    expect(after.payment.refundedFen).toBe(600);
    expect(await engine.refundsToSettle()).toEqual([]);
  });
});
