/**
 * Signature verdicts started early: when an offline code first reaches the core (the cashier's
 * scan, for which the screen asks `offline:budget` before confirming), its SM2 checks are sent
 * to the signature service at once and the pending verdict is kept here, so the accept that
 * follows a few hundred milliseconds later reads it instead of waiting for its own check.
 *
 * Invariants:
 * - Only the pure signature verdict is kept (the certificate's hash, or which signature is bad),
 *   with the issuer key it was checked under; the accept uses it only for that same key.
 *   Everything stateful (clock, revocation, replay counter, risk, the one commit) is still
 *   decided at accept time, in order: a cached "valid" skips none of it.
 * - Keyed by the SHA-256 of the code's bytes: the code itself is never kept here, logged or
 *   written anywhere by this cache.
 * - Short-lived and bounded: an entry expires `ttlMs` after its check started (default 20 s;
 *   the cashier confirms within seconds), at most `max` entries are held (default 32), the
 *   oldest evicted first.
 * - A sync that changes the issuer keys clears it (`clear()`, from the store), so no verdict
 *   outlives the key set it was made under; a sync bringing the same keys leaves it.
 * - A check that could not be made (busy, no thread) is not a verdict: it is dropped, and the
 *   accept asks again.
 *
 * Why not lru-cache: the whole of it is an insertion-ordered Map with a deadline per entry; the
 * library's current major would replace the old copy other packages pin in node_modules.
 */
import { createHash } from 'node:crypto';
import { CodeRefusal, type ParsedCode } from './code';

export interface VerdictCacheOptions {
  /** Entries held at most (default 32). */
  max?: number;
  /** Lifetime of an entry in ms (default 20,000). */
  ttlMs?: number;
  /** Monotonic clock for expiry (default performance.now). */
  now?: () => number;
}

interface Entry {
  issuerKey: string;
  expiresAt: number;
  /** Resolves with the certificate hash, or rejects with CodeRefusal naming the bad signature. */
  verdict: Promise<string>;
}

export class VerdictCache {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private hitCount = 0;

  constructor(opts: VerdictCacheOptions = {}) {
    this.max = Math.max(1, opts.max ?? 32);
    this.ttlMs = opts.ttlMs ?? 20_000;
    this.now = opts.now ?? (() => performance.now());
  }

  /** The cache key of a code: its bytes' SHA-256, never the code. */
  static keyOf(code: ParsedCode): string {
    return createHash('sha256').update(code.bytes).digest('base64url');
  }

  /** The verdict begun for this code under `issuerKey`, if it is still fresh; else null. */
  get(code: ParsedCode, issuerKey: string): Promise<string> | null {
    const key = VerdictCache.keyOf(code);
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    if (e.issuerKey !== issuerKey) return null;
    this.hitCount += 1;
    return e.verdict;
  }

  /** Whether a fresh verdict for this code under `issuerKey` is held (does not count as a use). */
  has(code: ParsedCode, issuerKey: string): boolean {
    const e = this.entries.get(VerdictCache.keyOf(code));
    return !!e && e.issuerKey === issuerKey && e.expiresAt > this.now();
  }

  /** Keeps a verdict under way; a failure other than a refusal removes it again. */
  put(code: ParsedCode, issuerKey: string, verdict: Promise<string>): void {
    const key = VerdictCache.keyOf(code);
    const entry: Entry = { issuerKey, expiresAt: this.now() + this.ttlMs, verdict };
    this.entries.delete(key); // re-inserted last: the newest is evicted last
    this.entries.set(key, entry);
    verdict.catch((e: unknown) => {
      if (!(e instanceof CodeRefusal) && this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.sweep();
  }

  /** Forgets every verdict (trust material replaced). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Accepts that used a verdict from here (tests, the bench). */
  get hits(): number {
    return this.hitCount;
  }

  /** Drops the expired, then the oldest beyond `max`. */
  private sweep(): void {
    const t = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= t) this.entries.delete(k);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
}
