/**
 * SM2 verification off the main thread: a small, fixed pool of worker threads
 * (verify-worker.ts) that answer one question per code — are its issuer and wallet signatures
 * valid, and if not, which one is bad. The offline store (store.ts) keeps everything stateful
 * (issuer key choice, clock, revocation, replay counters, risk, the one durable commit), so a
 * verdict is pure and the same whichever worker gave it.
 *
 * Invariants:
 * - A wallet always goes to the same worker (a stable hash of its id), so its verified
 *   certificate and precomputed key stay warm in that worker's caches.
 * - Bounded: at most `maxQueuePerWorker` requests wait or run per worker; one more is refused at
 *   once with VerifyBusy (the store turns it into a bilingual "busy, scan again"), never queued.
 * - Never lost, never accepted unverified: a worker that dies is started again and every request
 *   it held is sent to its successor and verified there. A request whose workers die
 *   `maxAttempts` times is refused (VerifyUnavailable) — a refusal, never an acceptance.
 * - A thread that cannot even start (`maxAttempts` times in a row) does not stop offline
 *   acceptance: its requests are verified in this thread instead, by the same checker, and it is
 *   tried again a minute later. Slower, never weaker.
 * - Threads start on their first request (or `start()`), so a run that never sees an offline
 *   code never starts them; `close()` lets requests in flight finish, then ends the threads.
 *
 * Why hand-written rather than piscina or tinypool: those are shared-queue pools that hand each
 * task to the least busy thread. Here each request must go to one particular thread (its
 * wallet's), trust material goes to every thread, and a dead thread's requests must be
 * re-verified rather than failed; with a library all three would be built around it, leaving it
 * only the thread start-up, which node:worker_threads already gives.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CodeRefusal, parseBytes, REFUSAL_TEXT, SignatureChecker, type CodeVerifier, type ParsedCode, type RefusalReason } from './code';

/** Main thread → worker. */
export type PoolRequest =
  | { type: 'check'; id: number; code: Uint8Array; issuerKey: string }
  | { type: 'trust'; issuerKeys: string[] }
  | { type: 'warm'; id: number; budgetMs: number };

/** Worker → main thread. */
export type PoolReply =
  | { type: 'ready' }
  | { type: 'verdict'; id: number; ok: true; certHash: string }
  | { type: 'verdict'; id: number; ok: false; reason: RefusalReason }
  | { type: 'failed'; id: number; message: string }
  | { type: 'warmed'; id: number; warmed: number; cold: number };

/**
 * Where the signatures of a code are checked: in this thread (InlineSignatures) or on the
 * worker pool (VerifyPool). The store asks for a check when a code arrives and reads the
 * verdict when the code's turn comes, so checks run ahead while earlier accepts commit.
 */
export interface SignatureService {
  /**
   * Resolves with the certificate's SHA-256 when both signatures hold under `issuerKey`;
   * rejects with CodeRefusal naming the bad signature, or VerifyUnavailable. Throws VerifyBusy
   * at once when full.
   */
  check(code: ParsedCode, issuerKey: string): Promise<string>;
  /** The issuer keys now trusted (load, sync): prepared ahead, others' caches dropped. */
  trust(issuerKeys: string[]): void;
  /** Idle time: precompute returning wallets' keys, within a budget per thread. */
  warm(budgetMs: number): Promise<{ warmed: number; cold: number }>;
  close(): Promise<void>;
}

export class VerifyBusy extends Error {
  constructor() {
    super('verification queue full');
    this.name = 'VerifyBusy';
  }
}

export class VerifyUnavailable extends Error {
  constructor(why: string) {
    super(`verification unavailable: ${why}`);
    this.name = 'VerifyUnavailable';
  }
}

/** The in-thread twin: the same checks, in the caller's thread (tests, tools, the acquirer side). */
export class InlineSignatures implements SignatureService {
  constructor(private readonly verifier: CodeVerifier) {}

