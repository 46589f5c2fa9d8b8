import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../api/errors';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import type { Db } from '../store/db';
import { badCodeCases, EXPIRED_CERT, EXPIRED_SHIFT_MS, expiredCertCode } from './bad-codes';
import { CodeRefusal, newKeyPair, parseCode, SignatureChecker, type ParsedCode } from './code';
import type { OfflineStore } from './store';
import { cleanTempDirs, countRows, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from './test-kit';
import { defaultPoolSize, VerifyBusy, VerifyPool, VerifyUnavailable } from './verify-pool';
import { OfflineWallet } from './wallet';

// Removes the vc-* folders this file made (after its own hooks have closed the databases).
afterAll(cleanTempDirs);

let acq: OfflineAcquirer;
let acqDb: Db;
let issuerKey: string;
const wallets: OfflineWallet[] = [];
const pools: VerifyPool[] = [];
const quiet = () => undefined;

/** A pool that the file's afterAll closes whatever a test did. */
function pool(opts: ConstructorParameters<typeof VerifyPool>[0] = {}): VerifyPool {
  const p = new VerifyPool({ log: quiet, ...opts });
  pools.push(p);
  return p;
}

beforeAll(async () => {
  ({ acq, db: acqDb } = await openAcquirer(tempDir('pool-acq')));
  for (let i = 0; i < 8; i++) wallets.push(await newWallet(acq));
  issuerKey = (await acq.sync()).issuerKeys[0].publicKey;
}, 60_000);
afterAll(async () => {
  for (const p of pools) await p.close();
  await acqDb.close();
});

/** The in-thread reference verdict for the signatures of a parsed code. */
function reference(code: ParsedCode): string {
  try {
    return new SignatureChecker().check(code, issuerKey);
  } catch (e) {
    return (e as CodeRefusal).reason;
  }
}

async function verdict(p: Promise<string>): Promise<string> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof CodeRefusal) return e.reason;
    throw e;
  }
}

/** A code whose wallet signature was made with a stolen certificate and another key. */
function forged(w: OfflineWallet): ParsedCode {
  const cert = parseCode(w.codeWith({ codeTimeMs: Date.now(), counter: 1 })).certBytes.slice();
  return parseCode(new OfflineWallet({ walletId: w.walletId, keyPair: newKeyPair(), certificate: cert, counter: 77 }).nextCode());
}

