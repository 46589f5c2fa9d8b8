// @vitest-environment happy-dom
/**
 * The one amount field every screen uses (refund, withdrawal, bill, float, history filter,
 * settings limits): what is typed stays exactly as typed, and is an amount or refused in words.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { defineComponent, ref } from 'vue';
import { makeI18n } from '../i18n';
import AmountField from './AmountField.vue';

function host(initial: number | null = null, allowZero = false) {
  const fen = ref<number | null>(initial);
  const refusal = ref('');
  const w = mount(
    defineComponent({
      components: { AmountField },
      setup: () => ({ fen, refusal, allowZero }),
      template: '<AmountField v-model="fen" v-model:refusal="refusal" label="金额" testid="amt" :allow-zero="allowZero" />',
    }),
    { global: { plugins: [makeI18n('zh-CN')] } },
  );
  return { w, fen, refusal, input: () => w.get('[data-testid="amt"]') };
}

/** Types a text one character at a time, as a person does (each keystroke an input event). */
async function typeInto(el: ReturnType<ReturnType<typeof host>['input']>, text: string) {
  // Each key goes after what the field shows now, as it would under a person's fingers.
  for (const ch of text) {
    await el.setValue((el.element as HTMLInputElement).value + ch);
    await flushPromises();
  }
}

beforeEach(() => setActivePinia(createPinia()));

describe('the amount field', () => {
  it('keeps "5." while typing and ends at 5.50 (a refund typed as 5.50 never becomes 50)', async () => {
    const h = host();
    await typeInto(h.input(), '5.50');
    expect((h.input().element as HTMLInputElement).value).toBe('5.50');
    expect(h.fen.value).toBe(550);
    expect(h.refusal.value).toBe('');
  });

  it.each([
    ['-1', '正负号'],
    ['1e3', '字母'],
    ['12.3.4', '一个小数点'],
    ['1/2', '分隔符'],
    ['0x10', '字母'],
    ['12,34', '分隔符'],
    ['1.234', '两位小数'],
  ])('keeps %j as typed, refuses it in words and gives no amount', async (text, words) => {
    const h = host();
    await typeInto(h.input(), text);
    expect((h.input().element as HTMLInputElement).value).toBe(text);
    expect(h.fen.value).toBeNull();
    expect(h.refusal.value).toContain(words);
    expect(h.w.get('[data-testid="amt-msg"]').text()).toContain(words);
    expect(h.input().attributes('aria-invalid')).toBe('true');
  });

  it('keeps a long paste whole and says it is too large, not a shorter amount', async () => {
    const h = host();
    await h.input().setValue('1'.repeat(10_000));
    await flushPromises();
    expect((h.input().element as HTMLInputElement).value).toHaveLength(10_000);
    expect(h.fen.value).toBeNull();
    expect(h.refusal.value).toContain('过大');
  });

  it('shows an amount the screen sets (a quick amount, a reset), and a count may be zero', async () => {
    const h = host();
    h.fen.value = 10_000;
    await flushPromises();
    expect((h.input().element as HTMLInputElement).value).toBe('100.00');
    h.fen.value = null;
    await flushPromises();
    expect((h.input().element as HTMLInputElement).value).toBe('');
    const z = host(null, true);
    await typeInto(z.input(), '0');
    expect(z.fen.value).toBe(0);
    expect(z.refusal.value).toBe('');
  });
});
