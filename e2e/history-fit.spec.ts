/**
 * History at 1366×768 (issue 12): the filters are one compact row, so the results are on the
 * screen without scrolling, in normal and elder (large-type) mode.
 */
import { expect, test } from './target';
import { login, rpc, setElder, shot } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test(`the filters leave the results in view (${mode} mode)`, async ({ app }) => {
    await login(app, 'cashier1', '1111');
    for (const fen of [1_234, 2_345, 3_456]) await rpc(app, 'payments:cash', { amountFen: fen, tenderedFen: fen, requestId: `e2e-fit-${mode}-${fen}-${Date.now()}` });
    await setElder(app, elder);
    await app.keyboard.press('Alt+2');
    const rows = app.locator('[data-testid^="history-row-"]');
    await expect(rows.first()).toBeVisible();
    const form = (await app.locator('form.search-row').boundingBox())!;
    const bar = (await app.locator('.status-bar').boundingBox())!;
    // The filters take at most a third of the window.
    expect(form.height, 'filter form height').toBeLessThanOrEqual(768 / 3);
    // At least three result rows lie wholly above the status bar, without scrolling.
    expect(await app.evaluate(() => document.getElementById('main')?.scrollTop ?? 0)).toBe(0);
    for (let i = 0; i < 3; i++) {
      const r = (await rows.nth(i).boundingBox())!;
      expect(r.y + r.height, `row ${i + 1} bottom`).toBeLessThanOrEqual(bar.y);
    }
    await shot(app, `history-fit-${mode}`);
  });
}
