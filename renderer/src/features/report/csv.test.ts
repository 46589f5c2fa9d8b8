import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';

describe('CSV export', () => {
  it('writes CSV with a BOM, quoting and no formula injection', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(toCsv([['x', 1]])).toBe('\uFEFFx,1\r\n');
  });
});
