import { describe, expect, it } from 'vitest';
import { PaymentState, TERMINAL_STATES } from '../api/payments';
import { canTransition, PAYMENT_TRANSITIONS, REFUND_TRANSITIONS } from './state';
import { applyOutcome } from './query';
import { openKit } from './test-kit';
import { createPayment } from './create';
import { transitionPayment } from './repo';

describe('the payment state machine', () => {
  it('has an entry for every documented state', () => {
    expect(Object.keys(PAYMENT_TRANSITIONS).sort()).toEqual([...PaymentState.options].sort());
  });
  it('never leaves a terminal state', () => {
    for (const s of TERMINAL_STATES) expect(PAYMENT_TRANSITIONS[s]).toEqual([]);
    for (const s of ['succeeded', 'failed'] as const) expect(REFUND_TRANSITIONS[s]).toEqual([]);
  });
  it('enters unknown only from created or paying: an unknown outcome never overwrites a known one', () => {
    const into = PaymentState.options.filter((s) => canTransition(s, 'unknown'));
    expect(into).toEqual(['created', 'paying']);
  });
  it('lets created go wherever paying may: the request may have left before the paying mark', () => {
    for (const to of PAYMENT_TRANSITIONS.paying) expect(canTransition('created', to), to).toBe(true);
  });

  it('fails a payment on a refused request only while no earlier request can have been delivered', async () => {
    const kit = await openKit();
    try {
      const env = kit.engine.env;
      const refused = { status: 'refused', reason: 'BAD_REQUEST', zh: 'x', en: 'x' } as const;
      const a = await createPayment(env, { kind: 'code', tender: 'wechat', amountFen: 100, operatorId: null, exclusive: true });
      await transitionPayment(env, a.orderNo, 'paying');
      const out = (await transitionPayment(env, a.orderNo, 'unknown')).payment;
      expect((await applyOutcome(env, out, refused)).state).toBe('unknown');
      await transitionPayment(env, a.orderNo, 'cancelling');
      await transitionPayment(env, a.orderNo, 'cancelled');
      const b = await createPayment(env, { kind: 'code', tender: 'wechat', amountFen: 100, operatorId: null, exclusive: true });
      const first = (await transitionPayment(env, b.orderNo, 'paying')).payment;
      expect((await applyOutcome(env, first, refused)).state).toBe('failed');
    } finally {
      await kit.close();
    }
  });
  it('only targets states that exist', () => {
    for (const targets of Object.values(PAYMENT_TRANSITIONS)) for (const t of targets) expect(PaymentState.options).toContain(t);
  });

  it('applying an unknown answer to a userpaying or succeeded payment changes nothing on disk', async () => {
    const kit = await openKit();
    try {
      const env = kit.engine.env;
      const p = await createPayment(env, { kind: 'code', tender: 'wechat', amountFen: 100, operatorId: null, exclusive: true });
      await transitionPayment(env, p.orderNo, 'paying');
      const up = (await transitionPayment(env, p.orderNo, 'userpaying')).payment;
      expect((await applyOutcome(env, up, { status: 'unknown', why: 'test' })).state).toBe('userpaying');
      const ok = (await transitionPayment(env, p.orderNo, 'succeeded', { tradeNo: 'X' })).payment;
      for (const o of [{ status: 'unknown', why: 't' }, { status: 'failed', reason: 'DECLINED', zh: 'x', en: 'x' }, { status: 'closed' }] as const) {
        expect((await applyOutcome(env, ok, o)).state).toBe('succeeded');
      }
      const r = await transitionPayment(env, p.orderNo, 'failed');
      expect(r.changed).toBe(false);
      expect(await kit.count('journal')).toBe(1);
    } finally {
      await kit.close();
    }
  });
});
