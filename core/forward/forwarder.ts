/**
 * The forwarder: uploads accepted-offline items to the acquirer in batches whenever the link
 * allows, until none is left.
 *
 * Invariants:
 * - Items are marked `sending` (durably, with the batch id) before the request leaves; after a
 *   crash they are sent again exactly as they were. The acquirer recognises a re-sent item by
 *   terminal + order number, so nothing is applied twice, whatever was lost on the way.
 * - An answer is applied only if it matches the batch that was sent (same batch id, one verdict
 *   per item); anything else is treated as a lost reply and the batch is retried.
 * - Failures back off exponentially with full jitter (capped), and halve the batch size;
 *   successes grow the batch towards ~`targetBatchMs` (20 s) of link time at the measured throughput,
 *   so a slow link carries few large requests (little per-request overhead) and a flapping
 *   link loses little work per reset.
 * - "Send now" cancels the wait; it never sends the same items twice at once (one loop, and
 *   items of a batch in flight are excluded from the next batch).
 * - A failure is classified (failures.ts) into a problem in plain words, kept with its technical
 *   detail and logged once per change. A problem retrying cannot fix (key refused, clock off,
 *   no key) pauses forwarding with a long back-off: an accept or the link coming back does not
 *   wake it, only "send now" does — the acquirer is not hammered with refused signatures.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectivityMonitor } from '../connectivity/monitor';
import type { OfflineStore, AcquirerVerdict } from '../offline/store';
import { crashPoint } from '../offline/crash-point';
import type { ForwarderStatus, ForwardProblem } from '../api/offline';
import { TransportError, type OfflineClient } from './client';
import { backoffMs, classifyFailure, describeFailure, FORWARD_PROBLEMS, type ForwardFailure } from './failures';
import { decodeResults, encodeBatch, flagBits, WireError } from './wire';

export interface ForwarderOptions {
  terminalId: string;
  minBatch?: number;
  maxBatch?: number;
  initialBatch?: number;
  /** Aim for a batch to take about this long on the link. */
  targetBatchMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** First wait after a problem retrying cannot fix (default 15 min), doubling up to `maxPauseMs` (2 h). */
  pauseMs?: number;
  maxPauseMs?: number;
  /** Batches in flight at once (default 2). */
  pipeline?: number;
  /** Called after each batch (tests, bench). */
  onBatch?: (info: { size: number; bytes: number; ms: number; ok: boolean; error?: string }) => void;
  /** Called when the problem appears, changes or clears (the service puts it on the bus for the status bar). */
  onStatus?: (status: ForwarderStatus) => void;
  /** Where a new problem is logged with its technical detail (default: console.warn). */
  log?: (msg: string) => void;
}

export type ForwarderState = ForwarderStatus['state'];

export class Forwarder {
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private failures = 0;
  batchSize: number;
  state: ForwarderState = 'idle';
  nextAttemptAt: number | null = null;
  lastError: string | null = null;
  /** Smoothed link throughput in bytes/s (null until measured). */
  private throughput: number | null = null;
  private lastCompleteAt = 0;
  private readonly inFlight = new Set<number>();
  private inFlightBytes = 0;
  private inFlightItems = 0;
  /** The current problem (null while forwarding works), and whether it paused forwarding. */
  private problem: ForwardProblem | null = null;
  private lastFailure: ForwardFailure | null = null;
  /** The last problem logged, so a flapping link logs one line per 10 minutes, not one per flap. */
  private lastLogged: { code: string; at: number } | null = null;
  private paused = false;
  private readonly o: Required<Omit<ForwarderOptions, 'onBatch' | 'onStatus'>> & Pick<ForwarderOptions, 'onBatch' | 'onStatus'>;

  constructor(private readonly store: OfflineStore, private readonly client: Pick<OfflineClient, 'forward'>, private readonly monitor: ConnectivityMonitor | null, opts: ForwarderOptions) {
    this.o = {
      minBatch: 10, maxBatch: 2000, initialBatch: 100, targetBatchMs: 20_000, baseBackoffMs: 1_000, maxBackoffMs: 120_000,
      pauseMs: 15 * 60_000, maxPauseMs: 2 * 3_600_000, pipeline: 2, log: (m) => console.warn(`[forwarder] ${m}`), ...opts,
    };
    this.batchSize = this.o.initialBatch;
  }

