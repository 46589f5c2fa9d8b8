/**
 * The counter's screens never show a wrong amount, never do one action twice, never forget a
 * payment (issue 12): typed amounts are kept exactly as typed or refused in words; a double
 * Enter, a double click and a retry after the connection dropped do one action; a reload
 * mid-payment resumes it. Against the real back end in demo mode, by keyboard where a cashier
 * would use it.
 */
import { expect, test } from './target';
import type { Page } from '@playwright/test';
import { expectAccessible, login, rpc, scanDevice, setElder, shot, typeAmount } from './ui';

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

const code = async (page: Page, walletId: string) => (await rpc<{ code: string }>(page, 'demo:paymentCode', { walletId })).code;

/** A cash sale through the checkout by keyboard; returns its order number. */
async function cashSale(page: Page, yuan: string): Promise<string> {
  await page.keyboard.press('Alt+1');
  await typeAmount(page, yuan);
  await page.keyboard.press('F5');
  await typeAmount(page, yuan);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('result')).toContainText('收款成功');
  const orderNo = /T[0-9A-Z]{8,}/.exec(await page.getByTestId('result').innerText())![0];
  await page.keyboard.press('Enter');
  return orderNo;
}

/**
 * The service point's float open for the day, logged in as the agent. Specs before this one
 * (agent.spec.ts) close the day's float; a closed day takes no more cash, so the trainer resets
 * the training data first (as a class would start again), then the float is opened.
 */
async function openFloatAsAgent(page: Page): Promise<void> {
  await login(page, 'agent1', '3333');
  let f = await rpc<{ openedAt: number | null; closedAt: number | null }>(page, 'agent:float', {});
  if (f.closedAt !== null) {
    await login(page, 'trainer1', '4444');
    // Every window reloads after a reset (demo:resetDone): wait for that load, not a race with it.
    const reloaded = page.waitForEvent('load', { timeout: 20_000 }).catch(() => undefined);
    await rpc(page, 'demo:reset', { confirm: true });
    await reloaded;
    await login(page, 'agent1', '3333');
    f = await rpc(page, 'agent:float', {});
  }
  if (f.openedAt === null) await rpc(page, 'agent:floatOpen', { countedFen: 200_000, requestId: `e2e-float-open-${Date.now()}` });
}

/** After a reload: logged in still (the same window's reload) or at the PIN again, either way back in. */
async function backAfterReload(page: Page): Promise<void> {
  const tile = page.getByTestId('operator-cashier1');
  await expect(tile.or(page.getByTestId('operator-name')).first()).toBeVisible();
  if (await tile.isVisible()) {
    await tile.click();
    await page.getByTestId('pin-input').fill('1111');
    await page.keyboard.press('Enter');
  }
  await expect(page.getByTestId('operator-name')).toBeVisible();
}

/**
 * A lost answer needs a connection that can drop: the browser shell's WebSocket. Under Electron
 * the IPC answers or the app is gone, so the retry-after-reconnect half of a test ends there
 * (said in the test's annotations, not silently).
 */
function socketCanDrop(): boolean {
  if (test.info().project.name === 'chromium') return true;
  test.info().annotations.push({ type: 'not run', description: 'retry after a reconnect: Electron IPC does not drop an answer' });
  return false;
}

/**
 * Routes the page's back-end socket through the test: the answer to the first call of `method`
 * is lost and the socket drops (as when the link to the cashier service blips); every later
 * message passes. The page is reloaded so its socket goes through the route.
 */
async function loseFirstAnswer(page: Page, method: string): Promise<{ sent: () => number }> {
  let sent = 0;
  let dropId: number | null = null;
  await page.routeWebSocket(/\/rpc/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { id: number; method: string };
      if (msg.method === method) {
        sent++;
        if (sent === 1) dropId = msg.id;
      }
      server.send(m);
    });
    server.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { id?: number };
      if (dropId !== null && msg.id === dropId) {
        dropId = -1;
        void ws.close();
        return;
      }
      ws.send(m);
    });
  });
  await page.reload();
  return { sent: () => sent };
}

