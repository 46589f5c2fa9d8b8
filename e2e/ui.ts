/**
 * Helpers for the cashier's and agent's screens: log in through the UI, switch elder mode,
 * check a screen with axe (0 serious or critical violations), save a screenshot, and call the
 * back end's demo-only controls (demo:paymentCode, demo:userPaying …) the way a trainer's
 * panel would — over the same WebSocket and dispatcher as the app, never by faking a result.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export async function login(page: Page, operatorId: string, pin: string): Promise<void> {
  // The terminal has one session: a spec before this one may have left someone logged in.
  const tile = page.getByTestId(`operator-${operatorId}`);
  await expect(tile.or(page.getByTestId('logout')).first()).toBeVisible();
  if (await page.getByTestId('logout').isVisible()) await page.getByTestId('logout').click();
  await tile.click();
  await page.getByTestId('pin-input').fill(pin);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('operator-name')).toBeVisible();
  // The header shows the operator as soon as the session starts, a moment before the login
  // screen gives way to the operator's first screen: keys typed in between (an amount) would
  // reach no screen. Wait until the login screen has gone.
  await expect(page.getByTestId('pin-input')).toHaveCount(0);
}

export async function setElder(page: Page, on: boolean): Promise<void> {
  const btn = page.getByTestId('toggle-elder');
  if ((await btn.getAttribute('aria-pressed')) !== String(on)) await btn.click();
  await expect(page.locator('html')).toHaveClass(on ? /elder/ : /^(?!.*elder).*$/);
}

/**
 * axe-core's source, the very copy @axe-core/playwright injects (its own dependency, so the two
 * can never differ in version or rules).
 */
const AXE_SOURCE = (createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright'))('axe-core') as { source: string }).source;
type AxeViolations = { violations: Array<{ id: string; impact?: string | null; nodes: Array<{ target: unknown[] }> }> };

/**
 * Runs axe on the page as it is; fails on any serious or critical violation, naming them.
 *
 * The same rules on the same document as `new AxeBuilder({ page }).analyze()`, run the quick
 * way: axe's source (~0.5 MB) goes into the page once per page load (a screen change keeps it),
 * and each check is one `axe.run` in the page, collecting only the violations (`resultTypes`: all
 * this looks at) — where AxeBuilder injects and configures axe again at every call and finishes
 * each run in a new blank tab that gets the source once more. About 4 times faster a check. The
 * app has no frames; should a page ever have one, AxeBuilder checks it, frames and all.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  let r: AxeViolations;
  if (page.frames().length > 1) r = await new AxeBuilder({ page }).analyze();
  else {
    if (!(await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object'))) await page.evaluate(AXE_SOURCE);
    r = await page.evaluate(() =>
      (window as unknown as { axe: { run(c: Document, o: object): Promise<AxeViolations> } }).axe.run(document, { resultTypes: ['violations'] }));
  }
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(summary, `axe on ${what}`).toEqual([]);
}

export async function shot(page: Page, name: string): Promise<void> {
  // The README's pictures are refreshed on purpose (`UPDATE_SCREENSHOTS=1 npm run test:e2e`);
  // an ordinary run keeps its screenshots with the other test output, leaving the tree clean.
  const dir = process.env.UPDATE_SCREENSHOTS ? path.join('docs', 'screenshots') : path.join('test-results', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

/**
 * Calls a contract method from the page: over Electron's preload bridge when the page has one,
 * else over the browser shell's WebSocket from the page's origin (same token cookie). The same
 * dispatcher answers either way.
 */
type Reply = { ok: boolean; value?: unknown; error?: { code: string; en: string } };
export async function rpc<T = unknown>(page: Page, method: string, input: unknown): Promise<T> {
  const r = await page.evaluate(
    ([m, i]) =>
      new Promise<Reply>((resolve, reject) => {
        const bridge = (window as unknown as { cashier?: { call: Record<string, (x: unknown) => Promise<Reply>> } }).cashier;
        if (bridge) {
          bridge.call[m]!(i).then(resolve, reject);
          return;
        }
        // The shell's token and this tab's page key, presented as the page does
        // (core/api/browser-token.ts): the call is this page's, logged in or locked as it is.
        const page = sessionStorage.getItem('vc_page');
        const ws = new WebSocket(`ws://${location.host}/rpc`, ['vc-rpc', `vc-token.${new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('vc_token')}`, ...(page ? [`vc-page.${page}`] : [])]);
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: m, input: i }));
        ws.onmessage = (e) => {
          const msg = JSON.parse(String(e.data));
          if (msg.id === 1) {
            ws.close();
            resolve(msg);
          }
        };
        ws.onerror = () => reject(new Error('rpc socket failed'));
      }),
    [method, input] as const,
  );
  if (!r.ok) throw new Error(`${method}: ${r.error?.code} ${r.error?.en}`);
  return r.value as T;
}

