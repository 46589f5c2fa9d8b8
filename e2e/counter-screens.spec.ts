/**
 * Issue 12, the counter's screens, in Chromium at 1366×768:
 * - a bad scan (NUL, Tab, full-width digits, a right-to-left override, too short, too long,
 *   letters, a burst that stalls part-way) is said on screen as "不是付款码" with the reason,
 *   never with the scanned text, and changes nothing — at the checkout, at the withdrawal;
 * - the customer-phone panel never leaves a spent payment code up, however it was scanned;
 * - every menu item shows its Alt+N key, as the README says, and Alt+N moves there;
 * - a refund amount that needs a supervisor shows the approval fields at once, in view.
 */
import { expect, openAppWindow, test } from './target';
import type { Page } from '@playwright/test';
import { login, rpc, scan, typeAmount, typeKeys } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

/** A well-formed WeChat code (never charged here): the bad scans are made from it. */
const CODE = '134567890123456789';
const head = [...CODE.slice(0, 8)];
const rest = [...CODE.slice(8)];

/**
 * Each bad scan: its keys (3 ms apart, as a scanner types), the words of its reason, and a piece
 * of it that must not appear. Neighbours have different reasons, so each message is seen anew.
 */
const BAD: Array<{ name: string; keys: string[]; reason: RegExp; piece: string; stallAfter?: number }> = [
  { name: 'NUL inside', keys: [...head, '\u0000', ...rest, 'Enter'], reason: /控制字符/, piece: CODE.slice(2, 10) },
  { name: 'full-width digits', keys: [...'１３４５６７８９０１２３４５６７８９', 'Enter'], reason: /全角/, piece: '３４５６７８' },
  { name: 'Tab inside', keys: [...head, 'Tab', ...rest, 'Enter'], reason: /控制字符/, piece: CODE.slice(2, 10) },
  { name: 'right-to-left override', keys: ['\u202e', ...CODE, 'Enter'], reason: /文字方向/, piece: CODE.slice(2, 10) },
  { name: 'too short', keys: [...'13456', 'Enter'], reason: /太短/, piece: '13456' },
  { name: 'too long', keys: [...'7'.repeat(513), 'Enter'], reason: /太长/, piece: '77777777' },
  { name: 'letters', keys: [...'ABCDEFGHJKLMNPQRST', 'Enter'], reason: /字母/, piece: 'ABCDEFGH' },
  { name: 'a stall part-way', keys: [...CODE, 'Enter'], reason: /停顿/, piece: CODE.slice(2, 10), stallAfter: 8 },
];

/** Types a bad scan as the wedge scanner would; a stall is a real pause between two fast runs. */
async function badScan(page: Page, b: (typeof BAD)[number]): Promise<void> {
  if (b.stallAfter === undefined) return typeKeys(page, b.keys, 3);
  await typeKeys(page, b.keys.slice(0, b.stallAfter), 3);
  await page.waitForTimeout(300);
  await typeKeys(page, b.keys.slice(b.stallAfter), 3);
}

test.describe('bad scans are said, never shown, and change nothing', () => {
  test('at the checkout', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    await typeAmount(app, '12.5');
    await expect(app.getByTestId('amount-due')).toHaveText('¥12.50');
    for (const b of BAD) {
      await badScan(app, b);
      const notice = app.getByTestId('checkout-notice');
      await expect(notice, b.name).toContainText('不是付款码');
      await expect(notice, b.name).toContainText(b.reason);
      await expect(app.locator('body'), b.name).not.toContainText(b.piece);
      // Nothing changed: the amount as typed, still at the amount, nothing charged.
      await expect(app.getByTestId('amount-due'), b.name).toHaveText('¥12.50');
      await expect(app.getByTestId('result'), b.name).toHaveCount(0);
      await expect(app.getByTestId('working-state'), b.name).toHaveCount(0);
    }
    // A good scan after them all still pays the amount typed.
    await app.keyboard.press('F1');
    await scan(app, (await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId: 'W01' })).code);
    await expect(app.getByTestId('result')).toContainText('收款成功');
    await expect(app.getByTestId('amount-due')).toHaveText('¥12.50');
  });

  test('at the withdrawal', async ({ app }) => {
    await login(app, 'agent1', '3333');
    await expect(app.getByTestId('agent-tab-withdraw')).toBeVisible();
    for (const b of [BAD[0]!, BAD[3]!, BAD[4]!]) {
      await badScan(app, b);
      await expect(app.getByTestId('withdraw-error'), b.name).toContainText('不是付款码');
      await expect(app.getByTestId('withdraw-error'), b.name).toContainText(b.reason);
      await expect(app.locator('body'), b.name).not.toContainText(b.piece);
    }
    await expect(app.getByTestId('withdraw-result')).toHaveCount(0);
  });
});

