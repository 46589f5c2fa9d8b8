import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlipayKit, rsaPair, type AlipayKit } from './alipay/test-kit';
import { WALLET_TEST_TIMINGS } from './fake-kit';
import { testAlipay, testWechat } from './wallet-connection-test';
import { openWechatKit, type WechatKit } from './wechat/test-kit';

const T = WALLET_TEST_TIMINGS;

let ali: AlipayKit;
let wx: WechatKit;
beforeAll(async () => {
  [ali, wx] = await Promise.all([openAlipayKit(T), openWechatKit(T)]);
});
afterAll(async () => {
  await Promise.all([ali.close(), wx.close()]);
});

describe('connection test per kind: a signed query of an order that cannot exist', () => {
  it('Alipay: the documented not-found answer, verified, is OK; nothing is created', async () => {
    const before = ali.fake.orders.size;
    expect(await testAlipay(ali.acquirer)).toMatchObject({ outcome: 'ok', detail: 'ACQ.TRADE_NOT_EXIST' });
    expect(ali.fake.orders.size).toBe(before);
  });

  it('Alipay: tells apart a wrong app key, a wrong Alipay public key, a wrong app id, a wrong clock, no network', async () => {
    expect((await testAlipay(ali.adapter({ keys: { mode: 'public_key', appPrivateKey: rsaPair().privatePem, alipayPublicKey: ali.platform.publicPem } }))).outcome).toBe('key_refused');
    expect((await testAlipay(ali.adapter({ keys: { mode: 'public_key', appPrivateKey: ali.app.privatePem, alipayPublicKey: rsaPair().publicPem } }))).outcome).toBe('platform_key_wrong');
    ali.fake.clockSkewMs = -20 * 60_000;
    try {
      expect((await testAlipay(ali.acquirer)).outcome).toBe('clock_skew');
    } finally {
      ali.fake.clockSkewMs = 0;
    }
    expect((await testAlipay(ali.adapter({ gateway: 'https://127.0.0.1:1/gateway.do' }))).outcome).toBe('unreachable');
    const r = await testAlipay(ali.adapter({ gateway: ali.fake.url }));
    expect(r.zh.length > 0 && r.en.length > 0).toBe(true);
  });

  it('Alipay: a gateway whose certificate is not trusted is a TLS failure', async () => {
    const { AlipayAcquirer } = await import('./alipay/adapter');
    const a = new AlipayAcquirer({ appId: '2021000000000001', keys: { mode: 'public_key', appPrivateKey: ali.app.privatePem, alipayPublicKey: ali.platform.publicPem }, gateway: ali.fake.url, timings: T });
    expect((await testAlipay(a)).outcome).toBe('tls');
    a.close();
  });

  it('WeChat: not-found (signed) and the client certificate accepted is OK', async () => {
    expect(await testWechat(wx.acquirer)).toMatchObject({ outcome: 'ok' });
  });

  it('WeChat: tells apart a wrong API key, a refused client certificate, a wrong merchant id', async () => {
    expect((await testWechat(wx.adapter({ apiKey: 'q'.repeat(32) }))).outcome).toBe('key_refused');
    const other = await generate([{ name: 'commonName', value: 'someone' }], { keyType: 'ec', algorithm: 'sha256' });
    expect((await testWechat(wx.adapter({ clientCert: { cert: other.cert, key: other.private } }))).outcome).toBe('client_cert_refused');
    expect((await testWechat(wx.adapter({ mchId: '1900000999' }))).outcome).toBe('wrong_app');
  });
});
