import { describe, expect, it } from 'vitest';
import { checkFen, formatFen, MAX_AMOUNT_FEN, parseYuan, readTypedAmount } from './money';

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
    ['-1', 'amount.sign'],
    ['+1', 'amount.sign'],
    ['1.234', 'amount.third_decimal'],
    ['12.3.4', 'amount.second_point'],
    ['1e3', 'amount.letters'],
    ['1,000', 'amount.separator'],
    ['12，34', 'amount.separator'],
    ['1/2', 'amount.separator'],
    ['.5', 'amount.no_yuan'],
    ['5.', 'amount.no_decimals'],
    ['NaN', 'amount.letters'],
    ['Infinity', 'amount.letters'],
    ['0x10', 'amount.letters'],
    ['12 34', 'amount.separator'],
    ['12#', 'amount.format'],
    ['1000000.01', 'amount.too_large'],
    ['99999999', 'amount.too_large'],
    ['1'.repeat(40), 'amount.too_large'],
    ['一百', 'amount.letters'],
  ])('refuses %j with %s', (s, code) => expect(() => parseYuan(s)).toThrow(expect.objectContaining({ code })));

  it('reads a typed text without dropping anything: empty, an amount, or a refusal in zh and en', () => {
    expect(readTypedAmount('  ')).toEqual({ kind: 'empty' });
    expect(readTypedAmount('5.50')).toEqual({ kind: 'amount', fen: 550 });
    for (const typed of ['-1', '1e3', '12.3.4', '1/2', '0x10', '12,34']) {
      const r = readTypedAmount(typed);
      expect(r.kind, typed).toBe('refused');
      if (r.kind === 'refused') expect(r.error.zh && r.error.en, typed).toBeTruthy();
    }
  });

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
