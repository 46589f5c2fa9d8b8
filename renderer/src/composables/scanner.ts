/**
 * The scanner's input, taken whatever has focus: a window listener in the capture phase sees
 * every key first, swallows the keys of a scanner burst so they never land in a field, and
 * hands the finished code to whoever listens; codes from USB HID (or simulated) scanners come
 * from the core's `scanner:scanned` and go to the same listeners. One listener for the app.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import { listenIfPresent } from '../api/client';
import { WedgeDetector } from './wedge';

/** `viaKeys`: the scan came as keystrokes (its first keys reached the page); else from the core. */
type ScanListener = (code: string, viaKeys: boolean) => void;
const listeners = new Set<ScanListener>();
/** Called when a key may open a scan: a screen snapshots what that key could change. */
const startListeners = new Set<() => void>();
/** The focused field and its value before the key that may open a scan. */
let fieldSnapshot: { el: HTMLInputElement; value: string } | null = null;
const detector = new WedgeDetector();
let installed = false;

function onKey(e: KeyboardEvent) {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const v = detector.key(e.key, e.timeStamp || performance.now());
  if (v.kind === 'pass') {
    if (v.start) {
      const el = document.activeElement;
      fieldSnapshot = el instanceof HTMLInputElement ? { el, value: el.value } : null;
      for (const l of startListeners) l();
    }
    return;
  }
  e.preventDefault();
  e.stopImmediatePropagation();
  if (v.kind === 'scan') {
    // The burst's first key reached the page before the burst could be recognised: put the
    // focused field back as it was (the screens undo their own state from their snapshot).
    if (fieldSnapshot && fieldSnapshot.el.value !== fieldSnapshot.value) {
      fieldSnapshot.el.value = fieldSnapshot.value;
      fieldSnapshot.el.dispatchEvent(new Event('input'));
    }
    fieldSnapshot = null;
    for (const l of listeners) l(v.code, true);
  }
}

export function installScanner(): void {
  if (installed) return;
  installed = true;
  window.addEventListener('keydown', onKey, { capture: true });
  // USB HID and simulated scanners report through the core: the same listeners, whatever has focus.
  listenIfPresent<{ code: string }>('scanner:scanned', (s) => {
    for (const l of listeners) l(s.code, false);
  });
}

/**
 * Calls `fn` with each scanned code while the calling component is mounted. `onMaybeStart`
 * runs before each key that could open a scan, so the screen can snapshot what that key might
 * change (the amount being typed) and restore it when the scan arrives.
 */
export function useScanner(fn: ScanListener, onMaybeStart?: () => void): void {
  onMounted(() => {
    listeners.add(fn);
    if (onMaybeStart) startListeners.add(onMaybeStart);
  });
  onBeforeUnmount(() => {
    listeners.delete(fn);
    if (onMaybeStart) startListeners.delete(onMaybeStart);
  });
}
