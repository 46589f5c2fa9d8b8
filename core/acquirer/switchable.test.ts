/** The link gate: a replacement waits for the calls in flight, holds new ones, and gives up plainly. */
import { describe, expect, it } from 'vitest';
import { DOMAIN_TIMINGS } from '../config';
import { LinkGate, SwitchableAcquirer, UnconnectedAcquirer } from './switchable';
import type { Acquirer, PayOutcome } from './types';

/** An acquirer whose charges answer when the test says, naming which connection answered. */
function acquirer(name: string) {
  const waiting: Array<() => void> = [];
  // Only what these tests call: the info and the charge.
  const a = {
    config: () => ({ name, timings: DOMAIN_TIMINGS, refundWindowMs: 1, maxRefundsPerPayment: 1, training: true }),
    pay: () => new Promise<PayOutcome>((resolve) => waiting.push(() => resolve({ status: 'succeeded', tradeNo: name }))),
  } as Pick<Acquirer, 'config' | 'pay'> as Acquirer;
  return { a, answer: () => waiting.shift()?.(), waiting };
}
const req = { orderNo: 'T000120260101000001', amountFen: 1, code: '134567890123456789', subject: 's' };
const tick = () => new Promise((r) => setTimeout(r, 10));

describe('LinkGate', () => {
  it('replaces the connection only once the call in flight is answered; a call made meanwhile goes whole to the new one', async () => {
    const gate = new LinkGate();
    const old = acquirer('old');
    const next = acquirer('new');
    const s = new SwitchableAcquirer(gate, old.a);
    const first = s.pay(req);
    await tick();
    let swapped = false;
    const held = gate.hold(5_000, async () => {
      s.replace(next.a);
      swapped = true;
    });
    await tick();
    expect(swapped).toBe(false); // the first charge is still out
    const second = s.pay(req); // waits at the gate
    await tick();
    expect(old.waiting).toHaveLength(1);
    old.answer();
    expect(await first).toEqual({ status: 'succeeded', tradeNo: 'old' });
    await held;
    expect(swapped).toBe(true);
    await tick();
    expect(next.waiting).toHaveLength(1);
    next.answer();
    expect(await second).toEqual({ status: 'succeeded', tradeNo: 'new' });
    expect(s.config().name).toBe('new');
  });

  it('gives up, running nothing, when a call in flight does not end in time; calls then go on as before', async () => {
    const gate = new LinkGate();
    const old = acquirer('old');
    const s = new SwitchableAcquirer(gate, old.a);
    const first = s.pay(req);
    await tick();
    let ran = false;
    expect(await gate.hold(30, async () => (ran = true))).toEqual({ ran: false });
    expect(ran).toBe(false);
    const second = s.pay(req);
    await tick();
    expect(old.waiting).toHaveLength(2);
    old.answer();
    old.answer();
    expect((await Promise.all([first, second])).map((x) => x.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('without a connection, a charge fails as never sent with a plain reason', async () => {
    const s = new SwitchableAcquirer(new LinkGate(), new UnconnectedAcquirer(DOMAIN_TIMINGS));
    expect(await s.pay(req)).toMatchObject({ status: 'refused', reason: 'NOT_CONNECTED' });
    expect(await s.query(req.orderNo)).toMatchObject({ status: 'unknown' });
  });
});