  /**
   * Starts the loop if it is not running, or ends a back-off wait (after an accept, a
   * reconnect). A pause (a problem retrying cannot fix) is not ended here: only "send now".
   */
  kick(): void {
    if (this.stopped || this.paused) return;
    if (this.wake) {
      const w = this.wake;
      this.wake = null;
      w();
      return;
    }
    if (!this.running) void this.loop();
  }

  /** "Send now": skip the backoff wait, or end a pause (the installer or cashier fixed the cause). */
  sendNow(): void {
    this.failures = 0;
    this.paused = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.kick();
    this.wake?.();
  }

  /** Runs until the outbox is empty; resolves then (tests, bench). */
  async drain(): Promise<void> {
    this.kick();
    while (!this.stopped && (this.running || (await this.store.pendingCount()) > 0)) {
      await new Promise((r) => setTimeout(r, 20));
      if (!this.running && (await this.store.pendingCount()) > 0) this.kick();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /**
   * Up to `pipeline` batches in flight: while the acquirer works on one batch (and its answer
   * crosses the link), the next one is already uploading, so a 600 ms RTT is not paid idle
   * per batch. Items of a batch in flight are never picked again until it is answered.
   */
  private async loop(): Promise<void> {
    this.running = true;
    const active = new Set<Promise<boolean>>();
    let failed = false;
    // A batch's local failure (a full disk, the database closed at shutdown), kept here rather
    // than left in a promise nobody may be awaiting (an unhandled rejection ends the process).
    let localFailure: unknown = null;
    try {
      while (!this.stopped) {
        if (localFailure) throw localFailure;
        if (failed) {
          await Promise.all(active);
          failed = false;
          this.failures += 1;
          const code = this.lastFailure?.problem ?? 'link_down';
          const wait = backoffMs(code, this.failures, this.o);
          this.paused = FORWARD_PROBLEMS[code].pause;
          this.state = this.paused ? 'paused' : this.monitor?.get().state === 'offline' ? 'offline' : 'backoff';
          this.nextAttemptAt = Date.now() + wait;
          this.announce();
          await this.sleep(wait);
          this.paused = false;
          this.nextAttemptAt = null;
          continue;
        }
        if (active.size >= this.o.pipeline) {
          await Promise.race(active);
          continue;
        }
        const items = (await this.store.nextBatch(this.batchSize + this.inFlight.size)).filter((i) => !this.inFlight.has(i.seq)).slice(0, this.batchSize);
        if (!items.length) {
          if (!active.size) break;
          await Promise.race(active);
          continue;
        }
        for (const it of items) this.inFlight.add(it.seq);
        const p: Promise<boolean> = this.sendBatch(items).then(
          (ok) => {
            for (const it of items) this.inFlight.delete(it.seq);
            active.delete(p);
            if (ok) this.failures = 0;
            else failed = true;
            return ok;
          },
          (e: unknown) => {
            for (const it of items) this.inFlight.delete(it.seq);
            active.delete(p);
            localFailure ??= e;
            return false;
          },
        );
        active.add(p);
      }
      await Promise.all(active);
      if (localFailure) throw localFailure;
    } catch (e) {
      // A local failure (database closed at shutdown): keep the items as they are, say why.
      this.lastError = e instanceof Error ? e.message : String(e);
      await Promise.allSettled(active);
    } finally {
      this.running = false;
      this.state = 'idle';
    }
  }

  private async sendBatch(items: Awaited<ReturnType<OfflineStore['nextBatch']>>, fullCerts = false): Promise<boolean> {
    const batchId = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.toUpperCase();
    const body = encodeBatch({
      terminalId: this.o.terminalId,
      batchId,
      items: items.map((i) => ({ orderNo: i.orderNo, amountFen: i.amountFen, purpose: i.purpose, acceptedAt: i.acceptedAt, flags: flagBits(i.flags), code: i.code })),
    }, { fullCerts });
    const seqs = items.map((i) => i.seq);
    await this.store.markSending(batchId, seqs);
    crashPoint('forward.after-mark');
    this.state = 'sending';
    const t0 = performance.now();
    // Idle timeout: generous for this body and the batches ahead of it on the link (pipelined
    // requests wait their turn with no byte moving), plus the acquirer's own work on the items
    // (it verifies every signature before answering: allow 20 ms an item), at least 15 s.
    const ahead = this.inFlightBytes;
    this.inFlightBytes += body.length;
    const linkMs = this.throughput ? ((ahead + body.length) / this.throughput) * 1000 : 0;
    const timeoutMs = Math.max(15_000, 3 * linkMs + 20 * (items.length + this.inFlightItems));
    this.inFlightItems += items.length;
    try {
      const reply = await this.client.forward(body, timeoutMs).finally(() => {
        this.inFlightBytes -= body.length;
        this.inFlightItems -= items.length;
      });
      crashPoint('forward.after-response');
      const res = decodeResults(reply.body);
      if (res.batchId !== batchId || res.verdicts.length !== items.length) throw new WireError('reply does not match the batch');
      const results = items.map((it, k) => {
        const v = res.verdicts[k];
        const verdict: AcquirerVerdict = v.status === 'accepted' ? { status: 'accepted' } : { status: v.status, reason: v.reason ?? 'unknown' };
        return { seq: it.seq, orderNo: it.orderNo, verdict };
      });
      await this.store.applyResults(results);
      crashPoint('forward.after-apply');
      const done = performance.now();
      const ms = done - t0;
      this.monitor?.ok(Math.min(ms, reply.rttMs));
      // With batches pipelined, this one had the link to itself only since the previous answer.
      const bps = (body.length + reply.body.length) / Math.max((done - Math.max(t0, this.lastCompleteAt)) / 1000, 0.001);
      this.lastCompleteAt = done;
      this.throughput = this.throughput === null ? bps : this.throughput * 0.5 + bps * 0.5;
      // Grow towards the target batch duration at the measured rate.
      const perItem = body.length / items.length;
      const target = Math.floor((this.throughput * this.o.targetBatchMs) / 1000 / perItem);
      this.batchSize = Math.max(this.o.minBatch, Math.min(this.o.maxBatch, target, this.batchSize * 4));
      this.lastError = null;
      this.lastFailure = null;
      if (this.problem) {
        if (this.problem.paused || Date.now() - this.problem.since >= 60_000) this.o.log(`forwarding works again after: ${this.problem.detail}`);
        this.problem = null;
        this.announce();
      }
      this.o.onBatch?.({ size: items.length, bytes: body.length, ms, ok: true });
      return true;
    } catch (e) {
      if (!(e instanceof TransportError) && !(e instanceof WireError)) throw e;
      // The acquirer does not know a certificate by reference: the same items again, in full.
      if (e instanceof TransportError && e.detail === 'need_full_certs' && !fullCerts) return this.sendBatch(items, true);
      const f = classifyFailure(e);
      // Only a failure of the link says the link is down; a refusal came back over a working one.
      if (f.problem === 'timeout' || f.problem === 'link_down' || f.problem === 'server_error' || f.problem === 'bad_reply') this.monitor?.failed();
      this.lastError = f.detail;
      this.lastFailure = f;
      this.noteProblem(f);
      this.batchSize = Math.max(this.o.minBatch, Math.floor(this.batchSize / 2));
      await this.store.markRetry(seqs, `retry_${f.problem}`);
      this.o.onBatch?.({ size: items.length, bytes: body.length, ms: performance.now() - t0, ok: false, error: f.detail });
      return false;
    }
  }

  /**
   * Keeps the problem in plain words; a new or changed one is logged with its technical detail,
   * the same one again only after 10 minutes (a flapping link would otherwise log every flap).
   */
  private noteProblem(f: ForwardFailure): void {
    const t = FORWARD_PROBLEMS[f.problem];
    const same = this.problem?.code === f.problem;
    const now = Date.now();
    this.problem = {
      code: f.problem, ...describeFailure(f), who: t.who, paused: t.pause,
      since: same ? this.problem!.since : now, detail: f.detail,
    };
    const recent = this.lastLogged?.code === f.problem && now - this.lastLogged.at < 10 * 60_000;
    if (!same && !recent) {
      this.o.log(`${f.problem}: ${f.detail}`);
      this.lastLogged = { code: f.problem, at: now };
    }
  }

  private announce(): void {
    this.o.onStatus?.(this.status());
  }

  status(): ForwarderStatus {
    return { state: this.state, nextAttemptAt: this.nextAttemptAt, batchSize: this.batchSize, lastError: this.lastError, problem: this.problem };
  }
}
