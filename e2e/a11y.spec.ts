/**
 * Every screen, in normal and elder mode and in both languages, checked with axe (0 serious or
 * critical violations) at 1366×768; the screenshots of the main screens for the README.
 */
import { expect, test } from './target';
import { expectAccessible, login, rpc, setElder, shot } from './ui';

// The terminal has one session: leave it logged out for the specs that follow.
test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});


const CASHIER_SCREENS = [
  { key: 'Alt+1', name: 'checkout', ready: 'amount-due' },
  { key: 'Alt+2', name: 'history', ready: null },
  { key: 'Alt+3', name: 'forwarding', ready: 'send-now' },
  { key: 'Alt+4', name: 'report', ready: 'report-load' },
  { key: 'Alt+6', name: 'settings', ready: 'set-locale' },
  // The AML cases (a supervisor's too): the period's totals and cards.
  { key: 'Alt+8', name: 'aml', ready: 'aml-totals' },
  // Online payments against the acquirer's statement (core/reconcile).
  { key: 'Alt+9', name: 'reconcile', ready: 'reconcile-run' },
] as const;

for (const elder of [false, true]) {
  for (const lang of ['zh-CN', 'en'] as const) {
    const mode = `${elder ? 'elder' : 'normal'}, ${lang}`;
    test(`every screen passes axe (${mode})`, async ({ app }) => {
      // Fourteen axe runs over whole screens: a few seconds each on a quiet 2-core machine, ten
      // and more when the machine is busy. The work is fixed, so the budget is sized for the
      // busy case rather than the spec's default minute (which timed out around Devices).
      test.setTimeout(300_000);
      if (lang === 'en') await app.getByTestId('toggle-locale').click();
      await setElder(app, elder);
      await expectAccessible(app, `login ${mode}`);
      if (lang === 'zh-CN') await shot(app, `login-${elder ? 'elder' : 'normal'}`);
      await login(app, 'super1', '2222');
      for (const s of CASHIER_SCREENS) {
        await app.keyboard.press(s.key);
        await expect(app.getByTestId(`nav-${s.name}`)).toHaveClass(/router-link-active/);
        if (s.ready) await expect(app.getByTestId(s.ready)).toBeVisible();
        await expectAccessible(app, `${s.name} ${mode}`);
        if (lang === 'zh-CN' && (s.name === 'forwarding' || s.name === 'settings')) await shot(app, `${s.name}-${elder ? 'elder' : 'normal'}`);
      }
      // Settings → Devices (no Alt key of its own): devices, the scanner profiles and their test box.
      await app.keyboard.press('Alt+6');
      await app.getByTestId('devices-link').click();
      await expect(app.getByTestId('wedge-profiles')).toBeVisible();
      await expectAccessible(app, `devices ${mode}`);
      await app.keyboard.press('Alt+5');
      for (const [key, tab] of [['F1', 'withdraw'], ['F2', 'bill'], ['F3', 'balance'], ['F4', 'remit'], ['F5', 'float']] as const) {
        await app.keyboard.press(key);
        await expect(app.getByTestId(`agent-tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
        await expectAccessible(app, `agent ${tab} ${mode}`);
      }
      // Settings as an administrator: the operators card (e2e/operators.spec.ts drives it).
      await login(app, 'admin1', '5555');
      await expect(app.getByTestId('nav-checkout')).toHaveClass(/router-link-active/);
      await app.keyboard.press('Alt+6');
      await expect(app.getByTestId('operators')).toBeVisible();
      await expect(app.getByTestId('op-row-admin1')).toBeVisible();
      await expectAccessible(app, `operators ${mode}`);
      if (lang === 'en') await app.getByTestId('toggle-locale').click();
    });
  }
}

test('logging out returns to the login screen without the idle-lock notice', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  await app.getByTestId('logout').click();
  await expect(app.getByTestId('operator-cashier1')).toBeVisible();
  // A logout is not an idle lock: no lock notice.
  await expect(app.getByTestId('locked-notice')).toHaveCount(0);
});
