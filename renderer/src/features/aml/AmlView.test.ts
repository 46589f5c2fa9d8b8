// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AmlCase, AmlReport } from '../../../../core/api/aml';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import AmlView from './AmlView.vue';

const kase = (over: Partial<AmlCase> = {}): AmlCase => ({
  caseNo: 'AML202611280001', rule: 'near_limit_repeated',
  ruleName: { zh: '多笔金额紧贴限额', en: 'Repeated amounts just under a limit' },
  explain: { zh: '24 小时内 3 笔金额达到限额 ¥300.00 的 90% 以上且未超过（达到 3 笔即标记）。', en: '3 movements within 24 h at 90% or more of the ¥300.00 line.' },
  status: 'open', subjectType: 'phone', subjectMasked: '138****5555', subjectRef: '0123456789abcdef', day: '2026-11-28',
  openedAt: Date.parse('2026-11-28T08:00:00Z'), lastAt: Date.parse('2026-11-28T08:10:00Z'), count: 3, totalFen: 87_000, figures: {},
  note: null, notedBy: null, notedAt: null, reportedBy: null, reportedAt: null, newSinceNote: false,
  evidence: [1, 2, 3].map((i) => ({ seq: i, at: Date.parse('2026-11-28T08:00:00Z') + i * 60_000, kind: 'withdrawal' as const, channel: 'service' as const, ref: `T00012026112800000${i}`, amountFen: 29_000, party: '138****5555' })),
  ...over,
});

const report = (cases: AmlCase[]): AmlReport => ({
  from: '2026-10-30', to: '2026-11-28', terminalId: 'T0001', generatedAt: 0, cases,
  totals: { cases: cases.length, byStatus: { open: cases.filter((c) => c.status === 'open').length, noted: cases.filter((c) => c.status === 'noted').length, reported: 0 }, byRule: [], movements: { count: 3, fen: 87_000 } },
  watcher: { behind: 0, problem: null }, exports: [],
});

let current: AmlReport;
let calls: Array<[string, unknown]>;

function install(answer: (m: string, input: unknown) => RpcResult | null = () => null) {
  calls = [];
  const call = Object.fromEntries(methodNames.map((m) => [m, async (input: unknown): Promise<RpcResult> => {
    calls.push([m, input]);
    const own = answer(m, input);
    if (own) return own;
    if (m === 'aml:report') return { ok: true, value: current };
    if (m === 'session:operators') return { ok: true, value: [] };
    return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
  }])) as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
}

async function open() {
  const w = mount(AmlView, { global: { plugins: [makeI18n('zh-CN')] } });
  await flushPromises();
  return w;
}

// The screen opens on the 30 days up to today (China time), and the fixtures are of 2026-11-28:
// the test sets the clock it depends on (Date only, so promises and timers run as usual).
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-28T10:00:00+08:00'));
  setActivePinia(createPinia());
});
afterEach(() => {
  setBridge(null);
  vi.useRealTimers();
});

describe('the AML screen', () => {
  it('shows each case with its masked subject, and a note is needed before "reported"', async () => {
    current = report([kase()]);
    install((m, input) => {
      if (m !== 'aml:note') return null;
      current = report([kase({ status: 'noted', note: (input as { note: string }).note, notedBy: 'agent1', notedAt: Date.now() })]);
      return { ok: true, value: current.cases[0] };
    });
    const w = await open();
    const card = w.find('[data-testid="aml-case-AML202611280001"]');
    expect(card.text()).toContain('138****5555');
    expect(card.text()).toContain('3 笔 · ¥870.00');
    expect(card.text()).toContain('待处理');
    await w.find('[data-testid="aml-open-AML202611280001"]').trigger('click');
    expect(w.findAll('[data-testid="aml-evidence"] tbody tr')).toHaveLength(3);
    expect(w.find('[data-testid="aml-mark-reported"]').attributes('disabled')).toBeDefined();
    await w.find('[data-testid="aml-note"]').setValue('好');
    await w.find('form.form').trigger('submit');
    expect(w.find('[data-testid="aml-detail-error"]').text()).toContain('2 个字');
    expect(calls.some(([m]) => m === 'aml:note')).toBe(false);
    await w.find('[data-testid="aml-note"]').setValue('已核对身份证');
    await w.find('form.form').trigger('submit');
    await flushPromises();
    expect(calls).toContainEqual(['aml:note', { caseNo: 'AML202611280001', note: '已核对身份证' }]);
    expect(w.find('[data-testid="aml-detail-status"]').text()).toContain('已说明');
    expect(w.find('[data-testid="aml-mark-reported"]').attributes('disabled')).toBeUndefined();
  });

  it('records the print with the core before printing, and prints a bilingual page', async () => {
    current = report([kase()]);
    install((m) => (m === 'aml:export' ? { ok: true, value: { fileName: 'x.csv', csv: null, report: current, exportedAt: Date.parse('2026-11-28T09:00:00Z'), exportedBy: '张秀兰（助农代理） (agent1)' } } : null));
    const print = vi.fn();
    Object.defineProperty(window, 'print', { value: print, configurable: true, writable: true });
    const w = await open();
    await w.find('[data-testid="aml-print"]').trigger('click');
    await flushPromises();
    expect(calls).toContainEqual(['aml:export', { from: current.from, to: current.to, format: 'print' }]);
    expect(print).toHaveBeenCalledTimes(1);
    expect(w.find('[data-testid="aml-sheet-by"]').text()).toBe('张秀兰（助农代理） (agent1)');
    const sheet = w.find('.sheet-case').text();
    expect(sheet).toContain('多笔金额紧贴限额 / Repeated amounts just under a limit');
    expect(sheet).toContain('助农取款 / Withdrawal');
    expect(sheet).toContain('T000120261128000003');
  });

  it('says when the check is behind or stalled, and when there is nothing', async () => {
    current = { ...report([]), watcher: { behind: 4, problem: null } };
    install();
    let w = await open();
    expect(w.find('[data-testid="aml-watcher"]').text()).toContain('还有 4 笔');
    expect(w.find('[data-testid="aml-none"]').exists()).toBe(true);
    current = { ...report([]), watcher: { behind: 4, problem: { zh: '反洗钱检查暂时停顿', en: 'stalled' } } };
    w = await open();
    expect(w.find('[data-testid="aml-watcher"]').attributes('role')).toBe('alert');
  });
});
