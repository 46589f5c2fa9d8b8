/**
 * When the AML store reads the journal: at start (a catch-up, after a crash too), soon after any
 * event that follows a committed movement (a payment's change, a withdrawal paid out, the float
 * moving, the outbox), and once a minute in case an event was missed. Reads never overlap: a kick
 * during a run asks for one more run after it.
 *
 * A failure (a bug, a full disk) is logged, shown on the AML screen as the watcher's problem, and
 * retried after a pause; it never reaches the payment that caused the kick, and nothing is
 * skipped: the rows stay after the cursor until a read succeeds.
 */
import type { EventBus } from '../events';
import type { AmlStore } from './store';

type Words = { zh: string; en: string };

const PROBLEM: Words = {
  zh: '反洗钱检查暂时停顿，正在自动重试；收款不受影响。如持续出现，请联系安装人员。',
  en: 'The anti-money-laundering check has stalled and is retrying by itself; payments are not affected. If this lasts, call the installer.',
};

/** The events after which a new movement may be waiting in the journal. */
const KICKS = new Set(['payments:changed', 'agent:withdrawalChanged', 'agent:floatChanged', 'outbox:changed', 'demo:resetDone']);

export interface WatcherOptions {
  bus?: EventBus | null;
  log?: (msg: string, e?: unknown) => void;
  everyMs?: number;
  retryMs?: number;
}

export class AmlWatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private problem: Words | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private unsubscribe: () => void = () => undefined;
  private readonly log: (msg: string, e?: unknown) => void;

  constructor(private readonly store: AmlStore, private readonly opts: WatcherOptions = {}) {
    this.log = opts.log ?? ((m, e) => console.error(`[aml] ${m}`, e instanceof Error ? e.message : (e ?? '')));
  }

  /** Subscribes, starts the minute timer and catches up at once. */
  start(): void {
    if (this.opts.bus) this.unsubscribe = this.opts.bus.subscribe((name) => { if (KICKS.has(name)) this.kick(); });
    this.timer = setInterval(() => this.kick(), this.opts.everyMs ?? 60_000);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a read soon; never throws, never waits. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Reads until nothing is waiting, or until a read fails (then retries later). */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      try {
        const r = await this.store.step();
        this.problem = null;
        if (r.read === 0) return;
      } catch (e) {
        this.problem = PROBLEM;
        this.log('reading the journal failed; retrying', e);
        if (!this.retry && !this.stopped) {
          this.retry = setTimeout(() => {
            this.retry = null;
            this.kick();
          }, this.opts.retryMs ?? 5_000);
          this.retry.unref();
        }
        return;
      }
    }
  }

  /** Resolves once nothing is running or asked for (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async status(): Promise<{ behind: number; problem: Words | null }> {
    return { behind: await this.store.behind(), problem: this.problem };
  }

  /** Stops kicking and waits for a read under way; the database may close after this. */
  async close(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    await this.idle();
  }
}