test.describe('typed amounts are kept exactly as typed, or refused in words', () => {
  test('the checkout keypad refuses -1, 1e3, 12.3.4, 1/2, 0x10 and 12,34 in words and charges nothing', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    const since = Date.now() - 1000;
    for (const typed of ['-1', '1e3', '12.3.4', '1/2', '0x10', '12,34']) {
      await typeAmount(app, typed);
      await expect(app.getByTestId('amount-due')).toHaveText(`¥${typed}`);
      await expect(app.getByTestId('amount-refusal')).toBeVisible();
      await app.keyboard.press('F5');
      await expect(app.getByTestId('checkout-notice')).toHaveText(await app.getByTestId('amount-refusal').innerText());
      await expect(app.getByTestId('tendered')).toHaveCount(0);
      await app.keyboard.press('Escape');
      await expect(app.getByTestId('amount-due')).toHaveText('¥0.00');
    }
    await typeAmount(app, '12.3.4');
    await expect(app.getByTestId('amount-refusal')).toContainText('一个小数点');
    await app.keyboard.press('Backspace');
    await app.keyboard.press('Backspace');
    await expect(app.getByTestId('amount-due')).toHaveText('¥12.30');
    await expect(app.getByTestId('amount-refusal')).toHaveCount(0);
    await app.keyboard.press('Escape');
    expect(await rpc<unknown[]>(app, 'payments:list', { from: since })).toEqual([]);
  });

  test('a refund typed as 5.50 refunds ¥5.50, not ¥50; the history filter keeps its point', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    const orderNo = await cashSale(app, '60');
    await app.keyboard.press('Alt+2');
    await app.getByTestId('history-amount').pressSequentially('60.00', { delay: 60 });
    await expect(app.getByTestId('history-amount')).toHaveValue('60.00');
    await app.getByTestId('history-amount').press('Enter');
    await expect(app.getByTestId(`open-${orderNo}`)).toBeVisible();
    await app.getByTestId('history-amount').fill('6.0.0');
    await app.getByTestId('history-amount').press('Enter');
    await expect(app.getByTestId('history-amount-msg')).toContainText('一个小数点');
    await app.goto(app.url().replace(/#.*$/, `#/history/${orderNo}`));
    await app.getByTestId('refund-amount').pressSequentially('5.50', { delay: 60 });
    await expect(app.getByTestId('refund-amount')).toHaveValue('5.50');
    await app.getByTestId('refund-reason').fill('少找零');
    await app.getByTestId('refund-reason').press('Enter');
    await expect(app.getByTestId('detail-info')).toContainText('¥5.50');
    const r = await rpc<{ payment: { refundedFen: number } }>(app, 'payments:get', { orderNo });
    expect(r.payment.refundedFen).toBe(550);
    // History says the sale was partly refunded, not just 收款成功.
    await app.keyboard.press('Alt+2');
    await expect(app.getByTestId(`state-${orderNo}`)).toHaveText('部分退款');
  });
});

test.describe('one action per press: double Enter, double click, retry after a reconnect', () => {
  test.afterEach(async ({ app }) => {
    await app.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => undefined);
  });

  test('float: a double click on 存入 and a double Enter on the opening count move cash once', async ({ app }) => {
    await login(app, 'agent1', '3333');
    await app.keyboard.press('F5');
    const f = await rpc<{ openedAt: number | null }>(app, 'agent:float', {});
    if (f.openedAt === null) {
      await app.getByTestId('float-open-count').fill('2000');
      await app.getByTestId('float-open-count').press('Enter');
      await app.keyboard.press('Enter');
    } else {
      await openFloatAsAgent(app);
      await app.keyboard.press('F5');
    }
    await expect(app.getByTestId('float-move-amount')).toBeVisible();
    const before = (await rpc<{ movements: unknown[] }>(app, 'agent:float', {})).movements.length;
    expect((await rpc<{ movements: Array<{ kind: string }> }>(app, 'agent:float', {})).movements.filter((m) => m.kind === 'open')).toHaveLength(1);
    await app.getByTestId('float-move-amount').fill('10');
    await app.getByTestId('float-reason').fill('补零钱');
    await app.getByTestId('float-in').dblclick();
    await expect(app.getByTestId('float-reason')).toHaveValue('');
    await expect.poll(async () => (await rpc<{ movements: unknown[] }>(app, 'agent:float', {})).movements.length).toBe(before + 1);
  });

  test('withdrawal: a retry after the answer was lost pays out once', async ({ app }) => {
    await openFloatAsAgent(app);
    const since = Date.now() - 1000;
    if (!socketCanDrop()) return;
    const net = await loseFirstAnswer(app, 'agent:withdraw');
    await login(app, 'agent1', '3333');
    const phone = '13700003333';
    await app.getByTestId('withdraw-phone').fill(phone);
    await app.getByTestId('withdraw-amount').fill('100');
    await app.getByTestId('withdraw-amount').press('Enter');
    await app.getByTestId('withdraw-code').fill(await code(app, 'W01'));
    await app.getByTestId('withdraw-code').press('Enter');
    // The answer never came: the screen says the link dropped; the agent presses Enter again.
    await expect(app.getByTestId('withdraw-error')).toContainText('连接中断');
    await app.getByTestId('withdraw-code').press('Enter');
    await expect(app.getByTestId('withdraw-result')).toContainText('¥100.00');
    // Sent twice (the retry), done once: one charge, and ¥900 of the day's ¥1,000 left.
    expect(net.sent()).toBe(2);
    await expect(app.getByTestId('withdraw-result')).toContainText('¥900.00');
    expect(await rpc<unknown[]>(app, 'payments:list', { kind: 'withdrawal', from: since })).toHaveLength(1);
  });
});

