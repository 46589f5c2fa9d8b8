import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import type { Db } from '../store/db';
import { CodeRefusal, newKeyPair, parseCode } from './code';
import type { OfflineStore } from './store';
import { cleanTempDirs, countRows, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from './test-kit';
import { VerdictCache } from './verdict-cache';
import { VerifyBusy, VerifyPool, VerifyUnavailable } from './verify-pool';
import { OfflineWallet } from './wallet';

// Removes the vc-* folders this file made (after its own hooks have closed the databases).
afterAll(cleanTempDirs);

let acq: OfflineAcquirer;
let acqDb: Db;

beforeAll(async () => {
  ({ acq, db: acqDb } = await openAcquirer(tempDir('verdicts-acq')));
}, 30_000);
afterAll(async () => {
  await acqDb.close();
});

/** A code made with the wallet's real certificate but another key: its wallet signature is forged. */
function forged(w: OfflineWallet): string {
  const cert = parseCode(w.codeWith({ codeTimeMs: Date.now(), counter: 1 })).certBytes.slice();
  return new OfflineWallet({ walletId: w.walletId, keyPair: newKeyPair(), certificate: cert, counter: 7000 }).nextCode();
}

/** A sync from the acquirer; `rotate` adds a new issuer key to the set, as a key rotation does. */
async function resync(store: OfflineStore, rotate = false): Promise<void> {
  const s = await acq.sync();
  const extra = rotate ? [{ ...s.issuerKeys[0]!, keyId: 9_999, publicKey: newKeyPair().publicKey }] : [];
  await store.applySync({ issuerKeys: [...s.issuerKeys, ...extra], revoked: s.revoked, policy: s.policy, offsetMs: 0 });
}

describe('offline accept after the budget saw the code (signatures on the worker pool)', () => {
  let db: Db;
  let store: OfflineStore;
  let pool: VerifyPool;
  let checks: ReturnType<typeof vi.spyOn>;

  beforeEach(async () => {
    db = await openTerminalDb(tempDir('verdicts'));
    pool = await new VerifyPool({ size: 1, log: () => undefined }).start();
    checks = vi.spyOn(pool, 'check');
    store = await openSyncedStore(db, acq, { signatures: pool, bus: null });
  }, 30_000);
  afterEach(async () => {
    await store.close(); // ends the pool
    await db.close();
  });

  it('uses the verdict begun at the budget: the pool gets one request for the code, not two', async () => {
    const w = await newWallet(acq);
    const code = w.nextCode();
    expect(store.precheck(code)).toBe(true);
    store.budget(store.walletOf(code));
    await new Promise((r) => setTimeout(r, 50)); // the cashier looks at the budget
    const p = await store.accept({ amountFen: 500, code, operatorId: 'c1' });
    expect(p.state).toBe('accepted_offline');
    expect(checks).toHaveBeenCalledTimes(1);
    expect(pool.stats().answered).toBe(1);
    expect(store.verdicts.hits).toBe(1);
    // A second budget of the same code does not ask again either.
    expect(store.precheck(code)).toBe(true);
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('still runs every stateful check at the accept: a cached valid code is refused as a replay the second time', async () => {
    const w = await newWallet(acq);
    const code = w.nextCode();
    store.precheck(code);
    await store.accept({ amountFen: 300, code, operatorId: 'c1' });
    const before = await countRows(db);
    store.precheck(code);
    await expect(store.accept({ amountFen: 300, code, operatorId: 'c1' })).rejects.toMatchObject({ code: 'offline.code.replayed' });
    expect(store.verdicts.hits).toBe(2);
    expect(checks).toHaveBeenCalledTimes(1);
    expect(await countRows(db)).toEqual(before);
  });

  it('refuses a forged code whose cached verdict is "invalid" the same way, writing nothing', async () => {
    const w = await newWallet(acq);
    await store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1' });
    const bad = forged(w);
    const before = await countRows(db);
    expect(store.precheck(bad)).toBe(true);
    await expect(store.accept({ amountFen: 100, code: bad, operatorId: 'c1' })).rejects.toMatchObject({
      code: 'offline.code.bad_wallet_signature', zh: expect.any(String), en: expect.any(String),
    });
    expect(store.verdicts.hits).toBe(1);
    expect(checks).toHaveBeenCalledTimes(2); // the honest code's, then the forged one's once
    expect(await countRows(db)).toEqual(before);
  });

  it('keeps the verdict over a routine sync that brings the same keys', async () => {
    const w = await newWallet(acq);
    const code = w.nextCode();
    store.precheck(code);
    await resync(store);
    expect(store.verdicts.size).toBe(1);
    await store.accept({ amountFen: 200, code, operatorId: 'c1' });
    expect(checks).toHaveBeenCalledTimes(1);
    expect(store.verdicts.hits).toBe(1);
  });

  it('checks again when a key sync that changed the issuer keys came between the budget and the accept', async () => {
    const w = await newWallet(acq);
    const code = w.nextCode();
    store.precheck(code);
    expect(store.verdicts.size).toBe(1);
    await resync(store, true);
    expect(store.verdicts.size).toBe(0);
    await store.accept({ amountFen: 200, code, operatorId: 'c1' });
    expect(checks).toHaveBeenCalledTimes(2);
    expect(pool.stats().answered).toBe(2);
    expect(store.verdicts.hits).toBe(0);
  });

  it('does not keep a check that could not be made: the accept asks again', async () => {
    const w = await newWallet(acq);
    const code = w.nextCode();
    checks.mockImplementationOnce(() => Promise.reject(new VerifyUnavailable('test')));
    expect(store.precheck(code)).toBe(true);
    await vi.waitFor(() => expect(store.verdicts.size).toBe(0));
    checks.mockImplementationOnce(() => {
      throw new VerifyBusy();
    });
    expect(store.precheck(code)).toBe(false);
    expect((await store.accept({ amountFen: 200, code, operatorId: 'c1' })).state).toBe('accepted_offline');
    expect(checks).toHaveBeenCalledTimes(3);
    expect(store.verdicts.hits).toBe(0);
  });

  it('ignores what is not a usable code at the budget, and the accept refuses it as before', async () => {
    const before = await countRows(db);
    for (const junk of ['OC1' + 'A'.repeat(10), '134567890123456789', 'OC2' + 'A'.repeat(332)]) {
      expect(store.precheck(junk)).toBe(false);
      await expect(store.accept({ amountFen: 100, code: junk, operatorId: 'c1' })).rejects.toMatchObject({ code: expect.stringMatching(/^offline\.code\./) });
    }
    expect(checks).not.toHaveBeenCalled();
    expect(store.verdicts.size).toBe(0);
    expect(await countRows(db)).toEqual(before);
  });
});

describe('the verdict cache', () => {
  const codes: ReturnType<typeof parseCode>[] = [];
  beforeAll(async () => {
    const w = await newWallet(acq);
    for (let i = 0; i < 5; i++) codes.push(parseCode(w.nextCode()));
  });

  it('is keyed by the code hash, never the code', () => {
    const key = VerdictCache.keyOf(codes[0]);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toBe(VerdictCache.keyOf(codes[1]));
  });

  it('holds at most its bound, evicting the oldest', () => {
    const c = new VerdictCache({ max: 3 });
    for (const code of codes) c.put(code, 'K', Promise.resolve('h'));
    expect(c.size).toBe(3);
    expect(c.get(codes[0], 'K')).toBeNull();
    expect(c.get(codes[1], 'K')).toBeNull();
    expect(c.get(codes[4], 'K')).not.toBeNull();
  });

  it('lets entries expire after their lifetime', async () => {
    let t = 1_000;
    const c = new VerdictCache({ ttlMs: 5_000, now: () => t });
    c.put(codes[0], 'K', Promise.resolve('h'));
    t += 4_999;
    expect(await c.get(codes[0], 'K')).toBe('h');
    t += 1;
    expect(c.get(codes[0], 'K')).toBeNull();
    expect(c.size).toBe(0);
  });

  it('answers only for the issuer key the verdict was made under, and keeps a refusal', async () => {
    const c = new VerdictCache();
    const refused = Promise.reject(new CodeRefusal('bad_issuer_signature'));
    c.put(codes[0], 'K1', refused);
    expect(c.get(codes[0], 'K2')).toBeNull();
    await expect(c.get(codes[0], 'K1')).rejects.toMatchObject({ reason: 'bad_issuer_signature' });
    expect(c.size).toBe(1);
    c.clear();
    expect(c.size).toBe(0);
  });
});
