/**
 * What was wrong with a refused request, in words (zh + en): the dispatcher's schema refusal
 * named nothing ("请求内容不正确"), so a cashier who pasted 10,000 characters into a reason had no
 * idea what to change (issue 12). The first problem is said with its field (the contract's field
 * name, as the screens' fields are named) and, for a length or size, the limit. Never the value
 * itself: a refused field may hold a PIN or a payment code.
 */
import type { z } from 'zod';

export interface PayloadWords {
  zh: string;
  en: string;
}

/** The first issue zod found, in words. */
export function payloadWords(issues: readonly z.core.$ZodIssue[]): PayloadWords {
  const i = issues[0];
  if (!i) return { zh: '请求内容不正确', en: 'The request was malformed' };
  const field = i.path.length ? i.path.map(String).join('.') : '';
  const zf = field ? `“${field}”` : '请求';
  const ef = field ? `“${field}”` : 'The request';
  const limit = (v: unknown) => (typeof v === 'bigint' ? v.toString() : String(v));
  switch (i.code) {
    case 'too_big':
      if (i.origin === 'string') return { zh: `${zf}太长（最多 ${limit(i.maximum)} 个字符）`, en: `${ef} is too long (at most ${limit(i.maximum)} characters)` };
      if (i.origin === 'array' || i.origin === 'set') return { zh: `${zf}条目太多（最多 ${limit(i.maximum)} 条）`, en: `${ef} has too many entries (at most ${limit(i.maximum)})` };
      return { zh: `${zf}太大（最大 ${limit(i.maximum)}）`, en: `${ef} is too large (at most ${limit(i.maximum)})` };
    case 'too_small':
      if (i.origin === 'string') return { zh: `${zf}太短（至少 ${limit(i.minimum)} 个字符）`, en: `${ef} is too short (at least ${limit(i.minimum)} characters)` };
      return { zh: `${zf}太小（最小 ${limit(i.minimum)}）`, en: `${ef} is too small (at least ${limit(i.minimum)})` };
    case 'invalid_type':
      return { zh: `${zf}缺少或类型不对`, en: `${ef} is missing or of the wrong kind` };
    case 'invalid_format':
      return { zh: `${zf}格式不对`, en: `${ef} is not in the expected format` };
    case 'unrecognized_keys':
      return { zh: `${zf}含有不认识的内容（${i.keys.slice(0, 3).join('、')}）`, en: `${ef} holds fields it should not (${i.keys.slice(0, 3).join(', ')})` };
    case 'invalid_value':
    case 'invalid_union':
      return { zh: `${zf}不是允许的值`, en: `${ef} is not one of the allowed values` };
    case 'not_multiple_of':
      return { zh: `${zf}不是 ${limit(i.divisor)} 的整数倍`, en: `${ef} is not a multiple of ${limit(i.divisor)}` };
    default:
      return { zh: `${zf}不正确`, en: `${ef} is not valid` };
  }
}
