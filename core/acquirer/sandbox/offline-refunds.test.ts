/**
 * The refund route of the offline protocol (PROTOCOL.md, "Offline routes") through the sandbox
 * adapter, against a real offline acquirer over HTTP: signed like every offline route,
 * idempotent by refund number, never more than the item's amount, and only for items the
 * acquirer took the money for.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOfflineAcquirerServer, type OfflineAcquirer } from '../simulator/offline-routes';
import { signedHeaders } from '../signing';
import type { Db } from '../../store/db';
import { cleanTempDirs, newWallet, openAcquirer, tempDir } from '../../offline/test-kit';
import type { OfflineWallet } from '../../offline/wallet';
import { SandboxOfflineRefunds } from './offline-refunds';

afterAll(cleanTempDirs);

let acqDb: Db;
let acq: OfflineAcquirer;
let server: { port: number; close(): Promise<void> };
let refunds: SandboxOfflineRefunds;
let key: string;
let wallet: OfflineWallet;

/** Forwards one item for T0001 as the forwarder would; returns its order number. */
async function forwarded(orderNo: string, amountFen: number, w = wallet): Promise<string> {
  const v = await acq.forwardOne({ terminalId: 'T0001', orderNo, amountFen, purpose: 'sale', acceptedAt: Date.now(), code: w.nextCode(Date.now()) }, 'T0001');
  expect(v.replayed).toBe(false);
  return orderNo;
}
const balance = async (w = wallet) => (await acqDb.get<{ balance_fen: number }>('SELECT balance_fen FROM sim_offline_wallets WHERE wallet_id = ?', [w.walletId]))!.balance_fen;
const req = (orderNo: string, refundNo: string, amountFen: number, totalFen = 1_000) => ({ orderNo, refundNo, amountFen, totalFen, reason: '退货' });

beforeEach(async () => {
  ({ acq, db: acqDb } = await openAcquirer(tempDir('offline-refund')));
  server = await startOfflineAcquirerServer(acq);
  key = await acq.provisionTerminal('T0001');
  refunds = new SandboxOfflineRefunds({ baseUrl: `http://127.0.0.1:${server.port}`, terminalId: 'T0001', key, timeoutMs: 5_000 });
  wallet = await newWallet(acq, { balanceFen: 50_00 });
});
afterEach(async () => {
  refunds.close();
  await server.close();
  await acqDb.close();
});

describe('refunds of forwarded offline items at the acquirer', () => {
  it('credits the wallet once per refund number, and answers a repeat without moving money', async () => {
    const order = await forwarded('OFREFUND0001', 1_000);
    expect(await balance()).toBe(40_00);
    expect(await refunds.queryRefund('OFREFUND0001R01')).toEqual({ status: 'not_found' });
    expect(await refunds.refund(req(order, 'OFREFUND0001R01', 400))).toEqual({ status: 'succeeded' });
    expect(await refunds.refund(req(order, 'OFREFUND0001R01', 400))).toEqual({ status: 'succeeded' });
    expect(await balance()).toBe(44_00);
    expect(await refunds.queryRefund('OFREFUND0001R01')).toEqual({ status: 'succeeded' });
    expect(await acq.refunds('T0001')).toEqual([{ refundNo: 'OFREFUND0001R01', orderNo: order, amountFen: 400 }]);
  });

  it('never refunds more than the item, and refuses a reused number, a wrong total and an unknown order', async () => {
    const order = await forwarded('OFREFUND0002', 1_000);
    expect(await refunds.refund(req(order, 'OFREFUND0002R01', 700))).toEqual({ status: 'succeeded' });
    expect(await refunds.refund(req(order, 'OFREFUND0002R02', 301))).toMatchObject({ status: 'failed', reason: 'EXCEEDS', zh: expect.stringContaining('退款金额超过') });
    expect(await refunds.refund(req(order, 'OFREFUND0002R01', 300))).toMatchObject({ status: 'failed', reason: 'REFUND_NO_REUSED' });
    expect(await refunds.refund(req(order, 'OFREFUND0002R03', 300, 999))).toMatchObject({ status: 'failed', reason: 'ORDER_MISMATCH' });
    expect(await refunds.refund(req('OFNOSUCHORDER', 'OFNOSUCHORDERR01', 1))).toMatchObject({ status: 'failed', reason: 'ORDER_NOT_FOUND' });
    // Refusals move nothing and are not kept: the number is still free.
    expect(await refunds.queryRefund('OFREFUND0002R02')).toEqual({ status: 'not_found' });
    expect(await refunds.refund(req(order, 'OFREFUND0002R02', 300))).toEqual({ status: 'succeeded' });
    expect(await balance()).toBe(50_00);
  });

  it('refuses a refund of an item it declined: no money was taken', async () => {
    const revoked = await newWallet(acq);
    await acq.revoke(revoked.walletId);
    const v = await acq.forwardOne({ terminalId: 'T0001', orderNo: 'OFDECLINED01', amountFen: 1_000, purpose: 'sale', acceptedAt: Date.now(), code: revoked.nextCode() }, 'T0001');
    expect(v.status).toBe('declined');
    expect(await refunds.refund(req('OFDECLINED01', 'OFDECLINED01R01', 100))).toMatchObject({
      status: 'failed', reason: 'NOT_REFUNDABLE', en: expect.stringContaining('took no money'),
    });
  });

  it('acts for the signing terminal only, and refuses an unsigned request before reading it', async () => {
    const order = await forwarded('OFREFUND0003', 1_000);
    const other = new SandboxOfflineRefunds({ baseUrl: `http://127.0.0.1:${server.port}`, terminalId: 'T0002', key: await acq.provisionTerminal('T0002'), timeoutMs: 5_000 });
    try {
      expect(await other.refund(req(order, 'OFREFUND0003R01', 100))).toMatchObject({ status: 'failed', reason: 'ORDER_NOT_FOUND' });
    } finally {
      other.close();
    }
    const body = Buffer.from(JSON.stringify(req(order, 'OFREFUND0003R01', 100)));
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const r = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/offline/v1/refund', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        r.on('error', reject);
        r.end(body);
      });
    expect(await post({})).toBe(401);
    // Signed over the raw body instead of its digest: not the offline scheme.
    expect(await post(signedHeaders('T0001', key, 'POST', '/offline/v1/refund', body.toString()))).toBe(401);
    expect(await balance()).toBe(40_00);
    expect(await refunds.refund(req(order, 'OFREFUND0003R01', 100))).toEqual({ status: 'succeeded' });
  });

  it('reports a lost answer as unknown, never as a refusal', async () => {
    const dead = new SandboxOfflineRefunds({ baseUrl: 'http://127.0.0.1:1', terminalId: 'T0001', key, timeoutMs: 1_000 });
    try {
      expect((await dead.refund(req('OFREFUND0004', 'OFREFUND0004R01', 100))).status).toBe('unknown');
      expect((await dead.queryRefund('OFREFUND0004R01')).status).toBe('unknown');
    } finally {
      dead.close();
    }
  });
});
