/**
 * Where the keyboard's focus goes when the screen changes under it, so no step needs a mouse.
 *
 * Invariant: while a screen is shown, the focus is never left on the page body. A new screen
 * (Alt+N, a login, a menu click) starts with the focus at the top of the work area (App.vue's
 * `<main id="main" tabindex="-1">`), one Tab before its first control, unless the screen has put
 * it on its own first field; when the focused control goes away with its step (the PIN form after
 * Enter, a biller button once chosen, a result after Enter), the focus goes back to the work area
 * rather than to the body, from where Tab would walk the whole header first. A step that starts
 * with a field the operator types into at once (a credit customer's name, a bill's account)
 * marks it `v-focus`.
 */
import type { Directive } from 'vue';

const lost = () => !document.activeElement || document.activeElement === document.body;

/** The focus to the work area, unless it is already inside it (the screen chose a field). */
export function focusScreen(main: HTMLElement | null): void {
  if (!main) return;
  if (!lost() && main.contains(document.activeElement)) return;
  main.focus({ preventScroll: true });
}

/**
 * Follows the work area: whenever its content changes and the focus has fallen to the body (the
 * focused control was removed with its step), the focus goes back to the work area. Returns the
 * function that stops following.
 */
export function keepFocusInScreen(main: HTMLElement): () => void {
  const observer = new MutationObserver(() => {
    if (lost()) main.focus({ preventScroll: true });
  });
  observer.observe(main, { childList: true, subtree: true });
  return () => observer.disconnect();
}

/** `v-focus`: the field a step starts with takes the focus when it appears (`v-focus="false"` leaves it). */
export const vFocus: Directive<HTMLElement, boolean | undefined> = {
  mounted(el, binding) {
    if (binding.value !== false) el.focus();
  },
};
