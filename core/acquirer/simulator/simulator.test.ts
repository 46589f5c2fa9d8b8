import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sign, signedHeaders } from '../signing';
import { DOMAIN_TIMINGS } from '../../config';
import { SandboxAcquirer } from '../sandbox/adapter';
import { SimulatorControl } from './control-client';
import { startSimulator, type Simulator } from './server';

let dir: string;
let sim: Simulator;
let key: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-sim-'));
  sim = await startSimulator({ file: path.join(dir, 'sim.sqlite') });
  key = await sim.provisionTerminal('T0001');
});
afterEach(async () => {
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A raw request with chosen headers, to test what the adapter would never send. */
function raw(pathname: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: { err_code?: string } }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${sim.url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the acquirer simulator', () => {
  it('refuses an unsigned or wrongly signed request', async () => {
    const body = JSON.stringify({ out_trade_no: 'T000120260101000001' });
    expect((await raw('/v1/query', body, {})).status).toBe(401);
    const h = signedHeaders('T0001', key, 'POST', '/v1/query', body);
    const r = await raw('/v1/query', body.replace('01"', '02"'), h);
    expect(r).toMatchObject({ status: 401, body: { err_code: 'AUTH_FAILED' } });
  });

  it('refuses a replayed request and a stale one', async () => {
    const body = JSON.stringify({ out_trade_no: 'T000120260101000001' });
    const h = signedHeaders('T0001', key, 'POST', '/v1/query', body);
    expect((await raw('/v1/query', body, h)).status).toBe(200);
    expect(await raw('/v1/query', body, h)).toMatchObject({ status: 401, body: { err_code: 'REPLAYED_REQUEST' } });
    const old = String(Date.now() - 10 * 60_000);
    const nonce = 'ab'.repeat(12);
    const stale = { 'x-terminal': 'T0001', 'x-timestamp': old, 'x-nonce': nonce, 'x-signature': sign(key, 'POST', '/v1/query', old, nonce, body) };
    expect(await raw('/v1/query', body, stale)).toMatchObject({ status: 401, body: { err_code: 'STALE_REQUEST' } });
  });

  it('refuses a request signed with another terminal’s key', async () => {
    await sim.provisionTerminal('T0002');
    const body = JSON.stringify({ out_trade_no: 'T000120260101000001' });
    const h = signedHeaders('T0002', key, 'POST', '/v1/query', body);
    expect((await raw('/v1/query', body, h)).status).toBe(401);
  });

  it('a code is one-time, and a repeated pay with the same order number charges once', async () => {
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId: 'T0001', key });
    const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    const { code } = await control.issueCode('W01');
    const first = await acq.pay({ orderNo: 'T000120260101000001', amountFen: 100, code, subject: 't' });
    const again = await acq.pay({ orderNo: 'T000120260101000001', amountFen: 100, code, subject: 't' });
    expect(first.status).toBe('succeeded');
    expect(again).toEqual(first);
    const other = await acq.pay({ orderNo: 'T000120260101000002', amountFen: 100, code, subject: 't' });
    expect(other).toMatchObject({ status: 'failed', reason: 'CODE_USED' });
    const mismatch = await acq.pay({ orderNo: 'T000120260101000001', amountFen: 999, code, subject: 't' });
    expect(mismatch).toMatchObject({ status: 'failed', reason: 'ORDER_MISMATCH' });
    expect((await control.orders()).ledger).toHaveLength(1);
    acq.close();
    control.close();
  });

  it('an expired code is refused', async () => {
    await sim.close();
    let now = Date.now();
    sim = await startSimulator({ file: path.join(dir, 'sim.sqlite'), now: () => now });
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId: 'T0001', key });
    const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    const { code, expiresAt } = await control.issueCode('W01');
    now = expiresAt + 1;
    expect(await acq.pay({ orderNo: 'T000120260101000009', amountFen: 100, code, subject: 't' })).toMatchObject({ status: 'failed', reason: 'CODE_EXPIRED' });
    acq.close();
    control.close();
  });

  it('keeps its state across a restart', async () => {
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId: 'T0001', key });
    const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    const { code } = await control.issueCode('W02');
    await acq.pay({ orderNo: 'T000120260101000003', amountFen: 250, code, subject: 't' });
    acq.close();
    control.close();
    await sim.close();
    sim = await startSimulator({ file: path.join(dir, 'sim.sqlite') });
    expect(await sim.provisionTerminal('T0001')).toBe(key);
    const acq2 = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    expect(await acq2.query('T000120260101000003')).toMatchObject({ status: 'succeeded' });
    const wallet = await sim.db.get<{ balance_fen: number }>("SELECT balance_fen FROM wallets WHERE id = 'W02'");
    expect(wallet!.balance_fen).toBe(800_00 - 250);
    acq2.close();
  });

  it('a refund number is a no-op when repeated, and refunds never exceed the payment', async () => {
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId: 'T0001', key });
    const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    const { code } = await control.issueCode('W01');
    await acq.pay({ orderNo: 'T000120260101000004', amountFen: 500, code, subject: 't' });
    const r = { orderNo: 'T000120260101000004', refundNo: 'T000120260101000004R01', amountFen: 300, totalFen: 500, reason: 'x' };
    expect(await acq.refund(r)).toEqual({ status: 'succeeded' });
    expect(await acq.refund(r)).toEqual({ status: 'succeeded' });
    expect(await acq.refund({ ...r, refundNo: 'T000120260101000004R02', amountFen: 201 })).toMatchObject({ status: 'failed', reason: 'REFUND_EXCEEDS' });
    const ledger = (await control.orders()).ledger;
    expect(ledger.map((l) => l.amount_fen)).toEqual([500, -300]);
    const st = await acq.statement(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10));
    expect(st.totalFen).toBe(200);
    expect(st.lines.map((l) => l.kind)).toEqual(['payment', 'refund']);
    acq.close();
    control.close();
  });

  it('answers a refund query with what became of a refund number', async () => {
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId: 'T0001', key });
    const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    const { code } = await control.issueCode('W01');
    await acq.pay({ orderNo: 'T000120260101000014', amountFen: 500, code, subject: 't' });
    expect(await acq.queryRefund('T000120260101000014', 'T000120260101000014R01')).toEqual({ status: 'not_found' });
    // The answer is lost after the acquirer committed: the query still knows.
    sim.faults.set([{ kind: 'drop_response_after_commit', op: 'refund', times: 1, latencyMs: 0, reason: '' }]);
    const r = { orderNo: 'T000120260101000014', refundNo: 'T000120260101000014R01', amountFen: 200, totalFen: 500, reason: 'x' };
    expect(await acq.refund(r)).toMatchObject({ status: 'unknown' });
    expect(await acq.queryRefund(r.orderNo, r.refundNo)).toEqual({ status: 'succeeded' });
    // A refused query says nothing either way.
    sim.faults.set([{ kind: 'refuse_400', op: 'refund_query', times: 1, latencyMs: 0, reason: '' }]);
    expect(await acq.queryRefund(r.orderNo, r.refundNo)).toMatchObject({ status: 'unknown' });
    acq.close();
    control.close();
  });

  it('refuses a request without processing it under the refusal faults, and says refused', async () => {
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId: 'T0001', key });
    const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    const cases = [
      [{ kind: 'refuse_400' }, 'BAD_REQUEST'],
      [{ kind: 'refuse_auth' }, 'AUTH_FAILED'],
      [{ kind: 'refuse_stale' }, 'STALE_REQUEST'],
      [{ kind: 'clock_skew', skewMs: -6 * 60_000 }, 'STALE_REQUEST'],
    ] as const;
    let n = 20;
    for (const [f, reason] of cases) {
      const { code } = await control.issueCode('W01');
      const orderNo = `T0001202601010000${n++}`;
      sim.faults.set([{ op: 'pay', times: 1, latencyMs: 0, reason: '', ...f }]);
      expect(await acq.pay({ orderNo, amountFen: 100, code, subject: 't' })).toMatchObject({ status: 'refused', reason });
      expect(await acq.query(orderNo)).toEqual({ status: 'not_found' });
    }
    // A small skew is within the window: processed as usual.
    const { code } = await control.issueCode('W01');
    sim.faults.set([{ kind: 'clock_skew', op: 'pay', skewMs: 60_000, times: 1, latencyMs: 0, reason: '' }]);
    expect(await acq.pay({ orderNo: 'T000120260101000030', amountFen: 100, code, subject: 't' })).toMatchObject({ status: 'succeeded' });
    acq.close();
    control.close();
  });

  it('seeds plain wallets, password wallets and one nearly empty', async () => {
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId: 'T0001', key });
    const w = await control.wallets();
    expect(w.some((x) => x.needs_password === 1)).toBe(true);
    expect(w.some((x) => x.needs_password === 0)).toBe(true);
    expect(w.some((x) => x.balance_fen < 20_00)).toBe(true);
    control.close();
  });

  it('an unreachable acquirer is a definite "not sent" (refused), a reset is unknown', async () => {
    const acq = new SandboxAcquirer({ baseUrl: 'http://127.0.0.1:1', terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    expect(await acq.pay({ orderNo: 'T000120260101000005', amountFen: 1, code: '134567890123456789', subject: 't' })).toMatchObject({ status: 'refused', reason: 'NETWORK_UNREACHABLE' });
    acq.close();
    sim.faults.set([{ kind: 'reset', op: 'pay', times: 1, latencyMs: 0, reason: '' }]);
    const acq2 = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
    expect(await acq2.pay({ orderNo: 'T000120260101000006', amountFen: 1, code: '134567890123456789', subject: 't' })).toMatchObject({ status: 'unknown' });
    acq2.close();
  });
});
