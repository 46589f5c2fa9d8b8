// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { methodNames } from '../../../core/api/names';
import { setBridge } from '../api/transport';
import { useSessionStore } from './session';

const cashier = { id: 'cashier1', name: '王芳', role: 'cashier' as const };

function bridge(answers: Record<string, () => RpcResult>): { b: CashierBridge; calls: string[] } {
  const calls: string[] = [];
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async () => (calls.push(m), answers[m]?.() ?? { ok: false, error: { code: 'x', zh: 'x', en: 'x' } })]),
  ) as CashierBridge['call'];
  return { b: { call, on: () => () => undefined }, calls };
}

beforeEach(() => {
  setActivePinia(createPinia());
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('the idle lock on screen', () => {
  it('asks the core when the lock is due, and marks a lock (not a logout) when it comes', async () => {
    let locked = false;
    const f = bridge({
      'session:login': () => ({ ok: true, value: { operator: cashier, lockAt: Date.now() + 60_000 } }),
      'session:current': () => ({ ok: true, value: locked ? { operator: null, lockAt: null } : { operator: cashier, lockAt: Date.now() + 60_000 } }),
    });
    setBridge(f.b);
    const s = useSessionStore();
    await s.login('cashier1', '1111');
    expect(s.loggedIn).toBe(true);
    locked = true;
    await vi.advanceTimersByTimeAsync(61_500);
    expect(f.calls).toContain('session:current');
    expect(s.loggedIn).toBe(false);
    expect(s.lockedByIdle).toBe(true);
  });

  it('does not call a logout an idle lock', async () => {
    const f = bridge({
      'session:login': () => ({ ok: true, value: { operator: cashier, lockAt: Date.now() + 60_000 } }),
      'session:logout': () => ({ ok: true, value: { ok: true } }),
    });
    setBridge(f.b);
    const s = useSessionStore();
    await s.login('cashier1', '1111');
    await s.logout();
    expect(s.lockedByIdle).toBe(false);
  });
});

describe('a session ended in another window', () => {
  /** Logged in as the cashier, with a `session:changed` the test sends as the core's event would. */
  async function loggedIn() {
    const f = bridge({
      'session:current': () => ({ ok: true, value: { operator: cashier, lockAt: Date.now() + 60_000 } }),
      'session:operators': () => ({ ok: true, value: [cashier] }),
    });
    let emit: ((p: unknown) => void) | null = null;
    f.b.on = ((event: string, l: (p: unknown) => void) => {
      if (event === 'session:changed') emit = l;
      return () => undefined;
    }) as CashierBridge['on'];
    setBridge(f.b);
    const s = useSessionStore();
    await s.load();
    expect(s.loggedIn).toBe(true);
    return { s, emit: (p: unknown) => emit!(p) };
  }

  for (const ended of ['logout', 'elsewhere'] as const) {
    it(`says so, never "locked after inactivity", when it ended by ${ended}`, async () => {
      const { s, emit } = await loggedIn();
      emit({ operator: null, lockAt: null, ended });
      expect(s.loggedIn).toBe(false);
      expect(s.lockedByIdle).toBe(false);
      expect(s.endedElsewhere).toBe(true);
    });
  }

  it('still calls the idle lock an idle lock', async () => {
    const { s, emit } = await loggedIn();
    emit({ operator: null, lockAt: null, ended: 'idle' });
    expect(s.lockedByIdle).toBe(true);
    expect(s.endedElsewhere).toBe(false);
  });
});
