/**
 * The counter's keyboard-wedge scanner profiles as the Devices screen sees them: the saved list
 * (kept live by `settings:wedgeProfilesChanged`) and the profile being edited, which the test
 * box judges the last burst by before it is saved. The core checks and stores every change
 * (core/settings/wedge.ts); the app's scanner listener follows the same event.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { WedgeProfile } from '../../../../core/api/settings';
import { listen, send } from '../../api/client';

export const useWedgeProfilesStore = defineStore('wedgeProfiles', () => {
  const profiles = ref<WedgeProfile[]>([]);
  /** The profile in the edit form (a new one, or a changed copy of a saved one); null when none. */
  const draft = ref<WedgeProfile | null>(null);

  let started = false;
  async function load(): Promise<void> {
    if (!started) {
      started = true;
      listen('settings:wedgeProfilesChanged', (p) => (profiles.value = p.profiles));
    }
    profiles.value = (await send('settings:wedgeProfiles', {})).profiles;
  }

  /** Replaces the whole list; refused whole by the core (nothing changes) unless every profile is usable. */
  async function save(next: WedgeProfile[]): Promise<void> {
    profiles.value = (await send('settings:setWedgeProfiles', { profiles: next })).profiles;
  }

  return { profiles, draft, load, save };
});
