/**
 * A live counter set up for Alipay through the contract, as an installer does on the screen:
 * test, save under dual control, take a payment at once, refund it, reconcile the day against
 * Alipay's bill, and pay again after a restart (the saved wallets are the acquirer from the start). Against the fake Alipay gateway over local HTTPS.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlipayKit, ALIPAY_APP_ID, type AlipayKit } from '../acquirer/alipay/test-kit';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';

let ali: AlipayKit;
const dirs: string[] = [];
beforeAll(async () => {
  ali = await openAlipayKit({
    requestTimeoutMs: 2_000, userpayingPollMs: 50, userpayingMaxWaitMs: 2_000, unknownFirstQueryMs: 50, unknownQueryEveryMs: 50, unknownQueries: 3,
    cancelNotBeforeMs: 0, cancelAttempts: 3, cancelEveryMs: 50, refundAttempts: 3, refundEveryMs: 50, qrExpiryMs: 60_000, qrPollMs: 100, sweepEveryMs: 60_000,
  });
});
afterAll(async () => {
  await ali.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, secrets: MemorySecretStore): Promise<Backend> {
  const b = await createBackend({ dataDir, mode: 'live', shell: 'browser' }, { secrets, acquirerCa: ali.fake.ca });
  if ((await b.operators.list()).length === 0) {
    await b.operators.create({ id: 'admin1', name: '赵敏', role: 'admin' }, '5555');
    await b.operators.create({ id: 'super1', name: '李强', role: 'supervisor' }, '2222');
  }
  return b;
}
const call = async <T = unknown>(b: Backend, method: string, input: unknown) => (await b.dispatcher.dispatch(method, input)) as { ok: boolean; value?: T; error?: { code: string; zh: string; en: string } };
const as = async (b: Backend, id: string, pin: string) => expect((await call(b, 'session:login', { operatorId: id, pin })).ok).toBe(true);

async function settledState(b: Backend, orderNo: string): Promise<{ state: string; error?: { code: string; zh: string } }> {
  const until = Date.now() + 15_000;
  for (;;) {
    const p = (await call<{ payment: { state: string; error?: { code: string; zh: string } } }>(b, 'payments:get', { orderNo })).value!.payment;
    if (!['created', 'paying', 'userpaying', 'unknown', 'cancelling'].includes(p.state) || Date.now() > until) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const charge = async (b: Backend, code: string, amountFen: number) =>
  (await call<{ orderNo: string }>(b, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen, code })).value!.orderNo;

describe('a live counter configured for Alipay', () => {
  it('tests, saves under dual control, takes a payment at once, refunds it, reconciles the day, and pays after a restart; a WeChat code is refused plainly', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-wallet-live-'));
    dirs.push(dataDir);
    const secrets = new MemorySecretStore();
    const draft = { wallets: [{ kind: 'alipay', appId: ALIPAY_APP_ID, gateway: ali.fake.url, keyMode: 'public_key', appPrivateKey: ali.app.privatePem, alipayPublicKey: ali.platform.publicPem }], qrWallet: 'alipay' };
    let b = await start(dataDir, secrets);
    try {
      await as(b, 'admin1', '5555');
      const t = await call<{ results: Array<{ outcome: string }> }>(b, 'acquirer:walletsTest', draft);
      expect(t.value!.results).toMatchObject([{ kind: 'alipay', outcome: 'ok' }]);
      // The proposer cannot approve their own save.
      expect((await call(b, 'acquirer:walletsSave', { ...draft, approverId: 'admin1', approverPin: '5555' })).error?.code).toBe('auth.approver_invalid');
      const saved = await call<{ applied: string; view: { running: boolean; saved: { wallets: Array<{ fingerprints: Record<string, string> }> } } }>(b, 'acquirer:walletsSave', { ...draft, approverId: 'super1', approverPin: '2222' });
      expect(saved.value).toMatchObject({ applied: 'now', view: { running: true } });
      expect(JSON.stringify(saved.value)).not.toContain('PRIVATE KEY');
      const paid = await charge(b, '287654321098765432', 1234);
      expect(await settledState(b, paid)).toMatchObject({ state: 'succeeded' });
      expect(ali.fake.orders.get(paid)?.amountFen).toBe(1234);
      // Refunded, then the day reconciled against Alipay's bill (zip of GBK CSV).
      const refund = await call<{ state: string }>(b, 'payments:refund', { orderNo: paid, amountFen: 234, reason: '退货', requestId: crypto.randomUUID().replace(/-/g, '') });
      expect(refund.value?.state ?? refund.error?.code).toBe('succeeded');
      expect(ali.fake.refunds.filter((r) => r.orderNo === paid).map((r) => r.amountFen)).toEqual([234]);
      const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const rec = await call<{ counts: Record<string, number>; localNetFen: number; acquirerNetFen: number }>(b, 'reconcile:online', { day });
      expect(rec.value?.counts ?? rec.error).toMatchObject({ matched: 2, missing_locally: 0, missing_at_acquirer: 0, amount_mismatch: 0, status_mismatch: 0 });
      expect(rec.value!.localNetFen).toBe(1000);
      expect(rec.value!.acquirerNetFen).toBe(1000);
      const wx = await charge(b, '134567890123456789', 100);
      const refused = await settledState(b, wx);
      expect(refused).toMatchObject({ state: 'failed' });
      expect(refused.error?.zh).toContain('未开通微信');
    } finally {
      await b.close();
    }
    b = await start(dataDir, secrets);
    try {
      await as(b, 'admin1', '5555');
      expect((await call<{ running: boolean }>(b, 'acquirer:wallets', {})).value).toMatchObject({ running: true });
      const again = await charge(b, '287654321098765433', 500);
      expect(await settledState(b, again)).toMatchObject({ state: 'succeeded' });
    } finally {
      await b.close();
    }
  }, 300_000);
});
