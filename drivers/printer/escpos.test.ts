import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeEscPos, receiptText } from './decode';
import {
  barcodeModuleWidth, chinaTime, columnsFor, encodeDrawerPulse, encodeReceipt, encodeTestPage, statusQuery, textWidth, twoColumns, wrap, yuan,
} from './escpos';
import { sampleBillReceipt, sampleBillReturnReceipt, sampleReceipt } from './fixtures';
import { parseReceipt } from './receipt';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const gb = (s: string) => hex(iconv.encode(s, 'gb18030'));
const GOLDEN = path.join(__dirname, 'golden');

/** Golden files hold the exact bytes; `UPDATE_GOLDEN=1` rewrites them after a reviewed change. */
function golden(name: string, bytes: Uint8Array) {
  const file = path.join(GOLDEN, name);
  const text = hex(bytes).replace(/(.{64})/g, '$1\n') + '\n';
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, text);
  expect(fs.existsSync(file), `${name} missing: run with UPDATE_GOLDEN=1 and review the bytes`).toBe(true);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
}

/** Draws a QR module matrix as a PNG (4-module quiet zone) and decodes it with jsQR. */
function decodeMatrix(matrix: string[], scale = 4): string | null {
  const n = matrix.length;
  const size = (n + 8) * scale;
  const png = new PNG({ width: size, height: size });
  png.data.fill(255);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (matrix[y]![x] !== '1') continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const o = (((y + 4) * scale + dy) * size + (x + 4) * scale + dx) * 4;
          png.data[o] = png.data[o + 1] = png.data[o + 2] = 0;
        }
      }
    }
  }
  // Round-trip through PNG bytes so the check covers an actual image file, as a camera would see.
  const img = PNG.sync.read(PNG.sync.write(png));
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

describe('text layout', () => {
  it('counts CJK characters as two columns and ASCII as one', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('合计')).toBe(4);
    expect(textWidth('￥1.00')).toBe(6);
  });
  it('wraps without splitting a double-width character', () => {
    expect(wrap('一二三四五', 5)).toEqual(['一二', '三四', '五']);
    expect(wrap('ab一二', 3)).toEqual(['ab', '一', '二']);
    expect(wrap('', 32)).toEqual(['']);
  });
  it('replaces four-byte GB18030 characters the printer font lacks with a visible ？', () => {
    expect(wrap('水😀', 32)).toEqual(['水？']);
  });
  it('right-aligns the amount, or moves it to its own line when both do not fit', () => {
    expect(twoColumns('合计', '12.00', 16)).toEqual(['合计       12.00']);
    expect(twoColumns('很长的商品名称很长', '12.00', 16)).toEqual(['很长的商品名称很', '长', '           12.00']);
  });
  it('formats fen as yuan with integer arithmetic', () => {
    expect(yuan(0)).toBe('0.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(123456)).toBe('1234.56');
  });
  it('prints time in China Standard Time', () => {
    expect(chinaTime(Date.UTC(2026, 10, 28, 16, 0, 0))).toBe('2026-11-29 00:00:00');
  });
});

