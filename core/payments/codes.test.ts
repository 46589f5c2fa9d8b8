import { describe, expect, it } from 'vitest';
import { issueCode } from '../acquirer/simulator/codes';
import { maskCode, recogniseCode } from './codes';

describe('recognising payment codes by format', () => {
  it.each([
    ['134567890123456789', 'wechat'],
    ['104567890123456789', 'wechat'],
    ['154567890123456789', 'wechat'],
    ['2812345678901234', 'alipay'],
    ['301234567890123456789012', 'alipay'],
    ['6212345678901234567', 'unionpay'],
    ['fp123456789012345678', 'face'],
  ])('%s is %s', (code, scheme) => {
    expect(recogniseCode(code)).toBe(scheme);
  });

  it.each([
    ['164567890123456789', 'code.unrecognised'], // WeChat prefix out of 10–15
    ['13456789012345678', 'code.unrecognised'], // 17 digits
    ['2412345678901234', 'code.unrecognised'], // Alipay prefix 24
    ['281234567890123', 'code.unrecognised'], // 15 digits
    ['6212345678901234', 'code.unrecognised'], // UnionPay too short
    ['FP123456789012345678', 'code.unrecognised'],
    ['13456789012345678 ', 'code.unrecognised'],
    ['１３４５６７８９０１２３４５６７８９', 'code.full_width'],
    ['', 'code.empty'],
  ])('refuses %j with %s', (code, err) => {
    expect(() => recogniseCode(code)).toThrow(expect.objectContaining({ code: err }));
  });

  it.each([
    ['1345678901234\u00005678', 'control'],
    ['\u202e134567890123456789', 'bidi'],
    ['１３４５６７８９０１２３４５６７８９', 'full_width'],
    ['13456789\u4e2d0123456789', 'not_ascii'],
    ['ABCDEFGHIJKLMNOPQR', 'letters'],
    ['12345', 'too_short'],
    ['1'.repeat(65), 'too_long'],
    ['164567890123456789', 'unknown'],
  ])('says why %j is not a payment code (%s), in both languages, without the code', (code, reason) => {
    let e: { zh: string; en: string; detail?: { reason?: string } } | undefined;
    try {
      recogniseCode(code);
    } catch (x) {
      e = x as typeof e;
    }
    expect(e?.detail?.reason).toBe(reason);
    expect(e?.zh).toMatch(/^不是付款码：/);
    expect(e?.en).toMatch(/^Not a payment code: /);
    for (const text of [e!.zh, e!.en]) expect(text).not.toContain(code.slice(0, 6));
  });

  it('recognises every code the simulator issues', () => {
    for (const s of ['wechat', 'alipay', 'unionpay', 'face'] as const) {
      for (let i = 0; i < 50; i += 1) expect(recogniseCode(issueCode(s))).toBe(s);
    }
  });

  it('masks all but the first and last four characters', () => {
    expect(maskCode('134567890123456789')).toBe('1345 **** **** 6789');
  });
});
