// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import { useSessionStore } from '../../stores/session';
import MirrorCard from './MirrorCard.vue';

let calls: Array<[string, Record<string, unknown>]>;
function install(answer: (m: string, input: Record<string, unknown>) => RpcResult | null) {
  calls = [];
  const call = Object.fromEntries(methodNames.map((m) => [m, async (input: Record<string, unknown>): Promise<RpcResult> => {
    calls.push([m, input]);
    return answer(m, input) ?? { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
  }])) as unknown as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
}
const off = { state: 'off', dir: null, records: 0, lastWriteAt: null, problem: null };

beforeEach(() => {
  setActivePinia(createPinia());
  const s = useSessionStore();
  s.operator = { id: 'admin1', name: '赵敏', role: 'admin' } as never;
  s.operators = [{ id: 'super1', name: '王主管', role: 'supervisor' }] as never;
});
afterEach(() => setBridge(null));

describe('the mirror card', () => {
  it('turns the mirror on with a supervisor, shows the recovery code once, and keeps the request id on a retry', async () => {
    let attempt = 0;
    install((m) => {
      if (m === 'mirror:status') return { ok: true, value: off };
      if (m === 'mirror:enable') {
        attempt += 1;
        if (attempt === 1) return { ok: false, error: { code: 'rpc.disconnected', zh: '连接断开', en: 'disconnected' } };
        return { ok: true, value: { status: { ...off, state: 'ok', dir: '/media/usb' }, recoveryCode: 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789' } };
      }
      return null;
    });
    const w = mount(MirrorCard, { global: { plugins: [makeI18n('zh-CN')] } });
    await flushPromises();
    await w.find('[data-testid="mirror-dir"]').setValue('/media/usb');
    await w.find('[data-testid="approver-select"]').setValue('super1');
    await w.find('[data-testid="approver-pin"]').setValue('2222');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="mirror-msg"]').text()).toContain('连接断开');
    await w.find('[data-testid="approver-pin"]').setValue('2222');
    await w.find('form').trigger('submit');
    await flushPromises();
    const sent = calls.filter(([m]) => m === 'mirror:enable').map(([, i]) => i);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.requestId).toBe(sent[1]!.requestId);
    expect(w.find('[data-testid="mirror-code"]').text()).toBe('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789');
    await w.find('[data-testid="mirror-code-done"]').trigger('click');
    expect(w.find('[data-testid="mirror-code"]').exists()).toBe(false);
  });
});
