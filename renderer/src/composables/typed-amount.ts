/**
 * Every amount a person types on any screen (the checkout keypad, refund, withdrawal, bill,
 * float, history filter, settings limits) is read here, by core/money.ts's one parser: the
 * text stays exactly as typed, and it is either an amount (integer fen) or refused in words
 * (a second point, a third decimal, letters, a sign, a separator …), in the screen's language.
 * Nothing is dropped or rewritten, so what the cashier sees is what would be charged.
 */
import { computed, type Ref } from 'vue';
import { readTypedAmount } from '../../../core/money';
import { usePrefsStore } from '../stores/prefs';

export interface TypedAmountOptions {
  /** A count may be zero (an empty drawer); a payment never is. */
  allowZero?: boolean;
}

export function useTypedAmount(text: Ref<string>, opts: TypedAmountOptions = {}) {
  const prefs = usePrefsStore();
  const read = computed(() => {
    const r = readTypedAmount(text.value);
    if (opts.allowZero && r.kind === 'refused' && r.error.code === 'amount.zero') return { kind: 'amount' as const, fen: 0 };
    return r;
  });
  /** The amount in fen, or null while the text is empty or refused. */
  const fen = computed(() => (read.value.kind === 'amount' ? read.value.fen : null));
  /** Why the text is not an amount, in the screen's language; '' when it is one (or empty). */
  const refusal = computed(() => {
    const r = read.value;
    if (r.kind !== 'refused') return '';
    return prefs.locale.startsWith('zh') ? r.error.zh : r.error.en;
  });
  return { read, fen, refusal };
}
