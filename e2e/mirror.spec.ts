/**
 * The mirror of unforwarded payments (设置 → 离线收款备份, core/mirror), demo mode: the
 * administrator turns it on in a folder with a supervisor's approval and is shown the recovery
 * code once; an offline payment accepted after that reaches the mirror file; pulling the "stick"
 * shows on the status bar; restoring with a wrong code changes nothing and says so. Axe on the
 * card, normal and elder mode; screenshots in zh-CN.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './target';
import { expectAccessible, login, rpc, setElder, shot } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test(`an administrator turns the mirror on, writes down the code, and a missing stick is shown (${mode} mode)`, async ({ app }) => {
    const stick = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-e2e-stick-'));
    try {
      await login(app, 'admin1', '5555');
      await expect(app.getByTestId('nav-checkout')).toHaveClass(/router-link-active/);
      await setElder(app, elder);
      await app.keyboard.press('Alt+6');
      const card = app.getByTestId('mirror-card');
      await expect(card).toBeVisible();
      await card.evaluate((el) => el.scrollIntoView());
      await card.getByTestId('mirror-dir').fill(stick);
      await card.getByTestId('approver-select').selectOption('super1');
      await card.getByTestId('approver-pin').fill('2222');
      await card.getByTestId('mirror-enable').click();
      const code = card.getByTestId('mirror-code');
      await expect(code).toHaveText(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
      await expectAccessible(app, `mirror ${mode}`);
      if (!elder) await shot(app, 'settings-mirror-code');
      await card.getByTestId('mirror-code-done').click();
      await expect(code).toHaveCount(0);
      await expect(card.getByTestId('mirror-state')).toContainText('正常');
      const files = fs.readdirSync(stick).filter((f) => f.startsWith('vc-mirror-'));
      expect(files).toHaveLength(1);

      // A wrong recovery code: refused in words, nothing restored.
      await card.getByText('在新电脑上恢复').click();
      await card.getByTestId('mirror-restore-code').fill('0000-0000-0000-0000-0000-0000-0000-0000');
      await card.getByTestId('approver-pin').fill('2222');
      await card.getByTestId('mirror-restore').click();
      await expect(card.getByTestId('mirror-msg')).toContainText('恢复码与这份备份不符');

      // The stick is pulled: the status bar says so, in words and not by colour alone.
      fs.rmSync(stick, { recursive: true, force: true });
      await expect(app.getByTestId('mirror-problem')).toContainText('找不到 U 盘', { timeout: 15_000 });
      if (elder) await shot(app, 'settings-mirror-missing-elder');
      // Retired by the administrator (a second person again): the status bar is quiet.
      await rpc(app, 'mirror:disable', { approverId: 'super1', approverPin: '2222' });
      await expect(app.getByTestId('mirror-problem')).toHaveCount(0);
    } finally {
      fs.rmSync(stick, { recursive: true, force: true });
      await rpc(app, 'mirror:disable', { approverId: 'super1', approverPin: '2222' }).catch(() => undefined);
    }
  });
}
