import { describe, expect, it } from 'vitest';
import { reconcile, reportCsv } from './reconcile';

describe('reconciliation of offline items against the acquirer statement', () => {
  const local = [
    { orderNo: 'OFA', amountFen: 100, status: 'accepted' },
    { orderNo: 'OFB', amountFen: 200, status: 'accepted' },
    { orderNo: 'OFC', amountFen: 300, status: 'pending' },
    { orderNo: 'OFD', amountFen: 400, status: 'declined' },
    { orderNo: 'OFE', amountFen: 500, status: 'accepted' },
  ];
  const acquirer = [
    { orderNo: 'OFA', amountFen: 100 },
    { orderNo: 'OFB', amountFen: 250 },
    { orderNo: 'OFE', amountFen: 500 },
    { orderNo: 'OFE', amountFen: 500 },
    { orderNo: 'OFX', amountFen: 700 },
  ];

  it('sorts every order into matched, missing on either side, amount mismatch or duplicate', () => {
    const r = reconcile('2026-11-28', local, acquirer, 1);
    const by = Object.fromEntries(r.lines.map((l) => [l.orderNo, l.outcome]));
    expect(by).toEqual({ OFA: 'matched', OFB: 'amount_mismatch', OFC: 'missing_at_acquirer', OFE: 'duplicate', OFX: 'missing_locally' });
    expect(r.counts).toEqual({ matched: 1, missing_at_acquirer: 1, missing_locally: 1, amount_mismatch: 1, duplicate: 1 });
    expect(r.lines.find((l) => l.orderNo === 'OFC')?.localStatus).toBe('pending');
    // A local decline moved no money: its absence at the acquirer is expected, not a finding.
    expect(by.OFD).toBeUndefined();
    expect(r.localTotalFen).toBe(1100);
    expect(r.acquirerTotalFen).toBe(2050);
  });

  it('exports CSV with a BOM, quoted cells and spreadsheet formulas neutralised', () => {
    const csv = reportCsv(reconcile('2026-11-28', [{ orderNo: '=HYPERLINK("x")', amountFen: 1, status: 'pending' }], []));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.split('\r\n')[1]).toContain('"missing_at_acquirer","收单方缺失","0.01"');
  });
});
