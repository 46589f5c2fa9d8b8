import { describe, expect, it } from 'vitest';
import { formatFen, MAX_TYPED_CHARS, typeKey } from './money';

const typed = (keys: string[]) => keys.reduce(typeKey, '');

describe('amounts on screen', () => {
  it('formats fen with integer arithmetic and grouping', () => {
    expect(formatFen(12345)).toBe('123.45');
    expect(formatFen(5)).toBe('0.05');
    expect(formatFen(123456789)).toBe('1,234,567.89');
    expect(formatFen(-250, false)).toBe('-2.50');
  });
  it('keeps every key exactly as pressed, the ones that make it no amount included', () => {
    expect(typed(['1', '2', '.', '3', '4'])).toBe('12.34');
    expect(typed(['1', '00'])).toBe('100');
    expect(typed(['1', '2', '.', '3', '.', '4'])).toBe('12.3.4');
    expect(typed(['-', '1'])).toBe('-1');
    expect(typed(['1', 'e', '3'])).toBe('1e3');
    expect(typed(['1', ',', '2'])).toBe('1,2');
  });
  it('stops growing only far past any amount', () => {
    expect(typed(Array.from({ length: 40 }, () => '9'))).toHaveLength(MAX_TYPED_CHARS);
  });
});
