/**
 * Keyboard-mode scanner profiles on the Devices screen, end to end: a supervisor adds a profile
 * with a prefix and switches the factory one off, then scans with scripted key timings — the
 * prefixed burst is a scan (prefix stripped), the same burst without the prefix is not, and the
 * test box shows every key's gap and each profile's verdict, so an installer can tune the gap.
 * A bad gap is refused on the screen with nothing changed. Normal and elder mode, axe, screenshots.
 */
import { expect, test } from './target';
import type { Page } from '@playwright/test';
import { expectAccessible, login, rpc, scan, setElder, shot, typeKeys } from './ui';

const CODE = '281234567890123456';
const OTHER = '139876543210987654';

/** The factory profile back, so the specs that follow scan as before. */
async function restore(page: Page): Promise<void> {
  await rpc(page, 'session:login', { operatorId: 'super1', pin: '2222' }).catch(() => undefined);
  const { profiles } = await rpc<{ profiles: Array<{ id: string }> }>(page, 'settings:wedgeProfiles', {});
  const factory = { id: 'default', name: '', model: 'generic', active: true, prefix: '', suffix: 'Enter', maxGapMs: 30, endTimeoutMs: 50, minLength: 6, maxLength: 512, layout: 'os' };
  if (profiles.length !== 1 || JSON.stringify(profiles[0]) !== JSON.stringify(factory)) await rpc(page, 'settings:setWedgeProfiles', { profiles: [factory] });
  await rpc(page, 'session:logout', {}).catch(() => undefined);
}

test.afterEach(async ({ app }) => {
  await setElder(app, false).catch(() => undefined);
  await restore(app);
});

/** Scrolls the work area (not the window) so the element is at its top, for the picture. */
async function scrollTo(app: Page, testId: string): Promise<void> {
  await app.getByTestId(testId).evaluate((el) => {
    const main = document.getElementById('main')!;
    main.scrollTop += el.getBoundingClientRect().top - main.getBoundingClientRect().top;
  });
}

async function openDevices(app: Page): Promise<void> {
  await login(app, 'super1', '2222');
  await app.evaluate(() => (location.hash = '#/devices'));
  await expect(app.getByRole('heading', { name: '键盘模式扫码枪设置' })).toBeVisible();
  await expect(app.getByTestId('wedge-default')).toContainText('通用扫码枪');
}

test.describe('keyboard-mode scanner profiles', () => {
  test('a prefix profile set on the screen takes the prefixed burst and refuses the bare one; the test box shows the gaps', async ({ app }) => {
    await openDevices(app);

    // Add a profile for a scanner programmed to send "~]" before each code.
    await app.getByTestId('wedge-add').click();
    await app.getByTestId('wedge-name').fill('左边扫码枪');
    await app.getByTestId('wedge-model').selectOption('custom');
    await app.getByTestId('wedge-prefix').fill('~]');
    await expectAccessible(app, 'wedge profile form');
    await app.getByTestId('wedge-save').click();
    await expect(app.getByTestId('wedge-notice')).toContainText('已保存');
    await expect(app.getByTestId('wedge-p1')).toContainText('前缀：“~]”');

    // Only that profile active: switch the factory one off.
    await app.getByTestId('wedge-edit-default').click();
    await app.getByTestId('wedge-active').uncheck();
    await app.getByTestId('wedge-save').click();
    await expect(app.getByTestId('wedge-default')).toContainText('未启用');

    // The prefixed burst at 5 ms a key is a scan, prefix stripped.
    await app.getByTestId('wedge-test-input').focus();
    await scan(app, `~]${CODE}`, { gapMs: 5 });
    await expect(app.getByTestId('scan-result')).toContainText('2812 **** 3456（18 位');
    await expect(app.getByTestId('wedge-test-summary')).toContainText('21 个键');
    await expect(app.getByTestId('wedge-test-summary')).toContainText('最大间隔 5 毫秒');
    await expect(app.getByTestId('wedge-test-keys').locator('li')).toHaveCount(21);
    await expect(app.getByTestId('wedge-test-keys')).toContainText('+5 毫秒');
    await expect(app.getByTestId('wedge-verdict-p1')).toContainText('认作扫码：2812 **** 3456');
    await expect(app.getByTestId('wedge-test-input')).toHaveValue('');

    // The same kind of burst without the prefix is refused: no scan, and the box says why.
    await scan(app, OTHER, { gapMs: 5 });
    await expect(app.getByTestId('wedge-verdict-p1')).toContainText('开头不是前缀 “~]”');
    await expect(app.getByTestId('wedge-verdict-default')).toContainText('未启用');
    await expect(app.getByTestId('scan-result')).not.toContainText('1398');
    await expect(app.getByTestId('scan-result')).toContainText('2812 **** 3456');
    await expectAccessible(app, 'devices with the test box');
    await scrollTo(app, 'wedge-profiles');
    await shot(app, 'devices-wedge');

    // A scanner slower than the profile allows: the box names the gap; raising it in the form is judged at once.
    await typeKeys(app, [...`~]${CODE}`, 'Enter'], 40);
    await expect(app.getByTestId('wedge-test-summary')).toContainText('最大间隔 40 毫秒');
    await expect(app.getByTestId('wedge-verdict-p1')).toContainText('相隔 40 毫秒，超过此设置的 30 毫秒');
    await expect(app.getByTestId('scan-result')).toContainText('2812 **** 3456');
    await app.getByTestId('wedge-edit-p1').click();
    await app.getByTestId('wedge-gap').fill('45');
    await expect(app.getByTestId('wedge-verdict-p1-draft')).toContainText('认作扫码');

    // A gap a typist reaches is refused plainly, and nothing changes.
    await app.getByTestId('wedge-gap').fill('80');
    await app.getByTestId('wedge-save').click();
    await expect(app.getByTestId('wedge-error')).toContainText('5–50 毫秒');
    const { profiles } = await rpc<{ profiles: Array<{ id: string; maxGapMs: number }> }>(app, 'settings:wedgeProfiles', {});
    expect(profiles.map((p) => [p.id, p.maxGapMs])).toEqual([['default', 30], ['p1', 30]]);

    // Elder mode: the same screen in large type, still passing axe.
    await app.getByTestId('wedge-cancel').click();
    await setElder(app, true);
    await expectAccessible(app, 'devices with the test box, elder');
    await scrollTo(app, 'wedge-test');
    await shot(app, 'devices-wedge-elder');
  });

  test('a cashier sees the profiles but cannot change them', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    await app.evaluate(() => (location.hash = '#/devices'));
    await expect(app.getByTestId('wedge-read-only')).toContainText('仅主管或管理员');
    await expect(app.getByTestId('wedge-add')).toHaveCount(0);
    await expect(app.getByTestId('wedge-edit-default')).toHaveCount(0);
  });
});
