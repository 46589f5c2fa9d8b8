// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import type { ZReport } from '../../../../core/api/reports';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import ReportView from './ReportView.vue';

const report: ZReport = {
  day: '2026-11-27',
  byTender: [{ tender: 'wechat', count: 2, fen: 12_300 }],
  byKind: [{ kind: 'sale', count: 2, fen: 12_300 }],
  byStatus: [{ state: 'succeeded', count: 2, fen: 12_300 }],
  totalFen: 12_300,
  refundedFen: 0,
  offlinePending: { count: 0, fen: 0 },
  offlineReview: { waiting: { count: 0, fen: 0 }, held: { count: 0, fen: 0 } },
  billRefusals: { toReturn: { count: 1, fen: 8_650 }, returned: { count: 0, fen: 0 } },
  hourly: Array.from({ length: 24 }, (_, hour) => ({ hour, count: hour === 9 ? 2 : 0, fen: hour === 9 ? 12_300 : 0 })),
  receipts: { printed: 1, reprinted: 0, paperSaved: 1 },
  float: null,
};

/** The contract answers reports:z; `shell` is the Electron preload's, or absent as in the browser shell. */
function install(shell?: CashierBridge['shell'], value: ZReport = report) {
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (): Promise<RpcResult> => (m === 'reports:z' ? { ok: true, value } : { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } })]),
  ) as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined, ...(shell ? { shell } : {}) });
}

/** happy-dom has no print(): give the page one to watch. */
function watchPrint() {
  const print = vi.fn();
  Object.defineProperty(window, 'print', { value: print, configurable: true, writable: true });
  return print;
}

async function open() {
  const w = mount(ReportView, { global: { plugins: [makeI18n('zh-CN')] } });
  await flushPromises();
  expect(w.find('[data-testid="report-total"]').text()).toContain('123.00');
  return w;
}

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setBridge(null));

describe('the Z report’s PDF', () => {
  it('under Electron, asks the shell for the report’s day and says where the file went', async () => {
    const saveZReportPdf = vi.fn(async (): Promise<RpcResult> => ({ ok: true, value: { saved: true, path: '/home/shop/文档/Z-report-20261127.pdf' } }));
    install({ saveZReportPdf });
    const print = watchPrint();
    const w = await open();
    await w.find('[data-testid="report-day"]').setValue('2026-11-28'); // changed, not reloaded
    const button = w.find('[data-testid="export-pdf"]');
    expect(button.text()).toBe('存为 PDF 文件');
    await button.trigger('click');
    await flushPromises();
    expect(saveZReportPdf).toHaveBeenCalledWith({ day: '2026-11-27' });
    expect(print).not.toHaveBeenCalled();
    expect(w.find('[data-testid="report-pdf-result"]').text()).toBe('报表已存为 PDF：/home/shop/文档/Z-report-20261127.pdf');
  });

  it('says nothing was saved when the cashier cancels, and shows the shell’s error in words', async () => {
    const answers: RpcResult[] = [
      { ok: true, value: { saved: false } },
      { ok: false, error: { code: 'report.pdf_write_failed', zh: '无法在所选位置写入文件，报表没有保存。', en: 'The file could not be written there.' } },
    ];
    install({ saveZReportPdf: async () => answers.shift()! });
    const w = await open();
    await w.find('[data-testid="export-pdf"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="report-pdf-result"]').text()).toBe('没有保存 PDF（已取消）。');
    await w.find('[data-testid="export-pdf"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="report-pdf-result"]').exists()).toBe(false);
    expect(w.find('[data-testid="report-pdf-error"]').text()).toBe('无法在所选位置写入文件，报表没有保存。');
    expect(w.find('[data-testid="report-pdf-error"]').attributes('role')).toBe('alert');
  });

  it('in the browser shell keeps the browser’s print dialogue', async () => {
    install();
    const print = watchPrint();
    const w = await open();
    const button = w.find('[data-testid="export-pdf"]');
    expect(button.text()).toBe('打印 / 存为 PDF');
    await button.trigger('click');
    expect(print).toHaveBeenCalledTimes(1);
  });
});

describe('the Z report’s refused bills', () => {
  it('says how much of the customers’ cash is still to give back, and nothing on a day without refused bills', async () => {
    install();
    const w = await open();
    expect(w.find('[data-testid="report-bill-refusals"]').text()).toBe('待退还 1 笔 ¥86.50 · 已退还 0 笔 ¥0.00');
    install(undefined, { ...report, billRefusals: { toReturn: { count: 0, fen: 0 }, returned: { count: 0, fen: 0 } } });
    const quiet = await open();
    expect(quiet.find('[data-testid="report-bill-refusals"]').exists()).toBe(false);
  });
});

describe('a closed day and the journal check', () => {
  /** The contract as a supervisor sees it: reports:z, reports:close, the journal's check. */
  function installSupervisor(answers: Partial<Record<string, unknown>>, calls: string[]) {
    const call = Object.fromEntries(
      methodNames.map((m) => [m, async (): Promise<RpcResult> => {
        calls.push(m);
        return m in answers ? { ok: true, value: answers[m] } : { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
      }]),
    ) as CashierBridge['call'];
    setBridge({ call, on: () => () => undefined });
  }
  const broken = {
    ok: false, problem: 'row_edited', seq: 3, scope: 'full', rows: 3, head: { seq: 9, hash: 'a'.repeat(64) }, keyId: '0123456789abcdef', keyedFrom: 1,
    anchor: null, at: 0, zh: '账本校验未通过（第 3 条）：有记录被改动。已停止收款', en: 'The journal failed its check (entry 3): an entry was edited.',
  };

  it('shows refunds of the day net by tender, closes the day and then shows the stored, numbered report', async () => {
    const calls: string[] = [];
    const live = { ...report, refundedFen: 1_000, netFen: 11_300, refundsByTender: [{ tender: 'cash', count: 1, fen: 1_000 }], netByTender: [{ tender: 'wechat', fen: 12_300 }, { tender: 'cash', fen: -1_000 }], closed: null, afterClose: null };
    const closed = { ...live, closed: { number: 7, at: 0, by: 'super1', hash: 'b'.repeat(64) }, afterClose: { sales: { count: 1, fen: 700 }, refunds: { count: 0, fen: 0 } } };
    installSupervisor({ 'reports:z': live, 'reports:close': closed, 'ledger:status': broken }, calls);
    const { useSessionStore } = await import('../../stores/session');
    useSessionStore().operator = { id: 'super1', name: '李强', role: 'supervisor' } as never;
    Object.defineProperty(window, 'confirm', { value: vi.fn(() => true), configurable: true, writable: true });
    const w = await open();
    expect(w.find('[data-testid="report-refunds"]').text()).toContain('10.00');
    expect(w.find('[data-testid="report-net"]').text()).toContain('113.00');
    expect(w.find('[data-testid="report-by-tender"]').text()).toMatch(/-10\.00/);
    await w.find('[data-testid="report-close"]').trigger('click');
    await flushPromises();
    expect(calls).toContain('reports:close');
    expect(w.find('[data-testid="report-closed"]').text()).toContain('Z 第 7 号');
    expect(w.find('[data-testid="report-after-close"]').text()).toContain('7.00');
    expect(w.find('[data-testid="report-close"]').exists()).toBe(false);
    // The journal check: the core's words, as an alert.
    expect(w.find('[data-testid="journal-broken"]').text()).toContain('有记录被改动');
  });
});
