// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { methodNames } from '../../../core/api/names';
import { ClientError } from '../api/client';
import { setBridge } from '../api/transport';
import { useSessionStore } from './session';

/** A fake bridge answering from a table, recording calls, and letting the test push events. */
function fakeBridge(answers: Partial<Record<string, (input: unknown) => RpcResult>>) {
  const calls: Array<[string, unknown]> = [];
  const listeners = new Map<string, (p: unknown) => void>();
  const call = Object.fromEntries(
    methodNames.map((m) => [
      m,
      async (input: unknown) => {
        calls.push([m, input]);
        return answers[m]?.(input) ?? { ok: false, error: { code: 'x', zh: 'x', en: 'x' } };
      },
    ]),
  ) as CashierBridge['call'];
  const bridge: CashierBridge = { call, on: (e, l) => (listeners.set(e, l), () => listeners.delete(e)) };
  return { bridge, calls, push: (e: string, p: unknown) => listeners.get(e)?.(p) };
}

const cashier = { id: 'cashier1', name: '王芳', role: 'cashier' as const };

beforeEach(() => setActivePinia(createPinia()));

describe('useSessionStore', () => {
  it('logs in through the contract and follows session:changed (idle lock)', async () => {
    const f = fakeBridge({
      'session:current': () => ({ ok: true, value: { operator: null, lockAt: null } }),
      'session:operators': () => ({ ok: true, value: [cashier] }),
      'session:login': () => ({ ok: true, value: { operator: cashier, lockAt: 1 } }),
    });
    setBridge(f.bridge);
    const s = useSessionStore();
    await s.load();
    expect(s.operators).toEqual([cashier]);
    await s.login('cashier1', '1111');
    expect(s.loggedIn).toBe(true);
    expect(f.calls).toContainEqual(['session:login', { operatorId: 'cashier1', pin: '1111' }]);
    f.push('session:changed', { operator: null, lockAt: null });
    expect(s.loggedIn).toBe(false);
  });

  it('surfaces a refused login as a bilingual ClientError and stays logged out', async () => {
    const f = fakeBridge({
      'session:login': () => ({ ok: false, error: { code: 'auth.bad_pin', zh: 'PIN 不正确', en: 'Wrong PIN' } }),
    });
    setBridge(f.bridge);
    const s = useSessionStore();
    const err = await s.login('cashier1', '0000').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).shape.zh).toBe('PIN 不正确');
    expect(s.loggedIn).toBe(false);
  });
});
