import { describe, expect, it } from 'vitest';
import { mapCancel, mapPay, mapPrecreate, mapQuery, mapRefund, mapRefundQuery, type AlipayBody, type AlipayReply } from './mapping';

const ans = (body: AlipayBody): AlipayReply => ({ kind: 'answer', body });
const biz = (sub: string) => ans({ code: '40004', msg: 'Business Failed', sub_code: sub });

describe('Alipay outcome mapping (README “Outcome table”)', () => {
  it.each([
    ['10000 with a trade number', ans({ code: '10000', trade_no: 'T1' }), { status: 'succeeded', tradeNo: 'T1' }],
    ['10003 WAIT_BUYER_PAY', ans({ code: '10003', trade_no: 'T1' }), { status: 'userpaying', tradeNo: 'T1' }],
    ['20000 service unavailable', ans({ code: '20000', sub_code: 'isp.unknow-error' }), { status: 'unknown' }],
    ['ACQ.SYSTEM_ERROR', biz('ACQ.SYSTEM_ERROR'), { status: 'unknown' }],
    ['ACQ.TRADE_HAS_SUCCESS (paid: ask the query)', biz('ACQ.TRADE_HAS_SUCCESS'), { status: 'unknown' }],
    ['ACQ.CONTEXT_INCONSISTENT', biz('ACQ.CONTEXT_INCONSISTENT'), { status: 'unknown' }],
    ['ACQ.PAYMENT_AUTH_CODE_INVALID', biz('ACQ.PAYMENT_AUTH_CODE_INVALID'), { status: 'failed', reason: 'ACQ.PAYMENT_AUTH_CODE_INVALID' }],
    ['ACQ.BUYER_BALANCE_NOT_ENOUGH', biz('ACQ.BUYER_BALANCE_NOT_ENOUGH'), { status: 'failed', reason: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' }],
    ['ACQ.TRADE_HAS_CLOSE', biz('ACQ.TRADE_HAS_CLOSE'), { status: 'failed', reason: 'ACQ.TRADE_HAS_CLOSE' }],
    ['an unlisted 40004 (Alipay’s demo: not charged)', biz('ACQ.SOMETHING_NEW'), { status: 'failed', reason: 'ACQ.SOMETHING_NEW' }],
    ['40002 bad signature (this request refused, nothing processed)', ans({ code: '40002', sub_code: 'isv.invalid-signature' }), { status: 'refused', reason: 'isv.invalid-signature' }],
    ['40001 missing arguments', ans({ code: '40001', sub_code: 'isv.missing-required-arguments' }), { status: 'refused' }],
    ['40002 invalid parameter (about the request)', ans({ code: '40002', sub_code: 'isv.invalid-parameter' }), { status: 'refused', reason: 'isv.invalid-parameter' }],
    ['40002 stale timestamp', ans({ code: '40002', sub_code: 'isv.invalid-timestamp' }), { status: 'refused', reason: 'isv.invalid-timestamp' }],
    ['20001 invalid app auth token', ans({ code: '20001', sub_code: 'aop.invalid-app-auth-token' }), { status: 'refused', reason: 'aop.invalid-app-auth-token' }],
    ['40006 insufficient permissions', ans({ code: '40006', sub_code: 'isv.insufficient-isv-permissions' }), { status: 'refused' }],
    ['HTTP 4xx (the gateway refused this request unread)', { kind: 'rejected', httpStatus: 403 } as AlipayReply, { status: 'refused', reason: 'HTTP_403' }],
    ['10000 without a trade number', ans({ code: '10000' }), { status: 'unknown' }],
    ['an undocumented code', ans({ code: '99999' }), { status: 'unknown' }],
    ['an answer whose signature did not verify', { kind: 'unverified', why: '验签失败' } as AlipayReply, { status: 'unknown' }],
    ['a timeout or reset', { kind: 'transport', why: 'timeout', maybeDelivered: true } as AlipayReply, { status: 'unknown' }],
    ['no connection at all', { kind: 'transport', why: 'ECONNREFUSED', maybeDelivered: false } as AlipayReply, { status: 'refused', reason: 'NETWORK_UNREACHABLE' }],
  ])('pay: %s', (_, reply, expected) => {
    const o = mapPay(reply);
    expect(o).toMatchObject(expected);
    if (o.status === 'failed' || o.status === 'refused') {
      expect(o.zh.length).toBeGreaterThan(4);
      expect(o.en.length).toBeGreaterThan(4);
    }
  });

  it('words for the cashier come from the plain reason, in both languages', () => {
    expect(mapPay(biz('ACQ.BUYER_BALANCE_NOT_ENOUGH'))).toMatchObject({ zh: expect.stringContaining('余额不足'), en: expect.stringContaining('balance') });
    expect(mapPay(biz('ACQ.PAYMENT_AUTH_CODE_INVALID'))).toMatchObject({ zh: expect.stringContaining('付款码'), en: expect.stringContaining('code') });
  });

  it.each([
    ['TRADE_SUCCESS', ans({ code: '10000', trade_status: 'TRADE_SUCCESS', trade_no: 'T' }), { status: 'succeeded', tradeNo: 'T' }],
    ['TRADE_FINISHED', ans({ code: '10000', trade_status: 'TRADE_FINISHED', trade_no: 'T' }), { status: 'succeeded' }],
    ['WAIT_BUYER_PAY', ans({ code: '10000', trade_status: 'WAIT_BUYER_PAY', trade_no: 'T' }), { status: 'userpaying' }],
    ['TRADE_CLOSED unpaid', ans({ code: '10000', trade_status: 'TRADE_CLOSED', trade_no: 'T' }), { status: 'closed' }],
    ['TRADE_CLOSED after payment (reversed)', ans({ code: '10000', trade_status: 'TRADE_CLOSED', trade_no: 'T', send_pay_date: '2026-12-06 10:00:00' }), { status: 'reversed' }],
    ['ACQ.TRADE_NOT_EXIST', biz('ACQ.TRADE_NOT_EXIST'), { status: 'not_found' }],
    ['ACQ.SYSTEM_ERROR', biz('ACQ.SYSTEM_ERROR'), { status: 'unknown' }],
    ['20000', ans({ code: '20000' }), { status: 'unknown' }],
    ['a refused query (40002) tells nothing', ans({ code: '40002', sub_code: 'isv.invalid-signature' }), { status: 'unknown' }],
    ['a query refused with HTTP 4xx tells nothing', { kind: 'rejected', httpStatus: 400 } as AlipayReply, { status: 'unknown' }],
    ['an unknown trade_status', ans({ code: '10000', trade_status: 'ODD' }), { status: 'unknown' }],
    ['unverified', { kind: 'unverified', why: 'x' } as AlipayReply, { status: 'unknown' }],
  ])('query: %s', (_, reply, expected) => {
    expect(mapQuery(reply)).toMatchObject(expected);
  });

  it.each([
    ['action close', ans({ code: '10000', action: 'close', retry_flag: 'N' }), { status: 'cancelled', reversed: false }],
    ['action refund', ans({ code: '10000', action: 'refund', retry_flag: 'N' }), { status: 'cancelled', reversed: true }],
    ['retry_flag Y', ans({ code: '40004', sub_code: 'ACQ.SYSTEM_ERROR', retry_flag: 'Y' }), { status: 'unknown' }],
    ['ACQ.TRADE_CANCEL_TIME_OUT', biz('ACQ.TRADE_CANCEL_TIME_OUT'), { status: 'failed', reason: 'ACQ.TRADE_CANCEL_TIME_OUT' }],
    ['ACQ.TRADE_NOT_EXIST', biz('ACQ.TRADE_NOT_EXIST'), { status: 'failed' }],
    ['20000', ans({ code: '20000' }), { status: 'unknown' }],
    ['unreachable', { kind: 'transport', why: 'ECONNREFUSED', maybeDelivered: false } as AlipayReply, { status: 'unknown' }],
  ])('cancel: %s', (_, reply, expected) => {
    expect(mapCancel(reply)).toMatchObject(expected);
  });

  it.each([
    ['fund_change Y', ans({ code: '10000', fund_change: 'Y' }), { status: 'succeeded' }],
    ['fund_change N (seen before: ask the refund query)', ans({ code: '10000', fund_change: 'N' }), { status: 'unknown' }],
    ['ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', biz('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL'), { status: 'failed', reason: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' }],
    ['ACQ.SELLER_BALANCE_NOT_ENOUGH', biz('ACQ.SELLER_BALANCE_NOT_ENOUGH'), { status: 'failed' }],
    ['ACQ.DISCORDANT_REPEAT_REQUEST', biz('ACQ.DISCORDANT_REPEAT_REQUEST'), { status: 'failed' }],
    ['ACQ.TRADE_HAS_FINISHED', biz('ACQ.TRADE_HAS_FINISHED'), { status: 'failed' }],
    ['ACQ.SYSTEM_ERROR', biz('ACQ.SYSTEM_ERROR'), { status: 'unknown' }],
    ['40002 (this request refused)', ans({ code: '40002', sub_code: 'isv.invalid-signature' }), { status: 'refused' }],
    ['40002 stale timestamp', ans({ code: '40002', sub_code: 'isv.invalid-timestamp' }), { status: 'refused', reason: 'isv.invalid-timestamp' }],
    ['20001 invalid app auth token', ans({ code: '20001', sub_code: 'aop.invalid-app-auth-token' }), { status: 'refused' }],
    ['HTTP 4xx', { kind: 'rejected', httpStatus: 429 } as AlipayReply, { status: 'refused', reason: 'HTTP_429' }],
    ['unreachable (sent again later, not declined)', { kind: 'transport', why: 'ECONNREFUSED', maybeDelivered: false } as AlipayReply, { status: 'unknown' }],
  ])('refund: %s', (_, reply, expected) => {
    expect(mapRefund(reply)).toMatchObject(expected);
  });

  it.each([
    ['REFUND_SUCCESS', ans({ code: '10000', refund_amount: '1.00', refund_status: 'REFUND_SUCCESS' }), { status: 'succeeded' }],
    ['amount without status (Alipay: success)', ans({ code: '10000', refund_amount: '1.00' }), { status: 'succeeded' }],
    ['empty answer: never taken', ans({ code: '10000' }), { status: 'not_found' }],
    ['ACQ.TRADE_NOT_EXIST', biz('ACQ.TRADE_NOT_EXIST'), { status: 'not_found' }],
    ['ACQ.SYSTEM_ERROR', biz('ACQ.SYSTEM_ERROR'), { status: 'unknown' }],
    ['a refused query (40002) is never not_found', ans({ code: '40002', sub_code: 'isv.invalid-signature' }), { status: 'unknown' }],
    ['a query refused with HTTP 4xx is never not_found', { kind: 'rejected', httpStatus: 403 } as AlipayReply, { status: 'unknown' }],
    ['an answer whose signature did not verify', { kind: 'unverified', why: '验签失败' } as AlipayReply, { status: 'unknown' }],
    ['no connection', { kind: 'transport', why: 'ECONNREFUSED', maybeDelivered: false } as AlipayReply, { status: 'unknown' }],
  ])('refund query: %s', (_, reply, expected) => {
    expect(mapRefundQuery(reply)).toMatchObject(expected);
  });

  it('precreate: a QR, a decline, or unknown', () => {
    expect(mapPrecreate(ans({ code: '10000', qr_code: 'https://qr.alipay.com/x' }), 5)).toEqual({ status: 'created', qrContent: 'https://qr.alipay.com/x', expiresAt: 5 });
    expect(mapPrecreate(biz('ACQ.TOTAL_FEE_EXCEED'), 5)).toMatchObject({ status: 'failed' });
    expect(mapPrecreate(ans({ code: '10000' }), 5)).toMatchObject({ status: 'unknown' });
    expect(mapPrecreate({ kind: 'unverified', why: 'x' }, 5)).toMatchObject({ status: 'unknown' });
    expect(mapPrecreate({ kind: 'rejected', httpStatus: 400 }, 5)).toMatchObject({ status: 'refused', reason: 'HTTP_400' });
    expect(mapPrecreate(ans({ code: '40002', sub_code: 'isv.invalid-timestamp' }), 5)).toMatchObject({ status: 'refused' });
  });
});
