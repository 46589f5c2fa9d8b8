import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { base32Decode, base32Encode, CODE_BYTES, CodeRefusal, CodeVerifier, compressKey, issueCertificate, newKeyPair, parseCode, type RefusalReason } from './code';
import { badCodeCases, EXPIRED_CERT, EXPIRED_SHIFT_MS, expiredCertCode } from './bad-codes';
import { cleanTempDirs, countRows, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from './test-kit';
import { VerifyPool } from './verify-pool';
import type { OfflineStore } from './store';
import type { Db } from '../store/db';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { OfflineWallet } from './wallet';
import { isAppError } from '../api/errors';

// Removes the vc-* folders this file made (after its own hooks have closed the databases).
afterAll(cleanTempDirs);

describe('base32 text encoding', () => {
  it('round-trips any bytes and uses only QR alphanumeric characters', () => {
    for (let n = 0; n < 64; n++) {
      const b = randomBytes(n);
      const t = base32Encode(b);
      expect(t).toMatch(/^[A-Z2-7]*$/);
      expect(Buffer.from(base32Decode(t)!)).toEqual(b);
    }
  });
  it('refuses characters outside the alphabet and non-canonical tails', () => {
    expect(base32Decode('AB1C')).toBeNull();
    expect(base32Decode('AB=')).toBeNull();
    expect(base32Decode('AB')).toBeNull(); // 10 bits: the 2 spare bits are not zero
  });
});

describe('offline code format', () => {
  it('is 207 bytes, OC1 + 332 base32 characters, and survives case folding and a trailing CR/LF', async () => {
    const issuer = newKeyPair();
    const wk = newKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const cert = issueCertificate({ issuerKeyId: 1, walletId: '0011223344556677', walletPublicKey: compressKey(wk.publicKey), grade: 'B', perPaymentCapFen: 100, dailyCapFen: 200, notBefore: now, notAfter: now + 10 }, issuer);
    const w = new OfflineWallet({ walletId: '0011223344556677', keyPair: wk, certificate: cert, counter: 0 });
    const code = w.nextCode();
    expect(code).toMatch(/^OC1[A-Z2-7]{332}$/);
    const p = parseCode(`${code.toLowerCase()}\r\n`);
    expect(p.bytes.length).toBe(CODE_BYTES);
    expect(p.cert).toMatchObject({ walletId: '0011223344556677', grade: 'B', perPaymentCapFen: 100, dailyCapFen: 200 });
    expect(p.counter).toBe(1);
  });

  it('produces GM/T 0003 SM2 signatures that sm-crypto-v2 verifies with its own hashing', () => {
    const issuer = newKeyPair();
    const wk = newKeyPair();
    const cert = issueCertificate({ issuerKeyId: 1, walletId: '0011223344556677', walletPublicKey: compressKey(wk.publicKey), grade: 'C', perPaymentCapFen: 1, dailyCapFen: 1, notBefore: 1, notAfter: 2 }, issuer);
    const p = parseCode(new OfflineWallet({ walletId: '0011223344556677', keyPair: wk, certificate: cert, counter: 0 }).nextCode());
    expect(sm2.doVerifySignature(p.certSigned, p.issuerSig, issuer.publicKey, { hash: true })).toBe(true);
    expect(sm2.doVerifySignature(p.walletSigned, p.walletSig, wk.publicKey, { hash: true })).toBe(true);
  });
});

/**
 * Generated refusal cases (bad-codes.ts): every kind of bad code, many times over with fresh
 * wallets and random mutation positions, each refused with its own reason and nothing written —
 * with the signatures checked in this thread, on the worker pool as the app does, and on the pool
 * begun when the budget first saw the code (the cashier's scan → budget → accept).
 */
describe.each([
  { where: 'in this thread', pooled: false, budgetFirst: false },
  { where: 'on the worker pool', pooled: true, budgetFirst: false },
  // The cashier's flow: the budget sees the code first and begins its checks; the accept reads
  // that verdict (verdict-cache.ts) and must refuse exactly as it would have on its own.
  { where: 'on the worker pool, begun when the budget saw the code', pooled: true, budgetFirst: true },
])('offline accept refuses bad codes with the reason and writes nothing (signatures checked $where)', ({ pooled, budgetFirst }) => {
  let dir: string;
  let db: Db;
  let acqDb: Db;
  let acq: OfflineAcquirer;
  let store: OfflineStore;
  const t = { wallets: [] as OfflineWallet[], revokedWallet: null as unknown as OfflineWallet };
  const pools: VerifyPool[] = [];
  const signatures = () => {
    if (!pooled) return undefined;
    const p = new VerifyPool({ size: 2 });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = tempDir('codes');
    db = await openTerminalDb(dir);
    ({ acq, db: acqDb } = await openAcquirer(dir));
    for (let i = 0; i < 6; i++) t.wallets.push(await newWallet(acq));
    t.revokedWallet = await newWallet(acq);
    await acq.revoke(t.revokedWallet.walletId);
    store = await openSyncedStore(db, acq, { signatures: signatures() });
    // One honest payment per wallet, so replays have a counter to be refused against.
    for (const w of t.wallets) await store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1' });
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await db.close();
    await acqDb.close();
  });

  const cases = badCodeCases(t);

  it(`refuses ${cases.length} generated bad codes, each with its reason, and writes nothing`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    // Expired certificates: the same trust material on a terminal whose clock is 40 days on
    // (certificates live 30 days), with codes dated by that clock.
    const laterDb = await openTerminalDb(tempDir('later'));
    const later = await openSyncedStore(laterDb, acq, { now: () => Date.now() + EXPIRED_SHIFT_MS, signatures: signatures() });
    const beforeLater = await countRows(laterDb);
    const before = await countRows(db);
    const tally = new Map<string, number>();
    let k = 0;
    for (const c of cases) {
      let code = c.make();
      let target = store;
      if (code === EXPIRED_CERT) {
        code = expiredCertCode(t.wallets[k++ % 6], 40_000 + k);
        target = later;
      }
      if (budgetFirst) target.precheck(code);
      let err: unknown = null;
      try {
        await target.accept({ amountFen: 100, code, operatorId: 'c1' });
      } catch (e) {
        err = e;
      }
      expect(isAppError(err), c.kind).toBe(true);
      const reason = (err as { detail?: { reason?: string } }).detail?.reason as RefusalReason;
      expect(c.reasons, `${c.kind}: got ${reason}`).toContain(reason);
      expect((err as { code: string }).code).toBe(`offline.code.${reason}`);
      expect((err as { zh: string }).zh.length).toBeGreaterThan(0);
      expect((err as { en: string }).en.length).toBeGreaterThan(0);
      tally.set(reason, (tally.get(reason) ?? 0) + 1);
    }
    expect(await countRows(db)).toEqual(before);
    expect(await countRows(laterDb)).toEqual(beforeLater);
    await later.close();
    await laterDb.close();
    for (const r of ['bad_wallet_signature', 'replayed', 'code_expired', 'code_from_future', 'revoked', 'unknown_issuer', 'bad_issuer_signature', 'cert_expired', 'malformed', 'unsupported_version']) {
      expect(tally.get(r), r).toBeGreaterThan(0);
    }
    // The pooled run's verdicts really came from the threads.
    if (pooled) expect(pools.map((p) => p.stats().answered > 0)).toEqual([true, true]);
    // Every code that parsed and named a trusted key was checked once, at the budget.
    if (budgetFirst) expect(store.verdicts.hits + later.verdicts.hits).toBeGreaterThan(200);
  }, 120_000);
});