describe('receipt bytes', () => {
  for (const paper of [58, 80] as const) {
    const bytes = encodeReceipt(parseReceipt(sampleReceipt(paper)));
    const h = hex(bytes);

    it(`${paper} mm: matches the golden bytes`, () => golden(`receipt-${paper}.hex`, bytes));

    it(`${paper} mm: initialises, enters Chinese mode and leaves it before the cut`, () => {
      expect(h.startsWith('1b40' + '1c2e' + '1b4d00' + '1c26')).toBe(true);
      expect(h.lastIndexOf('1c2e')).toBeGreaterThan(h.indexOf('1c26'));
      expect(h.endsWith('1d5601' + '0a')).toBe(true);
      expect(h.indexOf('1d5601')).toBeGreaterThan(h.lastIndexOf('1c2e'));
    });

    it(`${paper} mm: sends Chinese as GB18030 bytes, never as ???`, () => {
      expect(h).toContain(gb('合计'));
      expect(h).toContain(gb('示范村便民店'));
      expect(h).toContain(gb('微信支付'));
      expect(h).not.toContain('3f3f3f');
    });

    it(`${paper} mm: prints the total in bold and the shop name double size`, () => {
      expect(h).toContain('1b4501' + gb('合计'));
      expect(h).toContain('1b45011d2111' + gb('示范村便民店'));
    });

    it(`${paper} mm: stores and prints the e-receipt URL as a QR code (model 2, level M)`, () => {
      const url = 'https://r.example.cn/e/PAY20261128000123';
      const len = url.length + 3;
      expect(h).toContain('1d286b0400314132' + '00');
      expect(h).toContain('1d286b03003145' + '31'); // GS ( k fn 69 (0x45), 49 (0x31) = level M
      expect(h).toContain(`1d286b${len.toString(16).padStart(2, '0')}00315030${Buffer.from(url).toString('hex')}1d286b0300315130`);
    });

    it(`${paper} mm: no decoded line is wider than the paper`, () => {
      const cols = columnsFor(paper);
      for (const b of decodeEscPos(bytes, cols).blocks) {
        if (b.kind !== 'text') continue;
        const w = b.runs.reduce((s, r) => s + textWidth(r.text) * r.width, 0);
        expect(w, JSON.stringify(b)).toBeLessThanOrEqual(cols);
      }
    });

    it(`${paper} mm: the printed QR decodes to the e-receipt URL (independent check with jsQR)`, () => {
      const qr = decodeEscPos(bytes, columnsFor(paper)).blocks.find((b) => b.kind === 'qr');
      expect(qr?.kind).toBe('qr');
      if (qr?.kind !== 'qr') return;
      expect(decodeMatrix(qr.matrix)).toBe('https://r.example.cn/e/PAY20261128000123');
    });
  }

  it('prints the order number as a CODE128 barcode with its text below', () => {
    const h = hex(encodeReceipt(parseReceipt(sampleReceipt(80))));
    expect(h).toContain('1d4802' + '1d6b49' + (2 + 17).toString(16).padStart(2, '0') + '7b42' + Buffer.from('PAY20261128000123').toString('hex'));
  });

  it('leaves the barcode out when it cannot fit the paper (the number is still printed as text)', () => {
    expect(barcodeModuleWidth('A'.repeat(40), 58)).toBeNull();
    const r = parseReceipt(sampleReceipt(58, { orderNo: 'A'.repeat(40) }));
    const d = decodeEscPos(encodeReceipt(r), 32);
    expect(d.blocks.some((b) => b.kind === 'barcode')).toBe(false);
    expect(receiptText(d).join('\n')).toContain('A'.repeat(20));
  });

  it('marks training receipts 培训 TRAINING at the top and the bottom', () => {
    const text = receiptText(decodeEscPos(encodeReceipt(parseReceipt(sampleReceipt(58, { training: true }))), 32));
    expect(text[0]).toBe('培训 TRAINING');
    expect(text.filter((l) => l === '培训 TRAINING')).toHaveLength(2);
    golden('receipt-58-training.hex', encodeReceipt(parseReceipt(sampleReceipt(58, { training: true }))));
  });

  it('prints cash tendered and change', () => {
    const r = parseReceipt(sampleReceipt(58, { tender: { kind: 'cash', paidFen: 5000, changeFen: 100 }, maskedCode: null }));
    const text = receiptText(decodeEscPos(encodeReceipt(r), 32));
    expect(text).toContain('现金' + ' '.repeat(32 - 4 - 5) + '50.00');
    expect(text).toContain('找零' + ' '.repeat(32 - 4 - 4) + '1.00');
  });

  it('prints no QR when there is no e-receipt link', () => {
    const d = decodeEscPos(encodeReceipt(parseReceipt(sampleReceipt(80, { eReceiptUrl: null }))), 48);
    expect(d.blocks.some((b) => b.kind === 'qr')).toBe(false);
  });

  it('decodes back to the same words the receipt described', () => {
    const text = receiptText(decodeEscPos(encodeReceipt(parseReceipt(sampleReceipt(80))), 48));
    expect(text).toContain('示范村便民店');
    expect(text).toContain('单号：PAY20261128000123');
    expect(text).toContain('时间：2026-11-28 12:05:06');
    expect(text.some((l) => l.startsWith('付款码') && l.endsWith('1345 **** **** 6789'))).toBe(true);
    expect(text.some((l) => l.startsWith('合计') && l.endsWith('￥49.00'))).toBe(true);
  });
});

