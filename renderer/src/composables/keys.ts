/**
 * Keyboard shortcuts of a screen, active while it is mounted: every action has a key, and the
 * key is shown on its button. Function keys' browser defaults (F5 reload, F1 help) are
 * suppressed while a screen uses them, since a cashier pressing F5 means "cash", not "reload".
 */
import { onBeforeUnmount, onMounted } from 'vue';

export type KeyMap = Record<string, (e: KeyboardEvent) => void>;

/** `Alt+1`, `F5`, `Enter`, `Escape` … */
export function keyName(e: KeyboardEvent): string {
  const k = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  return `${e.altKey ? 'Alt+' : ''}${e.ctrlKey ? 'Ctrl+' : ''}${k}`;
}

export function useKeys(map: () => KeyMap): void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented) return;
    const fn = map()[keyName(e)];
    if (!fn) return;
    e.preventDefault();
    fn(e);
  };
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