  check(code: ParsedCode, issuerKey: string): Promise<string> {
    try {
      return Promise.resolve(this.verifier.signatures.check(code, issuerKey));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  trust(): void {
    // The verifier's own setIssuerKeys already told its checker.
  }

  async warm(budgetMs: number): Promise<{ warmed: number; cold: number }> {
    const warmed = this.verifier.warmIdle(budgetMs);
    return { warmed, cold: this.verifier.coldKeys };
  }

  async close(): Promise<void> {}
}

export interface VerifyPoolOptions {
  /** Threads; default os.availableParallelism(), at least 1 and at most 4 (see defaultPoolSize). */
  size?: number;
  /**
   * The worker's code. The Electron shell passes its bundled chunk (electron-vite `?modulePath`);
   * by default the TypeScript source is run through tsx (browser shell, tests, benchmarks).
   */
  workerPath?: string;
  /** Requests waiting or running per thread before more are refused as busy. */
  maxQueuePerWorker?: number;
  /** Deaths of its worker a single request may see before it is refused. */
  maxAttempts?: number;
  /** How long a thread may take to load before it counts as failing to start. */
  startTimeoutMs?: number;
  /** Verify in this thread while a worker cannot start (default true). */
  fallbackInThread?: boolean;
  log?: (message: string) => void;
}

/**
 * One thread per available core, at least 1: verification is pure CPU, so more threads than
 * cores only queue inside the OS. At most 4: each thread is a V8 isolate with its own caches
 * (~10 MB), and 4 already verify well over a thousand codes a second — far beyond one counter.
 */
export function defaultPoolSize(): number {
  return Math.min(4, Math.max(1, os.availableParallelism()));
}

/**
 * The source-tree entry: a small ES module that loads verify-worker.ts through tsx's API (a
 * worker thread does not inherit the parent's TypeScript loader, and `--import tsx` in a
 * worker's execArgv does not reach the worker's own entry on Node 20).
 */
export function sourceWorkerPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'verify-worker-tsx.mjs');
}

interface Pending {
  id: number;
  code: Uint8Array;
  issuerKey: string;
  /** Workers that died holding this request. */
  deaths: number;
  resolve(certHash: string): void;
  reject(e: unknown): void;
}

interface Slot {
  index: number;
  worker: Worker | null;
  /** Sent to this slot's worker (or waiting for it to start), not yet answered. */
  pending: Map<number, Pending>;
  warming: Map<number, (r: { warmed: number; cold: number }) => void>;
  ready: boolean;
  /** The current thread's start, until it is ready or gone. */
  starting: Promise<void> | null;
  /** Workers of this slot that died before saying ready, in a row. */
  failedStarts: number;
  /** While it keeps failing to start: when to try a thread again (ms since epoch). */
  retryAt: number;
  restartTimer: NodeJS.Timeout | null;
}