describe('service-point receipts', () => {
  for (const paper of [58, 80] as const) {
    const cols = columnsFor(paper);
    const lines = (r: Parameters<typeof parseReceipt>[0]) => receiptText(decodeEscPos(encodeReceipt(parseReceipt(r)), cols));
    const fits = (bytes: Uint8Array) => {
      for (const b of decodeEscPos(bytes, cols).blocks) {
        if (b.kind === 'text') expect(b.runs.reduce((w, r) => w + textWidth(r.text) * r.width, 0), JSON.stringify(b)).toBeLessThanOrEqual(cols);
      }
    };

    it(`${paper} mm: a provisional bill receipt matches its golden bytes and prints the mark double size`, () => {
      const bytes = encodeReceipt(parseReceipt(sampleBillReceipt(paper)));
      golden(`bill-provisional-${paper}.hex`, bytes);
      fits(bytes);
      const h = hex(bytes);
      expect(h).toContain('1b45011d2111' + gb('待缴费机构确认'));
      const t = lines(sampleBillReceipt(paper));
      expect(t).toContain('缴费回单');
      expect(t).toContain('pending biller confirmation');
      expect(t.some((l) => l.startsWith('缴费单位 Biller') && l.endsWith('国网电费'))).toBe(true);
      expect(t.some((l) => l.startsWith('户号 Account') && l.endsWith('**** 4321'))).toBe(true);
      expect(t.some((l) => l.startsWith('合计') && l.endsWith('￥86.50'))).toBe(true);
      expect(decodeEscPos(bytes, cols).blocks.some((b) => b.kind === 'qr')).toBe(false);
    });

    it(`${paper} mm: a confirmed bill receipt matches its golden bytes, with the reference and no provisional mark`, () => {
      const r = sampleBillReceipt(paper, {
        notice: ['缴费成功，缴费单位已确认', 'Paid, confirmed by the biller'],
        service: { kind: 'bill', biller: '国网电费', maskedAccount: '**** 4321', reference: 'B0000012345', provisional: false },
      });
      const bytes = encodeReceipt(parseReceipt(r));
      golden(`bill-paid-${paper}.hex`, bytes);
      fits(bytes);
      const t = lines(r);
      expect(t.some((l) => l.startsWith('凭证号 Ref.') && l.endsWith('B0000012345'))).toBe(true);
      expect(t.join('\n')).not.toContain('待缴费机构确认');
    });

    it(`${paper} mm: a cash-returned receipt matches its golden bytes, with the refusal and the signature line`, () => {
      const bytes = encodeReceipt(parseReceipt(sampleBillReturnReceipt(paper, { training: true, reprint: true })));
      golden(`bill-return-training-reprint-${paper}.hex`, bytes);
      fits(bytes);
      const t = receiptText(decodeEscPos(bytes, cols));
      expect(t.filter((l) => l === '培训 TRAINING')).toHaveLength(2);
      expect(t).toContain('重打 REPRINT');
      expect(t).toContain('退还现金回单');
      expect(t).toContain('Account closed');
      expect(t).toContain('客户签名 Signature:');
      expect(t).toContain('_'.repeat(cols));
    });
  }
});

describe('other commands', () => {
  it('opens the drawer with ESC p 0 50 250 (100 ms on pin 2, 500 ms off)', () => {
    expect(hex(encodeDrawerPulse())).toBe('1b700032fa');
    expect(decodeEscPos(encodeDrawerPulse(), 32).blocks).toEqual([{ kind: 'pulse', pin: 0, onMs: 100, offMs: 500 }]);
  });
  it('queries paper status with DLE EOT 4', () => {
    expect(hex(statusQuery(4))).toBe('100404');
  });
  it('prints a test page whose QR decodes', () => {
    for (const paper of [58, 80] as const) {
      const bytes = encodeTestPage(paper, 'XP-58 \u001b@', Date.UTC(2026, 0, 1));
      golden(`test-page-${paper}.hex`, bytes);
      const d = decodeEscPos(bytes, columnsFor(paper));
      const qr = d.blocks.find((b) => b.kind === 'qr');
      expect(qr?.kind === 'qr' && decodeMatrix(qr.matrix)).toBe('https://example.cn/test');
      expect(receiptText(d)).toContain('设备：XP-58 @'); // the control byte never reaches the printer
      for (const b of d.blocks) {
        if (b.kind === 'text') expect(b.runs.reduce((w, r) => w + textWidth(r.text) * r.width, 0)).toBeLessThanOrEqual(columnsFor(paper));
      }
    }
  });
});
