/**
 * The service point (助农服务点) against the real back end in demo mode: the cash float,
 * assisted withdrawal up to the daily limit (counted in the core), bill payment online and
 * offline, a queued bill the biller refuses and its cash given back, balance enquiry and
 * remittance — in normal and elder mode, with axe on each screen.
 * The specs run in order on one terminal: the float is opened first.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './target';
import { expectAccessible, login, rpc, scanDevice, setElder, shot } from './ui';

// The terminal has one session: leave it logged out for the specs that follow.
test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});


test.describe.configure({ mode: 'serial' });

/**
 * The withdrawal as the history and the Z report show it: a withdrawal, not a sale — the cash
 * handed out, the signature-line receipt, no refund — and counted apart from the takings.
 */
async function withdrawalInHistory(app: Page, orderNo: string): Promise<void> {
  await app.keyboard.press('Alt+2');
  await app.getByTestId('history-kind').selectOption('withdrawal');
  await expect(app.getByTestId(`kind-${orderNo}`)).toHaveText('助农取款');
  await app.getByTestId('history-kind').selectOption('sale');
  await expect(app.getByTestId(`history-row-${orderNo}`)).toHaveCount(0);
  await app.getByTestId('history-kind').selectOption('');
  await app.getByTestId(`open-${orderNo}`).click();
  await expect(app.getByTestId('detail-kind')).toHaveText('助农取款');
  await expect(app.getByTestId('detail-cash-out')).toHaveText('¥800.00');
  await expect(app.getByTestId('detail-signature')).toContainText('签字');
  await expect(app.getByTestId('not-refundable')).toContainText('不能按销售退款');
  await expect(app.getByTestId('refund-submit')).toHaveCount(0);
  await expectAccessible(app, 'withdrawal detail');
  await shot(app, 'history-withdrawal-detail');
  await app.keyboard.press('Alt+4');
  await expect(app.getByTestId('report-cash-out')).toContainText('¥800.00');
  await expect(app.getByTestId('report-by-kind')).toContainText('助农取款（钱箱付出现金）');
  await app.keyboard.press('Alt+5');
}

/**
 * The simulated printer's paper is drawn on the devices screen: opened once in a session, it
 * shows what prints next. Back to the service point after.
 */
async function watchPrinter(app: Page): Promise<void> {
  await app.evaluate(() => (location.hash = '#/devices'));
  await expect(app.getByTestId('state-printer:sim')).toBeVisible();
  await app.keyboard.press('Alt+5');
  await expect(app.getByTestId('agent-tab-withdraw')).toBeVisible();
}

/** With the link down, a bill typed in on the bill tab, ready to be taken in cash (queued). */
async function billOffline(app: Page, billerId: string, account: string, amount: string): Promise<void> {
  await rpc(app, 'demo:network', { preset: 'offline' });
  await expect(app.getByTestId('connectivity')).toContainText('离线', { timeout: 50_000 });
  await app.keyboard.press('F2');
  await app.getByTestId(`biller-${billerId}`).click();
  await app.getByTestId('bill-account').fill(account);
  await app.getByTestId('bill-amount').fill(amount);
}

