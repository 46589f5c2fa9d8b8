/**
 * The checkout's tenders as the counter's acquirers allow them (issue 14): in demo mode the
 * sandbox acquirer has PROTOCOL.md's offline routes, so the offline-code tender is on; with the
 * trainer's network off, the checkout says what still works, the offline code among it. (A
 * counter with only Alipay, tender off with the reason: core/settings/tenders.test.ts and
 * renderer/src/features/checkout/tenders.test.ts.)
 */
import { expect, test } from './target';
import { login, rpc } from './ui';

test.describe('tenders the acquirer allows', () => {
  test.afterEach(async ({ app }) => {
    await rpc(app, 'demo:network', { preset: 'online' }).catch(() => undefined);
  });

  test('demo (sandbox with offline routes): the offline-code tender is on, and an outage says what still works', async ({ app }) => {
    await login(app, 'trainer1', '4444');
    const offline = app.getByTestId('tender-offline');
    await expect(offline).toHaveAttribute('aria-disabled', 'false');
    await expect(offline.locator('.tender-why')).toHaveCount(0);
    await expect(app.getByTestId('outage-still-works')).toHaveCount(0);

    await app.getByTestId('nav-training').click();
    await app.getByTestId('net-offline').click();
    await expect(app.getByTestId('connectivity')).toContainText('离线', { timeout: 20_000 });
    await app.getByTestId('nav-checkout').click();
    const note = app.getByTestId('outage-still-works');
    await expect(note).toContainText('仍可：收离线付款码、收现金、记赊账', { timeout: 20_000 });
    await expect(offline).toHaveAttribute('aria-disabled', 'false');

    await app.getByTestId('nav-training').click();
    await app.getByTestId('net-online').click();
    await expect(app.getByTestId('connectivity')).toContainText('在线', { timeout: 20_000 });
    await app.getByTestId('nav-checkout').click();
    await expect(app.getByTestId('outage-still-works')).toHaveCount(0, { timeout: 20_000 });
  });
});
