/**
 * Recognising a scanned online payment code by its format, before any network call, and
 * masking it for storage and display. Formats (docs/DOMAIN.md): WeChat 18 digits starting 10–15;
 * Alipay 16–24 digits starting 25–30; UnionPay 19 digits starting 62; face `fp` + digits.
 * Anything else — letters, spaces, full-width digits, control characters — is refused with
 * words that tell the cashier what to do. The full code is never stored: only `maskCode`.
 */
import { AppError } from '../api/errors';
import type { Scheme } from '../acquirer/types';

const PATTERNS: ReadonlyArray<[Scheme, RegExp]> = [
  ['wechat', /^1[0-5][0-9]{16}$/],
  ['alipay', /^(2[5-9]|30)[0-9]{14,22}$/],
  ['unionpay', /^62[0-9]{17}$/],
  ['face', /^fp[0-9]{10,30}$/],
];

export const CodeErrors = {
  empty: () => new AppError('code.empty', '请扫描顾客的付款码。', 'Scan the customer’s payment code.'),
  fullWidth: () =>
    new AppError('code.full_width', '付款码含全角数字：扫码枪可能处于中文输入法下，请切换为英文输入后重新扫码。',
      'The code has full-width digits: the scanner may be typing through a Chinese input method. Switch to English input and scan again.'),
  unrecognised: () =>
    new AppError('code.unrecognised', '无法识别的付款码，未扣款。请顾客出示微信、支付宝、云闪付付款码或使用刷脸支付。',
      'This is not a payment code we recognise; nothing was charged. Ask for a WeChat, Alipay or UnionPay payment code, or face payment.'),
};

/** The scheme of a payment code, or an AppError saying why it is refused. */
export function recogniseCode(code: unknown): Scheme {
  if (typeof code !== 'string' || code.length === 0) throw CodeErrors.empty();
  if (code.length > 64) throw CodeErrors.unrecognised();
  if (/[\uFF10-\uFF19]/.test(code)) throw CodeErrors.fullWidth();
  for (const [scheme, re] of PATTERNS) if (re.test(code)) return scheme;
  throw CodeErrors.unrecognised();
}

/** `134567890123456789` → `1345 **** **** 6789`: enough to match a receipt, useless to pay. */
export function maskCode(code: string): string {
  if (code.length <= 8) return '****';
  return `${code.slice(0, 4)} **** **** ${code.slice(-4)}`;
}
