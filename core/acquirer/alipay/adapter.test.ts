import crypto from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WALLET_TEST_TIMINGS } from '../fake-kit';
import { AlipayAcquirer } from './adapter';
import { FakeAlipayGateway } from './fake-gateway';
import { ALIPAY_APP_ID, openAlipayKit, rsaPair, type AlipayKit } from './test-kit';

const T = WALLET_TEST_TIMINGS;

const CODE = '280000000000000001';
let kit: AlipayKit;
let n = 0;
const orderNo = () => `T0001-20261206-${String(++n).padStart(6, '0')}`;

beforeAll(async () => {
  kit = await openAlipayKit(T);
});
afterAll(async () => {
  await kit.close();
});

describe('Alipay adapter against the fake gateway (official SDK signing both ways)', () => {
  it('takes a payment with the customer’s code and reports Alipay’s trade number', async () => {
    const no = orderNo();
    const o = await kit.acquirer.pay({ orderNo: no, amountFen: 1234, code: CODE, subject: '村店收银' });
    expect(o).toEqual({ status: 'succeeded', tradeNo: kit.fake.orders.get(no)!.tradeNo });
    expect(kit.fake.orders.get(no)!.amountFen).toBe(1234);
  });

  it('reports WAIT_BUYER_PAY (10003) as USERPAYING, then the query sees it paid', async () => {
    const no = orderNo();
    kit.fake.next('alipay.trade.pay', { userpaying: true });
    expect((await kit.acquirer.pay({ orderNo: no, amountFen: 500, code: CODE, subject: 's' })).status).toBe('userpaying');
    expect((await kit.acquirer.query(no)).status).toBe('userpaying');
    kit.fake.buyerPays(no);
    expect((await kit.acquirer.query(no)).status).toBe('succeeded');
  });

  it('declines without charging on a 40004 the customer caused (balance, invalid code)', async () => {
    kit.fake.next('alipay.trade.pay', { answer: { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH', sub_msg: '买家余额不足' } });
    const o = await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 500, code: CODE, subject: 's' });
    expect(o).toMatchObject({ status: 'failed', reason: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' });
    kit.fake.next('alipay.trade.pay', { answer: { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.PAYMENT_AUTH_CODE_INVALID' } });
    expect(await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 500, code: CODE, subject: 's' })).toMatchObject({ status: 'failed', reason: 'ACQ.PAYMENT_AUTH_CODE_INVALID' });
  });

  it('never reads a success whose signature does not verify: unknown, and the query settles it', async () => {
    const no = orderNo();
    kit.fake.next('alipay.trade.pay', { wrongSignature: true });
    const o = await kit.acquirer.pay({ orderNo: no, amountFen: 700, code: CODE, subject: 's' });
    expect(o.status).toBe('unknown');
    // It was in fact charged: the (verified) query says so.
    expect((await kit.acquirer.query(no)).status).toBe('succeeded');
  });

  it('reads a lost answer after commit, a 502, a 20000 and a timeout as unknown, never as failed', async () => {
    const dropped = orderNo();
    kit.fake.next('alipay.trade.pay', { dropAfterCommit: true });
    expect((await kit.acquirer.pay({ orderNo: dropped, amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
    expect((await kit.acquirer.query(dropped)).status).toBe('succeeded');
    kit.fake.next('alipay.trade.pay', { httpStatus: 502 });
    expect((await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
    kit.fake.next('alipay.trade.pay', { answer: { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error' } });
    expect((await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
    kit.fake.next('alipay.trade.pay', { delayMs: 1_200 });
    expect((await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
  });

  it('says ACQ.TRADE_HAS_SUCCESS on a re-sent pay of a paid order: unknown, so the engine asks the query', async () => {
    const no = orderNo();
    await kit.acquirer.pay({ orderNo: no, amountFen: 300, code: CODE, subject: 's' });
    const again = await kit.acquirer.pay({ orderNo: no, amountFen: 300, code: CODE, subject: 's' });
    expect(again.status).toBe('unknown');
    expect(await kit.acquirer.query(no)).toMatchObject({ status: 'succeeded' });
  });

  it('is refused as never sent when the gateway cannot be reached at all', async () => {
    const a = kit.adapter({ gateway: 'https://127.0.0.1:1/gateway.do' });
    expect(await a.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'refused', reason: 'NETWORK_UNREACHABLE' });
  });

  it('is refused by the gateway when signed with the wrong app key, and that is no charge', async () => {
    const a = kit.adapter({ keys: { mode: 'public_key', appPrivateKey: rsaPair().privatePem, alipayPublicKey: kit.platform.publicPem } });
    const no = orderNo();
    expect(await a.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'refused', reason: 'isv.invalid-signature' });
    expect(kit.fake.orders.has(no)).toBe(false);
  });

  it('refuses to be built without Alipay’s public key (the SDK would skip verification)', () => {
    expect(() => new AlipayAcquirer({ appId: ALIPAY_APP_ID, keys: { mode: 'public_key', appPrivateKey: kit.app.privatePem, alipayPublicKey: ' ' }, gateway: kit.fake.url, timings: T })).toThrow(/public key/);
  });

  it('cancels: a paid order is reversed (action refund), an unseen one closed so a late pay cannot succeed', async () => {
    const paid = orderNo();
    await kit.acquirer.pay({ orderNo: paid, amountFen: 900, code: CODE, subject: 's' });
    expect(await kit.acquirer.cancel(paid)).toEqual({ status: 'cancelled', reversed: true });
    expect(await kit.acquirer.query(paid)).toEqual({ status: 'reversed' });
    const unseen = orderNo();
    expect(await kit.acquirer.cancel(unseen)).toEqual({ status: 'cancelled', reversed: false });
    expect(await kit.acquirer.pay({ orderNo: unseen, amountFen: 900, code: CODE, subject: 's' })).toMatchObject({ status: 'failed', reason: 'ACQ.TRADE_HAS_CLOSE' });
  });

  it('refunds once per refund number, even when the answer is lost and the number is sent again', async () => {
    const no = orderNo();
    await kit.acquirer.pay({ orderNo: no, amountFen: 1000, code: CODE, subject: 's' });
    kit.fake.next('alipay.trade.refund', { dropAfterCommit: true });
    // Lost answer: the adapter asks the refund query, which finds it done.
    expect(await kit.acquirer.refund({ orderNo: no, refundNo: `${no}-R1`, amountFen: 400, totalFen: 1000, reason: 'r' })).toEqual({ status: 'succeeded' });
    // The same number again: Alipay answers fund_change N; the refund query confirms it.
    expect(await kit.acquirer.refund({ orderNo: no, refundNo: `${no}-R1`, amountFen: 400, totalFen: 1000, reason: 'r' })).toEqual({ status: 'succeeded' });
    expect(kit.fake.refunds.filter((r) => r.orderNo === no)).toHaveLength(1);
    expect(await kit.acquirer.refund({ orderNo: no, refundNo: `${no}-R2`, amountFen: 700, totalFen: 1000, reason: 'r' })).toMatchObject({ status: 'failed', reason: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
    expect(await kit.acquirer.queryRefund(no, `${no}-R2`)).toEqual({ status: 'not_found' });
    expect(await kit.acquirer.queryRefund(no, `${no}-R1`)).toEqual({ status: 'succeeded' });
  });

  it('precreates a merchant QR that does not exist at Alipay until scanned, then is paid', async () => {
    const no = orderNo();
    const o = await kit.acquirer.precreate({ orderNo: no, amountFen: 250, subject: 's', expiresInMs: 60_000 });
    expect(o).toMatchObject({ status: 'created', qrContent: expect.stringMatching(/^https:\/\/qr\.alipay\.com\//) });
    expect(await kit.acquirer.query(no)).toEqual({ status: 'not_found' });
    kit.fake.buyerPays(no);
    expect((await kit.acquirer.query(no)).status).toBe('succeeded');
  });

  it('reads the day’s statement from the bill zip (GBK CSV): payments and refunds by number', async () => {
    const no = orderNo();
    await kit.acquirer.pay({ orderNo: no, amountFen: 2000, code: CODE, subject: 's' });
    await kit.acquirer.refund({ orderNo: no, refundNo: `${no}-R1`, amountFen: 500, totalFen: 2000, reason: 'r' });
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const s = await kit.acquirer.statement(today);
    expect(s.lines).toContainEqual(expect.objectContaining({ kind: 'payment', orderNo: no, amountFen: 2000, refNo: kit.fake.orders.get(no)!.tradeNo }));
    expect(s.lines).toContainEqual(expect.objectContaining({ kind: 'refund', orderNo: no, amountFen: -500, refNo: `${no}-R1` }));
    expect(s.totalFen).toBe(s.lines.reduce((t, l) => t + l.amountFen, 0));
  });

  it('is refused, not unknown, when the gateway answers HTTP 4xx (this request was not processed); 5xx stays unknown', async () => {
    const no = orderNo();
    kit.fake.next('alipay.trade.pay', { httpStatus: 403 });
    expect(await kit.acquirer.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'refused', reason: 'HTTP_403' });
    expect(kit.fake.orders.has(no)).toBe(false);
    kit.fake.next('alipay.trade.fastpay.refund.query', { httpStatus: 400 });
    expect(await kit.acquirer.queryRefund(no, `${no}-R1`)).toMatchObject({ status: 'unknown' });
    kit.fake.next('alipay.trade.pay', { httpStatus: 503 });
    expect((await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
  });

  it('never lets the HTTP client re-send a pay whose answer was lost: unknown, and a refused copy is never read as its answer', async () => {
    const no = orderNo();
    const before = kit.fake.calls.filter((m) => m === 'alipay.trade.pay').length;
    kit.fake.next('alipay.trade.pay', { dropAfterCommit: true });
    // What a silent second copy would meet: a refusal, which must not fail a charged payment.
    kit.fake.next('alipay.trade.pay', { answer: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-timestamp' } });
    expect((await kit.acquirer.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
    expect(kit.fake.calls.filter((m) => m === 'alipay.trade.pay').length - before).toBe(1);
    expect(kit.fake.orders.get(no)?.status).toBe('TRADE_SUCCESS');
    kit.fake.clearScripts();
  });

  it('keeps a declined order number declined: a copy of the pay still in flight cannot charge it later', async () => {
    const no = orderNo();
    kit.fake.next('alipay.trade.pay', { answer: { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' } });
    expect(await kit.acquirer.pay({ orderNo: no, amountFen: 500, code: CODE, subject: 's' })).toMatchObject({ status: 'failed' });
    expect(await kit.acquirer.pay({ orderNo: no, amountFen: 500, code: CODE, subject: 's' })).toMatchObject({ status: 'failed', reason: 'ACQ.TRADE_HAS_CLOSE' });
    expect(kit.fake.orders.get(no)?.paidAt).toBeUndefined();
  });

  it('is refused with isv.invalid-timestamp when the counter’s clock is far off', async () => {
    kit.fake.clockSkewMs = 30 * 60_000;
    try {
      expect(await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'refused', reason: 'isv.invalid-timestamp' });
    } finally {
      kit.fake.clockSkewMs = 0;
    }
  });
});

describe('Alipay certificate mode', () => {
  it('sends the app and root certificate serial numbers and verifies answers with the key from Alipay’s certificate', async () => {
    const app = rsaPair();
    const platform = rsaPair();
    const root = await generate([{ name: 'commonName', value: 'Fake Alipay Root' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: true }] });
    const ca = { key: root.private, cert: root.cert };
    const appCert = await generate([{ name: 'commonName', value: ALIPAY_APP_ID }], { algorithm: 'sha256', keyPair: { privateKey: app.privatePem, publicKey: app.publicPem }, ca });
    const alipayCert = await generate([{ name: 'commonName', value: 'Fake Alipay' }], { algorithm: 'sha256', keyPair: { privateKey: platform.privatePem, publicKey: platform.publicPem }, ca });
    // What the platform expects: the serial numbers as the official SDK computes them.
    const probe = new AlipaySdk({ appId: ALIPAY_APP_ID, privateKey: app.privatePem, keyType: 'PKCS8', appCertContent: appCert.cert, alipayPublicCertContent: alipayCert.cert, alipayRootCertContent: root.cert });
    const certSn = { app: probe.config.appCertSn, root: probe.config.alipayRootCertSn, alipay: probe.config.alipayCertSn };
    expect(certSn.app).toMatch(/^[0-9a-f]{32}$/);
    const appPublicKey = new crypto.X509Certificate(appCert.cert).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const fake = await new FakeAlipayGateway({ appId: ALIPAY_APP_ID, appPublicKey, platformPrivateKey: platform.privatePem, certSn }).start();
    try {
      const a = new AlipayAcquirer({ appId: ALIPAY_APP_ID, keys: { mode: 'cert', appPrivateKey: app.privatePem, appCert: appCert.cert, alipayPublicCert: alipayCert.cert, alipayRootCert: root.cert }, gateway: fake.url, timings: T, ca: fake.ca });
      expect((await a.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('succeeded');
      a.close();
      // Alipay's certificate of another key: the answer no longer verifies, so nothing is believed.
      const other = await generate([{ name: 'commonName', value: 'Not Alipay' }], { algorithm: 'sha256', ca });
      const b = new AlipayAcquirer({ appId: ALIPAY_APP_ID, keys: { mode: 'cert', appPrivateKey: app.privatePem, appCert: appCert.cert, alipayPublicCert: other.cert, alipayRootCert: root.cert }, gateway: fake.url, timings: T, ca: fake.ca });
      expect((await b.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
      b.close();
    } finally {
      await fake.stop();
    }
  });
});
