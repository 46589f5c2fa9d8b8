/**
 * A value the core both answers and pushes (a status for the status bar): read once when the
 * component mounts, then followed through its event. Either may not be in the contract yet
 * (another module's), in which case it stays null.
 */
import { onMounted, onUnmounted, ref, type Ref } from 'vue';
import { listenIfPresent, sendIfPresent } from '../api/client';

export function useFollowed<T>(method: string, event: string): Ref<T | null> {
  const value = ref<T | null>(null) as Ref<T | null>;
  let stop: () => void = () => undefined;
  onMounted(() => {
    stop = listenIfPresent<T>(event, (v) => (value.value = v));
    sendIfPresent<T>(method, {}).then((v) => (value.value = v), () => undefined);
  });
  onUnmounted(() => stop());
  return value;
}
