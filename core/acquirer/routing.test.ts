import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The engine's own recognition, as the composition root passes it (tests may cross the folder rule).
import { recogniseCode } from '../payments/codes';
import { openAlipayKit, type AlipayKit } from './alipay/test-kit';
import { mergeTimings, RoutingAcquirer, tenderAvailability } from './routing';
import { WALLET_TEST_TIMINGS } from './fake-kit';
import { openWechatKit, type WechatKit } from './wechat/test-kit';

const T = WALLET_TEST_TIMINGS;
const WECHAT_CODE = '134567890123456789';
const ALIPAY_CODE = '287654321098765432';
const UNIONPAY_CODE = '6212345678901234567';

let ali: AlipayKit;
let wx: WechatKit;
let n = 0;
const orderNo = () => `T0003-20261206-${String(++n).padStart(6, '0')}`;

beforeAll(async () => {
  [ali, wx] = await Promise.all([openAlipayKit(T), openWechatKit({ ...T, cancelNotBeforeMs: 50 })]);
});
afterAll(async () => {
  await Promise.all([ali.close(), wx.close()]);
});

function router(over: Partial<ConstructorParameters<typeof RoutingAcquirer>[0]> = {}) {
  return new RoutingAcquirer({ byScheme: { alipay: ali.acquirer, wechat: wx.acquirer }, qrWallet: 'alipay', recognise: recogniseCode, ...over });
}

describe('routing acquirer: one counter, Alipay and WeChat Pay', () => {
  it('sends each code to the acquirer of its scheme', async () => {
    const r = router();
    const a = orderNo();
    const w = orderNo();
    expect((await r.pay({ orderNo: a, amountFen: 100, code: ALIPAY_CODE, subject: 's' })).status).toBe('succeeded');
    expect((await r.pay({ orderNo: w, amountFen: 200, code: WECHAT_CODE, subject: 's' })).status).toBe('succeeded');
    expect(ali.fake.orders.has(a) && !ali.fake.orders.has(w)).toBe(true);
    expect(wx.fake.orders.has(w) && !wx.fake.orders.has(a)).toBe(true);
  });

  it('refuses a UnionPay code in plain words, naming what the counter takes, and sends nothing', async () => {
    const before = ali.fake.calls.length + wx.fake.calls.length;
    const o = await router().pay({ orderNo: orderNo(), amountFen: 100, code: UNIONPAY_CODE, subject: 's' });
    expect(o).toMatchObject({ status: 'failed', reason: 'SCHEME_NOT_ACCEPTED' });
    if (o.status === 'failed') {
      expect(o.zh).toContain('云闪付');
      expect(o.zh).toContain('支付宝');
      expect(o.en).toContain('UnionPay');
      expect(o.en).toContain('nothing was charged');
    }
    expect(ali.fake.calls.length + wx.fake.calls.length).toBe(before);
  });

  it('after a restart, finds the order’s acquirer from its stored tender, and refunds there', async () => {
    const w = orderNo();
    await router().pay({ orderNo: w, amountFen: 500, code: WECHAT_CODE, subject: 's' });
    const fresh = router({ tenderOf: async (no) => (no === w ? 'wechat' : null) });
    expect((await fresh.query(w)).status).toBe('succeeded');
    expect(await fresh.refund({ orderNo: w, refundNo: `${w}R1`, amountFen: 100, totalFen: 500, reason: 'r' })).toEqual({ status: 'succeeded' });
    expect(wx.fake.refunds.some((x) => x.orderNo === w)).toBe(true);
  });

  it('without a stored tender, asks each acquirer; an order nobody has is not found, and cancelling it closes it everywhere', async () => {
    const a = orderNo();
    await router().pay({ orderNo: a, amountFen: 300, code: ALIPAY_CODE, subject: 's' });
    expect((await router().query(a)).status).toBe('succeeded');
    const none = orderNo();
    expect(await router().query(none)).toEqual({ status: 'not_found' });
    expect((await router().cancel(none)).status).toBe('cancelled');
    expect(ali.fake.orders.get(none)?.status).toBe('TRADE_CLOSED');
    expect(wx.fake.orders.get(none)?.state).toBe('REVOKED');
  });

  it('shows the merchant QR through the configured wallet, and says so plainly when none is', async () => {
    const q = orderNo();
    expect((await router().precreate({ orderNo: q, amountFen: 100, subject: 's', expiresInMs: 60_000 })).status).toBe('created');
    expect(ali.fake.orders.has(q)).toBe(true);
    expect(await router({ qrWallet: null }).precreate({ orderNo: orderNo(), amountFen: 100, subject: 's', expiresInMs: 60_000 })).toMatchObject({ status: 'failed', reason: 'QR_NOT_OFFERED' });
  });

  it('merges the day’s statements of both acquirers', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const s = await router().statement(today);
    const [a, w] = await Promise.all([ali.acquirer.statement(today), wx.acquirer.statement(today)]);
    expect(s.lines).toHaveLength(a.lines.length + w.lines.length);
    expect(s.totalFen).toBe(a.totalFen + w.totalFen);
  });

  it('takes the timings safe for both: WeChat’s later reverse, the earlier give-up', () => {
    const merged = mergeTimings([{ ...T, cancelNotBeforeMs: 0, userpayingMaxWaitMs: 60_000 }, { ...T, cancelNotBeforeMs: 15_000, userpayingMaxWaitMs: 30_000 }]);
    expect(merged.cancelNotBeforeMs).toBe(15_000);
    expect(merged.userpayingMaxWaitMs).toBe(30_000);
    expect(router().config().name).toBe('alipay+wechat');
  });

  it('turns the offline-code tender off with a plain reason when no acquirer has the offline routes', () => {
    const t = tenderAvailability(['alipay', 'wechat'], 'alipay');
    expect(t.offlineCode?.zh).toContain('现金');
    expect(t.offlineCode?.en).toContain('cash');
    expect(t.merchantQr).toBeNull();
    expect(tenderAvailability(['wechat'], 'wechat').merchantQr).not.toBeNull();
    expect(tenderAvailability(['sandbox'], null)).toEqual({ offlineCode: null, merchantQr: null });
  });
});

describe('published timings per wallet', () => {
  it('each set, and the merged one, keeps the configuration’s rules (queries end within a code’s life)', async () => {
    const { timingProblems } = await import('../config');
    const { ALIPAY_TIMINGS, WECHAT_TIMINGS } = await import('./wallet-timings');
    expect(timingProblems(ALIPAY_TIMINGS)).toEqual([]);
    expect(timingProblems(WECHAT_TIMINGS)).toEqual([]);
    const both = mergeTimings([ALIPAY_TIMINGS, WECHAT_TIMINGS]);
    expect(timingProblems(both)).toEqual([]);
    expect(both.cancelNotBeforeMs).toBe(15_000);
    expect(both.userpayingMaxWaitMs).toBe(30_000);
  });
});
