/**
 * Store-and-forward through the real back end in demo mode, over the shell's own RPC channel
 * (the checkout screen's offline flow is covered in checkout.spec.ts): refusals with their
 * reasons, the live budget, the outbox through an outage, and reconciliation with CSV export;
 * and on the forwarding screen, a supervisor's review of an item the AML rules flagged.
 */
import { expect, test } from './target';
import { expectAccessible, login, rpc, setElder, shot } from './ui';

interface Payment { orderNo: string; state: string; message: { zh: string; en: string } }
interface Outbox { items: Array<{ orderNo: string; status: string; reason: string | null }>; counts: Record<string, number> }

async function rpcError(page: Parameters<typeof rpc>[0], method: string, input: unknown): Promise<string> {
  try {
    await rpc(page, method, input);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

test.describe('offline acceptance over the contract', () => {
  test('bad offline codes are refused with their reason; a good one is pending until forwarded, then reconciles', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    await rpc(app, 'demo:network', { preset: 'offline' });
    for (const [variant, reason] of [['tampered', 'offline.code.bad_'], ['future', 'offline.code.code_from_future'], ['stale', 'offline.code.code_expired']] as const) {
      const bad = await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 3, variant });
      expect(await rpcError(app, 'offline:accept', { amountFen: 500, code: bad.code })).toContain(reason);
    }
    const good = await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 3 });
    const p = await rpc<Payment>(app, 'offline:accept', { amountFen: 500, code: good.code, contact: '13700001111' });
    expect(p.state).toBe('accepted_offline');
    expect(p.message.zh).toContain('离线受理，待上传');
    const replay = await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 3, variant: 'replayed' });
    expect(await rpcError(app, 'offline:accept', { amountFen: 500, code: replay.code })).toContain('offline.code.replayed');
    expect(await rpcError(app, 'offline:accept', { amountFen: 999_999, code: (await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 3 })).code })).toContain('offline.risk.per_payment_cap');
    const budget = await rpc<{ exposureFen: number; pendingCount: number }>(app, 'offline:budget', {});
    expect(budget.exposureFen).toBeGreaterThanOrEqual(500);
    let outbox = await rpc<Outbox>(app, 'outbox:list', {});
    expect(outbox.items.find((i) => i.orderNo === p.orderNo)?.status).toMatch(/pending|sending/);

    await rpc(app, 'demo:network', { preset: 'online' });
    await rpc(app, 'outbox:sendNow', {});
    await expect.poll(async () => {
      outbox = await rpc<Outbox>(app, 'outbox:list', {});
      return outbox.items.find((i) => i.orderNo === p.orderNo)?.status;
    }, { timeout: 30_000 }).toBe('accepted');

    await rpc(app, 'session:logout', {});
    await login(app, 'super1', '2222');
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const report = await rpc<{ lines: Array<{ orderNo: string; outcome: string }> }>(app, 'reconcile:run', { date: day });
    expect(report.lines.find((l) => l.orderNo === p.orderNo)?.outcome).toBe('matched');
    const { csv } = await rpc<{ csv: string }>(app, 'reconcile:export', { date: day });
    expect(csv).toContain(p.orderNo);
    await rpc(app, 'session:logout', {});
  });

  test('a confirmed offline payment is refunded from history; one not yet forwarded is refused, saying what to do, on the detail screen too', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    // Not yet forwarded: refused plainly, nothing written.
    await rpc(app, 'demo:network', { preset: 'offline' });
    const early = await rpc<Payment>(app, 'offline:accept', { amountFen: 8_00, code: (await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 4 })).code });
    expect(await rpcError(app, 'payments:refund', { requestId: crypto.randomUUID().replace(/-/g, ''), orderNo: early.orderNo, amountFen: 8_00, reason: '退货' })).toMatch(/refund\.offline_pending .*Send now/);
    expect((await rpc<{ refunds: unknown[] }>(app, 'payments:get', { orderNo: early.orderNo })).refunds).toEqual([]);
    // The detail screen says why before the cashier presses Refund: the engine's words, no refund form.
    await app.keyboard.press('Alt+2');
    await app.getByTestId(`open-${early.orderNo}`).click();
    await expect(app.getByTestId('not-refundable')).toContainText('还没有上传到收单机构');
    await expect(app.getByTestId('refund-submit')).toHaveCount(0);

    // Accepted offline, forwarded, confirmed: then refunded from history like any sale.
    const p = await rpc<Payment>(app, 'offline:accept', { amountFen: 12_00, code: (await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 4 })).code });
    await rpc(app, 'demo:network', { preset: 'online' });
    await rpc(app, 'outbox:sendNow', {});
    await expect.poll(async () => (await rpc<{ payment: Payment }>(app, 'payments:get', { orderNo: p.orderNo })).payment.state, { timeout: 30_000 }).toBe('succeeded');
    await app.keyboard.press('Alt+2');
    await app.getByTestId(`open-${p.orderNo}`).click();
    await app.getByTestId('refund-amount').fill('5');
    await app.getByTestId('refund-reason').fill('顾客退货');
    await app.getByTestId('refund-submit').click();
    await expect(app.getByTestId('detail-info')).toContainText('¥5.00');
    await expect(app.locator('table')).toContainText('已退款');
    const got = await rpc<{ payment: { refundedFen: number }; refunds: Array<{ refundNo: string; state: string }> }>(app, 'payments:get', { orderNo: p.orderNo });
    expect(got.payment.refundedFen).toBe(5_00);
    expect(got.refunds).toEqual([expect.objectContaining({ refundNo: `${p.orderNo}R01`, state: 'succeeded' })]);
    // The rest can follow; never more than was paid.
    expect(await rpcError(app, 'payments:refund', { requestId: crypto.randomUUID().replace(/-/g, ''), orderNo: p.orderNo, amountFen: 7_01, reason: '退货' })).toContain('refund.exceeds');
    await rpc(app, 'session:logout', {});
  });
});

