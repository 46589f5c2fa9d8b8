/**
 * Money on screen. Amounts are integer fen everywhere; this file formats them. Typed amounts
 * are read by core/money.ts's one parser (see composables/typed-amount.ts), never here; the
 * core validates every amount again.
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

/**
 * The checkout keypad's key into its typed text: appended exactly as pressed ('00' is two
 * zeros), never dropped or rewritten. Whether the text is an amount is core/money.ts's
 * `readTypedAmount` (composables/typed-amount.ts), which refuses it in words when it is not.
 * Only a text far past any amount stops growing (it is already refused as too large).
 */
export const MAX_TYPED_CHARS = 24;
export function typeKey(text: string, key: string): string {
  return (text + key).slice(0, Math.max(text.length, MAX_TYPED_CHARS));
}
