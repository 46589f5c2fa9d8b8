/**
 * Tests only: the status bar on a fake bridge. `install` answers the given methods (every other
 * call is refused) and returns `emit`, which pushes an event as the core would; `mountBar`
 * mounts the bar in the given language with router links stubbed.
 */
import { mount } from '@vue/test-utils';
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { methodNames } from '../../../core/api/names';
import { setBridge } from '../api/transport';
import { makeI18n } from '../i18n';
import StatusBar from './StatusBar.vue';

export function install(answers: Record<string, unknown>): (event: string, payload: unknown) => void {
  const listeners = new Map<string, (p: unknown) => void>();
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (): Promise<RpcResult> =>
      m in answers ? { ok: true, value: answers[m] } : { ok: false, error: { code: 'x', zh: 'x', en: 'x' } }]),
  ) as unknown as CashierBridge['call'];
  setBridge({ call, on: (e: string, l: (p: unknown) => void) => (listeners.set(e, l), () => listeners.delete(e)) } as unknown as CashierBridge);
  return (e, p) => listeners.get(e)?.(p);
}

export const mountBar = (locale: 'zh-CN' | 'en') =>
  mount(StatusBar, { global: { plugins: [makeI18n(locale)], stubs: { 'router-link': { props: ['to'], template: '<a :href="to"><slot /></a>' } } } });