describe('verifier caches', () => {
  it('a code whose certificate was cached still fails when its wallet signature is forged', () => {
    const issuer = newKeyPair();
    const wk = newKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const cert = issueCertificate({ issuerKeyId: 3, walletId: 'AAAAAAAAAAAAAAAA', walletPublicKey: compressKey(wk.publicKey), grade: 'B', perPaymentCapFen: 100, dailyCapFen: 200, notBefore: now - 5, notAfter: now + 100 }, issuer);
    const v = new CodeVerifier();
    v.setIssuerKeys([{ keyId: 3, publicKey: issuer.publicKey, validFrom: 0, validTo: 0xffffffff }]);
    const ctx = { nowMs: Date.now(), lastCounter: () => -1, isRevoked: () => false };
    const good = new OfflineWallet({ walletId: 'AAAAAAAAAAAAAAAA', keyPair: wk, certificate: cert, counter: 0 });
    expect(v.verify(good.nextCode(), ctx).counter).toBe(1);
    const thief = new OfflineWallet({ walletId: 'AAAAAAAAAAAAAAAA', keyPair: newKeyPair(), certificate: cert, counter: 10 });
    expect(() => v.verify(thief.nextCode(), ctx)).toThrow(CodeRefusal);
  });

  it('after issuer key rotation, certificates from the retired key stop verifying once it is removed', () => {
    const k1 = newKeyPair();
    const wk = newKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const cert = issueCertificate({ issuerKeyId: 1, walletId: 'BBBBBBBBBBBBBBBB', walletPublicKey: compressKey(wk.publicKey), grade: 'B', perPaymentCapFen: 100, dailyCapFen: 200, notBefore: now - 5, notAfter: now + 100 }, k1);
    const w = new OfflineWallet({ walletId: 'BBBBBBBBBBBBBBBB', keyPair: wk, certificate: cert, counter: 0 });
    const v = new CodeVerifier();
    const ctx = { nowMs: Date.now(), lastCounter: () => -1, isRevoked: () => false };
    v.setIssuerKeys([{ keyId: 1, publicKey: k1.publicKey, validFrom: 0, validTo: 0xffffffff }]);
    expect(v.verify(w.nextCode(), ctx).walletId).toBe('BBBBBBBBBBBBBBBB');
    v.setIssuerKeys([{ keyId: 2, publicKey: newKeyPair().publicKey, validFrom: 0, validTo: 0xffffffff }]);
    try {
      v.verify(w.nextCode(), ctx);
      expect.unreachable();
    } catch (e) {
      expect((e as CodeRefusal).reason).toBe('unknown_issuer');
    }
  });
});
