/**
 * `acquirer:tenders` and `acquirer:tendersChanged` through the contract: the offline-code tender
 * is on only where the counter's acquirer has PROTOCOL.md's offline routes (demo's sandbox), off
 * with a plain reason on a counter with only Alipay, and in an outage the answer says what still
 * works. Against a real back end (demo; live with the fake Alipay gateway over local HTTPS).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlipayKit, ALIPAY_APP_ID, type AlipayKit } from '../acquirer/alipay/test-kit';
import { WALLET_TEST_TIMINGS } from '../acquirer/fake-kit';
import { Tenders } from '../api/acquirer';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';
import { TenderStatus } from './tenders';

let ali: AlipayKit;
const dirs: string[] = [];
beforeAll(async () => {
  // Only the fake gateway and its keys are used here (the back end builds its own adapter).
  ali = await openAlipayKit(WALLET_TEST_TIMINGS);
});
afterAll(async () => {
  await ali.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-tenders-'));
  dirs.push(d);
  return d;
};
const call = async <T = unknown>(b: Backend, method: string, input: unknown) => (await b.dispatcher.dispatch(method, input)) as { ok: boolean; value?: T; error?: { code: string } };
/** Every `acquirer:tendersChanged` the back end emits, in order. */
function changes(b: Backend): Tenders[] {
  const seen: Tenders[] = [];
  b.bus.subscribe((name, payload) => {
    if (name === 'acquirer:tendersChanged') seen.push(Tenders.parse(payload));
  });
  return seen;
}

describe('acquirer:tenders', () => {
  it('demo (the sandbox protocol has the offline routes): every tender on; an outage names the offline code among what still works', async () => {
    const b = await createBackend({ dataDir: tmp(), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    try {
      await call(b, 'session:login', { operatorId: 'cashier1', pin: '1111' });
      const seen = changes(b);
      const t = await call<Tenders>(b, 'acquirer:tenders', {});
      expect(t.value).toEqual({ offlineCode: null, merchantQr: null, outage: null });
      b.connectivity.linkDown();
      expect(seen.at(-1)?.offlineCode).toBeNull();
      expect(seen.at(-1)?.outage?.zh).toContain('离线付款码、收现金、记赊账');
      expect(seen.at(-1)?.outage?.en).toContain('offline payment codes, cash and credit');
      const n = seen.length;
      b.connectivity.linkDown();
      expect(seen).toHaveLength(n);
      b.connectivity.ok(5);
      expect(seen.at(-1)?.outage).toBeNull();
    } finally {
      await b.close();
    }
  });

  it('refuses a bad payload with nothing answered', async () => {
    const b = await createBackend({ dataDir: tmp(), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    try {
      await call(b, 'session:login', { operatorId: 'cashier1', pin: '1111' });
      expect((await call(b, 'acquirer:tenders', { all: true })).error?.code).toBe('rpc.bad_payload');
    } finally {
      await b.close();
    }
  });

  it('a live counter with only Alipay: the offline-code tender is off with a plain reason (zh, en), said again when the save applies', async () => {
    const b = await createBackend({ dataDir: tmp(), mode: 'live', shell: 'browser' }, { secrets: new MemorySecretStore(), acquirerCa: ali.fake.ca });
    try {
      await b.operators.create({ id: 'admin1', name: '赵敏', role: 'admin' }, '5555');
      await b.operators.create({ id: 'super1', name: '李强', role: 'supervisor' }, '2222');
      expect((await call(b, 'session:login', { operatorId: 'admin1', pin: '5555' })).ok).toBe(true);
      const before = (await call<Tenders>(b, 'acquirer:tenders', {})).value!;
      expect(before.offlineCode?.en).toContain('no acquirer connected');
      const seen = changes(b);
      const draft = { wallets: [{ kind: 'alipay', appId: ALIPAY_APP_ID, gateway: ali.fake.url, keyMode: 'public_key', appPrivateKey: ali.app.privatePem, alipayPublicKey: ali.platform.publicPem }], qrWallet: 'alipay' };
      expect((await call(b, 'acquirer:walletsSave', { ...draft, approverId: 'super1', approverPin: '2222' })).ok).toBe(true);
      const after = (await call<Tenders>(b, 'acquirer:tenders', {})).value!;
      expect(seen.at(-1)).toEqual(after);
      expect(after.offlineCode?.zh).toMatch(/^离线付款码不可用：.*支付宝、微信支付.*不支持离线付款码/);
      expect(after.offlineCode?.en).toMatch(/^Offline codes are off: .*Alipay, WeChat Pay\) do not take them/);
      expect(after.merchantQr).toBeNull();
      // A counter on wallets has no sandbox ping: the gateway probe brings the link up, so the
      // checkout does not refuse codes as "needs the network" (the live e2e found it reading 离线).
      await expect.poll(() => b.connectivity.get().state, { timeout: 10_000 }).toBe('online');
      b.connectivity.linkDown();
      expect(seen.at(-1)?.outage?.zh).toContain('本店不支持离线付款码');
      expect(seen.at(-1)?.outage?.en).toMatch(/within its life \(about a minute\), cash and credit/);
    } finally {
      await b.close();
    }
  }, 120_000);
});

describe('TenderStatus', () => {
  it('emits only when the answer changed', () => {
    const out: Tenders[] = [];
    let link: 'online' | 'weak' | 'offline' = 'online';
    const t = new TenderStatus({ running: () => ({ kinds: ['wechat'], qrWallet: null }), link: () => link, emit: (x) => out.push(x) });
    t.refresh();
    t.refresh();
    link = 'weak';
    t.refresh();
    expect(out).toHaveLength(1);
    expect(out[0]!.merchantQr?.en).toContain('Merchant QR is off');
    link = 'offline';
    t.refresh();
    expect(out).toHaveLength(2);
  });
});