test.describe('service point', () => {
  test.afterEach(async ({ app }) => {
    await rpc(app, 'demo:network', { preset: 'online' }).catch(() => undefined);
    await rpc(app, 'demo:billerRefuse', { refuse: false }).catch(() => undefined);
  });

  test('the agent opens the float, moves cash in and out with a reason', async ({ app }) => {
    await login(app, 'agent1', '3333');
    await expect(app.getByTestId('agent-tab-withdraw')).toBeVisible();
    await app.keyboard.press('F5');
    await expect(app.getByTestId('float-open-count')).toBeVisible();
    await app.getByTestId('float-open-count').fill('2000');
    await app.getByTestId('float-open').click();
    await expect(app.getByTestId('float-expected')).toHaveText('¥2,000.00');
    await app.getByTestId('float-move-amount').fill('100');
    await app.getByTestId('float-out').click();
    await expect(app.getByTestId('float-error')).toContainText('原因');
    await app.getByTestId('float-reason').fill('交回银行');
    await app.getByTestId('float-out').click();
    await expect(app.getByTestId('float-expected')).toHaveText('¥1,900.00');
    await expectAccessible(app, 'float');
    await shot(app, 'agent-float');
  });

  for (const elder of [false, true]) {
    const mode = elder ? 'elder' : 'normal';
    test(`a withdrawal is paid out, and the daily limit stops the next one (${mode} mode)`, async ({ app }) => {
      await login(app, 'agent1', '3333');
      await setElder(app, elder);
      const phone = elder ? '13900002222' : '13800001111';
      await app.getByTestId('withdraw-phone').fill(phone);
      await app.getByTestId('withdraw-amount').fill('800');
      await expectAccessible(app, `withdraw form ${mode}`);
      await shot(app, `agent-withdraw-${mode}`);
      await app.getByTestId('withdraw-next').click();
      await expect(app.getByTestId('withdraw-prompt')).toContainText('¥800.00');
      const { code } = await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId: elder ? 'W04' : 'W03' });
      await scanDevice(app, code);
      if (elder) {
        // W04 needs the customer's password: confirm it as the customer's phone would.
        await expect(app.getByTestId('withdraw-result')).toContainText('正在收款');
        const list = await rpc<Array<{ orderNo: string; state: string }>>(app, 'payments:list', { amountFen: 80000 });
        const open = list.find((p) => p.state === 'userpaying');
        await rpc(app, 'demo:userPaying', { orderNo: open!.orderNo, confirm: true });
      }
      await expect(app.getByTestId('withdraw-result')).toContainText('请付给客户现金 ¥800.00', { timeout: 30_000 });
      await expect(app.getByTestId('withdraw-receipt')).toContainText('客户签字');
      await expect(app.getByTestId('withdraw-result')).toContainText('还可取 ¥200.00');
      await expectAccessible(app, `withdraw paid ${mode}`);
      await shot(app, `agent-withdraw-paid-${mode}`);
      const orderNo = /T[0-9A-Z]{8,}/.exec(await app.getByTestId('withdraw-result').innerText())?.[0];
      expect(orderNo).toBeTruthy();
      await app.getByTestId('withdraw-done').click();
      if (!elder) await withdrawalInHistory(app, orderNo!);
      // Same customer, ¥300 more: over ¥1,000 today, refused before any charge.
      await app.getByTestId('withdraw-phone').fill(phone);
      await app.getByTestId('withdraw-amount').fill('300');
      await app.getByTestId('withdraw-next').click();
      await scanDevice(app, (await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId: 'W02' })).code);
      await expect(app.getByTestId('withdraw-error')).toContainText('超过每人每日 1000 元的取款限额');
      await expect(app.getByTestId('withdraw-error')).toContainText('还可取 200 元');
      await expectAccessible(app, `withdraw limit ${mode}`);
      if (!elder) await shot(app, 'agent-withdraw-limit');
    });
  }

  test('a withdrawal that is not a multiple of ¥10 is refused in plain words', async ({ app }) => {
    await login(app, 'agent1', '3333');
    await app.getByTestId('withdraw-phone').fill('13700003333');
    await app.getByTestId('withdraw-amount').fill('55');
    await app.getByTestId('withdraw-next').click();
    await app.getByTestId('withdraw-code').fill('134567890123456789');
    await app.getByTestId('withdraw-submit').click();
    await expect(app.getByTestId('withdraw-error')).toContainText('10 元的整数倍');
  });

  test('a bill is looked up and paid online; its receipt prints on the receipt printer', async ({ app }) => {
    await login(app, 'agent1', '3333');
    await watchPrinter(app);
    await app.keyboard.press('F2');
    await app.getByTestId('biller-water-county').click();
    await app.getByTestId('bill-account').fill('12345678');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('bill-looked')).toContainText('应缴');
    await expectAccessible(app, 'bill looked up');
    await shot(app, 'agent-bill');
    type Stats = { printed: number; reprinted: number };
    const before = await rpc<Stats>(app, 'receipts:stats', {});
    await app.getByTestId('bill-pay').click();
    await expect(app.getByTestId('bill-result')).toContainText('缴费成功');
    // The receipt prints on the receipt printer by itself, once; the agent may ask for a copy.
    await expect(app.getByTestId('bill-receipt-info')).toContainText('小票已在小票机上打印');
    await expect.poll(async () => (await rpc<Stats>(app, 'receipts:stats', {})).printed).toBe(before.printed + 1);
    await app.getByTestId('bill-reprint').click();
    await expect(app.getByTestId('bill-receipt-info')).toContainText('已重打小票');
    expect(await rpc<Stats>(app, 'receipts:stats', {})).toMatchObject({ printed: before.printed + 1, reprinted: before.reprinted + 1 });
    // The simulated printer shows the paper: biller, masked account, amount, training mark, the copy marked.
    await app.evaluate(() => (location.hash = '#/devices'));
    const paper = app.getByTestId('sim-receipt');
    await expect(paper).toContainText('重打 REPRINT');
    await expect(paper).toContainText('缴费回单');
    await expect(paper).toContainText('县自来水公司');
    await expect(paper).toContainText('**** 5678');
    await expect(paper).toContainText('培训 TRAINING');
    await expect(paper).not.toContainText('12345678');
    await shot(app, 'agent-bill-receipt-printed');
    // The bill is in the history as a bill payment, with its biller, and not refundable as a sale.
    await app.keyboard.press('Alt+2');
    await app.getByTestId('history-kind').selectOption('bill');
    const row = app.getByTestId('history-table').locator('tbody tr').first();
    await expect(row).toContainText('代缴费');
    await expect(row).toContainText('¥');
    await row.getByRole('button').click();
    await expect(app.getByTestId('detail-biller')).toHaveText('县自来水公司');
    await expect(app.getByTestId('not-refundable')).toContainText('缴费单位');
    await expect(app.getByTestId('reprint')).toHaveCount(0);
  });

  test('offline, a bill is queued with a provisional receipt; balance and remittance say they need the network', async ({ app }) => {
    await login(app, 'agent1', '3333');
    await watchPrinter(app);
    await setElder(app, true);
    await billOffline(app, 'power-grid', '3300112233', '86.5');
    await expectAccessible(app, 'bill offline elder');
    await app.getByTestId('bill-pay').click();
    await expect(app.getByTestId('bill-result')).toContainText('待上传');
    await expect(app.getByTestId('bill-provisional')).toContainText('临时收据');
    await shot(app, 'agent-bill-offline-elder');
    // The provisional receipt printed by itself, and says so in large type on the paper.
    await app.evaluate(() => (location.hash = '#/devices'));
    const paper = app.getByTestId('sim-receipt');
    await expect(paper).toContainText('待缴费机构确认');
    await expect(paper).toContainText('pending biller confirmation');
    await expect(paper).toContainText('**** 2233');
    await expect(paper).not.toContainText('重打');
    await paper.scrollIntoViewIfNeeded();
    await shot(app, 'agent-bill-provisional-printed');
    await app.keyboard.press('Alt+5');
    await app.keyboard.press('F3');
    await expect(app.getByTestId('balance-offline')).toContainText('需要联网');
    await app.keyboard.press('F4');
    await expect(app.getByTestId('remit-offline')).toContainText('需要联网');
    await expectAccessible(app, 'remit offline elder');
  });

  test('a queued bill the biller refuses: listed with what to do, its cash given back once with a receipt; float and Z report agree', async ({ app }) => {
    await login(app, 'agent1', '3333');
    type Bill = { orderNo: string; state: string };
    // The bill queued by the previous spec has gone to the biller (and been paid) before the biller starts refusing.
    await expect.poll(async () => (await rpc<Bill[]>(app, 'payments:list', { kind: 'bill' })).filter((b) => b.state === 'accepted_offline').length, { timeout: 50_000 }).toBe(0);
    await billOffline(app, 'water-county', '87654321', '42');
    await app.getByTestId('bill-pay').click();
    await expect(app.getByTestId('bill-result')).toContainText('待上传');
    await app.getByTestId('bill-done').click();
    const id = (await rpc<Bill[]>(app, 'payments:list', { kind: 'bill', amountFen: 4_200 }))[0]!.orderNo;
    const floatFen = async () => (await rpc<{ expectedFen: number }>(app, 'agent:float', {})).expectedFen;
    const withBill = await floatFen();

    // The trainer's fault (training console: 缴费单位拒绝缴费): the link returns and the biller refuses the bill.
    await rpc(app, 'demo:billerRefuse', { refuse: true });
    await app.keyboard.press('F1');
    await rpc(app, 'demo:network', { preset: 'online' });
    await expect(app.getByTestId('bills-to-return-notice')).toContainText('被缴费单位拒绝', { timeout: 50_000 });
    await app.getByTestId('bills-to-return-open').click();
    const item = app.getByTestId(`bill-refused-${id}`);
    await expect(item).toContainText('¥42.00');
    await expect(item).toContainText('缴费单位的答复');
    await expect(item).toContainText('还在钱箱里');
    await expectAccessible(app, 'bill refused');
    await shot(app, 'agent-bill-refused');
    expect(await floatFen()).toBe(withBill); // nothing moves until the cash is handed back

    // An elderly customer waits for their cash: the receipt in large type.
    await setElder(app, true);
    await app.getByTestId(`bill-return-${id}`).click();
    await expect(app.getByTestId('bill-return-result')).toContainText('已退还客户现金 ¥42.00');
    await expect(app.getByTestId('bill-return-receipt')).toContainText('客户签字');
    await expect(app.getByTestId('bill-return-receipt')).toContainText(id);
    await expectAccessible(app, 'bill cash returned elder');
    await shot(app, 'agent-bill-returned-elder');
    await setElder(app, false);
    // Once only: asked again (a retry after a lost answer), the same return and no second movement.
    const again = await rpc<{ state: string; returnedAt: number }>(app, 'agent:billReturn', { id, requestId: `e2e-return-again-${id}` });
    expect(again.state).toBe('returned');
    expect(await floatFen()).toBe(withBill - 4_200);
    const moves = (await rpc<{ movements: Array<{ kind: string; amountFen: number; reason: string }> }>(app, 'agent:float', {})).movements;
    expect(moves.filter((m) => m.kind === 'bill_return' && m.reason.includes(id))).toEqual([expect.objectContaining({ amountFen: -4_200 })]);
    await app.getByTestId('bill-return-done').click();
    await expect(app.getByTestId('bills-to-return')).toHaveCount(0);

    await app.keyboard.press('F5');
    await expect(app.getByTestId('float-figures')).toBeVisible();
    await expect(app.locator('table')).toContainText('退还缴费现金');
    await app.keyboard.press('Alt+4');
    await expect(app.getByTestId('report-bill-refusals')).toContainText('已退还 1 笔 ¥42.00');
    await expect(app.getByTestId('report-bill-refusals')).toContainText('待退还 0 笔');
    await app.keyboard.press('Alt+5');
  });

  test('balance enquiry online, then the float is closed with its variance', async ({ app }) => {
    await login(app, 'agent1', '3333');
    await app.keyboard.press('F3');
    await app.getByTestId('balance-code').fill((await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId: 'W01' })).code);
    await app.getByTestId('balance-submit').click();
    await expect(app.getByTestId('balance-result')).toContainText('余额');
    await app.keyboard.press('F5');
    const expected = await app.getByTestId('float-expected').innerText();
    await app.getByTestId('float-close-count').fill('100');
    await app.getByTestId('float-close').click();
    await expect(app.getByTestId('float-closed')).toBeVisible();
    await expect(app.getByTestId('float-variance')).toContainText('-');
    expect(expected).not.toBe('');
    await app.keyboard.press('Alt+4');
    await expect(app.getByTestId('report-float')).toContainText('结班差额');
  });
});
