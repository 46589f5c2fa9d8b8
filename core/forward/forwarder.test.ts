import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import type { Db } from '../store/db';
import { startOfflineAcquirerServer, type OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { cleanTempDirs, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from '../offline/test-kit';
import { LinkEmulator, LINK_PRESETS } from '../offline/link-emulator';
import type { OfflineStore } from '../offline/store';
import type { OfflineWallet } from '../offline/wallet';
import { OfflineClient } from './client';
import { Forwarder } from './forwarder';
import { certRef, decodeBatch, decodeResults, encodeBatch, encodeResults, UnknownCertificate, WireError } from './wire';
import { reconcile } from '../reconcile/reconcile';
import { beijingDay } from '../offline/store';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import { DEFAULT_POLICY } from '../risk/policy';

// Removes the vc-* folders this file made (after its own hooks have closed the databases).
afterAll(cleanTempDirs);

describe('batch wire format', () => {
  it('round-trips items, sending each certificate once', async () => {
    const dir = tempDir('wire');
    const { acq, db } = await openAcquirer(dir);
    const w = await newWallet(acq);
    const { parseCode, offlineOrderNo } = await import('../offline/code');
    const items = Array.from({ length: 50 }, (_, i) => ({
      orderNo: '', amountFen: 100 + i, purpose: (i % 2 ? 'sale' : 'cash_out') as 'sale' | 'cash_out',
      acceptedAt: 1_700_000_000_000 + i * 1000 - (i === 7 ? 5000 : 0), flags: i % 3, code: parseCode(w.nextCode()).bytes,
    }));
    for (const it of items) it.orderNo = offlineOrderNo(it.code);
    const body = encodeBatch({ terminalId: 'T0001', batchId: 'B1', items }, { fullCerts: true });
    const back = decodeBatch(body);
    expect(back.items.map((x) => ({ ...x, code: Buffer.from(x.code) }))).toEqual(items.map((x) => ({ ...x, code: Buffer.from(x.code) })));
    // 50 codes of 207 bytes, one certificate: the batch is far smaller than the codes alone.
    expect(body.length).toBeLessThan(50 * 100);
    // By reference: the receiver resolves the certificate it issued, or refuses the batch.
    const byRef = encodeBatch({ terminalId: 'T0001', batchId: 'B1', items });
    expect(byRef.length).toBeLessThan(body.length);
    const cert = items[0].code.subarray(1, 127);
    expect(Buffer.from(decodeBatch(byRef, (ref) => (ref.equals(certRef(cert)) ? cert : null)).items[3].code)).toEqual(Buffer.from(items[3].code));
    expect(() => decodeBatch(byRef)).toThrow(UnknownCertificate);
    await db.close();
  });

  it('refuses malformed, truncated and oversized bodies with a WireError', () => {
    expect(() => decodeBatch(Buffer.from('hello'))).toThrow(WireError);
    expect(() => decodeBatch(zlib.deflateRawSync(Buffer.from('VB\u0001')))).toThrow(WireError);
    expect(() => decodeResults(zlib.deflateRawSync(Buffer.concat([Buffer.from('VR\u0001\u0001X'), Buffer.from([1, 9])])))).toThrow(WireError);
    for (let i = 0; i < 200; i++) {
      const junk = zlib.deflateRawSync(Buffer.concat([Buffer.from('VB\u0001'), randomBytes(i)]));
      expect(() => decodeBatch(junk)).toThrow(WireError);
    }
    const r = encodeResults('B', [{ status: 'declined', reason: 'revoked', replayed: true }, { status: 'accepted', reason: null, replayed: false }]);
    expect(decodeResults(r).verdicts).toEqual([{ status: 'declined', reason: 'revoked', replayed: true }, { status: 'accepted', reason: null, replayed: false }]);
  });
});

describe('forwarding', () => {
  let dir: string;
  let db: Db;
  let acqDb: Db;
  let acq: OfflineAcquirer;
  let store: OfflineStore;
  let server: { port: number; close(): Promise<void> };
  let link: LinkEmulator;
  let client: OfflineClient;

  beforeEach(async () => {
    dir = tempDir('fwd');
    db = await openTerminalDb(dir);
    ({ acq, db: acqDb } = await openAcquirer(dir));
    store = await openSyncedStore(db, acq);
    server = await startOfflineAcquirerServer(acq);
    link = new LinkEmulator(server.port, LINK_PRESETS.online);
    await link.start();
    client = new OfflineClient({ baseUrl: `http://127.0.0.1:${link.port}`, terminalId: 'T0001', key: await acq.provisionTerminal('T0001'), minTimeoutMs: 2_000 });
  });
  afterEach(async () => {
    client.close();
    await link.stop();
    await server.close();
    await db.close();
    await acqDb.close();
  });

  async function acceptMany(n: number, wallets: OfflineWallet[], amount = (i: number) => 100 + (i % 50)): Promise<string[]> {
    const orders: string[] = [];
    for (let i = 0; i < n; i++) {
      orders.push((await store.accept({ amountFen: amount(i), code: wallets[i % wallets.length].nextCode(), operatorId: 'c1' })).orderNo);
      // Customers come seconds apart at a real counter: the idle-time key warming gets its turn.
      if (i % wallets.length === wallets.length - 1) store.verifier.warmIdle(Number.POSITIVE_INFINITY);
    }
    return orders;
  }

  it('delivers 2,000 offline payments through a flapping link exactly once', async () => {
    // A busy-market policy (40 payments per wallet per hour), synced from the acquirer.
    acq.policy = { ...DEFAULT_POLICY, velocityPerWalletPerHour: 60, exposureLimitFen: 10_000_000 };
    store = await openSyncedStore(db, acq);
    const wallets: OfflineWallet[] = [];
    for (let i = 0; i < 50; i++) wallets.push(await newWallet(acq));
    const orders = await acceptMany(2000, wallets);
    link.setProfile({ rttMs: 40, bandwidthBps: 200_000, resetProb: 0.0005 });
    // Flapping: up 0.8–2 s, down 100–300 ms, at random, for the whole upload.
    let flapping = true;
    void (async () => {
      while (flapping) {
        await new Promise((r) => setTimeout(r, 800 + Math.random() * 1200));
        if (!flapping) break;
        link.setProfile({ up: false });
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
        link.setProfile({ up: true });
      }
    })();
    let batches = 0;
    let failed = 0;
    const fwd = new Forwarder(store, client, null, {
      terminalId: 'T0001', baseBackoffMs: 20, maxBackoffMs: 300, initialBatch: 50, maxBatch: 200,
      onBatch: (b) => { batches += 1; if (!b.ok) failed += 1; },
    });
    await fwd.drain();
    flapping = false;
    link.setProfile({ up: true });
    expect(batches).toBeGreaterThan(failed);
    const counts = await acq.applyCounts('T0001');
    expect(counts.size).toBe(2000);
    for (const o of orders) expect(counts.get(o), o).toBe(1);
    expect(await store.counts()).toMatchObject({ accepted: 2000, pending: 0, sending: 0 });
    // The flapping really made it resend: the acquirer saw more items than there were payments.
    expect(failed).toBeGreaterThan(0);
    expect(acq.received).toBeGreaterThan(2000);
    const day = beijingDay(Date.now());
    const report = reconcile(day, await store.itemsOfDay(day), await acq.statement('T0001', day));
    expect(report.counts).toMatchObject({ matched: 2000, duplicate: 0, missing_at_acquirer: 0, missing_locally: 0, amount_mismatch: 0 });
  }, 60_000);

  it('recognises a re-sent batch after the reply was lost and does not apply it twice', async () => {
    const w = await newWallet(acq);
    const orders = await acceptMany(5, [w]);
    const items = await store.nextBatch(10);
    const body = encodeBatch({ terminalId: 'T0001', batchId: 'LOST', items: items.map((i) => ({ ...i, flags: 0 })) });
    await client.forward(body, 5_000); // applied at the acquirer; the terminal "never heard back"
    const fwd = new Forwarder(store, client, null, { terminalId: 'T0001' });
    await fwd.drain();
    const counts = await acq.applyCounts('T0001');
    for (const o of orders) expect(counts.get(o)).toBe(1);
    expect(await store.counts()).toMatchObject({ accepted: 5 });
  });

  it('resends a batch with full certificates when the acquirer cannot resolve a reference', async () => {
    // A certificate signed with the acquirer's own issuer key but never registered as issued.
    const row = (await acqDb.get<{ key_id: number; private_key: string; public_key: string }>('SELECT * FROM sim_offline_issuers ORDER BY key_id DESC LIMIT 1'))!;
    const { issueCertificate, newKeyPair, compressKey } = await import('../offline/code');
    const { OfflineWallet } = await import('../offline/wallet');
    const wk = newKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const walletId = (await newWallet(acq)).walletId; // a known wallet (balance), with a second certificate
    const cert = issueCertificate({ issuerKeyId: row.key_id, walletId, walletPublicKey: compressKey(wk.publicKey), grade: 'B', perPaymentCapFen: 20_000, dailyCapFen: 50_000, notBefore: now - 60, notAfter: now + 3600 }, { privateKey: row.private_key, publicKey: row.public_key });
    const w = new OfflineWallet({ walletId, keyPair: wk, certificate: cert, counter: 100 });
    const p = await store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1' });
    await new Forwarder(store, client, null, { terminalId: 'T0001' }).drain();
    expect((await acq.applyCounts('T0001')).get(p.orderNo)).toBe(1);
    expect(await store.counts()).toMatchObject({ accepted: 1 });
  });

  it('forwards AML-flagged payments and marks them for review, with the flag as the reason', async () => {
    acq.policy = { ...DEFAULT_POLICY, aml: { nearLimitRatio: 0.9, nearLimitCount: 2, cashOutCount: 2 } };
    store = await openSyncedStore(db, acq);
    const w = await newWallet(acq);
    await store.accept({ amountFen: 19_000, code: w.nextCode(), operatorId: 'c1' });
    await store.accept({ amountFen: 19_500, code: w.nextCode(), operatorId: 'c1' }); // the second just under the cap: flagged
    await store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1', purpose: 'cash_out' });
    await new Forwarder(store, client, null, { terminalId: 'T0001' }).drain();
    const items = await store.list({ limit: 10, offset: 0 });
    expect(items.map((i) => i.status)).toEqual(['accepted', 'needs_review', 'accepted']);
    expect(items[1]).toMatchObject({ flags: ['near_limit_repeated'], reason: 'aml_flagged' });
    expect(store.budget().exposureFen).toBe(0);
    expect((await acq.applyCounts('T0001')).size).toBe(3);
  });

  it('puts declines into the follow-up list with the masked contact, and takes them out of the exposure', async () => {
    const poor = await newWallet(acq, { balanceFen: 150 });
    await store.accept({ amountFen: 100, code: poor.nextCode(), operatorId: 'c1', contact: '13912345678' });
    await store.accept({ amountFen: 100, code: poor.nextCode(), operatorId: 'c1' });
    const fwd = new Forwarder(store, client, null, { terminalId: 'T0001' });
    await fwd.drain();
    const follow = await store.followUps();
    expect(follow).toHaveLength(1);
    expect(follow[0]).toMatchObject({ status: 'declined', reason: 'insufficient_funds' });
    const declinedPayment = await store.payment(follow[0].orderNo);
    expect(declinedPayment.state).toBe('declined_after_forwarding');
    expect(store.budget().exposureFen).toBe(0);
    const items = await store.list({ limit: 10, offset: 0 });
    expect(items.map((i) => i.maskedContact)).toContain('139****5678');
    expect(JSON.stringify(items)).not.toContain('13912345678');
  });

  it('a wallet code paid at one terminal is declined as a double spend when another forwards it', async () => {
    const w = await newWallet(acq);
    const code = w.nextCode();
    await store.accept({ amountFen: 100, code, operatorId: 'c1' });
    const db2 = await openTerminalDb(tempDir('t2'));
    const store2 = await openSyncedStore(db2, acq, { terminalId: 'T0002' });
    await store2.accept({ amountFen: 100, code, operatorId: 'c1' });
    await new Forwarder(store, client, null, { terminalId: 'T0001' }).drain();
    // Each terminal signs as itself: the acquirer refuses a batch sent for another terminal.
    const client2 = new OfflineClient({ baseUrl: `http://127.0.0.1:${link.port}`, terminalId: 'T0002', key: await acq.provisionTerminal('T0002'), minTimeoutMs: 2_000 });
    await new Forwarder(store2, client2, null, { terminalId: 'T0002' }).drain();
    client2.close();
    expect((await store2.followUps())[0]).toMatchObject({ reason: 'duplicate_code' });
    await db2.close();
  });

  it('waits while the link is down, reports it, and forwards when it returns', async () => {
    const bus = new EventBus();
    const monitor = new ConnectivityMonitor(bus);
    const w = await newWallet(acq);
    await acceptMany(3, [w]);
    link.setProfile({ up: false });
    const fwd = new Forwarder(store, client, monitor, { terminalId: 'T0001', baseBackoffMs: 20, maxBackoffMs: 100 });
    fwd.kick();
    await new Promise((r) => setTimeout(r, 300));
    expect(monitor.get().state).toBe('offline');
    expect((await store.list({ limit: 5, offset: 0 }))[0].reason).toMatch(/^retry_/);
    link.setProfile({ up: true });
    fwd.sendNow();
    await fwd.drain();
    expect(await store.counts()).toMatchObject({ accepted: 3 });
    expect(monitor.get().state).not.toBe('offline');
  });
});
