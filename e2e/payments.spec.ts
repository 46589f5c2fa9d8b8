/**
 * The payment engine end to end, through the real shell and the embedded simulator over HTTP.
 * The checkout screens are being built separately, so this spec drives the contract from the
 * page itself: a second WebSocket to the shell's /rpc (same origin and cookie as the app), the
 * same messages the renderer sends. Covers a plain success, USERPAYING completed by the
 * customer, and an unknown outcome that ends cancelled with the wallet not charged.
 */
import type { Page } from '@playwright/test';
import type { Payment } from '../core/api/payments';
import { expect, test } from './target';

/** A reply as the shell sends it; `value` is whatever the called method returns. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies of several methods, checked by each test
type Rpc = { ok: boolean; value?: any; error?: { code: string; zh: string; en: string } };

/** One contract call from the page context, over its own WebSocket. */
async function rpc(page: Page, method: string, input: unknown): Promise<Rpc> {
  return page.evaluate(
    ([m, i]) =>
      new Promise<Rpc>((resolve, reject) => {
        // The shell's token and this tab's page key, presented as the page does (core/api/browser-token.ts).
        const page = sessionStorage.getItem('vc_page');
        const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`, ['vc-rpc', `vc-token.${new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('vc_token')}`, ...(page ? [`vc-page.${page}`] : [])]);
        const id = Math.floor(Math.random() * 1e9);
        ws.onopen = () => ws.send(JSON.stringify({ id, method: m, input: i }));
        ws.onmessage = (e) => {
          const msg = JSON.parse(String(e.data));
          if (msg.id === id) {
            ws.close();
            resolve(msg);
          }
        };
        ws.onerror = () => reject(new Error('websocket error'));
      }),
    [method, input] as const,
  );
}

async function waitState(page: Page, orderNo: string, states: string[], timeout = 30_000): Promise<Payment> {
  let last: Payment | null = null;
  await expect
    .poll(async () => {
      last = ((await rpc(page, 'payments:get', { orderNo })).value?.payment ?? null) as Payment | null;
      return last?.state;
    }, { timeout, intervals: [100, 200, 300] })
    .toMatch(new RegExp(`^(${states.join('|')})$`));
  return last!;
}

async function balance(page: Page, walletId: string): Promise<number> {
  const wallets = (await rpc(page, 'demo:wallets', {})).value as Array<{ id: string; balanceFen: number }>;
  return wallets.find((w) => w.id === walletId)!.balanceFen;
}

test.describe('payments through the engine (demo mode)', () => {
  test.beforeEach(async ({ app }) => {
    await expect(app.locator('body')).toBeVisible();
    const login = await rpc(app, 'session:login', { operatorId: 'cashier1', pin: '1111' });
    expect(login.ok, JSON.stringify(login.error)).toBe(true);
    await rpc(app, 'demo:fault', { fault: 'clear' });
  });

  test('a plain wallet pays and is charged once', async ({ app }) => {
    const before = await balance(app, 'W01');
    const code = await rpc(app, 'demo:paymentCode', { walletId: 'W01' });
    expect(code.ok, JSON.stringify(code.error)).toBe(true);
    expect(code.value.code).toMatch(/^1[0-5]\d{16}$/);
    const charged = await rpc(app, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 1250, code: code.value.code });
    expect(charged.ok, JSON.stringify(charged.error)).toBe(true);
    expect(charged.value.maskedCode).not.toContain(code.value.code);
    const p = await waitState(app, charged.value.orderNo, ['succeeded', 'failed', 'cancelled']);
    expect(p.state, JSON.stringify(p)).toBe('succeeded');
    expect(p.message.zh).toContain('收款成功');
    expect(await balance(app, 'W01')).toBe(before - 1250);
  });

  test('USERPAYING: the customer enters the password and the payment succeeds', async ({ app }) => {
    const before = await balance(app, 'W04');
    const code = await rpc(app, 'demo:paymentCode', { walletId: 'W04' });
    const charged = await rpc(app, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 3300, code: code.value.code });
    const orderNo = charged.value.orderNo;
    const waiting = await waitState(app, orderNo, ['userpaying']);
    expect(waiting.message.en).toContain('password');
    const confirm = await rpc(app, 'demo:userPaying', { orderNo, confirm: true });
    expect(confirm.ok, JSON.stringify(confirm.error)).toBe(true);
    expect((await waitState(app, orderNo, ['succeeded', 'failed', 'cancelled'])).state).toBe('succeeded');
    expect(await balance(app, 'W04')).toBe(before - 3300);
  });

  test('an unknown outcome is cancelled and the wallet is not charged', async ({ app }) => {
    const before = await balance(app, 'W02');
    // The charge commits at the acquirer but its answer is lost, and every query fails.
    await rpc(app, 'demo:fault', { fault: 'drop_response_after_commit', op: 'pay' });
    await rpc(app, 'demo:fault', { fault: 'http_500', op: 'query', times: -1, append: true });
    const code = await rpc(app, 'demo:paymentCode', { walletId: 'W02' });
    const charged = await rpc(app, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 880, code: code.value.code });
    const orderNo = charged.value.orderNo;
    // A second charge meanwhile is refused: one charge at a time.
    const other = await rpc(app, 'demo:paymentCode', { walletId: 'W03' });
    const second = await rpc(app, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, code: other.value.code });
    expect(second.ok).toBe(false);
    expect(second.error?.code).toBe('payment.busy');
    const p = await waitState(app, orderNo, ['succeeded', 'failed', 'cancelled']);
    expect(p.state).toBe('cancelled');
    expect(p.message.zh).toContain('未被扣款');
    await rpc(app, 'demo:fault', { fault: 'clear' });
    expect(await balance(app, 'W02')).toBe(before);
  });
});
