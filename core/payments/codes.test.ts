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

  it('recognises every code the simulator issues', () => {
    for (const s of ['wechat', 'alipay', 'unionpay', 'face'] as const) {
      for (let i = 0; i < 50; i += 1) expect(recogniseCode(issueCode(s))).toBe(s);
    }
  });

  it('masks all but the first and last four characters', () => {
    expect(maskCode('134567890123456789')).toBe('1345 **** **** 6789');
  });
});
