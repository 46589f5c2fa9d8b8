/**
 * Recognising a scanned online payment code by its format, before any network call, and
 * masking it for storage and display. Formats (docs/DOMAIN.md): WeChat 18 digits starting 10–15;
 * Alipay 16–24 digits starting 25–30; UnionPay 19 digits starting 62; face `fp` + digits.
 * Anything else — letters, spaces, full-width digits, control characters — is refused with
 * words that tell the cashier what to do, from the one vocabulary of scan refusals
 * (core/api/scan.ts: "不是付款码：<why>", never the code). The full code is never stored: only `maskCode`.
 */
import { AppError } from '../api/errors';
import { scanRefusalWords, textRefusal, type ScanRefusalReason } from '../api/scan';
import type { Scheme } from '../acquirer/types';

const PATTERNS: ReadonlyArray<[Scheme, RegExp]> = [
  ['wechat', /^1[0-5][0-9]{16}$/],
  ['alipay', /^(2[5-9]|30)[0-9]{14,22}$/],
  ['unionpay', /^62[0-9]{17}$/],
  ['face', /^fp[0-9]{10,30}$/],
];
/** The shortest and longest online code of any scheme (Alipay 16–24 digits). */
const MIN_LENGTH = 16;
const MAX_LENGTH = 64;

const notACode = (code: string, reason: ScanRefusalReason) => {
  const w = scanRefusalWords(reason);
  return new AppError(code, w.zh, w.en, { reason });
};

export const CodeErrors = {
  empty: () => new AppError('code.empty', '请扫描顾客的付款码。', 'Scan the customer’s payment code.'),
  fullWidth: () => notACode('code.full_width', 'full_width'),
  unrecognised: (reason: ScanRefusalReason = 'unknown') => notACode('code.unrecognised', reason),
};

/** The scheme of a payment code, or an AppError saying why it is refused (`detail.reason`). */
export function recogniseCode(code: unknown): Scheme {
  if (typeof code !== 'string' || code.length === 0) throw CodeErrors.empty();
  const bad = textRefusal(code);
  if (bad === 'full_width') throw CodeErrors.fullWidth();
  if (bad) throw CodeErrors.unrecognised(bad);
  if (code.length > MAX_LENGTH) throw CodeErrors.unrecognised('too_long');
  for (const [scheme, re] of PATTERNS) if (re.test(code)) return scheme;
  if (!/^[0-9]+$/.test(code) && !/^fp[0-9]+$/.test(code)) throw CodeErrors.unrecognised('letters');
  if (code.length < MIN_LENGTH) throw CodeErrors.unrecognised('too_short');
  throw CodeErrors.unrecognised('unknown');
}

/** `134567890123456789` → `1345 **** **** 6789`: enough to match a receipt, useless to pay. */
export function maskCode(code: string): string {
  if (code.length <= 8) return '****';
  return `${code.slice(0, 4)} **** **** ${code.slice(-4)}`;
}
