import { generate } from 'selfsigned';
import { Hash } from 'wechatpay-axios-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WALLET_TEST_TIMINGS } from '../fake-kit';
import { wechatSign } from './fake-gateway';
import { mapCancel, mapPay, mapQuery, mapRefund, mapRefundQuery, type WechatReply } from './mapping';
import { openWechatKit, WECHAT_API_KEY, type WechatKit } from './test-kit';

const T = WALLET_TEST_TIMINGS;
const CODE = '134567890123456789';
let n = 0;
const orderNo = () => `T0002-20261206-${String(++n).padStart(6, '0')}`;

describe('WeChat v2 signatures: the library the adapter uses agrees with an independent implementation', () => {
  it.each(['MD5', 'HMAC-SHA256'] as const)('%s over WeChat’s published example shape', (type) => {
    const fields = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA', empty: '', sign_type: type };
    expect(Hash.sign(type, fields, WECHAT_API_KEY)).toBe(wechatSign(fields, WECHAT_API_KEY, type));
    expect(Hash.sign(type, { ...fields, body: '村店' }, WECHAT_API_KEY)).not.toBe(wechatSign(fields, WECHAT_API_KEY, type));
  });

  it('matches WeChat’s documented MD5 example (key 192006250b4c09247ec02edce69f6a2d)', () => {
    // From WeChat Pay's v2 signature guide.
    const fields = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
    expect(wechatSign(fields, '192006250b4c09247ec02edce69f6a2d', 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(Hash.sign('MD5', fields, '192006250b4c09247ec02edce69f6a2d')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });
});

const ans = (b: Record<string, string>): WechatReply => ({ kind: 'answer', body: { return_code: 'SUCCESS', ...b } });
const fail = (code: string) => ans({ result_code: 'FAIL', err_code: code });

describe('WeChat outcome mapping (README “Outcome table”)', () => {
  it.each([
    ['SUCCESS', ans({ result_code: 'SUCCESS', transaction_id: 'X' }), { status: 'succeeded', tradeNo: 'X' }],
    ['USERPAYING', fail('USERPAYING'), { status: 'userpaying' }],
    ['SYSTEMERROR', fail('SYSTEMERROR'), { status: 'unknown' }],
    ['BANKERROR', fail('BANKERROR'), { status: 'unknown' }],
    ['ORDERPAID', fail('ORDERPAID'), { status: 'unknown' }],
    ['OUT_TRADE_NO_USED', fail('OUT_TRADE_NO_USED'), { status: 'unknown' }],
    ['AUTHCODEEXPIRE', fail('AUTHCODEEXPIRE'), { status: 'failed', reason: 'AUTHCODEEXPIRE' }],
    ['AUTH_CODE_INVALID', fail('AUTH_CODE_INVALID'), { status: 'failed', reason: 'AUTH_CODE_INVALID' }],
    ['AUTH_CODE_ERROR', fail('AUTH_CODE_ERROR'), { status: 'failed' }],
    ['NOTENOUGH', fail('NOTENOUGH'), { status: 'failed', reason: 'NOTENOUGH' }],
    ['NOTSUPORTCARD', fail('NOTSUPORTCARD'), { status: 'failed' }],
    ['ORDERCLOSED', fail('ORDERCLOSED'), { status: 'failed', reason: 'ORDERCLOSED' }],
    ['ORDERREVERSED', fail('ORDERREVERSED'), { status: 'failed' }],
    ['BUYER_MISMATCH', fail('BUYER_MISMATCH'), { status: 'failed' }],
    ['TRADE_ERROR', fail('TRADE_ERROR'), { status: 'failed' }],
    ['PARAM_ERROR (this request refused)', fail('PARAM_ERROR'), { status: 'refused', reason: 'PARAM_ERROR' }],
    ['NOAUTH', fail('NOAUTH'), { status: 'refused' }],
    ['SIGNERROR', fail('SIGNERROR'), { status: 'refused' }],
    ['an unlisted err_code', fail('SOMETHING_NEW'), { status: 'unknown' }],
    ['return_code FAIL (unsigned: this request not processed)', { kind: 'answer', body: { return_code: 'FAIL', return_msg: '签名错误' } } as WechatReply, { status: 'refused', reason: 'RETURN_FAIL' }],
    ['a reply that does not verify', { kind: 'unverified', why: 'sig' } as WechatReply, { status: 'unknown' }],
    ['a timeout', { kind: 'transport', why: 'timeout', maybeDelivered: true } as WechatReply, { status: 'unknown' }],
    ['never connected', { kind: 'transport', why: 'ECONNREFUSED', maybeDelivered: false } as WechatReply, { status: 'refused', reason: 'NETWORK_UNREACHABLE' }],
    ['HTTP 4xx (this request refused unread)', { kind: 'rejected', httpStatus: 400 } as WechatReply, { status: 'refused', reason: 'HTTP_400' }],
    ['return_code FAIL, not about the signature', { kind: 'answer', body: { return_code: 'FAIL', return_msg: 'appid和mch_id不匹配' } } as WechatReply, { status: 'refused', reason: 'RETURN_FAIL' }],
    ['XML_FORMAT_ERROR', fail('XML_FORMAT_ERROR'), { status: 'refused' }],
    ['LACK_PARAMS', fail('LACK_PARAMS'), { status: 'refused' }],
    ['APPID_MCHID_NOT_MATCH', fail('APPID_MCHID_NOT_MATCH'), { status: 'refused' }],
  ])('micropay: %s', (_, reply, expected) => {
    const o = mapPay(reply);
    expect(o).toMatchObject(expected);
    if (o.status === 'failed' || o.status === 'refused') expect(o.zh && o.en).toBeTruthy();
  });

  it.each([
    ['SUCCESS', ans({ result_code: 'SUCCESS', trade_state: 'SUCCESS', transaction_id: 'X' }), { status: 'succeeded' }],
    ['REFUND (paid, refunded since)', ans({ result_code: 'SUCCESS', trade_state: 'REFUND', transaction_id: 'X' }), { status: 'succeeded' }],
    ['USERPAYING', ans({ result_code: 'SUCCESS', trade_state: 'USERPAYING' }), { status: 'userpaying' }],
    ['ACCEPT', ans({ result_code: 'SUCCESS', trade_state: 'ACCEPT' }), { status: 'userpaying' }],
    ['NOTPAY', ans({ result_code: 'SUCCESS', trade_state: 'NOTPAY' }), { status: 'awaiting_scan' }],
    ['CLOSED', ans({ result_code: 'SUCCESS', trade_state: 'CLOSED' }), { status: 'closed' }],
    ['REVOKED', ans({ result_code: 'SUCCESS', trade_state: 'REVOKED' }), { status: 'reversed' }],
    ['PAYERROR', ans({ result_code: 'SUCCESS', trade_state: 'PAYERROR' }), { status: 'failed' }],
    ['ORDERNOTEXIST', fail('ORDERNOTEXIST'), { status: 'not_found' }],
    ['SYSTEMERROR', fail('SYSTEMERROR'), { status: 'unknown' }],
    ['refused with HTTP 4xx: tells nothing', { kind: 'rejected', httpStatus: 403 } as WechatReply, { status: 'unknown' }],
    ['return_code FAIL: tells nothing', { kind: 'answer', body: { return_code: 'FAIL', return_msg: '签名错误' } } as WechatReply, { status: 'unknown' }],
  ])('orderquery: %s', (_, reply, expected) => {
    expect(mapQuery(reply)).toMatchObject(expected);
  });

  it.each([
    ['SUCCESS recall N', ans({ result_code: 'SUCCESS', recall: 'N' }), { status: 'cancelled' }],
    ['recall Y', ans({ result_code: 'FAIL', err_code: 'SYSTEMERROR', recall: 'Y' }), { status: 'unknown' }],
    ['SYSTEMERROR', fail('SYSTEMERROR'), { status: 'unknown' }],
    ['REVERSE_EXPIRE', fail('REVERSE_EXPIRE'), { status: 'failed', reason: 'REVERSE_EXPIRE' }],
    ['INVALID_TRANSACTIONID', fail('INVALID_TRANSACTIONID'), { status: 'failed' }],
  ])('reverse: %s', (_, reply, expected) => {
    expect(mapCancel(reply)).toMatchObject(expected);
  });

  it.each([
    ['SUCCESS', ans({ result_code: 'SUCCESS' }), { status: 'succeeded' }],
    ['SYSTEMERROR', fail('SYSTEMERROR'), { status: 'unknown' }],
    ['BIZERR_NEED_RETRY', fail('BIZERR_NEED_RETRY'), { status: 'unknown' }],
    ['FREQUENCY_LIMITED', fail('FREQUENCY_LIMITED'), { status: 'unknown' }],
    ['TRADE_OVERDUE', fail('TRADE_OVERDUE'), { status: 'failed', reason: 'TRADE_OVERDUE' }],
    ['NOTENOUGH (merchant balance)', fail('NOTENOUGH'), { status: 'failed' }],
    ['USER_ACCOUNT_ABNORMAL', fail('USER_ACCOUNT_ABNORMAL'), { status: 'failed' }],
    ['return_code FAIL (unsigned: this request not processed)', { kind: 'answer', body: { return_code: 'FAIL', return_msg: '证书验证失败' } } as WechatReply, { status: 'refused', reason: 'RETURN_FAIL' }],
    ['SIGNERROR', fail('SIGNERROR'), { status: 'refused', reason: 'SIGNERROR' }],
    ['HTTP 4xx', { kind: 'rejected', httpStatus: 400 } as WechatReply, { status: 'refused', reason: 'HTTP_400' }],
    ['never connected (sent again later, not refused)', { kind: 'transport', why: 'ECONNREFUSED', maybeDelivered: false } as WechatReply, { status: 'unknown' }],
  ])('refund: %s', (_, reply, expected) => {
    expect(mapRefund(reply)).toMatchObject(expected);
  });

  it.each([
    ['SUCCESS', ans({ result_code: 'SUCCESS', refund_status_0: 'SUCCESS' }), { status: 'succeeded' }],
    ['PROCESSING', ans({ result_code: 'SUCCESS', refund_status_0: 'PROCESSING' }), { status: 'succeeded' }],
    ['REFUNDCLOSE', ans({ result_code: 'SUCCESS', refund_status_0: 'REFUNDCLOSE' }), { status: 'failed' }],
    // Refund abnormal: never succeeded, never failed (which would release its amount).
    ['CHANGE', ans({ result_code: 'SUCCESS', refund_status_0: 'CHANGE' }), { status: 'settle_by_hand', reason: 'CHANGE' }],
    ['REFUNDNOTEXIST', fail('REFUNDNOTEXIST'), { status: 'not_found' }],
    ['SYSTEMERROR', fail('SYSTEMERROR'), { status: 'unknown' }],
    ['an unknown refund_status', ans({ result_code: 'SUCCESS', refund_status_0: 'ODD' }), { status: 'unknown' }],
    ['return_code FAIL: never not_found', { kind: 'answer', body: { return_code: 'FAIL', return_msg: '签名错误' } } as WechatReply, { status: 'unknown' }],
    ['SIGNERROR: never not_found', fail('SIGNERROR'), { status: 'unknown' }],
    ['HTTP 4xx: never not_found', { kind: 'rejected', httpStatus: 400 } as WechatReply, { status: 'unknown' }],
    ['a reply that does not verify', { kind: 'unverified', why: 'sig' } as WechatReply, { status: 'unknown' }],
  ])('refundquery: %s', (_, reply, expected) => {
    expect(mapRefundQuery(reply)).toMatchObject(expected);
  });
});

describe.each(['HMAC-SHA256', 'MD5'] as const)('WeChat adapter against the fake gateway (%s)', (signType) => {
  let kit: WechatKit;
  beforeAll(async () => {
    kit = await openWechatKit(T, signType);
  });
  afterAll(async () => {
    await kit.close();
  });

  it('charges the customer’s code and reports WeChat’s transaction id', async () => {
    const no = orderNo();
    expect(await kit.acquirer.pay({ orderNo: no, amountFen: 1234, code: CODE, subject: '村店收银' })).toEqual({ status: 'succeeded', tradeNo: kit.fake.orders.get(no)!.txId });
  });

  it('USERPAYING, then the query sees the password entered', async () => {
    const no = orderNo();
    kit.fake.next('/pay/micropay', { userpaying: true });
    expect((await kit.acquirer.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).status).toBe('userpaying');
    expect((await kit.acquirer.query(no)).status).toBe('userpaying');
    kit.fake.buyerPays(no);
    expect((await kit.acquirer.query(no)).status).toBe('succeeded');
  });

  it('never believes a reply signed with another key, and a lost reply is unknown until the query', async () => {
    const a = orderNo();
    kit.fake.next('/pay/micropay', { wrongSignature: true });
    expect((await kit.acquirer.pay({ orderNo: a, amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
    expect((await kit.acquirer.query(a)).status).toBe('succeeded');
    const b = orderNo();
    kit.fake.next('/pay/micropay', { dropAfterCommit: true });
    expect((await kit.acquirer.pay({ orderNo: b, amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
    expect((await kit.acquirer.query(b)).status).toBe('succeeded');
    kit.fake.next('/pay/micropay', { httpStatus: 503 });
    expect((await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
    kit.fake.next('/pay/micropay', { delayMs: 1_200 });
    expect((await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
  });

  it('declines without charging: NOTENOUGH, AUTHCODEEXPIRE', async () => {
    kit.fake.next('/pay/micropay', { answer: { result_code: 'FAIL', err_code: 'NOTENOUGH', err_code_des: '余额不足' } });
    expect(await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'failed', reason: 'NOTENOUGH' });
    kit.fake.next('/pay/micropay', { answer: { result_code: 'FAIL', err_code: 'AUTHCODEEXPIRE' } });
    expect(await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'failed', reason: 'AUTHCODEEXPIRE' });
  });

  it('is refused, not unknown, when WeChat answers HTTP 4xx (this request was not processed); 5xx stays unknown', async () => {
    const no = orderNo();
    kit.fake.next('/pay/micropay', { httpStatus: 400 });
    expect(await kit.acquirer.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'refused', reason: 'HTTP_400' });
    expect(kit.fake.orders.has(no)).toBe(false);
    kit.fake.next('/pay/refundquery', { httpStatus: 403 });
    expect(await kit.acquirer.queryRefund(no, `${no}R1`)).toMatchObject({ status: 'unknown' });
    kit.fake.next('/pay/micropay', { httpStatus: 503 });
    expect((await kit.acquirer.pay({ orderNo: orderNo(), amountFen: 100, code: CODE, subject: 's' })).status).toBe('unknown');
  });

  it('keeps a declined order number declined: a copy of the micropay still in flight cannot charge it later', async () => {
    const no = orderNo();
    kit.fake.next('/pay/micropay', { answer: { result_code: 'FAIL', err_code: 'NOTENOUGH' } });
    expect(await kit.acquirer.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'failed', reason: 'NOTENOUGH' });
    expect(await kit.acquirer.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'failed' });
    expect(await kit.acquirer.query(no)).toMatchObject({ status: 'failed' });
    expect(kit.fake.orders.get(no)?.state).toBe('PAYERROR');
  });

  it('a wrong API key is refused by WeChat (unsigned FAIL): refused, never a decline of the order', async () => {
    const a = kit.adapter({ apiKey: 'z'.repeat(32) });
    const no = orderNo();
    expect(await a.pay({ orderNo: no, amountFen: 100, code: CODE, subject: 's' })).toMatchObject({ status: 'refused', reason: 'RETURN_FAIL' });
    expect(kit.fake.orders.has(no)).toBe(false);
  });

  it('reverses with the client certificate; without it WeChat refuses and nothing changes', async () => {
    const no = orderNo();
    await kit.acquirer.pay({ orderNo: no, amountFen: 800, code: CODE, subject: 's' });
    const other = await generate([{ name: 'commonName', value: '1900000109' }], { keyType: 'ec', algorithm: 'sha256' });
    const stranger = kit.adapter({ clientCert: { cert: other.cert, key: other.private } });
    expect(await stranger.cancel(no)).toMatchObject({ status: 'failed', reason: 'RETURN_FAIL' });
    expect(kit.fake.orders.get(no)!.state).toBe('SUCCESS');
    expect(await kit.acquirer.cancel(no)).toEqual({ status: 'cancelled', reversed: false });
    expect(await kit.acquirer.query(no)).toEqual({ status: 'reversed' });
  });

  it('refunds once per refund number, even when the reply is lost', async () => {
    const no = orderNo();
    await kit.acquirer.pay({ orderNo: no, amountFen: 1000, code: CODE, subject: 's' });
    kit.fake.next('/secapi/pay/refund', { dropAfterCommit: true });
    expect(await kit.acquirer.refund({ orderNo: no, refundNo: `${no}R1`, amountFen: 300, totalFen: 1000, reason: 'r' })).toEqual({ status: 'succeeded' });
    expect(await kit.acquirer.refund({ orderNo: no, refundNo: `${no}R1`, amountFen: 300, totalFen: 1000, reason: 'r' })).toEqual({ status: 'succeeded' });
    expect(kit.fake.refunds.filter((r) => r.orderNo === no)).toHaveLength(1);
    expect(await kit.acquirer.refund({ orderNo: no, refundNo: `${no}R2`, amountFen: 800, totalFen: 1000, reason: 'r' })).toMatchObject({ status: 'failed' });
    expect(await kit.acquirer.queryRefund(no, `${no}R2`)).toEqual({ status: 'not_found' });
  });

  it('offers no merchant QR, in plain words', async () => {
    expect(await kit.acquirer.precreate()).toMatchObject({ status: 'failed', reason: 'NOT_OFFERED', zh: expect.any(String), en: expect.any(String) });
  });

  it('reads the day’s bill: payments, refunds by refund number, a day without bill is empty', async () => {
    const no = orderNo();
    await kit.acquirer.pay({ orderNo: no, amountFen: 2000, code: CODE, subject: 's' });
    await kit.acquirer.refund({ orderNo: no, refundNo: `${no}R1`, amountFen: 500, totalFen: 2000, reason: 'r' });
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const s = await kit.acquirer.statement(today);
    expect(s.lines).toContainEqual(expect.objectContaining({ kind: 'payment', orderNo: no, amountFen: 2000 }));
    expect(s.lines).toContainEqual(expect.objectContaining({ kind: 'refund', orderNo: no, amountFen: -500, refNo: `${no}R1` }));
    expect(await kit.acquirer.statement('2001-01-01')).toEqual({ date: '2001-01-01', lines: [], totalFen: 0 });
  });
});
