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
    // GS h 60, GS w 3 (sent as chosen), GS H 2, GS k 73: `{B` PAY, `{C` then the 14 digits as 7 bytes 0–99.
    expect(h).toContain('1d683c' + '1d7703' + '1d4802' + '1d6b49' + '0e' + '7b42' + Buffer.from('PAY').toString('hex') + '7b43' + '141a0b1c000117');
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

/**
 * Epson: a bar code or QR wider than the print area is not printed. The decoder computes each
 * symbol's printed width in dots from the bytes (GS w, the CODE128 data, the QR version × module
 * size) and refuses one that does not fit; these run it over every receipt kind on both papers.
 */
describe('every barcode and QR fits the print area', () => {
  const kinds = {
    sale: (p: 58 | 80) => sampleReceipt(p),
    training: (p: 58 | 80) => sampleReceipt(p, { training: true, reprint: true }),
    withdrawal: (p: 58 | 80) => sampleReceipt(p, { notice: ['现金已付给客户'], signatureLine: true, orderNo: 'T000120261128000001' }),
    billProvisional: (p: 58 | 80) => sampleBillReceipt(p),
    billPaid: (p: 58 | 80) => sampleBillReceipt(p, { service: { kind: 'bill', biller: '国网电费', maskedAccount: '**** 4321', reference: 'B0000012345', provisional: false } }),
    billReturn: (p: 58 | 80) => sampleBillReturnReceipt(p),
  };
  const orderNos = ['PAY20261128000123', 'T000120261128000001', 'BPMIHX2K0A9F3C21D7', '12345678', 'A'.repeat(40), '9'.repeat(40), 'PAY' + '1'.repeat(37), 'AB12CD34EF56GH78IJ90KL12MN34OP56QR78ST90'];
  for (const paper of [58, 80] as const) {
    const area = paper === 58 ? 384 : 576;
    for (const [kind, make] of Object.entries(kinds)) {
      it(`${paper} mm ${kind}: each symbol's printed width (dots) is within ${area}`, () => {
        for (const orderNo of [make(paper).orderNo, ...orderNos]) {
          const d = decodeEscPos(encodeReceipt(parseReceipt({ ...make(paper), orderNo })), columnsFor(paper));
          for (const b of d.blocks) {
            if (b.kind !== 'barcode' && b.kind !== 'qr') continue;
            expect(b.dots, `${orderNo} ${b.kind}`).toBeGreaterThan(0);
            expect(b.dots!, `${orderNo} ${b.kind}`).toBeLessThanOrEqual(area);
          }
          const bar = d.blocks.find((b) => b.kind === 'barcode');
          if (bar?.kind === 'barcode') expect(bar.content).toBe(orderNo);
          // The number is always on paper as text, barcode or not.
          expect(receiptText(d).join('')).toContain(orderNo.slice(0, 20));
        }
      });
    }
    it(`${paper} mm: the sale's order barcode is printed (it fits, with quiet zones)`, () => {
      for (const orderNo of ['PAY20261128000123', 'T000120261128000001']) {
        const d = decodeEscPos(encodeReceipt(parseReceipt(sampleReceipt(paper, { orderNo }))), columnsFor(paper));
        const bar = d.blocks.find((b) => b.kind === 'barcode');
        expect(bar?.kind === 'barcode' && bar.content).toBe(orderNo);
      }
    });
    it(`${paper} mm: the test page's barcode and QR fit`, () => {
      const d = decodeEscPos(encodeTestPage(paper, 'XP', 0), columnsFor(paper));
      expect(d.blocks.filter((b) => (b.kind === 'barcode' || b.kind === 'qr') && b.dots! <= area)).toHaveLength(2);
    });
  }

  it('the longest e-receipt link a receipt takes (300 characters) still gives a QR within the print area', () => {
    for (const paper of [58, 80] as const) {
      const url = `https://r.example.cn/${'e'.repeat(300 - 21)}`;
      const qr = decodeEscPos(encodeReceipt(parseReceipt(sampleReceipt(paper, { eReceiptUrl: url }))), columnsFor(paper)).blocks.find((b) => b.kind === 'qr');
      expect(qr?.kind === 'qr' && qr.dots! <= (paper === 58 ? 384 : 576)).toBe(true);
      expect(qr?.kind === 'qr' && decodeMatrix(qr.matrix)).toBe(url);
    }
  });

  it('the decoder refuses a barcode wider than the print area (GS w 4, 17 characters in set B on 384 dots)', () => {
    const data = [...Buffer.from('{BPAY20261128000123')];
    const bytes = Uint8Array.from([0x1b, 0x40, 0x1d, 0x77, 4, 0x1d, 0x6b, 73, data.length, ...data]);
    expect(() => decodeEscPos(bytes, 32)).toThrow(expect.objectContaining({ code: 'printer.sim_too_wide' }));
    // The same at GS w 1 fits: start, 17 characters, check (19 × 11) + stop 13 = 222 modules.
    const ok = decodeEscPos(Uint8Array.from([0x1d, 0x77, 1, 0x1d, 0x6b, 73, data.length, ...data]), 32);
    expect(ok.blocks[0]).toMatchObject({ kind: 'barcode', content: 'PAY20261128000123', dots: 222 });
  });

  it('the decoder reads code set C as two digits a byte', () => {
    const bytes = Uint8Array.from([0x1d, 0x77, 2, 0x1d, 0x6b, 73, 8, 0x7b, 0x42, 0x50, 0x7b, 0x43, 20, 26, 5]);
    // start, P, Code C, 3 pairs, check: 7 symbols × 11 + stop 13 = 90 modules, × 2 dots.
    expect(decodeEscPos(bytes, 32).blocks[0]).toMatchObject({ content: 'P202605', dots: 180 });
  });

  it('the decoder refuses a QR wider than the print area', () => {
    const url = Buffer.from('https://r.example.cn/e/' + 'A'.repeat(200));
    const len = url.length + 3;
    const bytes = Uint8Array.from([0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, 8, 0x1d, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30, ...url, 0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30]);
    expect(() => decodeEscPos(bytes, 32)).toThrow(expect.objectContaining({ code: 'printer.sim_too_wide' }));
  });
});

describe('e-receipt address in the QR', () => {
  it('prints a non-ASCII address as its plain URI, which the QR decodes to (never ??)', () => {
    for (const paper of [58, 80] as const) {
      const bytes = encodeReceipt(parseReceipt(sampleReceipt(paper, { eReceiptUrl: 'https://例子.cn/小票/PAY20261128000123' })));
      const qr = decodeEscPos(bytes, columnsFor(paper)).blocks.find((b) => b.kind === 'qr');
      const plain = 'https://xn--fsqu00a.cn/%E5%B0%8F%E7%A5%A8/PAY20261128000123';
      expect(qr?.kind === 'qr' && qr.content).toBe(plain);
      expect(qr?.kind === 'qr' && decodeMatrix(qr.matrix)).toBe(plain);
      expect(hex(bytes)).not.toContain('3f3f');
    }
  });
});
