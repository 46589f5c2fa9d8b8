/**
 * Which tenders the counter's acquirers allow (`acquirer:tenders`, core/settings/tenders.ts):
 * a tender that is off carries its reason in the core's words, and while the link is down the
 * core says what still works. Kept live by `acquirer:tendersChanged` (a connection saved, the
 * link lost or back). Until the first answer nothing is assumed off.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Tenders } from '../../../core/api/acquirer';
import { listenIfPresent, sendIfPresent } from '../api/client';

export const useTendersStore = defineStore('tenders', () => {
  const tenders = ref<Tenders>({ offlineCode: null, merchantQr: null, outage: null });
  let started = false;

  async function load(): Promise<void> {
    if (!started) {
      started = true;
      listenIfPresent<Tenders>('acquirer:tendersChanged', (t) => (tenders.value = t));
    }
    try {
      tenders.value = await sendIfPresent<Tenders>('acquirer:tenders', {});
    } catch {
      // Not logged in yet, or a core without the method: the tenders stay as the core last said.
    }
  }

  return { tenders, load };
});
