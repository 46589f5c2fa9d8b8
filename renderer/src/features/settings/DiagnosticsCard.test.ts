// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import DiagnosticsCard from './DiagnosticsCard.vue';

function install(answer: RpcResult) {
  const calls: string[] = [];
  const call = Object.fromEntries(methodNames.map((m) => [m, async (): Promise<RpcResult> => (calls.push(m), m === 'ops:diagnostics' ? answer : { ok: false, error: { code: 'x', zh: 'x', en: 'x' } })])) as unknown as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
  return calls;
}
afterEach(() => setBridge(null));

describe('the diagnostics card', () => {
  it('exports the bundle with one press and says where it is', async () => {
    const calls = install({ ok: true, value: { path: '/data/diagnostics/diagnostics-20261206T080000Z.zip', bytes: 20480, files: ['system.json'] } });
    const w = mount(DiagnosticsCard, { global: { plugins: [makeI18n('zh-CN')] } });
    await w.find('[data-testid="export-diagnostics"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['ops:diagnostics']);
    const msg = w.find('[data-testid="diagnostics-msg"]');
    expect(msg.attributes('role')).toBe('status');
    expect(msg.text()).toBe('已保存到 /data/diagnostics/diagnostics-20261206T080000Z.zip（20 KB）。');
  });

  it('says the core’s refusal in the screen’s language', async () => {
    install({ ok: false, error: { code: 'auth.role_required', zh: '只有管理员可以操作。', en: 'Administrators only.' } });
    const w = mount(DiagnosticsCard, { global: { plugins: [makeI18n('en')] } });
    await w.find('[data-testid="export-diagnostics"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="diagnostics-msg"]').attributes('role')).toBe('alert');
    expect(w.find('[data-testid="diagnostics-msg"]').text()).toBe('Administrators only.');
  });
});
