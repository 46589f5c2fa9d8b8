import { expect, test } from './target';
import type { Page } from '@playwright/test';
import { expectAccessible, login, rpc, setElder, shot, typeAmount, typeKeys } from './ui';

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
  test('a receipt printed before the Devices screen was ever opened is there when the trainee opens it', async ({ app }) => {
    await app.reload(); // a fresh page: no screen has started the devices store yet
    await login(app, 'cashier1', '1111');
    const printed = async () => (await rpc<{ printed: number }>(app, 'receipts:stats', {})).printed;
    const before = await printed();
    await typeAmount(app, '3.2');
    await app.keyboard.press('F5');
    await typeAmount(app, '5');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('result-change')).toContainText('¥1.80');
    await app.keyboard.press('Enter');
    // The paper is out of the printer before the screen is opened.
    await expect.poll(printed).toBe(before + 1);
    await app.evaluate(() => (location.hash = '#/devices'));
    await expect(app.getByTestId('sim-receipt')).toContainText('3.20');
  });

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

/**
 * The installer's "use a device by USB id" on demo mode's simulated counter (drivers/usb/
 * demo-counter.ts): its Logitech keyboard, a scanner of an unknown maker (1a86:e026) and a CH340
 * USB-serial adapter are plugged in. Bad ids are refused by the core on the screen and change
 * nothing; the unknown scanner is filled in with one click, chosen, and then reads, unplugs and
 * replugs through the same reader a real one uses.
 */
test.describe('devices: use a device by USB id (demo counter)', () => {
  test.afterEach(async ({ app }) => {
    // The lessons' simulated scanner back, for the specs that follow.
    await setElder(app, false).catch(() => undefined);
    await rpc(app, 'session:login', { operatorId: 'super1', pin: '2222' }).catch(() => undefined);
    await rpc(app, 'devices:select', { deviceId: 'scanner:sim' }).catch(() => undefined);
    await rpc(app, 'session:logout', {}).catch(() => undefined);
  });

  test('bad ids are refused plainly with nothing changed; the unknown scanner is picked with a click and reads', async ({ app }) => {
    await loginAs(app, 'super1', '2222');
    const form = app.getByTestId('usb-id-choice');
    await expect(form).toContainText('选用 HID 设备（HID 扫码枪）后，它就不再作为键盘打字');
    await expect(app.getByTestId('unrecognised-1a86:e026')).toContainText('Barcode Scanner');
    await expect(app.getByTestId('unrecognised-1a86:7523')).toContainText('串口扫码枪');
    await expect(app.getByTestId('refusal-046d:c31c')).toContainText('Logitech');
    await expect(app.getByTestId('pick-046d:c31c')).toHaveCount(0);

    const tryIds = async (vendor: string, product: string) => {
      await app.getByTestId('byid-vendor').fill(vendor);
      await app.getByTestId('byid-product').fill(product);
      await app.getByTestId('byid-use').click();
    };
    await tryIds('zz12', 'e026');
    await expect(app.getByTestId('byid-error')).toContainText('厂商编号（VID）须为 4 位十六进制数');
    await expect(app.getByTestId('byid-vendor')).toHaveAttribute('aria-invalid', 'true');
    await tryIds('1a86', '0000');
    await expect(app.getByTestId('byid-error')).toContainText('产品编号（PID） 0000 不是真实设备的编号');
    await expect(app.getByTestId('byid-product')).toHaveAttribute('aria-invalid', 'true');
    await tryIds('046D', 'C31C');
    await expect(app.getByTestId('byid-error')).toContainText('这是电脑的键盘或鼠标，不能选用');
    await expectAccessible(app, 'devices: USB id form with an error');
    // Nothing changed: the simulated scanner is still the one in use, the keyboard still unrecognised.
    await expect(app.getByTestId('device-scanner:sim')).toContainText('正在使用');
    await expect(app.getByTestId('refusal-046d:c31c')).toBeVisible();

    await app.getByTestId('pick-1a86:e026').click();
    await expect(app.getByTestId('byid-vendor')).toHaveValue('1A86');
    await expect(app.getByTestId('byid-product')).toHaveValue('E026');
    await expect(app.getByTestId('byid-kind-hid_scanner')).toBeChecked();
    await app.getByTestId('byid-use').click();
    await expect(app.getByTestId('byid-notice')).toContainText('已选用 1A86:E026');
    const chosen = app.locator('[data-testid^="device-scanner:usb:1a86:e026"]');
    await expect(chosen).toContainText('正在使用');
    await expect(chosen.locator('[data-testid^="state-"]')).toContainText('正常');
    await expect(app.getByTestId('unrecognised-1a86:e026')).toHaveCount(0);
    await expect(app.getByTestId('device-scanner:sim')).not.toContainText('正在使用');

    // It reads through the raw-HID reader, and comes back after an unplug.
    await app.getByTestId('sim-scan').click();
    await expect(app.getByTestId('scan-result')).toContainText('1345 **** 6789');
    await expect(app.getByTestId('scan-result')).toContainText('Barcode Scanner');
    await app.getByTestId('sim-unplug').click();
    await expect(chosen.locator('[data-testid^="state-"]')).toContainText('未连接');
    await app.getByTestId('sim-replug').click();
    await expect(chosen.locator('[data-testid^="state-"]')).toContainText('正常');
    await expect(chosen).toContainText('正在使用');
  });

  for (const [lang, elder] of [['zh-CN', false], ['en', false], ['zh-CN', true]] as const) {
    test(`the form and the list pass axe (${lang}${elder ? ', elder' : ''})`, async ({ app }) => {
      await loginAs(app, 'super1', '2222');
      if (lang === 'en') await app.getByTestId('toggle-locale').click();
      await setElder(app, elder);
      const form = app.getByTestId('usb-id-choice');
      await form.scrollIntoViewIfNeeded();
      // The keyboard is unrecognised whatever was chosen before (a choice is kept: the scanner picked above is listed now).
      await expect(app.getByTestId('refusal-046d:c31c')).toBeVisible();
      await expectAccessible(app, `devices: USB id form (${lang}${elder ? ', elder' : ''})`);
      await form.evaluate((el) => {
        const main = document.getElementById('main')!;
        main.scrollTop += el.getBoundingClientRect().top - main.getBoundingClientRect().top;
      });
      await shot(app, `devices-usb-id-${lang === 'en' ? 'en' : 'zh'}${elder ? '-elder' : ''}`);
      if (lang === 'en') await app.getByTestId('toggle-locale').click();
    });
  }
});