test('the customer-phone panel shows a code spent once a charge took it, and offers a fresh one', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  const phone = await openAppWindow(app, '#/phone');
  await expect(phone.getByTestId('phone-balance')).toBeVisible();
  await phone.getByTestId('phone-paycode').click();
  const code = (await phone.locator('.phone-digits').getAttribute('data-code'))!;
  expect(code).toMatch(/^\d{16,24}$/);
  // Scanned at the counter by the wedge scanner (a real scanner reading the phone's screen), not from the panel.
  await app.bringToFront();
  await typeAmount(app, '3');
  await app.keyboard.press('F1');
  await scan(app, code);
  await expect(app.getByTestId('result')).toContainText('收款成功');
  await expect(phone.getByTestId('phone-code-used')).toContainText('已使用');
  await expect(phone.getByTestId('phone-code')).toHaveCount(0);
  await expect(phone.locator('body')).not.toContainText(code);
  // Scanned again (the customer showed the old screen): refused as used, and the panel still says so.
  await app.keyboard.press('Enter');
  await typeAmount(app, '4');
  await app.keyboard.press('F1');
  await scan(app, code);
  await expect(app.getByTestId('result')).toBeVisible();
  await expect(app.getByTestId('result')).not.toContainText('收款成功');
  await expect(phone.getByTestId('phone-code-used')).toBeVisible();
  // A fresh one, a press away.
  await phone.getByTestId('phone-fresh').click();
  await expect(phone.getByTestId('phone-code')).toBeVisible();
  expect(await phone.locator('.phone-digits').getAttribute('data-code')).not.toBe(code);
  await phone.close();
});

test('every menu item shows its Alt+N key, and Alt+N goes there', async ({ app }) => {
  // A supervisor sees the most items (eight): they must all fit one row with their keys.
  await login(app, 'super1', '2222');
  const links = app.locator('nav.app-nav a.nav-link');
  const n = await links.count();
  expect(n).toBeGreaterThanOrEqual(8);
  const tops = new Set<number>();
  for (let i = 0; i < n; i++) {
    const link = links.nth(i);
    const keys = await link.getAttribute('aria-keyshortcuts');
    expect(keys).toMatch(/^Alt\+[1-9]$/);
    const kbd = link.locator('kbd');
    await expect(kbd).toBeVisible();
    await expect(kbd).toBeInViewport({ ratio: 0.99 });
    await expect(kbd).toHaveText(keys!);
    tops.add(Math.round((await link.boundingBox())!.y));
  }
  expect(tops.size, 'the menu is one row').toBe(1);
  for (let i = n - 1; i >= 0; i--) {
    const link = links.nth(i);
    await app.keyboard.press((await link.getAttribute('aria-keyshortcuts'))!);
    await expect(link).toHaveClass(/router-link-active/);
  }
});

test('a refund amount that needs a supervisor shows the approval fields at once, in view; a small one does not', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  // A cash sale of ¥150 (the approval threshold is ¥100 a sale).
  await typeAmount(app, '150');
  await app.keyboard.press('F5');
  await typeAmount(app, '150');
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('result')).toContainText('收款成功');
  const orderNo = /T[0-9A-Z]{8,}/.exec(await app.getByTestId('result').innerText())![0];
  await app.keyboard.press('Enter');
  await app.keyboard.press('Alt+2');
  await app.getByTestId(`open-${orderNo}`).click();
  const amount = app.getByTestId('refund-amount');
  await amount.fill('120');
  // Before any confirm: the fields, why, and all of it on screen at 1366×768.
  await expect(app.getByTestId('approval')).toBeVisible();
  await expect(app.getByTestId('approval')).toBeInViewport({ ratio: 0.99 });
  await expect(app.getByTestId('approver-pin')).toBeInViewport({ ratio: 0.99 });
  await expect(app.getByTestId('refund-approval-why')).toContainText('主管');
  await expect(app.getByTestId('detail-error')).toHaveCount(0);
  await amount.fill('50');
  await expect(app.getByTestId('approval')).toHaveCount(0);
  await amount.fill('100.01');
  await expect(app.getByTestId('approval')).toBeInViewport({ ratio: 0.99 });
  // Confirmed with the approval given up front: refunded at the first press.
  await app.getByTestId('refund-reason').fill('顾客退货');
  await app.getByTestId('approver-select').selectOption('super1');
  await app.getByTestId('approver-pin').fill('2222');
  await app.getByTestId('refund-submit').click();
  await expect(app.getByTestId('detail-info')).toContainText('退款已提交');
});