/**
 * Types keys with scripted timings, as a keyboard-wedge scanner or a person would. The keys go
 * through Chromium's real input pipeline (CDP Input.dispatchKeyEvent), each stamped `gapMs`
 * after the previous one, so the app's detector sees exactly those gaps even when this busy test
 * machine delivers them late; gaps a person would leave are also waited out for real.
 */
export async function typeKeys(page: Page, keys: readonly string[], gapMs: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const t0 = Date.now() / 1000;
  const NAMED: Record<string, number> = { Enter: 13, Tab: 9 };
  // A scanner-fast burst is written to the browser at once (CDP keeps the order): a test process
  // starved between two keys on a busy machine must not show the page a scanner that stalled.
  const burst = gapMs < 20;
  const sent: Array<Promise<unknown>> = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const vk = NAMED[k];
    const timestamp = t0 + (i * gapMs) / 1000;
    if (i > 0 && !burst) await page.waitForTimeout(gapMs);
    const down = cdp.send('Input.dispatchKeyEvent', {
      type: vk ? 'rawKeyDown' : 'keyDown', key: k, timestamp,
      ...(vk ? { code: k, windowsVirtualKeyCode: vk } : { text: k }),
    });
    const up = cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: k, timestamp: timestamp + 0.001, ...(vk ? { code: k, windowsVirtualKeyCode: vk } : {}) });
    if (burst) sent.push(down, up);
    else await Promise.all([down, up]);
  }
  await Promise.all(sent);
  await cdp.detach();
}

/** Types a code as a keyboard-wedge scanner does: a fast burst (3 ms a key unless told) closed by Enter, whatever has focus. */
export async function scan(page: Page, code: string, opts: { gapMs?: number; suffix?: 'Enter' | 'Tab' } = {}): Promise<void> {
  await typeKeys(page, [...code, opts.suffix ?? 'Enter'], opts.gapMs ?? 3);
}

/**
 * A scan from the demo's simulated scanner (the core's `scanner:scanned`, as a USB HID scanner
 * reports): deterministic timing, for flows whose subject is not the keyboard-wedge detection.
 */
export async function scanDevice(page: Page, code: string): Promise<void> {
  await rpc(page, 'devices:simulate', { action: 'scan', code });
}

/** Types an amount on the checkout screen with the keyboard (digits and point). */
export async function typeAmount(page: Page, yuan: string): Promise<void> {
  for (const ch of yuan) {
    await page.keyboard.press(ch);
    await page.waitForTimeout(110); // slower than a scanner, like a person
  }
}

/**
 * Moves the focus with Tab (Shift+Tab when `back`) until the element is focused, as a keyboard
 * user does; fails when it takes more than `max` presses (the focus was left far from the step).
 */
export async function tabTo(page: Page, testId: string, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const target = page.getByTestId(testId);
  await expect(target).toBeVisible();
  const max = opts.max ?? 8;
  for (let i = 0; i <= max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    if (i < max) await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
  }
  const at = await page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.getAttribute('data-testid') ?? ''}`);
  throw new Error(`${testId} not reached in ${max} ${opts.back ? 'Shift+Tab' : 'Tab'} presses (focus on ${at})`);
}
