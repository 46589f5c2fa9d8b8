/**
 * The administrator's diagnostics bundle (设置 → 诊断包), demo mode: one press writes the zip and
 * the screen says where. Axe on the screen. (Who may export is the core's check: core/ops tests.)
 */
import { expect, test } from './target';
import { expectAccessible, login, rpc } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

test('an administrator exports the diagnostics bundle and is told where it is', async ({ app }) => {
  await login(app, 'admin1', '5555');
  await expect(app.getByTestId('nav-checkout')).toHaveClass(/router-link-active/);
  await app.keyboard.press('Alt+6');
  await expect(app.getByTestId('diagnostics-card')).toBeVisible();
  await app.getByTestId('export-diagnostics').click();
  await expect(app.getByTestId('diagnostics-msg')).toContainText(/diagnostics-\d{8}T\d{6}Z\.zip/);
  await expect(app.getByTestId('diagnostics-msg')).toHaveAttribute('role', 'status');
  await expectAccessible(app, 'settings with the diagnostics card');
});