/** FNV-1a: a stable, well-spread hash of the wallet id (the same wallet → the same thread, across restarts). */
function walletHash(walletId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < walletId.length; i++) h = Math.imul(h ^ walletId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function isReply(m: unknown): m is PoolReply {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  switch (r.type) {
    case 'ready':
      return true;
    case 'verdict':
      return typeof r.id === 'number' && (r.ok === true ? typeof r.certHash === 'string' : typeof r.reason === 'string' && r.reason in REFUSAL_TEXT);
    case 'failed':
      return typeof r.id === 'number';
    case 'warmed':
      return typeof r.id === 'number' && typeof r.warmed === 'number' && typeof r.cold === 'number';
    default:
      return false;
  }
}

export class VerifyPool implements SignatureService {
  private readonly slots: Slot[];
  private readonly workerPath: string;
  private readonly maxQueue: number;
  private readonly maxAttempts: number;
  private readonly startTimeoutMs: number;
  private readonly fallback: SignatureChecker | null;
  private readonly log: (m: string) => void;
  private trusted: string[] = [];
  private nextId = 1;
  private closing = false;
  private whenIdle: (() => void) | null = null;
  private restartCount = 0;
  private answeredCount = 0;

  /** Threads start on their first request; `start()` starts them all now. */
  constructor(opts: VerifyPoolOptions = {}) {
    const size = Math.max(1, Math.floor(opts.size ?? defaultPoolSize()));
    this.workerPath = opts.workerPath ?? sourceWorkerPath();
    this.maxQueue = opts.maxQueuePerWorker ?? 128;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.startTimeoutMs = opts.startTimeoutMs ?? 30_000;
    this.fallback = opts.fallbackInThread === false ? null : new SignatureChecker();
    this.log = opts.log ?? ((m) => console.warn(`[verify-pool] ${m}`));
    this.slots = Array.from({ length: size }, (_, index) => ({
      index, worker: null, pending: new Map(), warming: new Map(), ready: false, starting: null, failedStarts: 0, retryAt: 0, restartTimer: null,
    }));
  }

  /** Starts every thread now and waits until each has loaded; rejects if one cannot. */
  async start(): Promise<this> {
    await Promise.all(this.slots.map((s) => s.starting ?? (s.worker ? undefined : this.spawn(s))));
    return this;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Requests waiting or running, verdicts given by the threads, and threads started again after dying. */
  stats(): { inFlight: number; answered: number; restarts: number } {
    return { inFlight: this.slots.reduce((n, s) => n + s.pending.size, 0), answered: this.answeredCount, restarts: this.restartCount };
  }

  /** Which thread a wallet's codes go to. */
  slotOf(walletId: string): number {
    return walletHash(walletId) % this.slots.length;
  }

  check(code: ParsedCode, issuerKey: string): Promise<string> {
    if (this.closing) return Promise.reject(new VerifyUnavailable('closing'));
    const slot = this.slots[this.slotOf(code.cert.walletId)];
    if (slot.pending.size >= this.maxQueue) throw new VerifyBusy();
    // A thread that keeps failing to start would only make every customer wait for the next try.
    if (slot.failedStarts >= this.maxAttempts && Date.now() < slot.retryAt) return this.inThread(code.bytes, issuerKey);
    return new Promise<string>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, code: code.bytes, issuerKey, deaths: 0, resolve, reject };
      slot.pending.set(p.id, p);
      if (slot.worker) this.send(slot, p);
      else if (!slot.restartTimer) this.spawn(slot).catch(() => undefined); // sends what is pending; its exit handler deals with a failed start
      this.refresh(slot);
    });
  }

  /** The same check in this thread, for a slot whose worker cannot start. */
  private inThread(bytes: Uint8Array, issuerKey: string): Promise<string> {
    if (!this.fallback) return Promise.reject(new VerifyUnavailable('worker does not start'));
    try {
      return Promise.resolve(this.fallback.check(parseBytes(bytes), issuerKey));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  trust(issuerKeys: string[]): void {
    this.trusted = [...issuerKeys];
    for (const s of this.slots) s.worker?.postMessage({ type: 'trust', issuerKeys: this.trusted } satisfies PoolRequest);
  }

  async warm(budgetMs: number): Promise<{ warmed: number; cold: number }> {
    const parts = await Promise.all(
      this.slots.map((s) => {
        if (!s.worker || this.closing) return { warmed: 0, cold: 0 };
        const id = this.nextId++;
        return new Promise<{ warmed: number; cold: number }>((resolve) => {
          s.warming.set(id, resolve);
          s.worker!.postMessage({ type: 'warm', id, budgetMs } satisfies PoolRequest);
          this.refresh(s);
        });
      }),
    );
    return parts.reduce((a, b) => ({ warmed: a.warmed + b.warmed, cold: a.cold + b.cold }), { warmed: 0, cold: 0 });
  }

  /**
   * Ends one thread as a crash would (fault tests, and the proof that its requests are verified
   * again by its successor).
   */
  async terminateWorker(index: number): Promise<void> {
    await this.slots[index]?.worker?.terminate();
  }

  /** Takes nothing new, lets requests in flight finish (up to `graceMs`), then ends the threads. */
  async close(graceMs = 5_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.stats().inFlight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, graceMs);
        this.whenIdle = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    const workers: Worker[] = [];
    for (const s of this.slots) {
      if (s.restartTimer) clearTimeout(s.restartTimer);
      for (const p of s.pending.values()) p.reject(new VerifyUnavailable('closing'));
      s.pending.clear();
      for (const w of s.warming.values()) w({ warmed: 0, cold: 0 });
      s.warming.clear();
      if (s.worker) workers.push(s.worker);
      s.worker = null;
    }
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private send(slot: Slot, p: Pending): void {
    slot.worker!.postMessage({ type: 'check', id: p.id, code: p.code, issuerKey: p.issuerKey } satisfies PoolRequest);
  }

  /** A thread with work keeps the process alive; an idle one does not. */
  private refresh(slot: Slot): void {
    if (!slot.worker) return;
    if (slot.pending.size || slot.warming.size || !slot.ready) slot.worker.ref();
    else slot.worker.unref();
    if (this.closing && this.whenIdle && this.stats().inFlight === 0) this.whenIdle();
  }

  /** Starts the slot's thread; resolves when it is ready (rejects if it dies or stalls first). */
  private spawn(slot: Slot): Promise<void> {
    const timeoutMs = this.startTimeoutMs;
    slot.starting = new Promise<void>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = new Worker(this.workerPath, { name: `sm2-verify-${slot.index}`, execArgv: [] });
      } catch (e) {
        // A path that cannot be loaded at all: a failed start like any other.
        this.log(`worker ${slot.index} cannot start: ${e instanceof Error ? e.message : String(e)}`);
        reject(new VerifyUnavailable(`worker ${slot.index} cannot start`));
        queueMicrotask(() => {
          slot.starting = null;
          if (!this.closing) this.onDeath(slot, false, -1);
        });
        return;
      }
      slot.worker = worker;
      slot.ready = false;
      const timer = setTimeout(() => {
        reject(new VerifyUnavailable(`worker ${slot.index} did not start within ${timeoutMs} ms`));
        void worker.terminate();
      }, timeoutMs);
      timer.unref();
      worker.on('message', (m: unknown) => {
        if (slot.worker !== worker) return;
        if (!isReply(m)) {
          this.log(`worker ${slot.index} sent an unexpected message; ignored`);
          return;
        }
        if (m.type === 'ready') {
          clearTimeout(timer);
          slot.ready = true;
          slot.starting = null;
          slot.failedStarts = 0;
          this.refresh(slot);
          resolve();
          return;
        }
        this.onReply(slot, m);
      });
      worker.on('error', (e) => this.log(`worker ${slot.index} failed: ${e instanceof Error ? e.message : String(e)}`));
      worker.on('exit', (code) => {
        clearTimeout(timer);
        if (slot.worker !== worker) return;
        const wasReady = slot.ready;
        slot.worker = null;
        slot.ready = false;
        slot.starting = null;
        if (!wasReady) reject(new VerifyUnavailable(`worker ${slot.index} exited (${code}) while starting`));
        if (!this.closing) this.onDeath(slot, wasReady, code);
      });
      if (this.trusted.length) worker.postMessage({ type: 'trust', issuerKeys: this.trusted } satisfies PoolRequest);
      // A successor takes over everything its predecessor held, in the order it was asked.
      for (const p of slot.pending.values()) this.send(slot, p);
      this.refresh(slot);
    });
    return slot.starting;
  }

  private onReply(slot: Slot, m: Exclude<PoolReply, { type: 'ready' }>): void {
    if (m.type === 'warmed') {
      const w = slot.warming.get(m.id);
      slot.warming.delete(m.id);
      w?.({ warmed: m.warmed, cold: m.cold });
    } else {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      this.answeredCount += 1;
      if (m.type === 'failed') p.reject(new VerifyUnavailable(m.message));
      else if (m.ok) p.resolve(m.certHash);
      else p.reject(new CodeRefusal(m.reason));
    }
    this.refresh(slot);
  }

  /**
   * A thread died (crash, out of memory, terminated): start a successor at once and hand it
   * every request the dead one held. A request that has now outlived `maxAttempts` workers is
   * refused instead (it may be what kills them). A thread that dies before it is even ready is
   * tried again after a growing pause; after `maxAttempts` such starts its requests are verified
   * in this thread, and the next thread is tried a minute later.
   */
  private onDeath(slot: Slot, wasReady: boolean, code: number): void {
    this.restartCount += 1;
    for (const w of slot.warming.values()) w({ warmed: 0, cold: 0 });
    slot.warming.clear();
    if (wasReady) {
      for (const p of [...slot.pending.values()]) {
        p.deaths += 1;
        if (p.deaths >= this.maxAttempts) {
          slot.pending.delete(p.id);
          p.reject(new VerifyUnavailable(`its worker died ${p.deaths} times`));
        }
      }
    } else {
      slot.failedStarts += 1;
      if (slot.failedStarts >= this.maxAttempts) {
        slot.retryAt = Date.now() + 60_000;
        for (const p of slot.pending.values()) this.inThread(p.code, p.issuerKey).then(p.resolve, p.reject);
        slot.pending.clear();
      }
    }
    this.log(`worker ${slot.index} exited (${code}); ${slot.pending.size} request(s) to verify again in its successor`);
    if (slot.pending.size) {
      const delay = slot.failedStarts === 0 ? 0 : Math.min(30_000, 500 * 2 ** slot.failedStarts);
      const restart = () => {
        slot.restartTimer = null;
        if (!this.closing) this.spawn(slot).catch(() => undefined); // its exit handler deals with a failed start
      };
      if (delay === 0) restart();
      else {
        slot.restartTimer = setTimeout(restart, delay);
        slot.restartTimer.unref();
      }
    }
    // Otherwise the slot's next request starts a thread.
    if (this.closing && this.whenIdle && this.stats().inFlight === 0) this.whenIdle();
  }
}