test.describe('review of flagged offline items on the forwarding screen', () => {
  test.afterEach(async ({ app }) => {
    await setElder(app, false).catch(() => undefined);
    await rpc(app, 'session:logout', {}).catch(() => undefined);
  });

  test('a cashier’s supervisor holds a flagged cash-out with a reason, it stays pending, then a supervisor releases it', async ({ app }) => {
    await login(app, 'cashier1', '1111');
    await rpc(app, 'demo:network', { preset: 'online' });
    // Three cash-outs of one wallet in a day: the third is flagged for review (repeated cash-outs).
    let flagged = '';
    for (let i = 0; i < 3; i++) {
      const { code } = await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 8 });
      flagged = (await rpc<Payment>(app, 'offline:accept', { amountFen: 1_000 + i, code, purpose: 'cash_out' })).orderNo;
    }
    await rpc(app, 'outbox:sendNow', {});
    await expect.poll(async () => (await rpc<Outbox>(app, 'outbox:list', {})).items.find((i) => i.orderNo === flagged)?.status, { timeout: 30_000 }).toBe('needs_review');

    await app.keyboard.press('Alt+3');
    const open = app.getByTestId(`open-${flagged}`);
    await expect(open).toHaveText('复核');
    await expect(app.getByTestId(`reason-${flagged}`)).toContainText('请主管复核');
    await open.click();
    await expect(app.getByTestId('outbox-detail')).toContainText('主管复核');
    await expect(app.getByTestId('detail-flags')).toHaveText('多次取现');
    await expect(app.getByTestId('detail-amount')).toHaveText('¥10.02');
    await expect(app.getByTestId('review-state')).toHaveText('待复核');
    // The cashier is not a reviewer: the supervisor's fields are on the same screen.
    await expect(app.getByTestId('approval')).toBeVisible();
    await app.getByTestId('review-hold').click();
    await expect(app.getByTestId('review-error')).toContainText('暂扣须写明原因');
    await app.getByTestId('review-reason').fill('客户身份待核实');
    await app.getByTestId('approver-select').selectOption('super1');
    await app.getByTestId('approver-pin').fill('9999');
    await app.getByTestId('review-hold').click();
    await expect(app.getByTestId('review-error')).toContainText('复核人');
    await expect(app.getByTestId('review-state')).toHaveText('待复核');
    await app.getByTestId('approver-pin').fill('2222');
    await app.getByTestId('review-hold').click();
    await expect(app.getByTestId('review-info')).toContainText('已暂扣');
    await expect(app.getByTestId('review-state')).toContainText('已暂扣');
    await expect(app.getByTestId('review-state')).toContainText('客户身份待核实');
    await expect(app.getByTestId(`outbox-${flagged}`)).toContainText('已暂扣');
    await expectAccessible(app, 'forwarding review held');
    await shot(app, 'forwarding-review');
    // Held, it stays in the Z report's offline amounts not yet confirmed.
    await app.keyboard.press('Alt+4');
    await expect(app.getByTestId('report-offline-review')).toContainText('已暂扣 1 笔');

    // A supervisor who did not take the payment releases it alone; release is final.
    await login(app, 'super1', '2222');
    await setElder(app, true);
    await app.keyboard.press('Alt+3');
    await app.getByTestId(`open-${flagged}`).click();
    await expect(app.getByTestId('approval')).toHaveCount(0);
    await app.getByTestId('review-reason').fill('已电话核实');
    await app.getByTestId('review-release').click();
    await expect(app.getByTestId('review-info')).toContainText('已放行');
    await expect(app.getByTestId('review-state')).toContainText('已放行');
    await expect(app.getByTestId('review-release')).toHaveCount(0);
    await expectAccessible(app, 'forwarding review released elder');
    await shot(app, 'forwarding-review-elder');
    const p = await rpc<{ payment: Payment & { kind: string } }>(app, 'payments:get', { orderNo: flagged });
    expect(p.payment).toMatchObject({ state: 'succeeded', kind: 'withdrawal' });
  });
});
