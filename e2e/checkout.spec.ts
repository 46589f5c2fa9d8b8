/**
 * The cashier's checkout against the real back end in demo mode (embedded acquirer simulator):
 * every tender, USERPAYING, a scan refused during an unfinished payment, offline accept and
 * forward, the customer display — in normal and elder mode, with axe on every state.
 */
import { expect, openAppWindow, test } from './target';
import type { Page } from '@playwright/test';
import { expectAccessible, login, rpc, scan, scanDevice, setElder, shot, typeAmount } from './ui';

// The terminal has one session: leave it logged out for the specs that follow.
test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});


async function code(page: Page, walletId: string): Promise<string> {
  return (await rpc<{ code: string }>(page, 'demo:paymentCode', { walletId })).code;
}

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test.describe(`checkout (${mode} mode)`, () => {
    test.beforeEach(async ({ app }) => {
      await login(app, 'cashier1', '1111');
      await setElder(app, elder);
    });

    test('an online payment code is charged and the result says paid, with the amount', async ({ app }) => {
      await typeAmount(app, '123.4');
      await expect(app.getByTestId('amount-due')).toHaveText('¥123.40');
      await expectAccessible(app, `checkout entry ${mode}`);
      if (!elder) await shot(app, 'checkout');
      if (elder) {
        await app.keyboard.press('Enter'); // elder mode: one step per screen, the tenders next
        await expect(app.getByTestId('tender-scan')).toBeVisible();
        await shot(app, 'checkout-elder-tenders');
      }
      await app.keyboard.press('F1');
      await expect(app.getByTestId('tender-prompt')).toContainText('付款码');
      // The keyboard-wedge scanner in normal mode; the simulated USB scanner in elder mode.
      if (elder) await scanDevice(app, await code(app, 'W01'));
      else await scan(app, await code(app, 'W01'));
      await expect(app.getByTestId('result')).toContainText('收款成功');
      await expect(app.getByTestId('amount-due')).toHaveText('¥123.40');
      await expectAccessible(app, `result paid ${mode}`);
      await shot(app, `result-paid-${mode}`);
      await app.keyboard.press('Enter');
      await expect(app.getByTestId('amount-due')).toHaveText('¥0.00');
    });

    test('USERPAYING waits for the customer, refuses a second scan, then completes', async ({ app }) => {
      const since = Date.now() - 1000;
      await typeAmount(app, '50');
      if (elder) await app.keyboard.press('Enter');
      await app.keyboard.press('F1');
      await scanDevice(app, await code(app, 'W04'));
      await expect(app.getByTestId('working-state')).toContainText('输入密码');
      await expectAccessible(app, `userpaying ${mode}`);
      if (!elder) await shot(app, 'userpaying');
      // A scan now must not start a second charge.
      await scanDevice(app, await code(app, 'W01'));
      await expect(app.getByTestId('checkout-notice')).toContainText('上一笔收款还没有结束');
      const orderNo = await app.getByTestId('working-order').innerText();
      // Confirm even if a check above failed, so no open payment blocks the next test.
      test.info().annotations.push({ type: 'order', description: orderNo });
      await rpc(app, 'demo:userPaying', { orderNo, confirm: true });
      await expect(app.getByTestId('result')).toContainText('收款成功', { timeout: 30_000 });
      const list = await rpc<Array<{ orderNo: string }>>(app, 'payments:list', { amountFen: 5000, from: since });
      expect(list.filter((p) => p.orderNo !== orderNo)).toHaveLength(0);
    });

    test('cash computes the change; credit records the customer name', async ({ app }) => {
      await typeAmount(app, '12.5');
      if (elder) await app.keyboard.press('Enter');
      await app.keyboard.press('F5');
      await typeAmount(app, '20');
      await expect(app.getByTestId('change-preview')).toHaveText('¥7.50');
      await app.keyboard.press('Enter');
      await expect(app.getByTestId('result-change')).toContainText('¥7.50');
      await app.keyboard.press('Enter');
      await typeAmount(app, '8');
      if (elder) await app.keyboard.press('Enter');
      await app.keyboard.press('F6');
      await app.getByTestId('credit-name').fill('王大伯');
      await expectAccessible(app, `credit ${mode}`);
      await app.keyboard.press('Enter');
      await expect(app.getByTestId('result')).toContainText('收款成功');
    });

    test('the merchant QR is shown and paid from the customer’s phone', async ({ app }) => {
      await typeAmount(app, '30');
      if (elder) await app.keyboard.press('Enter');
      await app.keyboard.press('F3');
      await expect(app.getByRole('img', { name: '本单收款二维码' })).toBeVisible();
      await expectAccessible(app, `merchant qr ${mode}`);
      const orderNo = await app.getByTestId('working-order').innerText();
      await rpc(app, 'demo:payQr', { orderNo, walletId: 'W02' });
      await expect(app.getByTestId('result')).toContainText('收款成功', { timeout: 30_000 });
    });

    test('face payment is offered only with a camera, and says why not', async ({ app }) => {
      await typeAmount(app, '5');
      if (elder) await app.keyboard.press('Enter');
      await app.keyboard.press('F4');
      await expect(app.getByTestId('checkout-notice')).toContainText('未配置摄像头');
    });

    test('a code scanned straight after typing the amount charges that amount, unchanged by the scan', async ({ app }) => {
      await typeAmount(app, '12.3');
      if (elder) await app.keyboard.press('Enter');
      // An Alipay code starts with 2: had its first digit reached the numpad, ¥12.32 would be charged.
      await scan(app, await code(app, 'W02'));
      await expect(app.getByTestId('result')).toContainText('收款成功');
      await expect(app.getByTestId('amount-due')).toHaveText('¥12.30');
    });

    test('a tender before an amount is refused in plain words', async ({ app }) => {
      if (elder) {
        await app.keyboard.press('Enter');
        await expect(app.getByTestId('checkout-notice')).toContainText('请先输入金额');
        return;
      }
      await app.keyboard.press('F5');
      await expect(app.getByTestId('checkout-notice')).toContainText('请先输入金额');
    });
  });
}

