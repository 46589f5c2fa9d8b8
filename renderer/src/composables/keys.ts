/**
 * Keyboard shortcuts of a screen, active while it is mounted: every action has a key, and the
 * key is shown on its button. Function keys' browser defaults (F5 reload, F1 help) are
 * suppressed while a screen uses them, since a cashier pressing F5 means "cash", not "reload".
 */
import { onBeforeUnmount, onMounted } from 'vue';

export type KeyMap = Record<string, (e: KeyboardEvent) => void>;

/**
 * The map's entry for any other character key (no Alt/Ctrl/Meta) that has no entry of its own:
 * a screen that types text (the checkout's amount) takes every character, so none is silently
 * lost — what is not part of an amount is then refused in words, not dropped.
 */
export const ANY_CHARACTER = 'AnyCharacter';
const isCharacter = (e: KeyboardEvent) => e.key.length === 1 && !e.altKey && !e.ctrlKey && !e.metaKey;

/** `Alt+1`, `F5`, `Enter`, `Escape` … */
export function keyName(e: KeyboardEvent): string {
  const k = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  return `${e.altKey ? 'Alt+' : ''}${e.ctrlKey ? 'Ctrl+' : ''}${k}`;
}

export function useKeys(map: () => KeyMap): void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented) return;
    const m = map();
    // A space on a focused button presses it; it is not typed.
    const fn = m[keyName(e)] ?? (isCharacter(e) && !(e.key === ' ' && e.target instanceof HTMLButtonElement) ? m[ANY_CHARACTER] : undefined);
    if (!fn) return;
    e.preventDefault();
    fn(e);
  };
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
