import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';

export const messages = { 'zh-CN': zhCN, en };
export type Locale = keyof typeof messages;

export function makeI18n(locale: Locale = 'zh-CN') {
  return createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages, missingWarn: false, fallbackWarn: false });
}