test.describe('offline acceptance and forwarding', () => {
  // Whatever happens in the test, the link comes back for the specs after it.
  test.afterEach(async ({ app }) => {
    await rpc(app, 'demo:network', { preset: 'online' }).catch(() => undefined);
  });

  test('an offline code is accepted while offline, said as pending, and forwarded when the link returns', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    // The link drops; the status bar follows at the next probe, but an offline code needs no link at all.
    await rpc(app, 'demo:network', { preset: 'offline' });
    await typeAmount(app, '25');
    await app.keyboard.press('F2');
    await app.getByTestId('offline-contact').fill('13812345678');
    const oc = await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 1 });
    await app.getByTestId('offline-contact').focus(); // the scan is taken whatever has focus
    // An offline code (335 characters) through the keyboard-wedge scanner, into a focused field.
    await scan(app, oc.code);
    await expect(app.getByTestId('result')).toContainText('离线受理，待上传');
    await expectAccessible(app, 'result offline');
    await shot(app, 'result-offline');
    await app.keyboard.press('Enter');
    await app.keyboard.press('Alt+3');
    await expect(app.getByTestId('outbox-table')).toContainText(/待上传|上传中/);
    await rpc(app, 'demo:network', { preset: 'online' });
    await app.getByTestId('send-now').click();
    await expect(app.getByTestId('outbox-table')).toContainText('已确认', { timeout: 30_000 });
    await expectAccessible(app, 'forwarding');
    await shot(app, 'forwarding');
  });
});

test.describe('customer display', () => {
  test('follows the checkout in its own tab: amount, prompt, result', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    const display = await openAppWindow(app, '#/customer');
    await expect(display.getByTestId('customer-display')).toBeVisible();
    await app.bringToFront();
    await typeAmount(app, '88');
    await expect(display.getByTestId('customer-amount')).toHaveText('¥88.00');
    await app.keyboard.press('F1');
    await expect(display.getByTestId('customer-prompt')).toHaveText('请出示付款码');
    await expectAccessible(display, 'customer display prompt');
    await shot(display, 'customer-display');
    await app.bringToFront();
    await scanDevice(app, await code(app, 'W03'));
    await expect(app.getByTestId('result')).toContainText('收款成功');
    await expect(display.getByTestId('customer-result')).toContainText('支付成功');
    await expect(display.getByRole('img', { name: '电子小票二维码' })).toBeVisible();
    await shot(display, 'customer-display-result');
    await setElder(app, true);
    await expect(display.locator('.customer-elder')).toBeVisible();
  });
});
