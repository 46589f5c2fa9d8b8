/**
 * "Scan it into the checkout" from the customer-phone panel, without a scanner.
 *
 * In the same window, the code is typed into the page exactly as a USB keyboard-wedge scanner
 * types it: a burst of keys ending with Enter, so it reaches the checkout through the app's one
 * scanner path (composables/scanner.ts) and nothing else. A leading Shift stands in for the
 * prefix key many scanners send: it starts the burst's clock, so the code's first character is
 * recognised as part of the scan instead of leaking into the amount as a typed digit.
 *
 * From the phone in its own window or tab, the code goes over a BroadcastChannel (same origin
 * only) to the cashier's window, which types it there.
 */
const CHANNEL = 'vc-training-phone-scan';

export function typeAsScanner(code: string): void {
  const fire = (key: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  fire('Shift');
  for (const ch of code) fire(ch);
  fire('Enter');
}

/** Sends a code to the checkout: typed here when the checkout is in this window, else posted to it. */
export function scanIntoCheckout(code: string, here: boolean): void {
  if (here) {
    typeAsScanner(code);
    return;
  }
  const ch = new BroadcastChannel(CHANNEL);
  ch.postMessage({ code });
  ch.close();
}

/** In the cashier's window: types codes sent from a phone window. Returns the stop function. */
export function receivePhoneScans(): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const ch = new BroadcastChannel(CHANNEL);
  ch.onmessage = (e: MessageEvent<unknown>) => {
    const d = e.data as { code?: unknown } | null;
    // Only printable ASCII of a sane length, as from a real scanner: anything else is dropped.
    if (d && typeof d.code === 'string' && /^[\x20-\x7e]{1,600}$/.test(d.code)) typeAsScanner(d.code);
  };
  return () => ch.close();
}
