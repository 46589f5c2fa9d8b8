/**
 * The optional fields of the receipt description added for core/receipts: status notice,
 * reprint mark and signature line. Each renders as plain text lines, so the simulated printer's
 * decoder shows them exactly as paper would; the golden file pins the bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEscPos, receiptText } from './decode';
import { encodeReceipt } from './escpos';
import { sampleReceipt } from './fixtures';
import { parseReceipt } from './receipt';

const GOLDEN = path.join(__dirname, 'golden');

/** Same format as escpos.test.ts: `UPDATE_GOLDEN=1` rewrites after a reviewed change. */
function golden(name: string, bytes: Uint8Array) {
  const file = path.join(GOLDEN, name);
  const text = Buffer.from(bytes).toString('hex').replace(/(.{64})/g, '$1\n') + '\n';
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, text);
  expect(fs.existsSync(file), `${name} missing: run with UPDATE_GOLDEN=1 and review the bytes`).toBe(true);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
}

const withdrawal = () =>
  parseReceipt(sampleReceipt(58, {
    items: [{ name: '助农取款 Cash withdrawal', qty: 1, unitFen: 50000, totalFen: 50000 }],
    totals: { subtotalFen: 50000, discountFen: 0, totalFen: 50000 },
    tender: { kind: 'wechat', paidFen: 50000 },
    notice: ['现金已付给客户', 'Cash handed to the customer'],
    reprint: true,
    signatureLine: true,
  }));

describe('receipt description: notice, reprint mark, signature line', () => {
  it('leaves an old description printing exactly as before (the new fields default off)', () => {
    const r = parseReceipt(sampleReceipt(58));
    expect(r.notice).toEqual([]);
    expect(r.reprint).toBe(false);
    expect(r.signatureLine).toBe(false);
  });

  it('prints 重打 REPRINT first, the notice under the amounts and a signature line, as the simulator decodes them', () => {
    const text = receiptText(decodeEscPos(encodeReceipt(withdrawal()), 32));
    expect(text[0]).toBe('重打 REPRINT');
    const notice = text.indexOf('现金已付给客户');
    expect(notice).toBeGreaterThan(text.findIndex((l) => l.startsWith('合计')));
    expect(text[notice + 1]).toBe('Cash handed to the customer');
    const sig = text.indexOf('客户签名 Signature:');
    expect(sig).toBeGreaterThan(notice);
    expect(text[sig + 3]).toBe('_'.repeat(32));
    golden('receipt-58-withdrawal-reprint.hex', encodeReceipt(withdrawal()));
  });

  it('refuses control characters in a notice line', () => {
    expect(() => parseReceipt(sampleReceipt(58, { notice: ['待上传\u001bd\u0005'] }))).toThrow(/invalid/);
  });
});
