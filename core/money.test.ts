import { describe, expect, it } from 'vitest';
import { checkFen, formatFen, MAX_AMOUNT_FEN, parseYuan } from './money';

describe('parseYuan', () => {
  it.each([
    ['12', 1200],
    ['12.3', 1230],
    ['12.34', 1234],
    ['0.01', 1],
    ['¥8.50', 850],
    ['￥8.5', 850],
    [' 7 ', 700],
    ['１２．５０', 1250],
    ['007.10', 710],
    ['1000000', MAX_AMOUNT_FEN],
  ])('parses %s to %i fen', (s, fen) => expect(parseYuan(s)).toBe(fen));

  it.each([
    ['', 'amount.empty'],
    ['0', 'amount.zero'],
    ['0.00', 'amount.zero'],
    ['-1', 'amount.format'],
    ['1.234', 'amount.format'],
    ['1e3', 'amount.format'],
    ['1,000', 'amount.format'],
    ['.5', 'amount.format'],
    ['5.', 'amount.format'],
    ['NaN', 'amount.format'],
    ['Infinity', 'amount.format'],
    ['0x10', 'amount.format'],
    ['12 34', 'amount.format'],
    ['1000000.01', 'amount.too_large'],
    ['99999999', 'amount.too_large'],
    ['1'.repeat(40), 'amount.too_large'],
    ['一百', 'amount.format'],
  ])('refuses %j with %s', (s, code) => expect(() => parseYuan(s)).toThrow(expect.objectContaining({ code })));

  it('refuses non-strings', () => {
    for (const v of [12, null, undefined, {}, ['1']]) expect(() => parseYuan(v)).toThrow(expect.objectContaining({ code: 'amount.format' }));
  });
});

describe('checkFen and formatFen', () => {
  it('accepts only positive safe integers up to the cap', () => {
    expect(checkFen(1)).toBe(1);
    for (const v of [0, -1, 1.5, Number.NaN, Infinity, '100', MAX_AMOUNT_FEN + 1, 2 ** 53]) expect(() => checkFen(v)).toThrow();
  });
  it('formats with integer arithmetic', () => {
    expect(formatFen(12345)).toBe('123.45');
    expect(formatFen(5)).toBe('0.05');
    expect(formatFen(-250)).toBe('-2.50');
    expect(formatFen(0)).toBe('0.00');
  });
});
