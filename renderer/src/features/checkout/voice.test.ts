import { describe, expect, it } from 'vitest';
import { clipsFor, fenToWords } from './voice';

const say = (fen: number) => fenToWords(fen).join('');

describe('the spoken amount', () => {
  it('reads 12340 fen as 一百二十三元四角', () => {
    expect(say(12340)).toBe('一百二十三元四角');
  });
  it('drops the leading 一 of the tens and says whole yuan without 角 or 分', () => {
    expect(say(1200)).toBe('十二元');
    expect(say(1000)).toBe('十元');
  });
  it('says 零 for a gap inside the number and before a lone 分', () => {
    expect(say(10200)).toBe('一百零二元');
    expect(say(100500)).toBe('一千零五元');
    expect(say(1204)).toBe('十二元零四分');
    expect(say(102000)).toBe('一千零二十元');
  });
  it('keeps the 一 of 一十 inside a longer number', () => {
    expect(say(11200)).toBe('一百一十二元');
  });
  it('reads amounts under one yuan with 角 and 分 only', () => {
    expect(say(50)).toBe('五角');
    expect(say(5)).toBe('五分');
    expect(say(56)).toBe('五角六分');
  });
  it('reads ten-thousands with 万 and the zero after it', () => {
    expect(say(1_000_000)).toBe('一万元');
    expect(say(1_050_000)).toBe('一万零五百元');
    expect(say(100_000_000)).toBe('一百万元');
    expect(say(12_345_600)).toBe('十二万三千四百五十六元');
  });
  it('refuses a negative or fractional amount', () => {
    expect(() => fenToWords(-1)).toThrow(RangeError);
    expect(() => fenToWords(1.5)).toThrow(RangeError);
  });
  it('turns a result and an amount into clip names, the phrase first', () => {
    expect(clipsFor('paid', 12340)).toEqual(['paid', 'd1', 'bai', 'd2', 'shi', 'd3', 'yuan', 'd4', 'jiao']);
    expect(clipsFor('offline', 500)).toEqual(['offline', 'd5', 'yuan']);
  });
});
