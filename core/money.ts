/**
 * Money is integer fen (1 yuan = 100 fen), always. Amounts typed by a person are parsed
 * strictly here and nowhere else: no negative, no zero, at most two decimals, no exponent.
 * Full-width digits and the full-width point (common from Chinese IMEs) are normalised to
 * ASCII rather than refused, since a cashier cannot see the difference; every other
 * character is refused with a message saying what was wrong.
 */
import { AppError } from './api/errors';

/** The largest single amount the terminal accepts: ¥1,000,000.00 (far above any limit). */
export const MAX_AMOUNT_FEN = 100_000_000;

export const MoneyErrors = {
  empty: () => new AppError('amount.empty', '请输入金额。', 'Enter an amount.'),
  format: () =>
    new AppError('amount.format', '金额格式不正确：只能是数字，最多两位小数，例如 12.50。',
      'The amount is not valid: digits only, at most two decimals, e.g. 12.50.'),
  zero: () => new AppError('amount.zero', '金额必须大于零。', 'The amount must be more than zero.'),
  tooLarge: () =>
    new AppError('amount.too_large', '金额过大，请核对。', 'The amount is too large; please check it.', { maxFen: MAX_AMOUNT_FEN }),
  notInteger: () => new AppError('amount.not_fen', '金额必须是整数分。', 'The amount must be a whole number of fen.'),
};

function normaliseWidth(s: string): string {
  return s.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\uFF0E/g, '.');
}

/** Parses "12", "12.3", "12.34", "¥12.34" (or full-width forms) to fen. Throws AppError. */
export function parseYuan(input: unknown): number {
  if (typeof input !== 'string') throw MoneyErrors.format();
  const s = normaliseWidth(input.trim()).replace(/^[¥￥]/, '');
  if (s === '') throw MoneyErrors.empty();
  if (s.length > 16) throw MoneyErrors.tooLarge();
  const m = /^([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(s);
  if (!m) throw MoneyErrors.format();
  const yuan = m[1].replace(/^0+(?=\d)/, '');
  if (yuan.length > 7) throw MoneyErrors.tooLarge();
  const fen = Number(yuan) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return checkFen(fen);
}

/** Checks a fen amount from any outside source (API payload, scanned code, file). */
export function checkFen(fen: unknown): number {
  if (typeof fen !== 'number' || !Number.isSafeInteger(fen)) throw MoneyErrors.notInteger();
  if (fen <= 0) throw MoneyErrors.zero();
  if (fen > MAX_AMOUNT_FEN) throw MoneyErrors.tooLarge();
  return fen;
}

/** 12345 → "123.45". Integer arithmetic only: no float formatting of money. */
export function formatFen(fen: number): string {
  const neg = fen < 0;
  const a = Math.abs(fen);
  const s = `${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}
