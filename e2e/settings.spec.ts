/**
 * Settings under dual control: the cashier changes an offline limit and the refund threshold on
 * the settings screen with the supervisor's id and PIN on the same screen; without approval the
 * change is refused and nothing moves. Normal and elder mode, axe on the screen, screenshots.
 */
import { expect, test } from './target';
import type { Page } from '@playwright/test';
import { expectAccessible, login, rpc, setElder, shot } from './ui';

/** Puts the limits back to the acquirer's (the bounds) so the specs that follow see the defaults. */
async function restore(page: Page): Promise<void> {
  await login(page, 'cashier1', '1111');
  const v = await rpc<{ bounds: Record<string, number>; offline: Record<string, number> }>(page, 'settings:get', {});
  const back: Record<string, number> = {};
  for (const [k, max] of Object.entries(v.bounds)) if (v.offline[k] !== max) back[k] = max;
  const input = { ...back, refundApprovalFen: 100_00, approverId: 'super1', approverPin: '2222', requestId: `restore-${Date.now()}-settings` };
  await rpc(page, 'settings:update', input).catch(() => undefined); // "nothing to change" is fine
  await rpc(page, 'session:logout', {}).catch(() => undefined);
}

test.afterEach(async ({ app }) => {
  await restore(app);
});

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test.describe(`settings under dual control (${mode} mode)`, () => {
    test.beforeEach(async ({ app }) => {
      await login(app, 'cashier1', '1111');
      await setElder(app, elder);
      await app.keyboard.press('Alt+6');
      await expect(app.getByTestId('limits')).toBeVisible();
    });

    test('a limit change without approval is refused and nothing changes', async ({ app }) => {
      const cap = app.getByTestId('limit-perPaymentCapFen');
      const before = await cap.inputValue();
      await cap.fill('150');
      await app.getByTestId('save-limits').click();
      await expect(app.getByTestId('limits-msg')).toContainText('需要主管复核');
      const v = await rpc<{ offline: { perPaymentCapFen: number } }>(app, 'settings:get', {});
      expect(v.offline.perPaymentCapFen).toBe(Math.round(Number(before) * 100));
    });

    test('a limit above the acquirer’s is refused with the bound explained', async ({ app }) => {
      await app.getByTestId('limit-perPaymentCapFen').fill('999');
      await app.getByTestId('approver-select').selectOption('super1');
      await app.getByTestId('approver-pin').fill('2222');
      await app.getByTestId('save-limits').click();
      await expect(app.getByTestId('limits-msg')).toContainText('只能收紧');
      await expect(app.getByTestId('approver-pin')).toHaveValue('');
    });

    test('the cashier tightens a limit with the supervisor’s approval, by keyboard, and it takes effect', async ({ app }) => {
      const newCap = elder ? '120' : '150';
      const cap = app.getByTestId('limit-perPaymentCapFen');
      // Keyboard reachable: each field is a tab stop after the one before, and Enter in the PIN
      // submits. (Values are filled, not typed key by key: a fast digit burst ending in Enter is
      // what the app's scanner detector listens for.)
      await cap.fill(newCap);
      await cap.press('Tab');
      await expect(app.getByTestId('limit-walletDailyCapFen')).toBeFocused();
      await app.getByTestId('limit-refundApprovalFen').fill('50');
      await app.getByTestId('limit-refundApprovalFen').press('Tab');
      await expect(app.getByTestId('approver-select')).toBeFocused();
      await app.getByTestId('approver-select').selectOption('super1');
      await app.keyboard.press('Tab');
      await expect(app.getByTestId('approver-pin')).toBeFocused();
      await app.getByTestId('approver-pin').fill('2222');
      await app.getByTestId('approver-pin').press('Enter');
      await expect(app.getByTestId('limits-msg')).toContainText('已修改并生效');
      await expect(cap).toHaveValue(`${newCap}.00`);
      await expect(app.getByText('已在本机收紧')).toBeVisible();
      const v = await rpc<{ offline: { perPaymentCapFen: number }; refundApprovalFen: number }>(app, 'settings:get', {});
      expect(v.offline.perPaymentCapFen).toBe(Number(newCap) * 100);
      expect(v.refundApprovalFen).toBe(50_00);
      const budget = await rpc<{ perPaymentCapFen: number }>(app, 'offline:budget', {});
      expect(budget.perPaymentCapFen).toBeLessThanOrEqual(Number(newCap) * 100);
      await expectAccessible(app, `settings limits ${mode}`);
      // The limits' first fields and the new value in the status bar, in one picture.
      await app.locator('#limits-title').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await shot(app, `settings-limits-${mode}`);
      await app.getByTestId('set-locale').selectOption('en');
      await expect(app.getByText('Per-payment offline cap (¥)')).toBeVisible();
      await expectAccessible(app, `settings limits en ${mode}`);
      await app.getByTestId('set-locale').selectOption('zh-CN');
    });
  });
}
