import { describe, expect, it } from 'vitest';
import type { Payment } from '../../../../core/api/payments';
import { csvField, toCsv, zReport } from './zreport';

const p = (o: Partial<Payment>): Payment => ({
  orderNo: 'A', amountFen: 100, tender: 'cash', state: 'succeeded', maskedCode: null, message: { zh: '', en: '' }, error: null,
  createdAt: Date.UTC(2026, 0, 1, 2, 30), updatedAt: 0, refundedFen: 0, training: true, qr: null, cash: null, creditName: null, operatorId: null, ...o,
});

describe('the daily report', () => {
  it('totals paid and offline-accepted payments by tender, leaving failed ones out of the takings', () => {
    const z = zReport([p({ amountFen: 1000 }), p({ amountFen: 250, tender: 'wechat' }), p({ amountFen: 500, state: 'failed' }), p({ amountFen: 300, tender: 'offline_code', state: 'accepted_offline' })]);
    expect(z.totalFen).toBe(1550);
    expect(z.byTender).toEqual([
      { tender: 'cash', count: 1, fen: 1000 },
      { tender: 'wechat', count: 1, fen: 250 },
      { tender: 'offline_code', count: 1, fen: 300 },
    ]);
    expect(z.byStatus.find((s) => s.state === 'failed')).toEqual({ state: 'failed', count: 1, fen: 500 });
    expect(z.offlinePending).toEqual({ count: 1, fen: 300 });
  });
  it('puts takings in the hour of China time and sums refunds', () => {
    const z = zReport([p({ refundedFen: 40 })]);
    expect(z.hourly[10]).toEqual({ hour: 10, count: 1, fen: 100 });
    expect(z.refundedFen).toBe(40);
  });
  it('writes CSV with a BOM, quoting and no formula injection', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(toCsv([['x', 1]])).toBe('\uFEFFx,1\r\n');
  });
});
