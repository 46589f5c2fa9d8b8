/**
 * Amounts on the wallets' wires: Alipay sends yuan as decimal strings ("12.34", a refund
 * "-12.34" in its bill), WeChat's bill too. Read with integer arithmetic only, and strictly: a
 * cell that is not a plain amount is `null`, never a guess.
 */
export function yuanToFen(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(-?)(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s.trim());
  if (!m) return null;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -fen : fen;
}
