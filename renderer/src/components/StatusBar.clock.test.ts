// @vitest-environment happy-dom
/**
 * Issue 11, item 8: the status bar tells the cashier when the PC clock jumped (or is off the
 * acquirer's), in the core's own words for the screen's language, and follows `clock:changed`.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { methodNames } from '../../../core/api/names';
import type { ClockStatus } from '../../../core/api/system';
import { setBridge } from '../api/transport';
import { makeI18n } from '../i18n';
import StatusBar from './StatusBar.vue';

const clock = (state: ClockStatus['state']): ClockStatus => ({
  state, source: 'terminal', offMs: state === 'ok' ? 0 : -86_400_000, since: 0,
  zh: state === 'ok' ? '本机时间正常。' : '本机时间被调慢了约 1440 分钟：每日限额仍按原来的时间计算，请检查电脑时间。',
  en: state === 'ok' ? 'The terminal clock is fine.' : 'The terminal clock went back by about 1440 min: daily limits still count by the trusted time; check the PC clock.',
});

let emit: (event: string, payload: unknown) => void;
function install(first: ClockStatus) {
  const listeners = new Map<string, (p: unknown) => void>();
  emit = (e, p) => listeners.get(e)?.(p);
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (): Promise<RpcResult> =>
      m === 'clock:get' ? { ok: true, value: first } : { ok: false, error: { code: 'x', zh: 'x', en: 'x' } }]),
  ) as CashierBridge['call'];
  setBridge({ call, on: (e: string, l: (p: unknown) => void) => (listeners.set(e, l), () => listeners.delete(e)) } as unknown as CashierBridge);
}
const mountBar = (locale: 'zh-CN' | 'en') => mount(StatusBar, { global: { plugins: [makeI18n(locale)], stubs: { 'router-link': { props: ['to'], template: '<a :href="to"><slot /></a>' } } } });

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setBridge(null));

describe('the status bar and the clock', () => {
  it('says the PC clock went back, as an alert, in the screen’s language', async () => {
    install(clock('jumped_back'));
    const w = mountBar('zh-CN');
    await flushPromises();
    const item = w.find('[data-testid="clock-problem"]');
    expect(item.text()).toContain('本机时间被调慢');
    expect(item.attributes('role')).toBe('alert');
    const en = mountBar('en');
    await flushPromises();
    expect(en.find('[data-testid="clock-problem"]').text()).toContain('went back');
  });

  it('stays quiet while the clock is fine, and follows clock:changed', async () => {
    install(clock('ok'));
    const w = mountBar('zh-CN');
    await flushPromises();
    expect(w.find('[data-testid="clock-problem"]').exists()).toBe(false);
    emit('clock:changed', { ...clock('jumped_forward'), zh: '本机时间被调快了约 1440 分钟', en: 'jumped forward' });
    await flushPromises();
    expect(w.find('[data-testid="clock-problem"]').text()).toContain('调快');
    emit('clock:changed', clock('ok'));
    await flushPromises();
    expect(w.find('[data-testid="clock-problem"]').exists()).toBe(false);
  });
});