test.describe('a reload never forgets a payment', () => {
  test('reloaded during USERPAYING: the wait is resumed, and the outcome shown when it arrives', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    await typeAmount(app, '77');
    await app.keyboard.press('F1');
    await scanDevice(app, await code(app, 'W04'));
    await expect(app.getByTestId('working-state')).toContainText('输入密码');
    const orderNo = await app.getByTestId('working-order').innerText();
    await app.reload();
    await backAfterReload(app);
    await expect(app.getByTestId('working-order')).toHaveText(orderNo);
    await expect(app.getByTestId('working-state')).toContainText('输入密码');
    await rpc(app, 'demo:userPaying', { orderNo, confirm: true });
    await expect(app.getByTestId('result')).toContainText('收款成功', { timeout: 30_000 });
    await expect(app.getByTestId('amount-due')).toHaveText('¥77.00');
    await app.keyboard.press('Enter');
  });

  test('reloaded while the merchant QR is shown: the QR is back, and paid from the phone', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    await typeAmount(app, '30');
    await app.keyboard.press('F3');
    await expect(app.getByRole('img', { name: '本单收款二维码' })).toBeVisible();
    const orderNo = await app.getByTestId('working-order').innerText();
    await app.reload();
    await backAfterReload(app);
    await expect(app.getByTestId('working-order')).toHaveText(orderNo);
    await expect(app.getByRole('img', { name: '本单收款二维码' })).toBeVisible();
    await rpc(app, 'demo:payQr', { orderNo, walletId: 'W02' });
    await expect(app.getByTestId('result')).toContainText('收款成功', { timeout: 30_000 });
    await app.keyboard.press('Enter');
  });
});

