/**
 * The trainer's network control governs every route from the till to the simulated acquirer
 * (issue 12, item 4): "network off" must stop an online code charge before it reaches the
 * simulator, as a village outage would, and "weak" must slow it. Run against the whole demo
 * back end, so a route the composition root wires around the link is caught.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import type { RpcResult } from '../api/dispatcher';
import type { Payment } from '../api/payments';
import { TERMINAL_STATES } from '../api/payments';
import { MemorySecretStore } from '../platform';

const dirs: string[] = [];
const open: Backend[] = [];

afterEach(async () => {
  for (const b of open.splice(0)) await b.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function demoAsTrainer(): Promise<Backend> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-netoff-'));
  dirs.push(dataDir);
  const b = await createBackend({ dataDir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  open.push(b);
  expect((await b.dispatcher.dispatch('session:login', { operatorId: 'trainer1', pin: '4444' })).ok).toBe(true);
  return b;
}

async function ok<T>(b: Backend, method: Parameters<Backend['dispatcher']['dispatch']>[0], input: unknown): Promise<T> {
  const r: RpcResult = await b.dispatcher.dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.en}`);
  return r.value as T;
}

const balanceOf = async (b: Backend, walletId: string) =>
  (await ok<Array<{ id: string; balanceFen: number }>>(b, 'demo:wallets', {})).find((w) => w.id === walletId)!.balanceFen;

/** Charges a fresh demo code of `walletId` and waits for the payment's terminal state. */
async function chargeDemoCode(b: Backend, walletId: string, amountFen: number): Promise<Payment> {
  const { code } = await ok<{ code: string }>(b, 'demo:paymentCode', { walletId });
  let orderNo: string | null = null;
  const seen: Payment[] = [];
  const settled = new Promise<Payment>((resolve) => {
    const check = (p: Payment) => {
      if (p.orderNo === orderNo && TERMINAL_STATES.includes(p.state)) resolve(p);
    };
    b.bus.subscribe((name, payload) => {
      if (name !== 'payments:changed') return;
      seen.push(payload as Payment);
      check(payload as Payment);
    });
    void ok<Payment>(b, 'payments:charge', { amountFen, code, requestId: randomUUID().replace(/-/g, '') }).then((p) => {
      orderNo = p.orderNo;
      for (const s of [p, ...seen]) check(s);
    });
  });
  return settled;
}

describe('the trainer’s network control and online payments (demo mode)', () => {
  it('does not charge a demo online code while the network is off, and charges again once it is back', async () => {
    const b = await demoAsTrainer();
    const before = await balanceOf(b, 'W03');
    expect((await ok<{ up: boolean }>(b, 'demo:network', { preset: 'offline' })).up).toBe(false);

    const failed = await chargeDemoCode(b, 'W03', 9_00);
    // Never sent: the request did not arrive, so the payment fails at once as not charged.
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('acquirer.network_unreachable');
    expect(failed.message.zh).toContain('未扣款');
    expect(failed.message.en).toContain('nothing was charged');
    expect(await balanceOf(b, 'W03')).toBe(before);
    // The connectivity monitor sees the same link as the charge.
    expect((await ok<{ state: string }>(b, 'connectivity:get', {})).state).not.toBe('online');

    await ok(b, 'demo:network', { preset: 'online' });
    const paid = await chargeDemoCode(b, 'W03', 9_00);
    expect(paid.state).toBe('succeeded');
    expect(await balanceOf(b, 'W03')).toBe(before - 9_00);
  });

  it('slows an online charge by the round trip the trainer set', async () => {
    const b = await demoAsTrainer();
    await ok(b, 'demo:network', { preset: 'online', rttMs: 800 });
    const started = performance.now();
    const paid = await chargeDemoCode(b, 'W01', 15_00);
    expect(paid.state).toBe('succeeded');
    // The request and its answer each cross the link once: at least one full round trip.
    expect(performance.now() - started).toBeGreaterThanOrEqual(800);
  });
});
