/**
 * Connectivity as seen from request outcomes: online, weak (slow or failing some requests) or
 * offline. Every acquirer exchange reports its outcome here; the state is pushed as the
 * `connectivity:changed` event when it changes (or the RTT moves by more than a quarter).
 */
import type { Connectivity, LinkState } from '../api/system';
import type { EventBus } from '../events';

export interface MonitorOptions {
  /** RTT above this (ms) counts as weak. */
  weakRttMs?: number;
  /** Consecutive failures after which the link is offline. */
  offlineAfterFailures?: number;
  now?: () => number;
}

export class ConnectivityMonitor {
  private rtt: number | null = null;
  private failures = 0;
  private lastOkAt: number | null = null;
  private stateNow: LinkState = 'offline';
  private readonly weakRttMs: number;
  private readonly offlineAfter: number;
  private readonly now: () => number;

  constructor(private readonly bus: EventBus, opts: MonitorOptions = {}) {
    this.weakRttMs = opts.weakRttMs ?? 1500;
    this.offlineAfter = opts.offlineAfterFailures ?? 2;
    this.now = opts.now ?? Date.now;
  }

  /** An exchange with the acquirer succeeded after `rttMs`. */
  ok(rttMs: number): void {
    this.rtt = this.rtt === null ? rttMs : this.rtt * 0.7 + rttMs * 0.3;
    this.failures = 0;
    this.lastOkAt = this.now();
    this.update();
  }

  /** An exchange failed at the transport level (timeout, reset, refused, 5xx). */
  failed(): void {
    this.failures += 1;
    this.update();
  }

  /**
   * The link is known to be down (the trainer pressed 断网, or a carrier said so): offline at
   * once. Counting it as one failed exchange would show 信号弱 until the next probe failed too.
   */
  linkDown(): void {
    this.failures = Math.max(this.failures, this.offlineAfter);
    this.update();
  }

  private probeTimer: NodeJS.Timeout | null = null;
  private probeTick: (() => Promise<void>) | null = null;

  /**
   * Periodic real probes (e.g. a small request to the acquirer): each outcome feeds ok/failed
   * like any other exchange, so the state also moves while the terminal is idle. Probing
   * speeds up while the link is down, to notice its return quickly.
   */
  startProbes(probe: () => Promise<number>, everyMs: number, whenDownMs = Math.max(1000, Math.floor(everyMs / 3))): void {
    this.stopProbes();
    const tick = async () => {
      try {
        this.ok(await probe());
      } catch {
        this.failed();
      }
      if (this.probeTimer !== null) {
        this.probeTimer = setTimeout(() => void tick(), this.stateNow === 'online' ? everyMs : whenDownMs);
        this.probeTimer.unref();
      }
    };
    this.probeTick = tick;
    this.probeTimer = setTimeout(() => void tick(), 0);
    this.probeTimer.unref();
  }

  /**
   * Probe at once instead of at the next tick: when something says the link may have changed
   * (a trainer switched the network back on), the cashier should not wait seconds to see it.
   */
  probeNow(): void {
    if (this.probeTimer === null || this.probeTick === null) return;
    clearTimeout(this.probeTimer);
    const tick = this.probeTick;
    this.probeTimer = setTimeout(() => void tick(), 0);
    this.probeTimer.unref();
  }

  stopProbes(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    this.probeTick = null;
  }

  get(): Connectivity {
    return { state: this.stateNow, rttMs: this.rtt === null ? null : Math.round(this.rtt), lastOkAt: this.lastOkAt };
  }

  private lastEmittedRtt: number | null = null;

  private update(): void {
    const next: LinkState =
      this.failures >= this.offlineAfter
        ? 'offline'
        : this.failures > 0 || (this.rtt !== null && this.rtt > this.weakRttMs)
          ? 'weak'
          : 'online';
    const rttMoved =
      this.rtt !== null && (this.lastEmittedRtt === null || Math.abs(this.rtt - this.lastEmittedRtt) > this.lastEmittedRtt / 4);
    if (next !== this.stateNow || rttMoved) {
      this.stateNow = next;
      this.lastEmittedRtt = this.rtt;
      this.bus.emit('connectivity:changed', this.get());
    }
  }
}
