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
import WalletConnection from './WalletConnection.vue';

let calls: Array<[string, Record<string, unknown>]>;
function install(answer: (m: string, input: Record<string, unknown>) => RpcResult | null) {
  calls = [];
  const call = Object.fromEntries(methodNames.map((m) => [m, async (input: Record<string, unknown>): Promise<RpcResult> => {
    calls.push([m, input]);
    return answer(m, input) ?? { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
  }])) as unknown as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
}

const savedView = {
  saved: { wallets: [{ kind: 'alipay', fields: { appId: '2021000000000001', keyMode: 'public_key' }, fingerprints: { appPrivateKey: 'AAAA BBBB CCCC DDDD', alipayPublicKey: '1111 2222 3333 4444' } }], qrWallet: 'alipay', savedAt: 1, savedBy: 'admin1', approvedBy: 'super1' },
  running: true,
};

beforeEach(() => {
  setActivePinia(createPinia());
  const s = useSessionStore();
  s.operator = { id: 'admin1', name: '赵敏', role: 'admin' } as never;
  s.operators = [{ id: 'super1', name: '王主管', role: 'supervisor' }] as never;
});
afterEach(() => setBridge(null));

describe('the wallet connection (Alipay / WeChat Pay)', () => {
  it('tests, saves with a supervisor, shows fingerprints, and clears the pasted keys and the PIN', async () => {
    install((m) => {
      if (m === 'acquirer:wallets') return { ok: true, value: { saved: null, running: false } };
      if (m === 'acquirer:walletsTest') return { ok: true, value: { results: [{ kind: 'alipay', outcome: 'ok', rttMs: 20, detail: 'ACQ.TRADE_NOT_EXIST', zh: '连接正常', en: 'Connected' }] } };
      if (m === 'acquirer:walletsSave') return { ok: true, value: { view: savedView, applied: 'now' } };
      return null;
    });
    const w = mount(WalletConnection, { global: { plugins: [makeI18n('zh-CN')] } });
    await flushPromises();
    await w.find('[data-testid="wallet-alipay-appid"]').setValue('2021000000000001');
    await w.find('[data-testid="wallet-alipay-appPrivateKey"]').setValue('-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----');
    await w.find('[data-testid="wallet-alipay-alipayPublicKey"]').setValue('MIIBIjAN');
    await w.find('[data-testid="wallet-test"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="wallet-test-alipay"]').text()).toContain('连接正常');
    const tested = calls.find(([m]) => m === 'acquirer:walletsTest')![1] as { wallets: Array<Record<string, string>>; qrWallet: string };
    expect(tested).toMatchObject({ qrWallet: 'alipay', wallets: [{ kind: 'alipay', appId: '2021000000000001', keyMode: 'public_key', alipayPublicKey: 'MIIBIjAN' }] });
    await w.find('[data-testid="approver-select"]').setValue('super1');
    await w.find('[data-testid="approver-pin"]').setValue('2222');
    await w.find('form').trigger('submit');
    await flushPromises();
    const sent = calls.find(([m]) => m === 'acquirer:walletsSave')![1];
    expect(sent).toMatchObject({ approverId: 'super1', approverPin: '2222' });
    expect(w.find('[data-testid="wallet-msg"]').text()).toContain('现在即可收款');
    expect(w.find('[data-testid="wallet-fp-alipay-appPrivateKey"]').text()).toBe('AAAA BBBB CCCC DDDD');
    expect((w.find('[data-testid="wallet-alipay-appPrivateKey"]').element as HTMLTextAreaElement).value).toBe('');
    expect((w.find('[data-testid="approver-pin"]').element as HTMLInputElement).value).toBe('');
  });

  it('shows the core’s refusal in the cashier’s language and marks the field', async () => {
    install((m) => {
      if (m === 'acquirer:wallets') return { ok: true, value: { saved: null, running: false } };
      if (m === 'acquirer:walletsTest') return { ok: false, error: { code: 'acquirer.wallet_invalid', zh: '支付宝 AppID 须为 16 位数字。未做任何更改。', en: 'The Alipay app id is 16 digits. Nothing was changed.', detail: { field: 'appId', problem: 'app_id' } } };
      return null;
    });
    const w = mount(WalletConnection, { global: { plugins: [makeI18n('zh-CN')] } });
    await flushPromises();
    await w.find('[data-testid="wallet-alipay-appid"]').setValue('2021');
    await w.find('[data-testid="wallet-test"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="wallet-msg"]').text()).toContain('16 位数字');
    expect(w.find('[data-testid="wallet-alipay-appid"]').attributes('aria-invalid')).toBe('true');
  });
});
