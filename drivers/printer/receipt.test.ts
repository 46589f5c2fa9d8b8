import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/api/errors';
import { sampleReceipt } from './fixtures';
import { parseReceipt } from './receipt';

const refused = (over: Record<string, unknown>) => {
  try {
    parseReceipt({ ...sampleReceipt(58), ...over });
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('printer.bad_receipt');
    expect((e as AppError).zh).toBeTruthy();
    return (e as AppError).detail?.issues as string;
  }
  throw new Error('accepted');
};

describe('receipt description', () => {
  it('accepts a well-formed receipt and fills defaults', () => {
    const r = parseReceipt({ ...sampleReceipt(80), footer: undefined, maskedCode: undefined });
    expect(r.footer).toEqual([]);
    expect(r.maskedCode).toBeNull();
  });
  it('refuses a full payment code', () => expect(refused({ maskedCode: '134567890123456789' })).toContain('maskedCode'));
  it('refuses a masked code that still shows too many digits', () => expect(refused({ maskedCode: '134567 **** 89012345' })).toContain('maskedCode'));
  it('refuses control characters that would reprogram the printer', () =>
    expect(refused({ header: ['店\u001b@'] })).toContain('header'));
  it('refuses items that do not add up', () => expect(refused({ totals: { subtotalFen: 1, discountFen: 0, totalFen: 1 } })).toContain('subtotal'));
  it('refuses a total that is not subtotal minus discount', () =>
    expect(refused({ totals: { subtotalFen: 4980, discountFen: 0, totalFen: 4900 } })).toContain('totalFen'));
  it('refuses floats as money', () =>
    expect(refused({ items: [{ name: 'x', qty: 1, unitFen: 1.5, totalFen: 1.5 }] })).toContain('items'));
  it('refuses change on a non-cash tender', () => expect(refused({ tender: { kind: 'wechat', paidFen: 4900, changeFen: 0 } })).toContain('changeFen'));
  it('refuses cash whose tendered minus change is not the total', () =>
    expect(refused({ tender: { kind: 'cash', paidFen: 5000, changeFen: 0 } })).toContain('tender'));
  it('refuses a plain-http e-receipt link', () => expect(refused({ eReceiptUrl: 'http://evil.example/x' })).toContain('eReceiptUrl'));
  it('refuses a paper width other than 58 or 80', () => expect(refused({ paperWidth: 76 })).toContain('paperWidth'));
  it('refuses unknown fields', () => expect(refused({ extra: 1 })).toBeTruthy());
});
