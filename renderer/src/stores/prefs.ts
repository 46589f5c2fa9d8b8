/** The user's display preferences: language and elder mode (large type). Kept in localStorage. */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { Locale } from '../i18n';

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
  } catch {
    return fallback;
  }
}

export const usePrefsStore = defineStore('prefs', () => {
  const locale = ref<Locale>(stored<Locale>('vc.locale', ['zh-CN', 'en'], 'zh-CN'));
  const elder = ref(stored('vc.elder', ['on', 'off'], 'off') === 'on');

  watch(locale, (v) => localStorage.setItem('vc.locale', v));
  watch(elder, (v) => localStorage.setItem('vc.elder', v ? 'on' : 'off'));

  return { locale, elder };
});
