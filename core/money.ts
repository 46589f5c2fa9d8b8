/**
 * Money is integer fen (1 yuan = 100 fen), always. Amounts typed by a person are parsed
 * strictly here and nowhere else — the core's and every screen's amount field (the renderer
 * imports this file): no negative, no zero, at most two decimals, no exponent.
 * Full-width digits and the full-width point (common from Chinese IMEs) are normalised to
 * ASCII rather than refused, since a cashier cannot see the difference; every other
 * character is refused with a message saying what was wrong. Nothing is ever dropped: a text
 * is an amount exactly as typed, or it is refused (a screen keeps the text and shows why).
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
  secondPoint: () =>
    new AppError('amount.second_point', '金额里只能有一个小数点，请删掉多余的小数点。', 'An amount has one decimal point only: delete the extra one.'),
  thirdDecimal: () =>
    new AppError('amount.third_decimal', '金额最多两位小数（到分），请删掉多余的数字。', 'An amount has at most two decimals (fen): delete the extra digit.'),
  letters: () =>
    new AppError('amount.letters', '金额只能是数字，不能有字母或文字。', 'An amount is digits only: no letters or words.'),
  sign: () =>
    new AppError('amount.sign', '金额不能带正负号，请只输入数字。', 'An amount has no plus or minus sign: type the digits only.'),
  separator: () =>
    new AppError('amount.separator', '金额不能有逗号、空格、斜杠等分隔符，小数请用“.”。', 'An amount has no commas, spaces, slashes or other separators; use "." for decimals.'),
  noDecimals: () =>
    new AppError('amount.no_decimals', '小数点后还要输入数字（角、分），或删掉小数点。', 'Type the digits after the decimal point, or delete the point.'),
  noYuan: () =>
    new AppError('amount.no_yuan', '小数点前要有数字，例如 0.50。', 'Put a digit before the decimal point, e.g. 0.50.'),
};

/** What a typed amount field holds: nothing yet, an amount, or a refusal saying why. */
export type TypedAmount = { kind: 'empty' } | { kind: 'amount'; fen: number } | { kind: 'refused'; error: AppError };

/**
 * Reads a text exactly as typed (a field, the checkout keypad's keys, a paste). Refusals name
 * the first thing wrong, in the order a cashier would fix it: letters, a sign, a separator, a
 * second point, a third decimal, a point with nothing before or after it, then the size.
 */
export function readTypedAmount(text: string): TypedAmount {
  const s = normaliseWidth(text.trim()).replace(/^[¥￥]/, '');
  if (s === '') return { kind: 'empty' };
  const refused = (error: AppError): TypedAmount => ({ kind: 'refused', error });
  if (/\p{L}/u.test(s)) return refused(MoneyErrors.letters());
  if (/[+\-\u2212\uFF0B\uFF0D]/.test(s)) return refused(MoneyErrors.sign());
  if (/[,，、'’\s/\\_:;：；]/.test(s)) return refused(MoneyErrors.separator());
  if (/[^0-9.]/.test(s)) return refused(MoneyErrors.format());
  const [whole, dec, ...more] = s.split('.');
  if (more.length) return refused(MoneyErrors.secondPoint());
  if (dec !== undefined && dec.length > 2) return refused(MoneyErrors.thirdDecimal());
  if (dec === '') return refused(MoneyErrors.noDecimals());
  if (whole === '') return refused(MoneyErrors.noYuan());
  if (s.length > 16 || whole.replace(/^0+(?=\d)/, '').length > 7) return refused(MoneyErrors.tooLarge());
  const fen = Number(whole) * 100 + Number((dec ?? '').padEnd(2, '0'));
  if (fen <= 0) return refused(MoneyErrors.zero());
  if (fen > MAX_AMOUNT_FEN) return refused(MoneyErrors.tooLarge());
  return { kind: 'amount', fen };
}

function normaliseWidth(s: string): string {
  return s.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\uFF0E/g, '.');
}

/** Parses "12", "12.3", "12.34", "¥12.34" (or full-width forms) to fen. Throws AppError. */
export function parseYuan(input: unknown): number {
  if (typeof input !== 'string') throw MoneyErrors.format();
  const r = readTypedAmount(input);
  if (r.kind === 'empty') throw MoneyErrors.empty();
  if (r.kind === 'refused') throw r.error;
  return r.fen;
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
