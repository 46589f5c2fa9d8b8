import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';
import { waitFor } from './test-kit';

type Rpc = { ok: boolean; value?: unknown; error?: { code: string; zh: string; en: string } };

describe('demo contract methods', () => {
  let dir: string;
  let demo: Backend;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-demo-'));
    demo = await createBackend({ dataDir: path.join(dir, 'demo'), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    await demo.operators.login('cashier1', '1111');
  });
  afterAll(async () => {
    await demo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const call = (b: Backend, m: string, input: unknown) => b.dispatcher.dispatch(m, input) as Promise<Rpc>;

  it('are refused in live mode with a bilingual error', async () => {
    const live = await createBackend(
      { dataDir: path.join(dir, 'live'), mode: 'live', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'http://127.0.0.1:1/' } },
      { secrets: new MemorySecretStore() },
    );
    try {
      await live.operators.create({ id: 'c9', name: 'c', role: 'cashier' }, '1234');
      await live.operators.login('c9', '1234');
      for (const [m, input] of [
        ['demo:wallets', {}],
        ['demo:paymentCode', { walletId: 'W01' }],
        ['demo:codeState', { code: '134567890123456789' }],
        ['demo:userPaying', { orderNo: 'T000120260101000001', confirm: true }],
        ['demo:payQr', { orderNo: 'T000120260101000001', walletId: 'W01' }],
        ['demo:fault', { fault: 'http_500' }],
      ] as const) {
        const r = await call(live, m, input);
        expect(r.ok).toBe(false);
        expect(r.error).toMatchObject({ code: 'demo.only' });
        expect(r.error!.zh).toMatch(/培训模式/);
        expect(r.error!.en).toMatch(/demo/);
      }
    } finally {
      await live.close();
    }
  });

  it('list wallets, issue a code and charge it over the embedded simulator’s HTTP', async () => {
    const wallets = (await call(demo, 'demo:wallets', {})).value as Array<{ id: string; balanceFen: number; needsPassword: boolean }>;
    expect(wallets.length).toBeGreaterThanOrEqual(5);
    expect(demo.payments.simulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const w1 = wallets.find((w) => w.id === 'W01')!;
    const code = (await call(demo, 'demo:paymentCode', { walletId: 'W01' })).value as { code: string; expiresAt: number };
    expect(code.code).toMatch(/^1[0-5]\d{16}$/);
    const charged = await call(demo, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 150, code: code.code });
    expect(charged.ok).toBe(true);
    const orderNo = (charged.value as { orderNo: string }).orderNo;
    const done = await waitFor(
      async () => ((await call(demo, 'payments:get', { orderNo })).value as { payment: { state: string } }).payment.state,
      (s) => s === 'succeeded',
    );
    expect(done).toBe('succeeded');
    const after = ((await call(demo, 'demo:wallets', {})).value as typeof wallets).find((w) => w.id === 'W01')!;
    expect(after.balanceFen).toBe(w1.balanceFen - 150);
  });

  it('says a code is used once a charge took it — paid or refused as used — so the phone never leaves it up', async () => {
    const state = async (code: string) => ((await call(demo, 'demo:codeState', { code })).value as { state: string }).state;
    const code = ((await call(demo, 'demo:paymentCode', { walletId: 'W02' })).value as { code: string }).code;
    expect(await state(code)).toBe('fresh');
    const charge = async () => ((await call(demo, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, code })).value as { orderNo: string }).orderNo;
    const get = (orderNo: string) => async () => ((await call(demo, 'payments:get', { orderNo })).value as { payment: { state: string } }).payment.state;
    expect(await waitFor(get(await charge()), (s) => s === 'succeeded')).toBe('succeeded');
    expect(await state(code)).toBe('used');
    // Scanned again: refused as used, and still used.
    expect(await waitFor(get(await charge()), (s) => s === 'failed')).toBe('failed');
    expect(await state(code)).toBe('used');
    expect(await state('134567890123456789')).toBe('unknown');
  });

  it('USERPAYING completed by demo:userPaying', async () => {
    const code = ((await call(demo, 'demo:paymentCode', { walletId: 'W04' })).value as { code: string }).code;
    const orderNo = ((await call(demo, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 120, code })).value as { orderNo: string }).orderNo;
    const get = async () => ((await call(demo, 'payments:get', { orderNo })).value as { payment: { state: string } }).payment.state;
    await waitFor(get, (s) => s === 'userpaying');
    expect((await call(demo, 'demo:userPaying', { orderNo, confirm: true })).ok).toBe(true);
    expect(await waitFor(get, (s) => s === 'succeeded')).toBe('succeeded');
  });

  it('demo:fault accepts a schedule and clear; an unknown wallet is a plain error', async () => {
    expect((await call(demo, 'demo:fault', { fault: 'latency', latencyMs: 5, op: 'query' })).ok).toBe(true);
    expect((await call(demo, 'demo:fault', { fault: 'clear' })).value).toEqual({ ok: true, scheduled: 0 });
    const r = await call(demo, 'demo:paymentCode', { walletId: 'W99' });
    expect(r.error?.code).toBe('demo.unavailable');
  });
});