test.describe('one action per press at the checkout and in history', () => {
  test.afterEach(async ({ app }) => {
    await app.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => undefined);
  });

  test('cash: a double Enter takes one sale; a retry after the answer was lost takes none more', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    const since = Date.now() - 1000;
    await typeAmount(app, '13');
    await app.keyboard.press('F5');
    await typeAmount(app, '20');
    await app.keyboard.press('Enter');
    await app.keyboard.press('Enter');
    // The second Enter either found the sale on its way (refused) or the result (a new sale):
    // one sale either way.
    await expect.poll(async () => (await rpc<unknown[]>(app, 'payments:list', { amountFen: 1300, from: since })).length).toBe(1);
    if (await app.getByTestId('result').isVisible()) await app.keyboard.press('Enter');
    await expect(app.getByTestId('amount-due')).toHaveText('¥0.00');
    await app.waitForTimeout(500);
    expect(await rpc<unknown[]>(app, 'payments:list', { amountFen: 1300, from: since })).toHaveLength(1);

    if (!socketCanDrop()) return;
    const net = await loseFirstAnswer(app, 'payments:cash');
    await backAfterReload(app);
    await typeAmount(app, '14');
    await app.keyboard.press('F5');
    await typeAmount(app, '20');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('checkout-notice')).toContainText('连接中断');
    await app.keyboard.press('Enter'); // the retry: same sale, same request id
    await expect(app.getByTestId('result')).toContainText('收款成功');
    expect(net.sent()).toBe(2);
    expect(await rpc<unknown[]>(app, 'payments:list', { amountFen: 1400, from: since })).toHaveLength(1);
    await app.keyboard.press('Enter');
  });

  test('charge: a retry after the answer was lost charges the code once', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    const since = Date.now() - 1000;
    if (!socketCanDrop()) return;
    const net = await loseFirstAnswer(app, 'payments:charge');
    await backAfterReload(app);
    await typeAmount(app, '15');
    await app.keyboard.press('F1');
    await app.getByTestId('manual-code').fill(await code(app, 'W01'));
    const typed = await app.getByTestId('manual-code').inputValue();
    await app.getByTestId('manual-code').press('Enter');
    await expect(app.getByTestId('checkout-notice')).toContainText('连接中断');
    await app.getByTestId('manual-code').fill(typed);
    await app.getByTestId('manual-code').press('Enter');
    await expect(app.getByTestId('result')).toContainText('收款成功', { timeout: 30_000 });
    expect(net.sent()).toBe(2);
    expect(await rpc<unknown[]>(app, 'payments:list', { amountFen: 1500, from: since })).toHaveLength(1);
    // A second scan while 收款成功 is shown: the result stays, and the screen says the scan was not charged.
    await scanDevice(app, await code(app, 'W01'));
    await expect(app.getByTestId('checkout-notice')).toContainText('没有收款');
    await expect(app.getByTestId('result')).toContainText('收款成功');
    expect(await rpc<unknown[]>(app, 'payments:list', { from: since })).toHaveLength(1);
    await app.keyboard.press('Enter');
  });

  test('refund: a double Enter refunds once, and a retry after the answer was lost refunds no more', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    const orderNo = await cashSale(app, '40');
    await app.goto(app.url().replace(/#.*$/, `#/history/${orderNo}`));
    await app.getByTestId('refund-amount').fill('3');
    await app.getByTestId('refund-reason').fill('少找零');
    await app.getByTestId('refund-reason').press('Enter');
    await app.keyboard.press('Enter');
    // The second Enter found the refund on its way (ignored) or the form emptied after it (a
    // reason is asked for): never a second refund.
    await expect.poll(async () => (await rpc<{ payment: { refundedFen: number } }>(app, 'payments:get', { orderNo })).payment.refundedFen).toBe(300);

    if (!socketCanDrop()) return;
    const net = await loseFirstAnswer(app, 'payments:refund');
    await backAfterReload(app);
    await app.goto(app.url().replace(/#.*$/, `#/history/${orderNo}`));
    await app.getByTestId('refund-amount').fill('4');
    await app.getByTestId('refund-reason').fill('退货');
    await app.getByTestId('refund-reason').press('Enter');
    await expect(app.getByTestId('detail-error')).toContainText('连接中断');
    await app.getByTestId('refund-submit').click(); // the retry
    await expect(app.getByTestId('detail-info')).toContainText('¥4.00');
    expect(net.sent()).toBe(2);
    expect((await rpc<{ payment: { refundedFen: number }; refunds: unknown[] }>(app, 'payments:get', { orderNo })).refunds).toHaveLength(2);
  });

  test('bill: a double Enter on 缴费 takes the cash once', async ({ app }) => {
    await openFloatAsAgent(app);
    const before = (await rpc<{ movements: Array<{ kind: string }> }>(app, 'agent:float', {})).movements.filter((m) => m.kind === 'bill').length;
    await app.keyboard.press('F2');
    await app.getByTestId('biller-water-county').click();
    await app.getByTestId('bill-account').fill('12345678');
    await app.getByTestId('bill-account').press('Enter');
    await expect(app.getByTestId('bill-amount')).toBeVisible();
    await app.getByTestId('bill-amount').press('Enter');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('bill-result')).toBeVisible();
    await expect.poll(async () => (await rpc<{ movements: Array<{ kind: string }> }>(app, 'agent:float', {})).movements.filter((m) => m.kind === 'bill').length).toBe(before + 1);
  });
});

test.describe('what changed, looked at at 1366×768 in normal and elder mode', () => {
  for (const elder of [false, true]) {
    const mode = elder ? 'elder' : 'normal';
    test(`a refused amount at the checkout and in the withdrawal form (${mode} mode)`, async ({ app }) => {
      test.setTimeout(180_000); // screenshots and axe on a busy machine
      await login(app, 'cashier1', '1111');
      await setElder(app, elder);
      await typeAmount(app, '12.3.4');
      await expect(app.getByTestId('amount-refusal')).toBeVisible();
      await expectAccessible(app, `checkout refusal ${mode}`);
      await shot(app, `checkout-refused-${mode}`);
      await app.keyboard.press('Escape');
      await setElder(app, false);
      await login(app, 'agent1', '3333');
      await setElder(app, elder);
      await app.getByTestId('withdraw-amount').fill('1,000');
      await expect(app.getByTestId('withdraw-amount-msg')).toContainText('分隔符');
      await expectAccessible(app, `withdraw refusal ${mode}`);
      await shot(app, `agent-withdraw-refused-${mode}`);
      await setElder(app, false);
    });
  }
});
