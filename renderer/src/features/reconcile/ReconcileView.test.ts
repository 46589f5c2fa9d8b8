// @vitest-environment happy-dom
/**
 * Issue 11, item 7, on the screen: a run shows its progress while it runs, then the result
 * (what the till corrected, what waits); a supervisor resolves a waiting line with a note, a
 * cashier-level role is told only a supervisor can; the CSV is offered.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import type { OnlineReconcileLine, OnlineReconcileReport } from '../../../../core/api/reconcile';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import { useSessionStore } from '../../stores/session';
import ReconcileView from './ReconcileView.vue';

const line = (over: Partial<OnlineReconcileLine> = {}): OnlineReconcileLine => ({
  kind: 'payment', ref: 'RCSTRANGER01', orderNo: 'RCSTRANGER01', outcome: 'missing_locally', localFen: null, acquirerFen: 777,
  localState: null, acquirerState: 'paid', action: 'supervisor', zh: '收单机构对账单有这笔收款（¥7.77），本机没有记录。 请主管核实处理。',
  en: 'The acquirer’s statement has this payment (¥7.77); this till has no record of it. A supervisor checks and resolves it.',
  resolvedBy: null, resolvedAt: null, resolution: null, ...over,
});
const report = (lines: OnlineReconcileLine[]): OnlineReconcileReport => ({
  day: '2026-12-05', ranAt: Date.parse('2026-12-06T00:40:00+08:00'), trigger: 'manual',
  counts: { matched: 3, missing_locally: lines.filter((l) => l.outcome === 'missing_locally').length, missing_at_acquirer: 0, amount_mismatch: 0, status_mismatch: lines.filter((l) => l.outcome === 'status_mismatch').length },
  corrected: lines.filter((l) => l.action === 'corrected').length, carried: 0, waiting: lines.filter((l) => l.action === 'supervisor' && !l.resolvedAt).length,
  localNetFen: 1_000, acquirerNetFen: 1_777, lines,
});

let listeners: Map<string, (p: unknown) => void>;
let calls: Array<[string, unknown]>;
let finishRun: (r: OnlineReconcileReport) => void;
function install(first: OnlineReconcileReport | null) {
  listeners = new Map();
  calls = [];
  const call = Object.fromEntries(methodNames.map((m) => [m, async (input: unknown): Promise<RpcResult> => {
    calls.push([m, input]);
    if (m === 'reconcile:report') return { ok: true, value: first };
    if (m === 'reconcile:online') return { ok: true, value: await new Promise<OnlineReconcileReport>((r) => (finishRun = r)) };
    if (m === 'reconcile:resolve') {
      const i = input as { note: string };
      return { ok: true, value: report([line({ resolvedBy: 'sup1', resolvedAt: 1, resolution: i.note })]) };
    }
    return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
  }])) as CashierBridge['call'];
  setBridge({ call, on: (e: string, l: (p: unknown) => void) => (listeners.set(e, l), () => listeners.delete(e)) } as unknown as CashierBridge);
}

async function open(role: 'supervisor' | 'agent') {
  useSessionStore().operator = { id: role === 'supervisor' ? 'sup1' : 'agent1', name: role, role };
  const w = mount(ReconcileView, { global: { plugins: [makeI18n('zh-CN')] } });
  await flushPromises();
  return w;
}

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setBridge(null));

describe('the reconciliation screen', () => {
  it('shows the progress while a run is under way, then what was corrected and what waits', async () => {
    install(null);
    const w = await open('supervisor');
    expect(w.find('[data-testid="reconcile-never"]').exists()).toBe(true);
    await w.find('form.row').trigger('submit');
    await flushPromises();
    const day = (w.find('[data-testid="reconcile-day"]').element as HTMLInputElement).value;
    expect(w.find('[data-testid="reconcile-progress"]').text()).toContain('正在取收单机构对账单');
    listeners.get('reconcile:progress')?.({ day, step: 'correcting', done: 1, total: 2 });
    await flushPromises();
    expect(w.find('[data-testid="reconcile-progress"]').text()).toContain('正在自动更正（1/2）');
    expect(w.find('[data-testid="reconcile-progress"] progress').exists()).toBe(true);
    expect((w.find('[data-testid="reconcile-run"]').element as HTMLButtonElement).disabled).toBe(true);
    finishRun(report([line(), line({ ref: 'RCFAILED0001', orderNo: 'RCFAILED0001', outcome: 'status_mismatch', action: 'corrected', localState: 'failed', zh: '状态不符。 已按收单机构的记录自动更正为成功，并记入流水。' })]));
    listeners.get('reconcile:progress')?.({ day, step: 'done', done: 2, total: 2 });
    await flushPromises();
    expect(w.find('[data-testid="reconcile-progress"]').text()).toContain('对账完成');
    expect(w.find('[data-testid="reconcile-corrected"]').text()).toContain('自动更正 1 笔');
    expect(w.find('[data-testid="reconcile-waiting"]').text()).toContain('待主管处理 1 笔');
    expect(w.find('[data-testid="reconcile-line-RCFAILED0001"]').text()).toContain('已自动更正');
  });

  it('lets a supervisor resolve a waiting line with a note (2 characters at least)', async () => {
    install(report([line()]));
    const w = await open('supervisor');
    await w.find('[data-testid="reconcile-note"]').setValue('好');
    await w.find('[data-testid="reconcile-line-RCSTRANGER01"] form').trigger('submit');
    expect(w.find('[data-testid="reconcile-line-error"]').text()).toContain('至少 2 个字');
    expect(calls.some(([m]) => m === 'reconcile:resolve')).toBe(false);
    await w.find('[data-testid="reconcile-note"]').setValue('别的终端的款');
    await w.find('[data-testid="reconcile-line-RCSTRANGER01"] form').trigger('submit');
    await flushPromises();
    expect(calls).toContainEqual(['reconcile:resolve', { day: expect.any(String), kind: 'payment', ref: 'RCSTRANGER01', note: '别的终端的款' }]);
    expect(w.find('[data-testid="reconcile-line-resolution"]').text()).toContain('别的终端的款');
  });

  it('tells anyone else that only a supervisor resolves a line', async () => {
    install(report([line()]));
    const w = await open('agent');
    expect(w.find('[data-testid="reconcile-note"]').exists()).toBe(false);
    expect(w.find('[data-testid="reconcile-supervisor-only"]').text()).toContain('只有主管');
  });
});
