/**
 * A new page load starts locked (issue 12): the browser shell's printed address opened in a new
 * tab asks for a PIN, and the back end refuses that page's money-moving calls until it is
 * given; the same tab's reload within the idle time stays logged in, and a reload after it is
 * locked. A session ended in another window says so, never "locked after inactivity".
 * The browser shell only: Electron's windows are the app's own (core/auth/page-gate.ts).
 */
import type { Page } from '@playwright/test';
import { APP_URL, expect, test } from './target';
import { login, rpc } from './ui';

// Chromium only (playwright.config.ts leaves it out of the Electron project): the gate is the browser shell's.
test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

const refusedCode = async (page: Page, method: string, input: unknown): Promise<string> =>
  rpc(page, method, input).then(() => 'accepted', (e: Error) => e.message.split(' ')[1] ?? e.message);

async function atPin(page: Page): Promise<void> {
  await expect(page.getByTestId('operator-cashier1')).toBeVisible();
  await expect(page.getByTestId('operator-name')).toHaveCount(0);
}

test('a new tab asks for the PIN and its calls are refused until it is given; the same tab’s reload stays in', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  const other = await app.context().newPage();
  await other.goto(APP_URL);
  await atPin(other);
  // Not only hidden: the back end refuses this page's calls that need an operator.
  expect(await refusedCode(other, 'payments:cash', { amountFen: 100, tenderedFen: 100, requestId: `e2e-lock-${Date.now()}` })).toBe('auth.page_locked');
  expect(await refusedCode(other, 'payments:list', {})).toBe('auth.page_locked');
  expect(await rpc<{ operator: unknown }>(other, 'session:current', {})).toMatchObject({ operator: null });
  // The first tab is still logged in and still works.
  await expect(app.getByTestId('operator-name')).toBeVisible();
  expect(await refusedCode(app, 'payments:list', {})).toBe('accepted');

  // The PIN in the new tab: it works there, and the first tab is locked, saying why.
  await login(other, 'cashier1', '1111');
  expect(await refusedCode(other, 'payments:list', {})).toBe('accepted');
  await expect(app.getByTestId('ended-elsewhere-notice')).toBeVisible();
  await expect(app.getByTestId('locked-notice')).toHaveCount(0);
  expect(await refusedCode(app, 'payments:list', {})).toBe('auth.page_locked');

  // The same tab's reload within the idle time: still logged in, its calls accepted.
  await other.reload();
  await expect(other.getByTestId('operator-name')).toBeVisible();
  expect(await refusedCode(other, 'payments:list', {})).toBe('accepted');
  await rpc(other, 'session:logout', {});
  await other.close();
});

test('a reload after the idle time is locked', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  // The page's clock 11 minutes on (past the 10-minute idle lock) from its next load.
  await app.clock.install({ time: Date.now() + 11 * 60_000 });
  await app.reload();
  await atPin(app);
  expect(await refusedCode(app, 'payments:list', {})).toBe('auth.page_locked');
});

test('a logout in another window is not called an idle lock', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  const other = await app.context().newPage();
  await other.goto(APP_URL);
  await rpc(other, 'session:logout', {});
  await expect(app.getByTestId('ended-elsewhere-notice')).toBeVisible();
  await expect(app.getByTestId('locked-notice')).toHaveCount(0);
  await other.close();
});
