import { describe, expect, it } from 'vitest';
import { amountKey, bufferToFen, formatFen, toBuffer } from './money';

const typed = (keys: string[]) => keys.reduce(amountKey, '');

describe('amounts on screen', () => {
  it('formats fen with integer arithmetic and grouping', () => {
    expect(formatFen(12345)).toBe('123.45');
    expect(formatFen(5)).toBe('0.05');
    expect(formatFen(123456789)).toBe('1,234,567.89');
    expect(formatFen(-250, false)).toBe('-2.50');
  });
  it('builds amounts from numpad keys and converts them to fen exactly', () => {
    expect(bufferToFen(typed(['1', '2', '.', '3', '4']))).toBe(1234);
    expect(bufferToFen(typed(['.', '5']))).toBe(50);
    expect(bufferToFen(typed(['0', '0', '7']))).toBe(700);
    expect(bufferToFen(typed(['1', '00']))).toBe(10000);
    expect(bufferToFen('')).toBe(0);
  });
  it('ignores keys that would make a malformed amount', () => {
    expect(typed(['1', '.', '2', '3', '4'])).toBe('1.23');
    expect(typed(['1', '.', '.', '5'])).toBe('1.5');
    expect(typed(['9', '9', '9', '9', '9', '9', '9', '9'])).toBe('9999999');
    expect(typed(['1', 'e', '-', '2'])).toBe('12');
  });
  it('accepts typed text only when it is a plain amount, normalising full-width digits', () => {
    expect(toBuffer('１２．５')).toBe('12.5');
    expect(toBuffer('¥007.10')).toBe('7.10');
    expect(toBuffer('1e3')).toBeNull();
    expect(toBuffer('-5')).toBeNull();
    expect(toBuffer('1.234')).toBeNull();
  });
});
