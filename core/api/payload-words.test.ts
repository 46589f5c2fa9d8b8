/**
 * A refused request says what was wrong in words, naming the field, in zh and en, never the
 * value (issue 12: a 10,000-character paste got only "请求内容不正确").
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDispatcher } from './dispatcher';
import { payloadWords } from './payload-words';

const words = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected a refusal');
  return payloadWords(r.error.issues);
};

describe('payloadWords', () => {
  it('names a too-long field and its limit, never its value', () => {
    const pasted = '粘'.repeat(10_000);
    const w = words(z.object({ reason: z.string().max(60) }).strict(), { reason: pasted });
    expect(w.zh).toBe('“reason”太长（最多 60 个字符）');
    expect(w.en).toBe('“reason” is too long (at most 60 characters)');
    expect(w.zh + w.en).not.toContain('粘');
  });

  it('says a missing field, a stray field and a wrong value in words', () => {
    expect(words(z.object({ pin: z.string() }).strict(), {}).zh).toBe('“pin”缺少或类型不对');
    expect(words(z.object({}).strict(), { pad: 1 }).en).toContain('pad');
    expect(words(z.object({ side: z.enum(['a', 'b']) }), { side: 'c' }).en).toBe('“side” is not one of the allowed values');
    expect(words(z.object({ n: z.number().int().min(1) }), { n: 0 }).zh).toBe('“n”太小（最小 1）');
  });
});

describe('the dispatcher’s schema refusal', () => {
  it('keeps its code and says what was wrong, in both languages', async () => {
    const d = createDispatcher({ handlers: {} as never, context: () => ({ operator: null }) as never });
    const r = await d.dispatch('session:login', { operatorId: 'cashier1', pin: 'x'.repeat(5_000) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('rpc.bad_payload');
    expect(r.error.zh).toContain('“pin”');
    expect(r.error.zh).toContain('未做任何更改');
    expect(r.error.en).toContain('“pin”');
    expect(r.error.zh + r.error.en).not.toContain('xxxx');
  });
});