describe('verification pool: verdicts', () => {
  let dir: string;
  let db: Db;
  let laterDb: Db;
  let store: OfflineStore;
  let later: OfflineStore;
  const t = { wallets: [] as OfflineWallet[], revokedWallet: null as unknown as OfflineWallet };

  beforeAll(async () => {
    dir = tempDir('pool-verdicts');
    db = await openTerminalDb(dir);
    laterDb = await openTerminalDb(tempDir('pool-later'));
    for (let i = 0; i < 6; i++) t.wallets.push(await newWallet(acq));
    t.revokedWallet = await newWallet(acq);
    await acq.revoke(t.revokedWallet.walletId);
    store = await openSyncedStore(db, acq, { signatures: await pool({ size: 2 }).start() });
    later = await openSyncedStore(laterDb, acq, { now: () => Date.now() + EXPIRED_SHIFT_MS, signatures: pool({ size: 2 }) });
    for (const w of t.wallets) await store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1' });
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await later.close();
    await db.close();
    await laterDb.close();
  });

  const cases = badCodeCases(t);

  it(`equal the in-thread verification on valid codes and ${cases.length} generated bad ones (forged, tampered, wrong issuer, malformed …)`, async () => {
    const outcome = async (run: () => unknown) => {
      try {
        const v = (await run()) as { walletId: string; counter: number; certHash: string };
        return `ok ${v.walletId} ${v.counter} ${v.certHash}`;
      } catch (e) {
        if (e instanceof CodeRefusal) return e.reason;
        if (isAppError(e)) return String((e.detail as { reason?: string } | undefined)?.reason ?? e.code);
        throw e;
      }
    };
    // Each code is made just before it is checked: some sit a second past a time limit.
    const makers: Array<{ kind: string; make: () => { code: string; on: OfflineStore } }> = [];
    for (let i = 0; i < 30; i++) makers.push({ kind: 'valid', make: () => ({ code: t.wallets[i % 6].nextCode(), on: store }) });
    let k = 0;
    for (const c of cases) {
      makers.push({ kind: c.kind, make: () => {
        const code = c.make();
        return code === EXPIRED_CERT ? { code: expiredCertCode(t.wallets[k++ % 6], 50_000 + k), on: later } : { code, on: store };
      } });
    }
    const tally = new Map<string, number>();
    for (const { kind, make } of makers) {
      const { code, on } = make();
      const inThread = await outcome(() => on.verify(code));
      const pooled = await outcome(() => on.check(code));
      expect(pooled, `${kind}: ${code}`).toBe(inThread);
      const key = inThread.startsWith('ok ') ? 'ok' : inThread;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    expect(tally.get('ok')).toBe(30);
    for (const r of ['bad_wallet_signature', 'bad_issuer_signature', 'unknown_issuer', 'malformed', 'unsupported_version', 'replayed', 'revoked', 'cert_expired', 'code_expired', 'code_from_future']) {
      expect(tally.get(r), r).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('verification pool: threads', () => {
  it('sends each wallet to one thread, the same in every pool of that size, and spreads wallets over all threads', () => {
    const a = pool({ size: 3 });
    const b = pool({ size: 3 });
    const used = new Set<number>();
    for (const w of wallets) {
      expect(a.slotOf(w.walletId)).toBe(b.slotOf(w.walletId));
      used.add(a.slotOf(w.walletId));
    }
    for (let i = 0; i < 100; i++) used.add(a.slotOf(i.toString(16).padStart(16, '0').toUpperCase()));
    expect([...used].sort()).toEqual([0, 1, 2]);
    expect(defaultPoolSize()).toBeGreaterThanOrEqual(1);
    expect(defaultPoolSize()).toBeLessThanOrEqual(4);
  });

  it('keeps a returning wallet warm in its thread: idle warming precomputes its key there', async () => {
    const p = await pool({ size: 2 }).start();
    const w = wallets[0];
    expect(await p.check(parseCode(w.nextCode()), issuerKey)).toBe(reference(parseCode(w.nextCode())));
    const first = await p.warm(Number.POSITIVE_INFINITY);
    expect(first).toEqual({ warmed: 1, cold: 0 });
    expect(await p.warm(Number.POSITIVE_INFINITY)).toEqual({ warmed: 0, cold: 0 });
    // Warm, the wallet still verifies the same, and a forged code of it is still refused.
    expect(await verdict(p.check(parseCode(w.nextCode()), issuerKey))).toMatch(/^[0-9a-f]{64}$/);
    expect(await verdict(p.check(forged(w), issuerKey))).toBe('bad_wallet_signature');
  }, 60_000);

  it('verifies again in a new thread every request a killed thread held: none lost, none accepted unverified', async () => {
    const p = await pool({ size: 1 }).start();
    const codes: ParsedCode[] = [];
    for (let i = 0; i < 24; i++) codes.push(i % 4 === 3 ? forged(wallets[i % 8]) : parseCode(wallets[i % 8].nextCode()));
    const answers = codes.map((c) => verdict(p.check(c, issuerKey)));
    expect(p.stats().inFlight).toBe(24);
    await p.terminateWorker(0);
    const got = await Promise.all(answers);
    expect(got).toEqual(codes.map(reference));
    expect(got.filter((g) => g === 'bad_wallet_signature')).toHaveLength(6);
    expect(p.stats()).toMatchObject({ inFlight: 0, restarts: 1 });
    // The successor keeps serving.
    expect(await verdict(p.check(parseCode(wallets[1].nextCode()), issuerKey))).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it('refuses, never accepts, a request whose thread dies more often than allowed', async () => {
    const p = await pool({ size: 1, maxAttempts: 1, maxQueuePerWorker: 100 }).start();
    // Forty codes ahead of it keep the thread busy well past the kill, so the last one is held.
    const ahead = Array.from({ length: 40 }, (_, i) => verdict(p.check(parseCode(wallets[i % 8].nextCode()), issuerKey)).catch((e: unknown) => e));
    const last = p.check(parseCode(wallets[2].nextCode()), issuerKey);
    await p.terminateWorker(0);
    await expect(last).rejects.toBeInstanceOf(VerifyUnavailable);
    // Whatever the thread answered before it died was a real verdict; the rest were refused.
    for (const a of await Promise.all(ahead)) {
      if (typeof a === 'string') expect(a).toMatch(/^[0-9a-f]{64}$/);
      else expect(a).toBeInstanceOf(VerifyUnavailable);
    }
  }, 60_000);

  it('refuses at once, as busy, a request beyond the queue limit instead of growing the queue', async () => {
    const p = await pool({ size: 1, maxQueuePerWorker: 3 }).start();
    const held = [0, 1, 2].map((i) => verdict(p.check(parseCode(wallets[i].nextCode()), issuerKey)));
    expect(() => p.check(parseCode(wallets[3].nextCode()), issuerKey)).toThrow(VerifyBusy);
    expect(p.stats().inFlight).toBe(3);
    for (const v of await Promise.all(held)) expect(v).toMatch(/^[0-9a-f]{64}$/);
    // Room again once answered.
    expect(await verdict(p.check(parseCode(wallets[3].nextCode()), issuerKey))).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it('verifies in this thread when a worker cannot start, and refuses rather than accepts when told not to', async () => {
    const dir = tempDir('pool-broken');
    const broken = path.join(dir, 'broken-worker.mjs');
    fs.writeFileSync(broken, "throw new Error('this worker cannot start');\n");
    const p = pool({ size: 1, workerPath: broken, maxAttempts: 1 });
    const good = parseCode(wallets[4].nextCode());
    expect(await verdict(p.check(good, issuerKey))).toBe(reference(good));
    expect(await verdict(p.check(forged(wallets[4]), issuerKey))).toBe('bad_wallet_signature');
    expect(p.stats().answered).toBe(0);
    const strict = pool({ size: 1, workerPath: broken, maxAttempts: 1, fallbackInThread: false });
    await expect(strict.check(parseCode(wallets[4].nextCode()), issuerKey)).rejects.toBeInstanceOf(VerifyUnavailable);
    await expect(strict.start()).rejects.toBeInstanceOf(VerifyUnavailable);
  }, 60_000);

  it('closes cleanly: requests in flight are answered, then nothing new is taken', async () => {
    const p = await pool({ size: 2 }).start();
    const answers = wallets.map((w) => verdict(p.check(parseCode(w.nextCode()), issuerKey)));
    const closed = p.close();
    await expect(p.check(parseCode(wallets[0].nextCode()), issuerKey)).rejects.toBeInstanceOf(VerifyUnavailable);
    for (const v of await Promise.all(answers)) expect(v).toMatch(/^[0-9a-f]{64}$/);
    await closed;
    expect(p.stats().inFlight).toBe(0);
  }, 60_000);
});

describe('offline accept on the verification pool', () => {
  let db: Db;
  afterEach(async () => {
    await db.close();
  });

  it('takes every accept whose thread was killed mid-way, exactly once', async () => {
    db = await openTerminalDb(tempDir('pool-kill'));
    const p = await pool({ size: 1 }).start();
    const store = await openSyncedStore(db, acq, { signatures: p });
    const before = await countRows(db);
    const codes = wallets.map((w) => w.nextCode());
    const accepts = codes.map((code) => store.accept({ amountFen: 150, code, operatorId: 'c1' }));
    await p.terminateWorker(0);
    const paid = await Promise.all(accepts);
    expect(new Set(paid.map((x) => x.orderNo)).size).toBe(codes.length);
    expect(paid.every((x) => x.state === 'accepted_offline')).toBe(true);
    expect(await countRows(db)).toMatchObject({ items: before.items + codes.length, journal: before.journal + codes.length });
    expect(p.stats().restarts).toBe(1);
    await store.close();
  }, 60_000);

  it('refuses as busy, in both languages and writing nothing, accepts beyond the pool\'s queue limit', async () => {
    db = await openTerminalDb(tempDir('pool-busy'));
    const store = await openSyncedStore(db, acq, { signatures: await pool({ size: 1, maxQueuePerWorker: 2 }).start() });
    const before = await countRows(db);
    const results = await Promise.allSettled(wallets.slice(0, 6).map((w) => store.accept({ amountFen: 120, code: w.nextCode(), operatorId: 'c1' })));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      expect(r.reason).toMatchObject({ code: 'offline.busy' });
      expect(r.reason.zh).toMatch(/稍等/);
      expect(r.reason.en).toMatch(/scan it again/);
    }
    expect(await countRows(db)).toMatchObject({ items: before.items + 2, journal: before.journal + 2 });
    await store.close();
  }, 60_000);

  it('refuses as busy accepts beyond the store\'s own queue limit, and after close refuses everything, writing nothing', async () => {
    db = await openTerminalDb(tempDir('pool-queue'));
    const store = await openSyncedStore(db, acq, { maxQueuedAccepts: 2 });
    const before = await countRows(db);
    // The first is taken into a group at once; two more wait; the rest find the queue full.
    const results = await Promise.allSettled(wallets.slice(0, 6).map((w) => store.accept({ amountFen: 130, code: w.nextCode(), operatorId: 'c1' })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    expect((results[5] as PromiseRejectedResult).reason).toMatchObject({ code: 'offline.busy' });
    expect(await countRows(db)).toMatchObject({ items: before.items + 3 });
    await store.close();
    await expect(store.accept({ amountFen: 130, code: wallets[7].nextCode(), operatorId: 'c1' })).rejects.toMatchObject({ code: 'offline.verify_unavailable' });
    expect(await countRows(db)).toMatchObject({ items: before.items + 3 });
  }, 60_000);
});
