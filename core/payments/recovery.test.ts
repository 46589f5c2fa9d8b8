import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskCode } from './codes';
import { createPayment } from './create';
import { transitionPayment } from './repo';
import { openKit, waitFor, type Kit } from './test-kit';

let kit: Kit;
beforeEach(async () => {
  kit = await openKit();
});
afterEach(async () => {
  await kit.close();
});

/** A charge as a crashed process left it: row durable, maybe sent, never resolved. */
async function leftOpen(walletId: string, amountFen: number, send: boolean, to: 'created' | 'paying' = 'paying') {
  const code = await kit.code(walletId);
  const p = await createPayment(kit.engine.env, { kind: 'code', tender: 'wechat', amountFen, maskedCode: maskCode(code), operatorId: null, exclusive: true });
  if (to === 'paying') await transitionPayment(kit.engine.env, p.orderNo, 'paying');
  if (send) await kit.acquirer.pay({ orderNo: p.orderNo, amountFen, code, subject: 't' });
  return { p, code };
}

describe('recovery on start', () => {
  it('a charge the acquirer completed before the crash becomes succeeded', async () => {
    const { p } = await leftOpen('W01', 700, true);
    await kit.restartEngine();
    await kit.engine.recover();
    expect((await kit.engine.get(p.orderNo)).payment.state).toBe('succeeded');
  });

  it('a charge the acquirer never saw is cancelled, and a late request cannot charge', async () => {
    const { p, code } = await leftOpen('W01', 700, false, 'created');
    await kit.restartEngine();
    await kit.engine.recover();
    expect((await kit.engine.get(p.orderNo)).payment.state).toBe('cancelled');
    const before = await kit.balance('W01');
    // The request that was "in flight" arrives now: the tombstone refuses it.
    const late = await kit.acquirer.pay({ orderNo: p.orderNo, amountFen: 700, code, subject: 't' });
    expect(late.status).toBe('failed');
    expect(await kit.balance('W01')).toBe(before);
  });

  it('an open charge blocks new charges until recovery resolves it', async () => {
    await leftOpen('W01', 700, true);
    await kit.restartEngine();
    await expect(kit.engine.charge({ amountFen: 100, code: await kit.code('W02') }, null)).rejects.toMatchObject({ code: 'payment.busy' });
    await kit.engine.recover();
    const p = await kit.engine.charge({ amountFen: 100, code: await kit.code('W02') }, null);
    expect((await kit.engine.settled(p.orderNo)).state).toBe('succeeded');
  });

  it('a USERPAYING charge gets the rest of its wait, then is cancelled', async () => {
    const { p } = await leftOpen('W04', 700, true);
    await kit.restartEngine();
    await kit.engine.recover();
    expect((await kit.engine.get(p.orderNo)).payment.state).toBe('cancelled');
  });
});

describe('the sweeper', () => {
  it('resolves a payment stuck in cancelling once the acquirer answers again', async () => {
    await kit.close();
    kit = await openKit({ timings: { sweepEveryMs: 100 } });
    await kit.control.setFaults([
      { kind: 'drop_response_after_commit', op: 'pay' },
      { kind: 'http_500', op: 'query', times: 3 },
      { kind: 'http_500', op: 'cancel', times: 3 },
    ]);
    const before = await kit.balance('W01');
    const p = await kit.engine.charge({ amountFen: 640, code: await kit.code('W01') }, null);
    expect((await kit.engine.settled(p.orderNo)).state).toBe('cancelling');
    kit.engine.startSweeper();
    const done = await waitFor(() => kit.engine.get(p.orderNo).then((r) => r.payment), (x) => x.state === 'cancelled', 5_000);
    expect(done.state).toBe('cancelled');
    expect(await kit.balance('W01')).toBe(before);
  });
});
