/**
 * Store-and-forward through the real back end in demo mode, over the shell's own RPC channel
 * (the checkout screen's offline flow is covered in checkout.spec.ts): refusals with their
 * reasons, the live budget, the outbox through an outage, and reconciliation with CSV export.
 */
import { expect, test } from './target';
import { login, rpc } from './ui';

interface Payment { orderNo: string; state: string; message: { zh: string; en: string } }
interface Outbox { items: Array<{ orderNo: string; status: string }>; counts: Record<string, number> }

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
});
