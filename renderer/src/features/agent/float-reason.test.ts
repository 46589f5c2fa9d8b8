/** The float ledger's reasons in the operator's language, never the core's English note (issue 12). */
import { describe, expect, it } from 'vitest';
import type { FloatMove } from '../../../../core/api/agent';
import { makeI18n } from '../../i18n';
import { floatReason } from './float-reason';

const mv = (kind: FloatMove['kind'], reason: string, amountFen = 0): FloatMove => ({ at: 0, kind, amountFen, reason, operatorId: null });

describe('floatReason', () => {
  const zh = makeI18n('zh-CN').global.t as (k: string, n?: Record<string, unknown>) => string;
  const en = makeI18n('en').global.t as (k: string, n?: Record<string, unknown>) => string;

  it('says the core’s own movements in Chinese, with no English left', () => {
    const rows = [
      mv('open', 'opening count', 200_000),
      mv('close', 'closing count 199900, variance -100'),
      mv('withdrawal', 'withdrawal W123', -5_000),
      mv('bill', 'bill B9', 3_000),
      mv('bill_return', 'bill return B9', -3_000),
      mv('in', 'remittance R77', 1_000),
    ];
    const said = rows.map((r) => floatReason(r, zh));
    for (const s of said) expect(s).not.toMatch(/opening|closing|variance|withdrawal|bill|remittance/);
    expect(said[0]).toBe('开班清点');
    expect(said[1]).toContain('¥1,999.00');
    expect(said[1]).toContain('¥-1.00');
    expect(said[2]).toContain('W123');
  });

  it('shows a reason the operator typed as typed, and speaks English in English', () => {
    expect(floatReason(mv('out', '买零钱'), zh)).toBe('买零钱');
    expect(floatReason(mv('open', 'opening count'), en)).toBe('Opening count');
  });
});
