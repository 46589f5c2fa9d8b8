/**
 * Assisted withdrawal, drawer first and within the screen (issue 12): before a customer is asked
 * for a phone number, an amount or a code, the screen checks that the day's float is open and
 * holds the cash; an amount above the drawer's cash is refused before the scan. At 1366×768, in
 * normal and elder mode, every step's action button is in view without scrolling. Against the
 * real back end in demo mode.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './target';
import { login, rpc, scanDevice, setElder, shot } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

/** The training data reset by the trainer (as a class starts again): the day has no float yet. */
async function freshDay(page: Page): Promise<void> {
  await login(page, 'trainer1', '4444');
  // Every window reloads after a reset (demo:resetDone): wait for that load, not a race with it.
  const reloaded = page.waitForEvent('load', { timeout: 20_000 }).catch(() => undefined);
  // The reply may be overtaken by that reload; the reset is done either way.
  await rpc(page, 'demo:reset', { confirm: true }).catch(() => undefined);
  await reloaded;
}

/** The page has not scrolled, and the element lies wholly inside the 1366×768 window, above the status bar. */
async function inView(page: Page, testid: string): Promise<void> {
  const el = page.getByTestId(testid);
  await expect(el).toBeVisible();
  const scrolled = await page.evaluate(() => [window.scrollY, document.getElementById('main')?.scrollTop ?? 0, document.scrollingElement?.scrollTop ?? 0]);
  expect(scrolled, 'nothing scrolled').toEqual([0, 0, 0]);
  const box = (await el.boundingBox())!;
  expect(box.y, `${testid} top`).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, `${testid} bottom within 768`).toBeLessThanOrEqual(768);
  const bar = await page.locator('.status-bar').boundingBox();
  if (bar) expect(box.y + box.height, `${testid} above the status bar`).toBeLessThanOrEqual(bar.y);
  expect(box.x + box.width, `${testid} right within 1366`).toBeLessThanOrEqual(1366);
}

test('no float, then too little: told at step one before anything is asked; too large an amount is refused before the scan', async ({ app }) => {
  await freshDay(app);
  await login(app, 'agent1', '3333');
  // No float counted today: the withdrawal tab says so and asks nothing.
  await expect(app.getByTestId('withdraw-float-block')).toContainText('今天还没有清点备用金');
  await expect(app.getByTestId('withdraw-phone')).toHaveCount(0);
  await expect(app.getByTestId('withdraw-amount')).toHaveCount(0);
  await expect(app.getByTestId('withdraw-next')).toHaveCount(0);

  // A float of ¥5: less than the smallest withdrawal (¥10) — still nothing asked.
  await rpc(app, 'agent:floatOpen', { countedFen: 500, requestId: `e2e-wf-open-${Date.now()}` });
  await app.keyboard.press('F5');
  await app.keyboard.press('F1');
  await expect(app.getByTestId('withdraw-float-block')).toContainText('只有 ¥5.00');
  await expect(app.getByTestId('withdraw-phone')).toHaveCount(0);

  // ¥50 more in the drawer: the form opens and says what the drawer can pay; ¥100 is refused at 下一步.
  await rpc(app, 'agent:floatMove', { direction: 'in', amountFen: 5_000, reason: '补充现金', requestId: `e2e-wf-in-${Date.now()}` });
  await expect(app.getByTestId('withdraw-float-cash')).toContainText('¥55.00');
  await app.getByTestId('withdraw-phone').fill('13600004444');
  await app.getByTestId('withdraw-amount').fill('100');
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('withdraw-error')).toContainText('钱箱备用金只有 ¥55.00');
  await expect(app.getByTestId('withdraw-prompt')).toHaveCount(0); // never asked to scan
  await shot(app, 'agent-withdraw-float-short');
});

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test(`every step's button is in view at 1366×768 without scrolling (${mode} mode)`, async ({ app }) => {
    await login(app, 'agent1', '3333');
    let f = await rpc<{ expectedFen: number; openedAt: number | null; closedAt: number | null }>(app, 'agent:float', {});
    if (f.closedAt !== null) {
      await freshDay(app);
      await login(app, 'agent1', '3333');
      f = await rpc(app, 'agent:float', {});
    }
    if (f.openedAt === null) await rpc(app, 'agent:floatOpen', { countedFen: 100_000, requestId: `e2e-wf-open-${mode}-${Date.now()}` });
    else if (f.expectedFen < 10_000) await rpc(app, 'agent:floatMove', { direction: 'in', amountFen: 100_000, reason: '补充现金', requestId: `e2e-wf-in-${mode}-${Date.now()}` });
    await setElder(app, elder);
    await app.keyboard.press('F1');
    // Step one: phone and amount, 下一步.
    await app.getByTestId('withdraw-phone').fill(elder ? '13600005555' : '13600006666');
    await app.getByTestId('withdraw-amount').fill('50');
    await inView(app, 'withdraw-next');
    await shot(app, `agent-withdraw-fit-${mode}`);
    await app.keyboard.press('Enter');
    // Step two: the code, 确认付款码 and 返回.
    await expect(app.getByTestId('withdraw-prompt')).toContainText('¥50.00');
    await inView(app, 'withdraw-submit');
    await inView(app, 'withdraw-back');
    const { code } = await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId: 'W03' });
    await scanDevice(app, code);
    // Step three: the outcome, 办理下一位.
    await expect(app.getByTestId('withdraw-result')).toContainText('请付给客户现金 ¥50.00', { timeout: 30_000 });
    await inView(app, 'withdraw-done');
    await app.getByTestId('withdraw-done').click();
    await expect(app.getByTestId('withdraw-phone')).toBeVisible();
  });
}
