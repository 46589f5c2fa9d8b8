/**
 * Why a scanned string is not a payment code, in words: one vocabulary for every place a scan is
 * refused — the keyboard-wedge detector (drivers/scanner/wedge.ts `scanRefusal`: a burst that is
 * no scan), and the core's code check (core/payments/codes.ts `recogniseCode`: a string that is
 * no known code). The screens say "不是付款码 / not a payment code" with the reason, and never
 * the scanned text itself: it may be a whole payment code, good for one charge by whoever reads it.
 *
 * Pure and shared (the renderer, the drivers and the core import it); no DOM, no Node.
 */

export type ScanRefusalReason =
  /** A control character (NUL, a line feed inside the code …). */
  | 'control'
  /** A text-direction mark (RLO, LRE, isolates …): the code shown would not be the code sent. */
  | 'bidi'
  /** Full-width digits or letters: the scanner typed through a Chinese input method. */
  | 'full_width'
  /** Another character no payment code has (Chinese, accented letters …). */
  | 'not_ascii'
  /** Ended with Tab where the scanner's profile ends with Enter (or another wrong end key). */
  | 'suffix'
  /** A pause inside the burst: the scanner is slower than its profile allows, or was interrupted. */
  | 'slow'
  /** Without the prefix this counter's scanner profile expects. */
  | 'prefix'
  | 'too_short'
  | 'too_long'
  /** Letters or symbols where an online payment code has digits only. */
  | 'letters'
  /** Digits, of a length some code has, but no wallet's numbering. */
  | 'unknown';

export interface Words {
  zh: string;
  en: string;
}

const REASON: Readonly<Record<ScanRefusalReason, Words>> = {
  control: { zh: '含有控制字符（如 NUL、Tab）', en: 'it contains a control character (such as NUL or Tab)' },
  bidi: { zh: '含有改变文字方向的隐藏字符', en: 'it contains hidden characters that change the text direction' },
  full_width: {
    zh: '含有全角字符：扫码枪可能处于中文输入法下，请切换为英文输入后重新扫码',
    en: 'it has full-width characters: the scanner may be typing through a Chinese input method; switch to English input and scan again',
  },
  not_ascii: { zh: '含有付款码不会有的字符', en: 'it contains characters no payment code has' },
  suffix: { zh: '结尾按键不对（例如以 Tab 结尾，扫码枪应以回车结尾）', en: 'it ended with the wrong key (such as Tab; the scanner should end with Enter)' },
  slow: {
    zh: '按键中间停顿太久（扫码枪太慢或被打断），请重新扫码；仍不行请在“设备”中调整扫码枪设置',
    en: 'the keys paused part-way (a slow or interrupted scanner); scan again, or adjust the scanner profile under Devices',
  },
  prefix: { zh: '开头没有此扫码枪设置的前缀', en: 'it lacks the prefix this counter’s scanner profile expects' },
  too_short: { zh: '太短，付款码至少 16 位', en: 'it is too short: a payment code has at least 16 characters' },
  too_long: { zh: '太长', en: 'it is too long' },
  letters: { zh: '含有字母或符号，付款码只有数字', en: 'it contains letters or symbols; a payment code has digits only' },
  unknown: {
    zh: '无法识别的付款码格式，不是微信、支付宝、云闪付或刷脸付款码',
    en: 'it is no WeChat, Alipay, UnionPay or face-payment code',
  },
};

/** The whole sentence a screen shows: "不是付款码：<reason>。未扣款。" — never the scanned text. */
export function scanRefusalWords(reason: ScanRefusalReason): Words {
  const r = REASON[reason];
  return { zh: `不是付款码：${r.zh}。未扣款。`, en: `Not a payment code: ${r.en}. Nothing was charged.` };
}

/** Text-direction controls (Unicode bidi formatting characters and marks). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** C0 and C1 controls, DEL. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Full-width ASCII forms (！ to ～) and the ideographic space. */
const FULL_WIDTH = /[\uff01-\uff5e\u3000]/;

/**
 * Why one character cannot be part of a payment code, or null for printable ASCII. Used by the
 * wedge detector per key and by the core per string, so both say the same thing.
 */
export function charRefusal(c: string): ScanRefusalReason | null {
  if (c.length === 1 && c >= ' ' && c <= '~') return null;
  if (BIDI.test(c)) return 'bidi';
  if (CONTROL.test(c)) return 'control';
  if (FULL_WIDTH.test(c)) return 'full_width';
  return 'not_ascii';
}

/** The first character of `text` that no payment code has, as a reason; null when all are printable ASCII. */
export function textRefusal(text: string): ScanRefusalReason | null {
  for (const c of text) {
    const r = charRefusal(c);
    if (r) return r;
  }
  return null;
}
