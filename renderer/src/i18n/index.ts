import { createI18n } from 'vue-i18n';
import type { FeatureMessages, MessageTree } from './define';
import * as features from './features';

type Features = typeof features;
type Lang = 'zh' | 'en';

/** Builds one language's message tree from every feature's { zh, en }. */
export function merge<L extends Lang>(lang: L): { [K in keyof Features]: Features[K][L] } {
  const out: Record<string, MessageTree> = {};
  for (const [ns, m] of Object.entries(features) as Array<[string, FeatureMessages]>) out[ns] = m[lang] as MessageTree;
  return out as { [K in keyof Features]: Features[K][L] };
}

export const messages = { 'zh-CN': merge('zh'), en: merge('en') };
export type Locale = keyof typeof messages;

export function makeI18n(locale: Locale = 'zh-CN') {
  return createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages, missingWarn: false, fallbackWarn: false });
}
