/**
 * Terminal authentication on the acquirer's /offline/v1/ routes: the forwarder's client signs
 * every request (HMAC over method, path, timestamp, nonce and the body's SHA-256); the routes
 * refuse what is unsigned, badly signed, stale, replayed or sent for another terminal, before
 * reading or writing anything.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startOfflineAcquirerServer, type OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { startSimulator } from '../acquirer/simulator/server';
import { MAX_CLOCK_SKEW_MS, signedHeaders } from '../acquirer/signing';
import type { Db } from '../store/db';
import { cleanTempDirs, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from '../offline/test-kit';
import type { ForwardItem, OfflineStore } from '../offline/store';
import { OfflineClient, TransportError } from './client';
import { Forwarder } from './forwarder';
import { bodyDigest, encodeBatch } from './wire';

afterAll(cleanTempDirs);

const wireItem = (i: ForwardItem) => ({ orderNo: i.orderNo, amountFen: i.amountFen, purpose: i.purpose, acceptedAt: i.acceptedAt, flags: 0, code: i.code });

function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('signed /offline/v1 routes', () => {
  let termDb: Db;
  let acqDb: Db;
  let acq: OfflineAcquirer;
  let store: OfflineStore;
  let server: { port: number; close(): Promise<void> };
  let key: string;

  beforeEach(async () => {
    const dir = tempDir('auth');
    termDb = await openTerminalDb(dir);
    ({ acq, db: acqDb } = await openAcquirer(dir));
    store = await openSyncedStore(termDb, acq);
    server = await startOfflineAcquirerServer(acq);
    key = await acq.provisionTerminal('T0001');
  });
  afterEach(async () => {
    await server.close();
    await termDb.close();
    await acqDb.close();
  });

  const url = () => `http://127.0.0.1:${server.port}`;

  it('forwards a batch end to end when the client signs with the terminal key', async () => {
    const w = await newWallet(acq);
    const p = await store.accept({ amountFen: 250, code: w.nextCode(), operatorId: 'c1' });
    const client = new OfflineClient({ baseUrl: url(), terminalId: 'T0001', key, minTimeoutMs: 2_000 });
    const fwd = new Forwarder(store, client, null, { terminalId: 'T0001' });
    await fwd.drain();
    client.close();
    expect((await acq.verdicts('T0001')).get(p.orderNo)).toBe('accepted');
  });

  it('refuses an unsigned request with 401 and applies nothing', async () => {
    const w = await newWallet(acq);
    await store.accept({ amountFen: 250, code: w.nextCode(), operatorId: 'c1' });
    const items = await store.nextBatch(10);
    const body = encodeBatch({ terminalId: 'T0001', batchId: 'B1', items: items.map(wireItem) }, { fullCerts: true });
    const r = await raw(server.port, 'POST', '/offline/v1/forward', { 'content-type': 'application/octet-stream' }, body);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ error: 'auth_failed' });
    expect(acq.received).toBe(0);
    expect((await raw(server.port, 'GET', '/offline/v1/sync', {})).status).toBe(401);
  });

  it('refuses a client with the wrong key, a body changed after signing, and an unknown terminal', async () => {
    const wrong = new OfflineClient({ baseUrl: url(), terminalId: 'T0001', key: 'ab'.repeat(32), minTimeoutMs: 2_000 });
    await expect(wrong.sync()).rejects.toMatchObject({ why: 'http', detail: '401' });
    wrong.close();
    const body = Buffer.from(JSON.stringify({ walletId: '0123456789ABCDEF' }));
    const h = signedHeaders('T0001', key, 'POST', '/offline/v1/revoke', bodyDigest(body));
    const tampered = Buffer.from(JSON.stringify({ walletId: 'FEDCBA9876543210' }));
    expect((await raw(server.port, 'POST', '/offline/v1/revoke', h, tampered)).status).toBe(401);
    const stranger = signedHeaders('T9999', key, 'GET', '/offline/v1/sync', bodyDigest(null));
    expect((await raw(server.port, 'GET', '/offline/v1/sync', stranger)).status).toBe(401);
  });

  it('refuses a replayed request (same nonce) and a stale one', async () => {
    const h = signedHeaders('T0001', key, 'GET', '/offline/v1/sync', bodyDigest(null));
    expect((await raw(server.port, 'GET', '/offline/v1/sync', h)).status).toBe(200);
    const again = await raw(server.port, 'GET', '/offline/v1/sync', h);
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body)).toEqual({ error: 'replayed_request' });
    const old = signedHeaders('T0001', key, 'GET', '/offline/v1/sync', bodyDigest(null), Date.now() - MAX_CLOCK_SKEW_MS - 60_000);
    const stale = await raw(server.port, 'GET', '/offline/v1/sync', old);
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body)).toEqual({ error: 'stale_request' });
  });

  it('refuses a batch or statement for another terminal than the signer, applying nothing', async () => {
    await acq.provisionTerminal('T0002');
    const w = await newWallet(acq);
    await store.accept({ amountFen: 250, code: w.nextCode(), operatorId: 'c1' });
    const items = await store.nextBatch(10);
    const body = encodeBatch({ terminalId: 'T0002', batchId: 'B1', items: items.map(wireItem) }, { fullCerts: true });
    const client = new OfflineClient({ baseUrl: url(), terminalId: 'T0001', key, minTimeoutMs: 2_000 });
    const r = await client.request('POST', '/offline/v1/forward', body, 'application/octet-stream');
    expect(r.status).toBe(403);
    expect(acq.received).toBe(0);
    await expect(client.statement('T0002', '2026-01-01')).rejects.toMatchObject({ detail: '403' });
    client.close();
  });

  it('sends nothing when the terminal has no key yet, failing like a dead link', async () => {
    const client = new OfflineClient({ baseUrl: url(), terminalId: 'T0001', key: async () => null, minTimeoutMs: 2_000 });
    await expect(client.sync()).rejects.toBeInstanceOf(TransportError);
    client.close();
  });
});

describe('offline routes mounted in the protocol simulator', () => {
  it('accept the key the simulator provisioned for the terminal, and refuse an unsigned request', async () => {
    const sim = await startSimulator({ file: path.join(tempDir('auth-sim'), 'sim.sqlite') });
    try {
      const key = await sim.provisionTerminal('T0001');
      const client = new OfflineClient({ baseUrl: sim.url, terminalId: 'T0001', key, minTimeoutMs: 2_000 });
      expect((await client.sync()).reply.issuerKeys.length).toBeGreaterThan(0);
      client.close();
      expect((await raw(sim.port, 'GET', '/offline/v1/sync', {})).status).toBe(401);
    } finally {
      await sim.close();
    }
  });
});
