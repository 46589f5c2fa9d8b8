/**
 * The terminal's storage health for the status bar (core/ops: disk low or full, database
 * damaged), in the core's own bilingual words: read once, then followed through `ops:health`.
 */
import { computed, type Ref } from 'vue';
import type { OpsHealth } from '../../../core/api/ops';
import { useFollowed } from './followed';

export function useStorageHealth(locale: Ref<string>) {
  const health = useFollowed<OpsHealth>('ops:health', 'ops:health');
  const note = computed(() => {
    const m = health.value?.message;
    return m ? (locale.value.startsWith('zh') ? m.zh : m.en) : null;
  });
  return { health, note };
}
