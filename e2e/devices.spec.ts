import { expect, test } from './target';
import type { Page } from '@playwright/test';
import { typeKeys } from './ui';

/** The back end is shared by every spec: whoever is still logged in from a previous test logs out first. */
async function loginAs(app: Page, id: string, pin: string) {
  await expect(app.getByTestId('logout').or(app.getByTestId(`operator-${id}`)).first()).toBeVisible();
  if (await app.getByTestId('logout').isVisible()) await app.getByTestId('logout').click();
  await app.getByTestId(`operator-${id}`).click();
  await app.getByTestId('pin-input').fill(pin);
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('operator-name')).toBeVisible();
  await app.evaluate(() => (location.hash = '#/devices'));
  await expect(app.getByRole('heading', { name: '设备', exact: true })).toBeVisible();
}

test.describe('devices (demo mode, simulated twins)', () => {
  test('a test print shows on screen as the paper would, with a QR that carries the link', async ({ app }) => {
    await loginAs(app, 'super1', '2222');
    await expect(app.getByTestId('state-printer:sim')).toContainText('正常');
    await app.getByTestId('test-print').click();
    const receipt = app.getByTestId('sim-receipt');
    await expect(receipt).toContainText('打印测试');
    await expect(receipt).toContainText('中文宽度');
    await expect(app.getByTestId('sim-qr')).toHaveAttribute('aria-label', /https:\/\/example\.cn\/test/);
  });

  test('paper out keeps the receipt for a reprint, which prints once paper is loaded', async ({ app }) => {
    await loginAs(app, 'super1', '2222');
    await app.getByTestId('sim-paper-out').click();
    await expect(app.getByTestId('state-printer:sim')).toContainText('缺纸');
    await expect(app.getByTestId('printer-state')).toContainText('缺纸');
    await app.getByTestId('test-print').click();
    await expect(app.getByTestId('devices-notice')).toContainText('缺纸');
    await expect(app.getByTestId('reprint')).toHaveCount(1);
    await app.getByTestId('sim-paper-in').click();
    await app.getByTestId('reprint').click();
    await expect(app.getByTestId('devices-notice')).toContainText('已打印');
    await expect(app.getByTestId('reprint')).toHaveCount(0);
  });

  test('a simulated scan shows masked; an unplugged scanner refuses it plainly', async ({ app }) => {
    await loginAs(app, 'super1', '2222');
    await app.getByTestId('sim-scan').click();
    await expect(app.getByTestId('scan-result')).toContainText('1345 **** 6789');
    await app.getByTestId('sim-unplug').click();
    await expect(app.getByTestId('state-scanner:sim')).toContainText('未连接');
    await app.getByTestId('sim-scan').click();
    await expect(app.getByTestId('devices-error')).toContainText('扫码枪已拔出');
    await app.getByTestId('sim-replug').click();
    await expect(app.getByTestId('state-scanner:sim')).toContainText('正常');
  });

  test('a keyboard-wedge burst at 5 ms per key is a scan; a fast typist at 60 ms is not', async ({ app }) => {
    await loginAs(app, 'super1', '2222');
    // Scripted key timings: the gaps the detector sees are exactly these, however busy the machine.
    await typeKeys(app, [...'281234567890123456', 'Enter'], 60);
    await expect(app.getByTestId('wedge-test-summary')).toContainText('最大间隔 60 毫秒');
    await expect(app.getByTestId('scan-result')).toContainText('尚未收到扫码');
    await typeKeys(app, [...'281234567890123456', 'Enter'], 5);
    await expect(app.getByTestId('scan-result')).toContainText('2812 **** 3456');
  });

  test('a cashier cannot open the drawer by hand', async ({ app }) => {
    await loginAs(app, 'cashier1', '1111');
    await expect(app.getByTestId('kick-drawer')).toBeDisabled();
  });
});
