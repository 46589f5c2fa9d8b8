// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import type { TrainingState } from '../../../../core/api/training';
import { setBridge } from '../../api/transport';
import { useTrainingStore } from './store';

const idle: TrainingState = {
  lessonId: null, title: null, role: null, steps: [], currentIndex: null, feedback: [], phoneWallet: null, startedAt: null, completed: false, summary: null,
};
const running: TrainingState = {
  ...idle,
  lessonId: 'normal-payment',
  title: { zh: '一笔普通扫码收款', en: 'A normal scan payment' },
  role: 'cashier',
  steps: [{ id: 'login', instruction: { zh: '登录', en: 'Log in' }, hint: null, status: 'current', quiz: null }],
  currentIndex: 0,
  startedAt: 1,
};

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

beforeEach(() => setActivePinia(createPinia()));

describe('useTrainingStore', () => {
  it('shows what the core says about the lesson and follows training:changed', async () => {
    const f = fakeBridge({ 'training:state': () => ({ ok: true, value: idle }) });
    setBridge(f.bridge);
    const s = useTrainingStore();
    await s.load();
    expect(s.running).toBe(false);
    f.push('training:changed', running);
    expect(s.running).toBe(true);
    expect(s.current?.id).toBe('login');
  });

  it('sends the reset with its explicit confirmation, and reloads the window when the core says it is done', async () => {
    const f = fakeBridge({
      'training:state': () => ({ ok: true, value: idle }),
      'demo:reset': () => ({ ok: true, value: { ok: true } }),
    });
    setBridge(f.bridge);
    const reload = vi.fn();
    vi.stubGlobal('location', { ...window.location, reload });
    const s = useTrainingStore();
    await s.load();
    await s.reset();
    expect(f.calls).toContainEqual(['demo:reset', { confirm: true }]);
    expect(reload).not.toHaveBeenCalled(); // only the core's event reloads, so every window does it
    f.push('demo:resetDone', { at: 1 });
    expect(reload).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });

  it('passes a quiz answer to the core and never marks a step done by itself', async () => {
    const f = fakeBridge({
      'training:state': () => ({ ok: true, value: running }),
      'training:answer': () => ({ ok: false, error: { code: 'training.not_quiz', zh: '当前步骤不是选择题', en: 'Not a question' } }),
    });
    setBridge(f.bridge);
    const s = useTrainingStore();
    await s.load();
    await expect(s.answer('login', 'a')).rejects.toMatchObject({ code: 'training.not_quiz' });
    expect(s.state.steps[0].status).toBe('current');
  });
});
