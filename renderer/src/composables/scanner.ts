/**
 * The scanner's input, taken whatever has focus. Glue only: a window listener in the capture
 * phase sees every key first and hands it to the app's one keyboard-wedge detector
 * (drivers/scanner/wedge.ts) with the counter's active scanner profiles; it swallows the keys the
 * detector says belong to a scan, so they never land in a field, and hands the finished code to
 * whoever listens. Codes from USB HID (or simulated) scanners come from the core's
 * `scanner:scanned` and go to the same listeners. One listener for the app.
 *
 * A scan-like burst the detector refuses (a control or full-width character, a text-direction
 * mark, too short or long, a pause part-way) is never silent: its first keys are taken back out
 * of the focused field, and the screen is told why (`useScanner`'s `onRefused`, with the words of
 * core/api/scan.ts), so it says "不是付款码 …" — never the scanned text, which may be a whole code.
 * What a USB HID or serial scanner sent that was no code (`scanner:refused`) reaches the same
 * listeners.
 * A string that passes here but is no known code is refused by the core in the same words.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import { scanRefusalWords, type ScanRefusalReason, type Words } from '../../../core/api/scan';
import type { WedgeProfile } from '../../../core/api/settings';
import { scanRefusal, WedgeDetector, WedgeRecorder, type WedgeBurst, type WedgeResult } from '../../../drivers/scanner/wedge';
import { activeWedgeConfigs, defaultWedgeProfiles } from '../../../drivers/scanner/wedge-profiles';
import { listen, listenIfPresent, send } from '../api/client';

/** `viaKeys`: the scan came as keystrokes (its first keys may have reached the page); else from the core. */
type ScanListener = (code: string, viaKeys: boolean) => void;
const listeners = new Set<ScanListener>();
/** Called when a key may open a scan: a screen snapshots what that key could change. */
const startListeners = new Set<() => void>();
/** A refused scan: the screen puts back what its first keys changed and says why. */
export type RefusalListener = (words: Words, reason: ScanRefusalReason | null) => void;
const refusalListeners = new Set<RefusalListener>();
/** The Devices screen's test box: every burst as typed, gaps and all. */
const burstListeners = new Set<(b: WedgeBurst) => void>();
/** The focused field and its value before the key that may open a scan. */
let fieldSnapshot: { el: HTMLInputElement | HTMLTextAreaElement; value: string } | null = null;
let scannedNow = false;
let detector = makeDetector(defaultWedgeProfiles())!;
/** Suffix-less profiles end a code on silence, so they need a timer as short as their silence. */
let needsTimer = false;
/**
 * Other profiles end a code on its suffix key; a burst that never gets one (a Tab where Enter was
 * expected, a scanner that stalled) is ended after this much silence so its refusal is said. Far
 * longer than any gap: keys handled late on a busy PC must never cut a scan in two.
 */
const SILENT_END_MS = 600;
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
    return new WedgeDetector(activeWedgeConfigs(profiles), onScan, (_why, r) => onRefused(r));
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

/**
 * The burst's first keys reached the page before the burst could be recognised: put the focused
 * field back as it was (the screens undo their own state from their snapshot).
 */
function restoreField(): void {
  if (fieldSnapshot && fieldSnapshot.el.value !== fieldSnapshot.value) {
    fieldSnapshot.el.value = fieldSnapshot.value;
    fieldSnapshot.el.dispatchEvent(new Event('input'));
  }
  fieldSnapshot = null;
}

function onScan(code: string): void {
  scannedNow = true;
  restoreField();
  for (const l of listeners) l(code, true);
}

/** A burst no profile took: when it was a scan (not a person's keys), it changes nothing and is said. */
function onRefused(r: WedgeResult): void {
  const reason = scanRefusal(r);
  if (!reason) return;
  restoreField();
  const words = scanRefusalWords(reason);
  for (const l of refusalListeners) l(words, reason);
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
  // Every burst is ended by its silence too, not only by the next key: a suffix-less scan, and a
  // refused one (a Tab instead of Enter, a scanner that stalled) is said without waiting for a key.
  if (detectorTimer) clearTimeout(detectorTimer);
  // Only a scan-like burst is ended so: a person's one or two keys stay open until the next key,
  // as they always did (a busy PC's late keys must not split them).
  detectorTimer = setTimeout(() => {
    if (needsTimer || detector.scanLike) detector.flush(keyClockNow());
  }, needsTimer ? detector.flushAfterMs : SILENT_END_MS);
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
  // What a USB HID or serial scanner sent that was no code (drivers/manager.ts): said the same way.
  listenIfPresent<{ error: Words }>('scanner:refused', (r) => {
    for (const l of refusalListeners) l({ zh: r.error.zh, en: r.error.en }, null);
  });
}

/**
 * Calls `fn` with each scanned code while the calling component is mounted. `onMaybeStart`
 * runs before each key that could open a scan, so the screen can snapshot what that key might
 * change (the amount being typed) and restore it when the scan arrives — or is refused.
 * `onRefused` is told each refused scan with its words: every screen that takes a scan shows
 * them (never the scanned text), and changes nothing else.
 */
export function useScanner(fn: ScanListener, onMaybeStart: (() => void) | undefined, onRefused: RefusalListener): void {
  onMounted(() => {
    listeners.add(fn);
    if (onMaybeStart) startListeners.add(onMaybeStart);
    refusalListeners.add(onRefused);
  });
  onBeforeUnmount(() => {
    listeners.delete(fn);
    if (onMaybeStart) startListeners.delete(onMaybeStart);
    refusalListeners.delete(onRefused);
  });
}

/** The Devices screen's test box: each burst as typed (keys and gaps), while the component is mounted. */
export function useWedgeBursts(fn: (b: WedgeBurst) => void): void {
  onMounted(() => burstListeners.add(fn));
  onBeforeUnmount(() => burstListeners.delete(fn));
}
