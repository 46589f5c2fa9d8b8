// @vitest-environment happy-dom
/**
 * The forwarding screen as a cashier and a supervisor see it: a paused forwarder says in plain
 * words what to do (the technical detail folded away), item reasons read as sentences, and a
 * flagged item opens for review with its flag, amount, wallet ending and time — a cashier gets
 * the supervisor's approval fields, a hold needs a reason before anything is sent.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import type { ForwarderStatus, OutboxItem } from '../../../../core/api/offline';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import { useSessionStore } from '../../stores/session';
import ForwardingView from './ForwardingView.vue';

const AT = Date.parse('2026-11-28T02:30:00Z');
const item = (over: Partial<OutboxItem>): OutboxItem => ({
  seq: 1, orderNo: 'OF0000000000000001', walletTail: '7A3F', amountFen: 19_000, purpose: 'sale', status: 'pending', reason: null,
  flags: [], attempts: 0, acceptedAt: AT, updatedAt: AT, maskedContact: null, reasonText: null, review: null, operatorId: 'cashier1', ...over,
});
const paused: ForwarderStatus = {
  state: 'paused', nextAttemptAt: AT + 900_000, batchSize: 50, lastError: 'http: 401 (auth_failed)',
  problem: {
    code: 'auth_refused', zh: '收单机构不接受本机的终端密钥，离线款已暂停上传（款项都已保存，不会丢失）。请联系安装人员核对或重新配置终端密钥。',
    en: 'The acquirer does not accept this terminal’s key.', who: 'installer', paused: true, since: AT, detail: 'http: 401 (auth_failed)',
  },
};

let calls: Array<{ method: string; input: unknown }>;
let items: OutboxItem[];

function install(reviewAnswer: (input: Record<string, unknown>) => RpcResult) {
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (input: unknown): Promise<RpcResult> => {
      calls.push({ method: m, input });
      if (m === 'outbox:list') return { ok: true, value: { items, counts: { pending: 1, needs_review: 1 }, forwarder: paused } };
      if (m === 'outbox:followUps') return { ok: true, value: [] };
      if (m === 'outbox:review') return reviewAnswer(input as Record<string, unknown>);
      return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
    }]),
  ) as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
}

beforeEach(() => {
  setActivePinia(createPinia());
  calls = [];
  items = [
    item({ seq: 2, orderNo: 'OF0000000000000002', status: 'needs_review', purpose: 'cash_out', flags: ['repeated_cash_out'], reason: 'aml_flagged',
      reasonText: { zh: '反洗钱规则标记了这笔款，请主管复核。', en: 'Flagged: a supervisor reviews it.' } }),
    item({ reason: 'retry_auth_refused', attempts: 3, reasonText: { zh: '收单机构不接受本机的终端密钥，请联系安装人员。', en: 'Key refused.' } }),
  ];
  const session = useSessionStore();
  session.operator = { id: 'cashier1', name: '王芳（收银员）', role: 'cashier' };
  session.operators = [session.operator, { id: 'super1', name: '李强（主管）', role: 'supervisor' }];
});
afterEach(() => setBridge(null));

describe('the forwarding screen', () => {
  it('says what to do about a paused forwarder and keeps the technical detail folded away', async () => {
    install(() => ({ ok: false, error: { code: 'x', zh: 'x', en: 'x' } }));
    const w = mount(ForwardingView, { global: { plugins: [makeI18n('zh-CN')] } });
    await flushPromises();
    const banner = w.find('[data-testid="forward-problem"]');
    expect(banner.attributes('role')).toBe('alert');
    expect(w.find('[data-testid="forward-problem-text"]').text()).toContain('请联系安装人员');
    expect(banner.text()).toContain('需要安装人员处理');
    expect(w.find('[data-testid="forward-problem-text"]').text()).not.toContain('401');
    expect(w.find('details [data-testid="forward-problem-detail"]').text()).toContain('http: 401 (auth_failed)');
    expect(w.find('[data-testid="forwarder-state"]').text()).toContain('上传已暂停');
    // The list's reason is a sentence, never the stored code.
    const reason = w.find('[data-testid="reason-OF0000000000000001"]').text();
    expect(reason).toContain('终端密钥');
    expect(reason).not.toContain('retry_');
  });

  it('opens a flagged item for review; a cashier gets the approval fields, a hold needs a reason', async () => {
    install((input) => ({
      ok: true,
      value: { ...items[0], review: { decision: input.decision === 'hold' ? 'held' : 'released', note: (input.reason as string) ?? null, reviewedBy: 'super1', at: AT } },
    }));
    const w = mount(ForwardingView, { global: { plugins: [makeI18n('zh-CN')] } });
    await flushPromises();
    const open = w.find('[data-testid="open-OF0000000000000002"]');
    expect(open.text()).toBe('复核');
    await open.trigger('click');
    const panel = w.find('[data-testid="outbox-detail"]');
    expect(panel.text()).toContain('主管复核');
    expect(w.find('[data-testid="detail-flags"]').text()).toBe('多次取现');
    expect(w.find('[data-testid="detail-amount"]').text()).toBe('¥190.00');
    expect(panel.text()).toContain('尾号 7A3F');
    expect(w.find('[data-testid="detail-reason-code"]').text()).toBe('aml_flagged');
    expect(w.find('[data-testid="approval"]').exists()).toBe(true);
    await w.find('[data-testid="review-hold"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="review-error"]').text()).toContain('暂扣须写明原因');
    expect(calls.filter((c) => c.method === 'outbox:review')).toHaveLength(0);
    await w.find('[data-testid="review-reason"]').setValue('客户身份待核实');
    await w.find('[data-testid="approver-select"]').setValue('super1');
    await w.find('[data-testid="approver-pin"]').setValue('2222');
    await w.find('[data-testid="review-hold"]').trigger('click');
    await flushPromises();
    expect(calls.find((c) => c.method === 'outbox:review')?.input).toEqual({
      orderNo: 'OF0000000000000002', decision: 'hold', reason: '客户身份待核实', approverId: 'super1', approverPin: '2222',
    });
    expect(w.find('[data-testid="review-info"]').text()).toContain('已暂扣');
  });
});
