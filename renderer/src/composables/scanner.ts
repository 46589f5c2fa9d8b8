/**
 * The scanner's input, taken whatever has focus: a window listener in the capture phase sees
 * every key first, swallows the keys of a scanner burst so they never land in a field, and
 * hands the finished code to whoever listens. One listener for the whole app.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import { WedgeDetector } from './wedge';

type ScanListener = (code: string) => void;
const listeners = new Set<ScanListener>();
const detector = new WedgeDetector();
let installed = false;

function onKey(e: KeyboardEvent) {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const v = detector.key(e.key, e.timeStamp || performance.now());
  if (v.kind === 'pass') return;
  e.preventDefault();
  e.stopImmediatePropagation();
  if (v.kind === 'scan') {
    // The burst's first key reached the focused field before the burst could be recognised.
    const el = document.activeElement;
    if (el instanceof HTMLInputElement && el.value.endsWith(v.first)) {
      el.value = el.value.slice(0, -1);
      el.dispatchEvent(new Event('input'));
    }
    for (const l of listeners) l(v.code);
  }
}

export function installScanner(): void {
  if (installed) return;
  installed = true;
  window.addEventListener('keydown', onKey, { capture: true });
}

/** Calls `fn` with each scanned code while the calling component is mounted. */
export function useScanner(fn: ScanListener): void {
  onMounted(() => listeners.add(fn));
  onBeforeUnmount(() => listeners.delete(fn));
}
