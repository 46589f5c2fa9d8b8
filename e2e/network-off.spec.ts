/**
 * The trainer's 断网 stops online payments (issue 12, item 4): with the network switched off in
 * the trainer console, a scanned online code is not charged — the request never reaches the
 * simulated acquirer, the customer's wallet keeps its money and the cashier is told so — and
 * once the network is back the same code payment goes through as usual.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './target';
import { login, rpc, scanDevice, typeAmount } from './ui';

const balance = async (app: Page, walletId: string) =>
  (await rpc<Array<{ id: string; balanceFen: number }>>(app, 'demo:wallets', {})).find((w) => w.id === walletId)!.balanceFen;
const code = async (app: Page, walletId: string) => (await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId })).code;

/** The trainer presses a network button in the console and the status bar follows. */
async function network(app: Page, preset: 'online' | 'offline', statusWord: string): Promise<void> {
  await app.getByTestId('nav-training').click();
  await expect(app.getByTestId('training-console')).toBeVisible();
  await app.getByTestId(`net-${preset}`).click();
  await expect(app.getByTestId('connectivity')).toContainText(statusWord, { timeout: 20_000 });
  await app.getByTestId('nav-checkout').click();
}

test.describe('the trainer’s network control', () => {
  // Whatever happens in the test, the link comes back for the specs after it.
  test.afterEach(async ({ app }) => {
    await rpc(app, 'demo:network', { preset: 'online' }).catch(() => undefined);
  });

  test('network off: a scanned online code is not charged and the cashier is told; back on, it is charged', async ({ app }) => {
    await login(app, 'trainer1', '4444');
    await network(app, 'offline', '离线');
    const before = await balance(app, 'W03');

    // UnionPay ¥9.00, scanned straight after the amount, as in the report.
    await typeAmount(app, '9');
    await scanDevice(app, await code(app, 'W03'));
    const result = app.getByTestId('result');
    await expect(result).toContainText('收款失败');
    await expect(app.getByTestId('result-reason')).toContainText('无法连接收单机构');
    await expect(result).toContainText('未扣款');
    expect(await balance(app, 'W03')).toBe(before);
    await app.keyboard.press('Enter');

    await network(app, 'online', '在线');
    await typeAmount(app, '15');
    await scanDevice(app, await code(app, 'W03'));
    await expect(app.getByTestId('result')).toContainText('收款成功');
    expect(await balance(app, 'W03')).toBe(before - 15_00);
    await app.keyboard.press('Enter');
  });
});
