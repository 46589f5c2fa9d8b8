/**
 * The mirror of unforwarded payments (core/mirror) for the status bar: said only when a person
 * should act — the USB stick is out, or the file on it failed its check. Read once, then
 * followed through `mirror:changed`.
 */
import { computed } from 'vue';
import type { MirrorStatus } from '../../../core/api/mirror';
import { useFollowed } from './followed';

export function useMirrorStatus() {
  const status = useFollowed<MirrorStatus>('mirror:status', 'mirror:changed');
  /** The i18n key of what to say, or null when all is well (or the mirror is off). */
  const noteKey = computed(() => (status.value && (status.value.state === 'missing' || status.value.state === 'damaged') ? `mirror.statusBar.${status.value.state}` : null));
  return { status, noteKey };
}
