/**
 * Issue 11, item 7, through the browser shell in demo mode: a supervisor reconciles the day's
 * online payments against the embedded acquirer's statement on the reconciliation screen
 * (Alt+9): the run's progress, the result, the CSV download, and the Z report's summary.
 */
import crypto from 'node:crypto';
import { expect, test } from './target';
import { expectAccessible, login, rpc, setElder, shot } from './ui';

test.describe('reconciliation of online payments', () => {
  test('a supervisor reconciles today on the screen: progress, the result, the CSV, the Z report', async ({ app }) => {
    // Two axe runs and a charge: well within a minute on a quiet machine, not on a busy one.
    test.setTimeout(180_000);
    await login(app, 'cashier1', '1111');
    await rpc(app, 'demo:fault', { fault: 'clear' });
    const code = await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId: 'W01' });
    const p = await rpc<{ orderNo: string }>(app, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 1234, code: code.code });
    await expect.poll(async () => (await rpc<{ payment: { state: string } }>(app, 'payments:get', { orderNo: p.orderNo })).payment.state, { timeout: 20_000 }).toBe('succeeded');

    await login(app, 'super1', '2222');
    await app.keyboard.press('Alt+9');
    await expect(app.getByRole('heading', { name: '在线交易对账' })).toBeVisible();
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    await app.getByTestId('reconcile-day').fill(day);
    await app.getByTestId('reconcile-run').click();
    await expect(app.getByTestId('reconcile-progress')).toContainText('对账完成', { timeout: 20_000 });
    await expect(app.getByTestId('reconcile-counts')).toContainText(/一致 [1-9]/);
    await expect(app.getByTestId('reconcile-corrected')).toContainText('自动更正');
    await expect(app.getByTestId('reconcile-waiting')).toContainText('待主管处理');
    await expectAccessible(app, 'reconciliation screen');
    await shot(app, 'reconcile');

    const download = app.waitForEvent('download');
    await app.getByTestId('reconcile-export').click();
    expect((await download).suggestedFilename()).toBe(`reconcile-online-${day.replace(/-/g, '')}.csv`);
    await expect(app.getByTestId('reconcile-info')).toContainText('已导出');

    // Large type and English read the same result, and pass axe too.
    await setElder(app, true);
    await app.getByTestId('toggle-locale').click();
    await expect(app.getByRole('heading', { name: 'Online payments reconciliation' })).toBeVisible();
    await expect(app.getByTestId('reconcile-counts')).toContainText(/Matched [1-9]/);
    await expectAccessible(app, 'reconciliation screen, elder, en');
    await shot(app, 'reconcile-elder-en');
    await app.getByTestId('toggle-locale').click();
    await setElder(app, false);

    const z = await rpc<{ reconciliation?: { counts: { matched: number } } | null }>(app, 'reports:z', { day });
    expect(z.reconciliation?.counts.matched).toBeGreaterThanOrEqual(1);
    await rpc(app, 'session:logout', {});
  });
});
