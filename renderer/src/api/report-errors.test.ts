// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { createApp, defineComponent } from 'vue';
import { afterEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { methodNames } from '../../../core/api/names';
import { RendererLogInput } from '../../../core/api/ops';
import { installErrorReporting } from './report-errors';
import { setBridge } from './transport';

function install() {
  const sent: unknown[] = [];
  const call = Object.fromEntries(methodNames.map((m) => [m, async (input: unknown): Promise<RpcResult> => {
    if (m === 'log:renderer') sent.push(input);
    return { ok: true, value: { ok: true } };
  }])) as unknown as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
  return sent;
}
afterEach(() => setBridge(null));

describe('the page’s errors reach the terminal’s log', () => {
  it('sends unhandled rejections, window errors and component errors, cut to the contract’s sizes', async () => {
    const sent = install();
    const app = createApp(defineComponent({ setup: () => () => { throw new Error('render failed'); } }));
    installErrorReporting(app);
    const origError = console.error;
    console.error = () => undefined;
    try {
      app.mount(document.createElement('div'));
      window.dispatchEvent(Object.assign(new Event('unhandledrejection'), { reason: new TypeError('x'.repeat(5000)) }));
      window.dispatchEvent(Object.assign(new Event('error'), { error: new RangeError('bad'), message: 'bad' }));
      await flushPromises();
    } finally {
      console.error = origError;
      app.unmount();
    }
    expect(sent.map((s) => (s as RendererLogInput).source).sort()).toEqual(['unhandledrejection', 'vue', 'window.error']);
    // Every one passes the contract's own schema (sizes included): the core would accept it.
    for (const s of sent) expect(RendererLogInput.safeParse(s).success).toBe(true);
    expect((sent.find((s) => (s as RendererLogInput).source === 'vue') as RendererLogInput).message).toBe('Error: render failed');
  });
});
