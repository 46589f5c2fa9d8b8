/**
 * The user's display preferences on this terminal: language, elder mode (large type), voice
 * on/off and volume, how receipts are given. Kept in localStorage: they
 * are per screen, not per shop, and change nothing about money. The receipt mode is the
 * exception: it is the core's setting (`receipts:getSettings`/`receipts:setSettings`), mirrored here.
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { listen, send } from '../api/client';
import type { Locale } from '../i18n';

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
  } catch {
    return fallback;
  }
}

function storedInt(key: string, min: number, max: number, fallback: number): number {
  try {
    const v = Number(localStorage.getItem(key));
    return Number.isInteger(v) && v >= min && v <= max && localStorage.getItem(key) !== null ? v : fallback;
  } catch {
    return fallback;
  }
}

export type ReceiptMode = 'print' | 'qr' | 'both';

export const usePrefsStore = defineStore('prefs', () => {
  const locale = ref<Locale>(stored<Locale>('vc.locale', ['zh-CN', 'en'], 'zh-CN'));
  const elder = ref(stored('vc.elder', ['on', 'off'], 'off') === 'on');
  const voice = ref(stored('vc.voice', ['on', 'off'], 'on') === 'on');
  const volume = ref(storedInt('vc.volume', 0, 100, 80));
  const receipt = ref<ReceiptMode>(stored<ReceiptMode>('vc.receipt', ['print', 'qr', 'both'], 'both'));

  watch(locale, (v) => localStorage.setItem('vc.locale', v));
  watch(elder, (v) => localStorage.setItem('vc.elder', v ? 'on' : 'off'));
  watch(voice, (v) => localStorage.setItem('vc.voice', v ? 'on' : 'off'));
  watch(volume, (v) => localStorage.setItem('vc.volume', String(v)));
  let coreReceipt: ReceiptMode | null = null;
  watch(receipt, (v) => {
    localStorage.setItem('vc.receipt', v);
    // The core decides at each payment whether to print (and counts paper saved), so the mode
    // is the core's setting; localStorage only gives the first paint before it answers.
    if (v !== coreReceipt) void send('receipts:setSettings', { mode: v }).then((s) => (coreReceipt = s.mode), () => undefined);
  });
  /** Reads the core's receipt mode (it needs a logged-in operator: retried at each login). */
  async function loadReceipt(): Promise<void> {
    try {
      const s = await send('receipts:getSettings', {});
      coreReceipt = s.mode;
      receipt.value = s.mode;
    } catch {
      // Not logged in yet, or no back end (component tests): keep the local value until login.
    }
  }
  try {
    void loadReceipt();
    listen('session:changed', (s) => void (s.operator && loadReceipt()));
  } catch {
    // No bridge in this context (tests): the local value stands.
  }

  return { locale, elder, voice, volume, receipt, loadReceipt };
});
