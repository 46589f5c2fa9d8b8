/** Terminal identity, mode and connectivity, kept live by the core's events. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Connectivity, SystemInfo } from '../../../core/api/system';
import { listen, send } from '../api/client';

export const useSystemStore = defineStore('system', () => {
  const info = ref<SystemInfo | null>(null);
  const connectivity = ref<Connectivity>({ state: 'offline', rttMs: null, lastOkAt: null });

  let stop: (() => void) | null = null;
  async function load(): Promise<void> {
    info.value = await send('system:info', {});
    connectivity.value = await send('connectivity:get', {});
    stop ??= listen('connectivity:changed', (c) => {
      connectivity.value = c;
    });
  }

  return { info, connectivity, load };
});
