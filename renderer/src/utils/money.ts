/**
 * Money on screen. Amounts are integer fen everywhere; this file only formats them and keeps
 * the numpad's entry buffer well-formed (digits, one point, at most two decimals), so turning
 * it into fen is integer arithmetic on digit strings. The core validates every amount again.
 */

/** 12345 → "123.45"; with `grouping`, 1234567 → "12,345.67". Integer arithmetic only. */
export function formatFen(fen: number, grouping = true): string {
  const neg = fen < 0;
  const a = Math.abs(Math.trunc(fen));
  let yuan = String(Math.floor(a / 100));
  if (grouping) yuan = yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const s = `${yuan}.${String(a % 100).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** "¥123.45" */
export const yuan = (fen: number) => `¥${formatFen(fen)}`;

/** The longest whole-yuan part the entry accepts: ¥9,999,999 (the core caps lower still). */
const MAX_INT_DIGITS = 7;

/**
 * One key into an amount entry buffer; returns the new buffer, or the old one when the key
 * would make it malformed (a second point, a third decimal, too many digits, a leading zero).
 */
export function amountKey(buffer: string, key: string): string {
  if (key === '.' ) {
    if (buffer.includes('.')) return buffer;
    return buffer === '' ? '0.' : `${buffer}.`;
  }
  if (key === '00') return amountKey(amountKey(buffer, '0'), '0');
  if (!/^[0-9]$/.test(key)) return buffer;
  const [int, dec] = buffer.split('.');
  if (dec !== undefined) return dec.length >= 2 ? buffer : buffer + key;
  if (int === '0') return key; // no leading zeros: "05" is "5"
  if (int.length >= MAX_INT_DIGITS) return buffer;
  return buffer + key;
}

/** The buffer as fen: "12.3" → 1230; "" → 0. The buffer is always well-formed (see amountKey). */
export function bufferToFen(buffer: string): number {
  if (buffer === '') return 0;
  const [int, dec = ''] = buffer.split('.');
  return Number(int || '0') * 100 + Number(dec.padEnd(2, '0'));
}

/**
 * A whole typed string (a text field, a paste) to a well-formed buffer, or null when it is not
 * an amount. Full-width digits and point (Chinese IMEs) are normalised, like core/money.ts does.
 */
export function toBuffer(text: string): string | null {
  const s = text.trim().replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\uFF0E/g, '.').replace(/^[¥￥]/, '');
  if (!/^[0-9]{1,7}(\.[0-9]{1,2})?$/.test(s)) return null;
  return s.replace(/^0+(?=\d)/, '');
}
