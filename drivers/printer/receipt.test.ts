import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/api/errors';
import { sampleBillReceipt, sampleBillReturnReceipt, sampleReceipt } from './fixtures';
import { encodeReceipt } from './escpos';
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

describe('service-point receipt description', () => {
  const refusedBill = (over: Record<string, unknown>, base = sampleBillReceipt(58)) => {
    try {
      parseReceipt({ ...base, ...over });
    } catch (e) {
      expect((e as AppError).code).toBe('printer.bad_receipt');
      expect((e as AppError).zh).toContain('未打印');
      expect((e as AppError).en).toContain('nothing was printed');
      return (e as AppError).detail?.issues as string;
    }
    throw new Error('accepted');
  };
  const bill = (s: Record<string, unknown>) => ({ service: { ...sampleBillReceipt(58).service, ...s } });

  it('accepts a provisional bill and a signed cash-returned receipt', () => {
    expect(parseReceipt(sampleBillReceipt(58)).service).toMatchObject({ kind: 'bill', provisional: true });
    expect(parseReceipt(sampleBillReturnReceipt(80)).service).toMatchObject({ kind: 'bill_return', refusal: ['户号已销户', 'Account closed'] });
  });
  it('refuses a full account number, so nothing is printed', () => {
    expect(refusedBill(bill({ maskedAccount: '6217000012344321' }))).toContain('service.maskedAccount');
    expect(refusedBill(bill({ maskedAccount: '621700 **** 12344321' }))).toContain('service.maskedAccount');
  });
  it('refuses a phone or account number hidden in the biller’s name, a refusal, a notice or an item', () => {
    expect(refusedBill(bill({ biller: '电费 13812345678' }))).toContain('service.biller');
    expect(refusedBill({ service: { ...sampleBillReturnReceipt(58).service, refusal: ['户号 6217000012344321 已销户'] } }, sampleBillReturnReceipt(58)))
      .toContain('service.refusal');
    expect(refusedBill({ notice: ['客户手机 13812345678'] })).toContain('notice');
    expect(refusedBill({ items: [{ name: '缴费 6217000012344321', qty: 1, unitFen: 8650, totalFen: 8650 }] })).toContain('items');
  });
  it('refuses totals that are not the one service amount', () => {
    expect(refusedBill({ items: [] , totals: { subtotalFen: 8650, discountFen: 0, totalFen: 8650 } })).toContain('service');
    expect(refusedBill({
      items: [{ name: '代缴费', qty: 1, unitFen: 8650, totalFen: 8650 }],
      totals: { subtotalFen: 8650, discountFen: 50, totalFen: 8600 }, tender: { kind: 'cash', paidFen: 8600 },
    })).toContain('service');
    expect(refusedBill({ tender: { kind: 'cash', paidFen: 8000 } })).toContain('tender');
  });
  it('refuses a cash-returned receipt without the signature line', () =>
    expect(refusedBill({ signatureLine: false }, sampleBillReturnReceipt(58))).toContain('signatureLine'));
  it('refuses a provisional bill that claims a biller reference', () =>
    expect(refusedBill(bill({ reference: 'B0000012345' }))).toContain('service.reference'));
  it('refuses control characters in the biller’s name', () => expect(refusedBill(bill({ biller: '电费\u001b@' }))).toContain('service.biller'));
  it('keeps an unmasked account off the bytes: the refused description never reaches the encoder', () => {
    let bytes: Uint8Array | null = null;
    expect(() => { bytes = encodeReceipt(parseReceipt({ ...sampleBillReceipt(58), ...bill({ maskedAccount: '6217000012344321' }) })); }).toThrow();
    expect(bytes).toBeNull();
  });
});
