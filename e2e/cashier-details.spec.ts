/**
 * Smaller things a cashier hit (issue 12, "Other things a cashier hit"): no request of the page
 * is answered 404 (the favicon); the trainer's 断网 shows 离线 at once, never 信号弱 on the way,
 * and offline the status bar shows no delay; the forwarding table's short cells stay on one
 * line at 1366×768, in normal and elder mode. Against the real back end in demo mode.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './target';
import { login, rpc, setElder, shot } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'demo:network', { preset: 'online' }).catch(() => undefined);
  await setElder(app, false).catch(() => undefined);
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

test('a page load asks for nothing that is missing: the favicon is served', async ({ app }) => {
  const missing: string[] = [];
  app.on('response', (r) => {
    if (r.status() === 404) missing.push(new URL(r.url()).pathname);
  });
  await app.reload();
  await login(app, 'cashier1', '1111');
  expect(missing).toEqual([]);
  const href = await app.locator('link[rel="icon"]').getAttribute('href', { timeout: 2_000 });
  expect(await app.evaluate(async (h) => (await fetch(h)).status, href!)).toBe(200);
});

test('断网 shows 离线 at once, never 信号弱 on the way, and no delay while offline', async ({ app }) => {
  await login(app, 'trainer1', '4444');
  await app.getByTestId('nav-training').click();
  await app.getByTestId('net-online').click();
  const status = app.getByTestId('connectivity');
  await expect(status).toContainText('在线');
  const seen = new Set<string>();
  await app.getByTestId('net-offline').click();
  for (let i = 0; i < 20; i++) {
    seen.add((await status.innerText()).replace(/\s+/g, ' '));
    await app.waitForTimeout(100);
  }
  expect([...seen].filter((s) => s.includes('信号弱'))).toEqual([]);
  await expect(status).toContainText('离线');
  await expect(status).not.toContainText('毫秒');
});

/** How many lines each cell the selector names takes to render its text. */
const oneLine = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((cells) =>
    cells.map((c) => {
      const r = document.createRange();
      r.selectNodeContents(c);
      return new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top))).size;
    }));

test('the forwarding table’s status cells stay on one line at 1366×768, normal and elder', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  await rpc(app, 'demo:network', { preset: 'offline' });
  const { code } = await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 2 });
  await rpc(app, 'offline:accept', { amountFen: 3_21, code });
  await app.keyboard.press('Alt+3');
  await expect(app.getByTestId('outbox-table')).toBeVisible();
  // The status column (the fifth), by position, so the check does not lean on the fix's own markup.
  const cells = '[data-testid="outbox-table"] tbody td:nth-child(5)';
  await expect(app.locator(cells).first()).toContainText('待上传');
  for (const elder of [false, true]) {
    await setElder(app, elder);
    expect((await oneLine(app, cells)).filter((n) => n > 1)).toEqual([]);
    // Headings and the action button too: "钱包尾\n号", "查\n看" read as broken words.
    expect((await oneLine(app, '[data-testid="outbox-table"] th')).filter((n) => n > 1)).toEqual([]);
    expect((await oneLine(app, '[data-testid="outbox-table"] tbody td:last-child button')).filter((n) => n > 1)).toEqual([]);
    // The table fits the screen's width: nothing kept whole pushes the action off the side.
    expect(await app.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await app.getByTestId('outbox-table').scrollIntoViewIfNeeded();
    await shot(app, `cashier-details-forwarding${elder ? '-elder' : ''}`);
  }
});

test('history finds a payment by the last four digits its masked code shows', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  await rpc(app, 'demo:network', { preset: 'offline' });
  const { code, walletTail } = await rpc<{ code: string; walletTail: string }>(app, 'demo:offlineCode', { wallet: 6 });
  const { orderNo } = await rpc<{ orderNo: string }>(app, 'offline:accept', { amountFen: 4_56, code });
  await app.keyboard.press('Alt+2');
  await app.getByTestId('history-text').fill(walletTail);
  await app.keyboard.press('Enter');
  await expect(app.getByTestId(`history-row-${orderNo}`)).toBeVisible();
  await expect(app.getByTestId(`history-row-${orderNo}`)).toContainText(walletTail);
});
