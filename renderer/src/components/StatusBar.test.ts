// @vitest-environment happy-dom
/**
 * The status bar says so when offline forwarding is paused (the acquirer refuses the terminal's
 * key, the clock is off) — in words, linking to the forwarding screen — and says nothing for a
 * problem that retries by itself; it follows the forwarder's events.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { methodNames } from '../../../core/api/names';
import type { ForwarderStatus } from '../../../core/api/offline';
import { setBridge } from '../api/transport';
import { makeI18n } from '../i18n';
import StatusBar from './StatusBar.vue';

const status = (problem: ForwarderStatus['problem']): ForwarderStatus => ({
  state: problem?.paused ? 'paused' : 'backoff', nextAttemptAt: null, batchSize: 10, lastError: problem?.detail ?? null, problem,
});
const problem = (code: 'auth_refused' | 'timeout', paused: boolean): ForwarderStatus['problem'] => ({
  code, zh: '…', en: '…', who: paused ? 'installer' : 'nobody', paused, since: 0, detail: code === 'timeout' ? 'timeout' : 'http: 401 (auth_failed)',
});

let emit: (event: string, payload: unknown) => void;
function install(first: ForwarderStatus) {
  const listeners = new Map<string, (p: unknown) => void>();
  emit = (e, p) => listeners.get(e)?.(p);
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (): Promise<RpcResult> =>
      m === 'outbox:list' ? { ok: true, value: { items: [], counts: {}, forwarder: first } } : { ok: false, error: { code: 'x', zh: 'x', en: 'x' } }]),
  ) as CashierBridge['call'];
  setBridge({ call, on: (e: string, l: (p: unknown) => void) => (listeners.set(e, l), () => listeners.delete(e)) } as unknown as CashierBridge);
}
const mountBar = () => mount(StatusBar, { global: { plugins: [makeI18n('zh-CN')], stubs: { 'router-link': { props: ['to'], template: '<a :href="to"><slot /></a>' } } } });

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setBridge(null));

describe('the status bar and a paused forwarder', () => {
  it('says forwarding is paused because the key is refused, linking to the forwarding screen', async () => {
    install(status(problem('auth_refused', true)));
    const w = mountBar();
    await flushPromises();
    const item = w.find('[data-testid="forwarder-problem"]');
    expect(item.text()).toContain('离线款上传已暂停');
    expect(item.text()).toContain('请联系安装人员');
    expect(item.text()).not.toContain('401');
    expect(item.attributes('href')).toBe('/forwarding');
    expect(item.attributes('role')).toBe('alert');
  });

  it('stays quiet for a problem that retries by itself, and follows the forwarder’s events', async () => {
    install(status(problem('timeout', false)));
    const w = mountBar();
    await flushPromises();
    expect(w.find('[data-testid="forwarder-problem"]').exists()).toBe(false);
    emit('forwarder:changed', status(problem('auth_refused', true)));
    await flushPromises();
    expect(w.find('[data-testid="forwarder-problem"]').exists()).toBe(true);
    emit('forwarder:changed', status(null));
    await flushPromises();
    expect(w.find('[data-testid="forwarder-problem"]').exists()).toBe(false);
  });
});
