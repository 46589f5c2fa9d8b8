/**
 * Operators (Settings → 操作员), demo mode: the administrator adds a cashier with a supervisor's
 * approval on the same card; the new cashier logs in, must replace the temporary PIN, and is
 * in; the administrator disables them; their login is then refused. Normal and elder mode, axe
 * on the card, screenshots in zh-CN.
 */
import { expect, test } from './target';
import { expectAccessible, login, rpc, setElder, shot } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

async function openOperators(app: import('@playwright/test').Page): Promise<void> {
  await login(app, 'admin1', '5555');
  // Login lands on the checkout first; a key pressed before that would be overtaken by it.
  await expect(app.getByTestId('nav-checkout')).toHaveClass(/router-link-active/);
  await app.keyboard.press('Alt+6');
  await expect(app.getByTestId('operators-card')).toBeVisible();
  await expect(app.getByTestId('op-row-admin1')).toBeVisible();
}

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test(`an administrator adds a cashier with a supervisor’s approval, then disables them (${mode} mode)`, async ({ app }) => {
    // The specs share one back end per run: an id of its own each time.
    const id = `c${Date.now().toString(36)}`;
    await openOperators(app);
    await setElder(app, elder);

    // Without the approver's PIN the add is refused and nobody is added.
    await app.getByTestId('op-add-id').fill(id);
    await app.getByTestId('op-add-name').fill('新收银员');
    await app.getByTestId('op-add-role').selectOption('cashier');
    await app.getByTestId('op-add-pin').fill('246813');
    await app.getByTestId('op-add-pin-again').fill('246813');
    await app.getByTestId('op-add-submit').click();
    await expect(app.getByTestId('op-msg')).toContainText('复核');
    await expect(app.getByTestId(`op-row-${id}`)).toHaveCount(0);

    // A run of digits is refused by the core's rule, with the rule said.
    await app.getByTestId('op-add').getByTestId('approver-select').selectOption('super1');
    await app.getByTestId('op-add').getByTestId('approver-pin').fill('2222');
    await app.getByTestId('op-add-pin').fill('123456');
    await app.getByTestId('op-add-pin-again').fill('123456');
    await app.getByTestId('op-add-submit').click();
    await expect(app.getByTestId('op-msg')).toContainText('连续数字');
    await expect(app.getByTestId(`op-row-${id}`)).toHaveCount(0);

    await app.getByTestId('op-add-id').fill(id);
    await app.getByTestId('op-add-name').fill('新收银员');
    await app.getByTestId('op-add-pin').fill('246813');
    await app.getByTestId('op-add-pin-again').fill('246813');
    await app.getByTestId('op-add').getByTestId('approver-pin').fill('2222');
    await app.getByTestId('op-add-submit').click();
    await expect(app.getByTestId('op-msg')).toContainText('已添加');
    await expect(app.getByTestId(`op-state-${id}`)).toContainText('下次登录须改 PIN');
    await expectAccessible(app, `operators ${mode}`);
    await app.getByTestId('operators-card').evaluate((el) => el.scrollIntoView());
    await shot(app, `settings-operators-${mode}`);

    // The new cashier logs in: the temporary PIN is right but must be replaced first.
    await app.getByTestId('logout').click();
    await app.getByTestId(`operator-${id}`).click();
    await app.getByTestId('pin-input').fill('246813');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('change-pin-form')).toBeVisible();
    await expect(app.getByTestId('change-pin-form')).toContainText('临时 PIN');
    // A new PIN breaking a rule is refused with the rule said; the temporary one still works after.
    await app.getByTestId('change-pin').fill('000000');
    await app.getByTestId('change-pin-again').fill('000000');
    await app.getByTestId('change-submit').click();
    await expect(app.getByTestId('login-error')).toContainText('同一个数字');
    await expectAccessible(app, `change PIN ${mode}`);
    if (!elder) await shot(app, 'login-change-pin');
    await app.getByTestId('change-pin').fill('918273');
    await app.getByTestId('change-pin-again').fill('918273');
    await app.getByTestId('change-submit').click();
    await expect(app.getByTestId('operator-name')).toContainText('新收银员');

    // The administrator disables them (no approval needed to take access away).
    await app.getByTestId('logout').click();
    await openOperators(app);
    await app.getByTestId(`op-disable-${id}`).click();
    await app.getByTestId('op-confirm').click();
    await expect(app.getByTestId(`op-state-${id}`)).toContainText('已停用');
    // Yourself: no disable button on your own row.
    await expect(app.getByTestId('op-disable-admin1')).toHaveCount(0);

    // Their tile is gone, and a login by id is refused plainly.
    await app.getByTestId('logout').click();
    await expect(app.getByTestId('operator-cashier1')).toBeVisible();
    await expect(app.getByTestId(`operator-${id}`)).toHaveCount(0);
    await expect(rpc(app, 'session:login', { operatorId: id, pin: '918273' })).rejects.toThrow(/auth\.disabled/);
    await setElder(app, false);
  });
}
