// @vitest-environment happy-dom
/**
 * History's date filter: China calendar days typed as yyyy-MM-dd, sent as that day's first and
 * last millisecond China time, whatever the PC's zone — a sale at 00:00:01 China time belongs to
 * that day. A text that is not a day is refused in words and nothing is searched.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import type { Payment } from '../../../../core/api/payments';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import { usePrefsStore } from '../../stores/prefs';
import HistoryView from './HistoryView.vue';

// 2026-03-08 00:00:00 China time.
const MIDNIGHT = Date.UTC(2026, 2, 7, 16, 0, 0);
const DAY = 86_400_000;
const sale = { orderNo: 'T0001202603080001', createdAt: MIDNIGHT + 1000, amountFen: 500, refundedFen: 0, state: 'succeeded', tender: 'cash', kind: 'sale', maskedCode: null } as unknown as Payment;

let lists: Array<Record<string, unknown>> = [];
function install() {
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (input: Record<string, unknown>): Promise<RpcResult> => {
      if (m !== 'payments:list') return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
      lists.push(input);
      const from = (input.from as number | undefined) ?? -Infinity;
      const to = (input.to as number | undefined) ?? Infinity;
      return { ok: true, value: sale.createdAt >= from && sale.createdAt <= to ? [sale] : [] };
    }]),
  ) as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
}

let tz: string | undefined;
beforeEach(() => {
  setActivePinia(createPinia());
  lists = [];
  install();
  tz = process.env.TZ;
  process.env.TZ = 'America/New_York'; // the PC's zone; the 00:00:01 China sale is 11:00:01 on the 7th there
});
afterEach(() => {
  setBridge(null);
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

async function search(w: ReturnType<typeof mount>, from: string, to: string) {
  await w.find('[data-testid="history-from"]').setValue(from);
  await w.find('[data-testid="history-to"]').setValue(to);
  await w.find('form').trigger('submit');
  await flushPromises();
}

describe('history’s China-day filter', () => {
  it('sends the China day’s first and last millisecond, and shows the time in China', async () => {
    const w = mount(HistoryView, { global: { plugins: [makeI18n('zh-CN')] } });
    await flushPromises();
    await search(w, '2026-03-08', '2026-03-08');
    expect(lists.at(-1)).toMatchObject({ from: MIDNIGHT, to: MIDNIGHT + DAY - 1 });
    expect(w.find(`[data-testid="time-${sale.orderNo}"]`).text()).toBe('2026-03-08 00:00:01');
    // The day before in China (the PC's own date of the sale) does not hold it.
    await search(w, '2026-03-07', '2026-03-07');
    expect(lists.at(-1)).toMatchObject({ from: MIDNIGHT - DAY, to: MIDNIGHT - 1 });
    expect(w.find(`[data-testid="history-row-${sale.orderNo}"]`).exists()).toBe(false);
  });

  it('refuses mm/dd/yyyy and a day that does not exist in words, searching nothing', async () => {
    usePrefsStore().locale = 'en';
    const w = mount(HistoryView, { global: { plugins: [makeI18n('en')] } });
    await flushPromises();
    const before = lists.length;
    await search(w, '03/08/2026', '');
    expect(w.find('[data-testid="history-from-msg"]').text()).toContain('year-month-day');
    expect(w.find('[data-testid="history-error"]').exists()).toBe(true);
    await search(w, '2026-02-30', '');
    expect(w.find('[data-testid="history-from-msg"]').text()).toContain('no such day');
    expect(lists.length).toBe(before);
  });
});
