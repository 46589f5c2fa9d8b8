/**
 * Generated bad offline codes for the tests (not used by the app): every kind of refusal, many
 * times over with fresh keys and random mutation positions. Shared by the accept test
 * (code.test.ts: each refused with its reason, nothing written) and the worker pool's test
 * (verify-pool.test.ts: the pool's verdict equals the in-thread one).
 */
import { compressKey, issueCertificate, newKeyPair, parseCode, type KeyPair, type RefusalReason } from './code';
import { OfflineWallet } from './wallet';

export interface BadCodeCase {
  kind: string;
  /** The code, or EXPIRED_CERT: make it on a terminal whose clock is EXPIRED_SHIFT_MS on. */
  make: () => string;
  /** The refusals this kind may get (a random tampered byte may land in any field). */
  reasons: RefusalReason[];
}

/** Marks the cases that need a terminal clock past the certificates' 30 days. */
export const EXPIRED_CERT = 'EXPIRED';
export const EXPIRED_SHIFT_MS = 40 * 86_400_000;

/**
 * The cases, against a terminal synced with the issuer of `wallets` and `revokedWallet` (the
 * latter on its revocation list), where each of `wallets` has had one honest payment accepted
 * (counter 1), so replays have a counter to be refused against. 329 cases. `t` is read only
 * when a case is made, so the list can be built before the wallets are issued.
 */
export function badCodeCases(t: { readonly wallets: OfflineWallet[]; readonly revokedWallet: OfflineWallet }): BadCodeCase[] {
  const rogueIssuer = newKeyPair();
  const wallet = (i: number) => t.wallets[i % t.wallets.length];

  function rogueCode(w: OfflineWallet, how: 'unknown_key' | 'forged_cert'): string {
    const wk: KeyPair = newKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const keyId = how === 'unknown_key' ? 999 : 1; // forged_cert claims the real issuer's key id
    const cert = issueCertificate({ issuerKeyId: keyId, walletId: w.walletId, walletPublicKey: compressKey(wk.publicKey), grade: 'A', perPaymentCapFen: 9_999_999, dailyCapFen: 9_999_999, notBefore: now - 10, notAfter: now + 3600 }, rogueIssuer);
    return new OfflineWallet({ walletId: w.walletId, keyPair: wk, certificate: cert, counter: 1000 }).nextCode();
  }

  function flip(code: string, pos: number): string {
    const c = code[pos];
    const alt = c === 'A' ? 'B' : 'A';
    return code.slice(0, pos) + alt + code.slice(pos + 1);
  }

  const cases: BadCodeCase[] = [];
  const N = 45;
  for (let i = 0; i < N; i++) {
    cases.push({ kind: 'forged wallet signature (wrong key)', make: () => {
      const w = wallet(i);
      const other = new OfflineWallet({ walletId: w.walletId, keyPair: newKeyPair(), certificate: parseCode(w.codeWith({ codeTimeMs: Date.now(), counter: 1 })).certBytes.slice(), counter: 5000 + i });
      return other.nextCode();
    }, reasons: ['bad_wallet_signature'] });
    cases.push({ kind: 'tampered byte', make: () => {
      const code = wallet(i).codeWith({ codeTimeMs: Date.now(), counter: 10_000 + i });
      // Any character of the certificate or payload area (after the prefix, before the last char).
      const pos = 3 + 1 + Math.floor(Math.random() * 328);
      return flip(code, pos);
    }, reasons: ['bad_issuer_signature', 'bad_wallet_signature', 'unknown_issuer', 'malformed', 'unsupported_version'] });
    cases.push({ kind: 'replayed', make: () => wallet(i).codeWith({ codeTimeMs: Date.now(), counter: 1 - (i % 2) }), reasons: ['replayed'] });
    cases.push({ kind: 'expired code', make: () => wallet(i).codeWith({ codeTimeMs: Date.now() - (121 + i * 60) * 1000, counter: 20_000 + i }), reasons: ['code_expired'] });
    // 40 s, not 31: the code's time is whole seconds, so 31 s ahead became 30 s (allowed) whenever
    // a second boundary passed between making the code and checking it (a pool's queue, a busy PC).
    cases.push({ kind: 'future-dated', make: () => wallet(i).codeWith({ codeTimeMs: Date.now() + (40 + i * 60) * 1000, counter: 30_000 + i }), reasons: ['code_from_future'] });
    cases.push({ kind: 'revoked wallet', make: () => t.revokedWallet.codeWith({ codeTimeMs: Date.now(), counter: 1 + i }), reasons: ['revoked'] });
    cases.push({ kind: i % 2 ? 'wrong issuer (unknown key id)' : 'wrong issuer (forged certificate)', make: () => rogueCode(wallet(i), i % 2 ? 'unknown_key' : 'forged_cert'), reasons: [i % 2 ? 'unknown_issuer' : 'bad_issuer_signature'] });
  }
  // Expired certificates need a terminal clock past their validity: the caller makes these codes.
  for (let i = 0; i < 10; i++) {
    cases.push({ kind: 'expired certificate', make: () => EXPIRED_CERT, reasons: ['cert_expired'] });
  }
  cases.push({ kind: 'garbage', make: () => 'OC1' + 'A'.repeat(10), reasons: ['malformed'] });
  cases.push({ kind: 'an online code', make: () => '134567890123456789', reasons: ['malformed'] });
  cases.push({ kind: 'lower case digits 0/1/8/9 (not base32)', make: () => 'OC1' + '0189'.repeat(83), reasons: ['malformed'] });
  cases.push({ kind: 'unknown version', make: () => 'OC2' + 'A'.repeat(332), reasons: ['unsupported_version'] });
  return cases;
}

/** The code for an EXPIRED_CERT case: dated by the shifted clock, so only the certificate is out of date. */
export function expiredCertCode(w: OfflineWallet, counter: number): string {
  return w.codeWith({ codeTimeMs: Date.now() + EXPIRED_SHIFT_MS, counter });
}
