/**
 * After the sale: history search, the detail view, a refund that needs a supervisor's approval
 * on the same screen, reprint, the daily (Z) report with CSV export, and settings — in normal
 * and elder mode, with axe on every screen.
 */
import { expect, test } from './target';
import type { Page } from '@playwright/test';
import { expectAccessible, login, rpc, setElder, shot, typeAmount } from './ui';

// The terminal has one session: leave it logged out for the specs that follow.
test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});


/** A cash sale through the checkout screen; returns its order number. */
async function cashSale(page: Page, yuan: string): Promise<string> {
  await page.keyboard.press('Alt+1');
  await typeAmount(page, yuan);
  if (await page.locator('html.elder').count()) await page.keyboard.press('Enter');
  await page.keyboard.press('F5');
  await typeAmount(page, yuan);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('result')).toContainText('收款成功');
  const text = await page.getByTestId('result').innerText();
  const orderNo = /T[0-9A-Z]{8,}/.exec(text)?.[0];
  expect(orderNo).toBeTruthy();
  await page.keyboard.press('Enter');
  return orderNo!;
}

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test.describe(`after the sale (${mode} mode)`, () => {
    test.beforeEach(async ({ app }) => {
      await login(app, 'cashier1', '1111');
      await setElder(app, elder);
    });

    test('a sale is found by its order number and refunded with a supervisor’s approval', async ({ app }) => {
      const orderNo = await cashSale(app, '150');
      await app.keyboard.press('Alt+2');
      await app.getByTestId('history-text').fill(orderNo.slice(-6));
      await app.getByTestId('history-search').click();
      await expect(app.getByTestId('history-table')).toContainText(orderNo);
      // Each row says what it is; the kind filter keeps a sale out of the withdrawals.
      await expect(app.getByTestId(`kind-${orderNo}`)).toHaveText('销售');
      await expectAccessible(app, `history ${mode}`);
      await shot(app, `history-${mode}`);
      await app.getByTestId('history-kind').selectOption('withdrawal');
      await expect(app.getByTestId(`history-row-${orderNo}`)).toHaveCount(0);
      await app.getByTestId('history-kind').selectOption('sale');
      await expect(app.getByTestId(`history-row-${orderNo}`)).toBeVisible();
      await app.getByTestId(`open-${orderNo}`).click();
      await expect(app.getByTestId('detail-kind')).toHaveText('销售');
      await app.getByTestId('refund-all').click();
      await app.getByTestId('refund-reason').fill('顾客退货');
      await app.getByTestId('refund-submit').click();
      // Above the configured amount: the core asks for a supervisor, the fields appear here.
      await expect(app.getByTestId('detail-error')).toContainText('主管复核');
      await expect(app.getByTestId('approval')).toBeVisible();
      await expect(app.getByTestId('approver-select').locator('option', { hasText: '王芳' })).toHaveCount(0);
      await app.getByTestId('approver-select').selectOption('super1');
      await app.getByTestId('approver-pin').fill('9999');
      await app.getByTestId('refund-submit').click();
      await expect(app.getByTestId('detail-error')).toContainText('复核人');
      await expectAccessible(app, `refund approval ${mode}`);
      await shot(app, `refund-approval-${mode}`);
      await app.getByTestId('approver-pin').fill('2222');
      await app.getByTestId('refund-submit').click();
      await expect(app.getByTestId('detail-info')).toContainText('退款已提交');
      await expect(app.locator('table')).toContainText('顾客退货');
    });

    test('a small partial refund needs no approval; the receipt is reprinted marked as a reprint', async ({ app }) => {
      const orderNo = await cashSale(app, '20');
      await app.keyboard.press('Alt+2');
      await app.getByTestId(`open-${orderNo}`).click();
      await app.getByTestId('refund-amount').fill('5');
      await app.getByTestId('refund-reason').fill('少找零');
      await app.getByTestId('refund-submit').click();
      await expect(app.getByTestId('detail-info')).toContainText('¥5.00');
      await app.getByTestId('reprint').click();
      await expect(app.getByTestId('detail-info')).toContainText('重打');
    });

    test('the daily report totals the day and exports CSV', async ({ app }) => {
      await cashSale(app, '9.9');
      await app.keyboard.press('Alt+4');
      await expect(app.getByTestId('report-total')).not.toHaveText('¥0.00');
      await expect(app.getByTestId('report-paper-saved')).toContainText(/\d/);
      await expectAccessible(app, `z report ${mode}`);
      await shot(app, `report-${mode}`);
      const download = app.waitForEvent('download');
      await app.getByTestId('export-csv').click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^z-report-\d{4}-\d{2}-\d{2}\.csv$/);
      await expect(app.getByTestId('export-pdf')).toBeEnabled();
    });

    test('settings: language, voice, receipts, and limits shown with the dual-control rule', async ({ app }) => {
      await app.keyboard.press('Alt+6');
      await expect(app.getByTestId('limits').or(app.getByTestId('limits-unavailable'))).toBeVisible();
      await expect(app.getByText('需要主管复核')).toBeVisible();
      await app.getByTestId('set-voice').uncheck();
      await app.getByTestId('set-receipt').selectOption('qr');
      await app.getByTestId('set-header').fill('示范村便民店\n村口大槐树下');
      await app.getByTestId('save-header').click();
      await expect(app.getByTestId('header-msg')).toContainText('已保存');
      await app.getByTestId('set-receipt').selectOption('both');
      await expectAccessible(app, `settings ${mode}`);
      await shot(app, `settings-${mode}`);
      await app.getByTestId('set-locale').selectOption('en');
      await expect(app.getByRole('heading', { name: 'Settings' })).toBeVisible();
      await expectAccessible(app, `settings en ${mode}`);
      await app.getByTestId('set-locale').selectOption('zh-CN');
      await app.getByTestId('set-voice').check();
    });
  });
}
