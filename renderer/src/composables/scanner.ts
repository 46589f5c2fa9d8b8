/**
 * The scanner's input, taken whatever has focus. Glue only: a window listener in the capture
 * phase sees every key first and hands it to the app's one keyboard-wedge detector
 * (drivers/scanner/wedge.ts) with the counter's active scanner profiles; it swallows the keys the
 * detector says belong to a scan, so they never land in a field, and hands the finished code to
 * whoever listens. Codes from USB HID (or simulated) scanners come from the core's
 * `scanner:scanned` and go to the same listeners. One listener for the app.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import type { WedgeProfile } from '../../../core/api/settings';
import { WedgeDetector, WedgeRecorder, type WedgeBurst } from '../../../drivers/scanner/wedge';
import { activeWedgeConfigs, defaultWedgeProfiles } from '../../../drivers/scanner/wedge-profiles';
import { listen, listenIfPresent, send } from '../api/client';

/** `viaKeys`: the scan came as keystrokes (its first keys may have reached the page); else from the core. */
type ScanListener = (code: string, viaKeys: boolean) => void;
const listeners = new Set<ScanListener>();
/** Called when a key may open a scan: a screen snapshots what that key could change. */
const startListeners = new Set<() => void>();
/** The Devices screen's test box: every burst as typed, gaps and all. */
const burstListeners = new Set<(b: WedgeBurst) => void>();
/** The focused field and its value before the key that may open a scan. */
let fieldSnapshot: { el: HTMLInputElement | HTMLTextAreaElement; value: string } | null = null;
let scannedNow = false;
let detector = makeDetector(defaultWedgeProfiles())!;
/** Suffix-less profiles end a code on silence, so only they need a timer. */
let needsTimer = false;
const recorder = new WedgeRecorder((b) => {
  for (const l of burstListeners) l(b);
});
/** The last key's timestamp and when it was handled, to tell the detector the time on the keys' own clock. */
let last = { t: 0, handledAt: 0 };
let detectorTimer: ReturnType<typeof setTimeout> | null = null;
let recorderTimer: ReturnType<typeof setTimeout> | null = null;
let installed = false;

function makeDetector(profiles: readonly WedgeProfile[]): WedgeDetector | null {
  try {
    return new WedgeDetector(activeWedgeConfigs(profiles), onScan);
  } catch {
    return null; // the core validated them; should a list still be unusable, keep the detector in use
  }
}

function applyProfiles(profiles: readonly WedgeProfile[]): void {
  const d = makeDetector(profiles);
  if (!d) return;
  detector = d;
  needsTimer = profiles.some((p) => p.active && p.suffix === 'none');
}

async function loadProfiles(): Promise<void> {
  try {
    applyProfiles((await send('settings:wedgeProfiles', {})).profiles);
  } catch {
    // Not reachable now: the factory default (or the last list) stays in use.
  }
}

function onScan(code: string): void {
  scannedNow = true;
  // The burst's first keys reached the page before the burst could be recognised: put the
  // focused field back as it was (the screens undo their own state from their snapshot).
  if (fieldSnapshot && fieldSnapshot.el.value !== fieldSnapshot.value) {
    fieldSnapshot.el.value = fieldSnapshot.value;
    fieldSnapshot.el.dispatchEvent(new Event('input'));
  }
  fieldSnapshot = null;
  for (const l of listeners) l(code, true);
}

/**
 * "Now" on the keys' clock: the last key's timestamp plus the time since it was handled (event
 * timestamps can lag the page's clock when the PC is busy; silence is measured from handling).
 */
const keyClockNow = () => last.t + (performance.now() - last.handledAt);

function onKey(e: KeyboardEvent) {
  // Shortcuts are a person's; a held key's auto-repeat is a person too (scanners press and release).
  if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
  const t = e.timeStamp || performance.now();
  last = { t, handledAt: performance.now() };
  const physical = { code: e.code, shift: e.shiftKey };
  if (burstListeners.size) {
    recorder.key(e.key, t, physical);
    if (recorderTimer) clearTimeout(recorderTimer);
    recorderTimer = setTimeout(() => recorder.flush(keyClockNow()), 1001);
  }
  scannedNow = false;
  const v = detector.key(e.key, t, physical);
  if (needsTimer) {
    if (detectorTimer) clearTimeout(detectorTimer);
    detectorTimer = setTimeout(() => detector.flush(keyClockNow()), detector.flushAfterMs);
  }
  if (v.burstStart) {
    const el = document.activeElement;
    fieldSnapshot = el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? { el, value: el.value } : null;
    for (const l of startListeners) l();
  }
  // A key that completed a scan never reaches the page either (a short code's Enter would submit a form).
  if (v.action === 'swallow' || scannedNow) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }
}

export function installScanner(): void {
  if (installed) return;
  installed = true;
  window.addEventListener('keydown', onKey, { capture: true });
  // The counter's profiles: loaded now (the method is public: the listener runs before login),
  // followed when a supervisor saves them, reloaded at each login (a restarted back end).
  void loadProfiles();
  listen('settings:wedgeProfilesChanged', (p) => applyProfiles(p.profiles));
  listen('session:changed', (s) => {
    if (s.operator) void loadProfiles();
  });
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

/** The Devices screen's test box: each burst as typed (keys and gaps), while the component is mounted. */
export function useWedgeBursts(fn: (b: WedgeBurst) => void): void {
  onMounted(() => burstListeners.add(fn));
  onBeforeUnmount(() => burstListeners.delete(fn));
}
