// @vitest-environment happy-dom
/**
 * The checkout's tenders as the core says them (`acquirer:tenders`): a counter with only Alipay
 * shows the offline-code tender off with the core's plain reason, and F2 says that reason
 * instead of opening the tender; when the link goes down (`acquirer:tendersChanged`) the screen
 * says what still works.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tenders } from '../../../../core/api/acquirer';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import { useSystemStore } from '../../stores/system';
import CheckoutView from './CheckoutView.vue';

/** What the core answers for a counter with only Alipay (core/settings/tenders.test.ts checks the core's side). */
const ALIPAY_ONLY: Tenders = {
  offlineCode: {
    zh: '离线付款码不可用：本店的收单机构（支付宝、微信支付）不支持离线付款码。断网时仍可：在付款码有效期内（约一分钟）重试在线付款码、收现金、记赊账。',
    en: 'Offline codes are off: this counter’s acquirers (Alipay, WeChat Pay) do not take them. In an outage you can still retry an online code within its life (about a minute), take cash, or record credit.',
  },
  merchantQr: null,
  outage: null,
};
const OUTAGE = {
  zh: '网络已断开，本店不支持离线付款码。仍可：已扫的在线付款码在有效期内（约一分钟）继续重试、收现金、记赊账。',
  en: 'The network is down and this counter takes no offline codes. Still working: an online code already scanned keeps being tried within its life (about a minute), cash and credit.',
};
let listeners: Map<string, (payload: unknown) => void>;

function install(tenders: Tenders) {
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (): Promise<RpcResult> => {
      if (m === 'acquirer:tenders') return { ok: true, value: tenders };
      if (m === 'connectivity:get') return { ok: true, value: { state: 'online', rttMs: 5, lastOkAt: null } };
      return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
    }]),
  ) as CashierBridge['call'];
  setBridge({ call, on: (event: string, l: (payload: unknown) => void) => {
    listeners.set(event, l);
    return () => undefined;
  } } as unknown as Parameters<typeof setBridge>[0]);
}

beforeEach(() => {
  setActivePinia(createPinia());
  listeners = new Map();
  // The link is up: only the acquirers' own limits turn a tender off.
  useSystemStore().connectivity = { state: 'online', rttMs: 5, lastOkAt: null };
});
afterEach(() => setBridge(null));

describe('the checkout on a counter with only Alipay', () => {
  it('shows the offline-code tender off with the core’s reason, and F2 says it', async () => {
    install(ALIPAY_ONLY);
    const w = mount(CheckoutView, { global: { plugins: [makeI18n('zh-CN')] }, attachTo: document.body });
    await flushPromises();
    const offline = w.find('[data-testid="tender-offline"]');
    expect(offline.attributes('aria-disabled')).toBe('true');
    expect(offline.find('.tender-why').text()).toBe(ALIPAY_ONLY.offlineCode!.zh);
    expect(offline.text()).toContain('不支持离线付款码');
    // The merchant QR works through Alipay.
    expect(w.find('[data-testid="tender-qr"]').attributes('aria-disabled')).toBe('false');
    await offline.trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="checkout-notice"]').text()).toBe(ALIPAY_ONLY.offlineCode!.zh);
    expect(w.find('[data-testid="tender-step"]').exists()).toBe(false);
    w.unmount();
  });

  it('says what still works when the core reports an outage', async () => {
    install(ALIPAY_ONLY);
    const w = mount(CheckoutView, { global: { plugins: [makeI18n('en')] }, attachTo: document.body });
    await flushPromises();
    expect(w.find('[data-testid="outage-still-works"]').exists()).toBe(false);
    expect(w.find('[data-testid="tender-offline"] .tender-why').text()).toBe(ALIPAY_ONLY.offlineCode!.en);
    listeners.get('acquirer:tendersChanged')!({ ...ALIPAY_ONLY, outage: OUTAGE });
    await flushPromises();
    const note = w.find('[data-testid="outage-still-works"]');
    expect(note.attributes('role')).toBe('status');
    expect(note.text()).toBe(OUTAGE.en);
    expect(note.text()).toContain('cash and credit');
    w.unmount();
  });
});
