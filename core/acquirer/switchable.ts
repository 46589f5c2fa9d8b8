/**
 * One acquirer connection that can be replaced while the app runs, when an installer saves a
 * new endpoint or keys (core/settings/acquirer-profile.ts). Everything that moves money reaches
 * the acquirer through these wrappers and one `LinkGate`: the payment engine (`SwitchableAcquirer`),
 * refunds of offline payments (`SwitchableOfflineRefunds`) and the forwarder
 * (core/forward/switchable-client.ts).
 *
 * Invariants:
 * - a replacement happens only inside `LinkGate.hold`: no call is in flight and new calls wait,
 *   so every request goes whole to one connection, never half to each;
 * - the caller of `hold` checks, inside it, that nothing open still belongs to the old
 *   connection (a payment sent there is queried and cancelled there, never at the new one);
 * - without a connection (a live counter its installer has not set up yet) every money call
 *   provably never leaves: a charge or refund fails with a plain reason, nothing is guessed.
 */
import type {
  Acquirer,
  AcquirerInfo,
  AcquirerTimings,
  CancelOutcome,
  OfflineRefunds,
  PayOutcome,
  PayRequest,
  PrecreateOutcome,
  PrecreateRequest,
  QueryOutcome,
  RefundOutcome,
  RefundQueryOutcome,
  RefundRequest,
  Statement,
} from './types';

/** Why nothing was sent: this counter has no acquirer connection yet. */
export const NOT_CONNECTED = {
  reason: 'NOT_CONNECTED',
  zh: '本机尚未连接收单机构，未扣款。请管理员在“设置 → 收单机构连接”中设置。',
  en: 'This counter is not connected to an acquirer yet; nothing was charged. An administrator sets it up in Settings → Acquirer connection.',
} as const;

export class LinkGate {
  private inFlight = 0;
  private held: Promise<void> | null = null;
  private idle: Array<() => void> = [];

  /** Runs one call to the acquirer; waits first while a replacement is under way. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    while (this.held) await this.held;
    this.inFlight += 1;
    try {
      return await fn();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const w of this.idle.splice(0)) w();
    }
  }

  /**
   * Runs `fn` with no call in flight and every new one waiting until it ends. Calls already in
   * flight get `waitMs` to finish; if they do not, nothing runs and the answer is `ran: false`.
   */
  async hold<T>(waitMs: number, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    while (this.held) await this.held;
    let release!: () => void;
    this.held = new Promise<void>((r) => (release = r));
    try {
      if (this.inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => this.idle.push(() => resolve(true))),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
        ]);
        clearTimeout(timer);
        if (!drained) return { ran: false };
      }
      return { ran: true, value: await fn() };
    } finally {
      this.held = null;
      release();
    }
  }
}

type Closable = { close?(): void };

/** The engine's acquirer: whichever connection is current, every call through the gate. */
export class SwitchableAcquirer implements Acquirer {
  constructor(
    private readonly gate: LinkGate,
    private current: Acquirer & Closable,
  ) {}

  config(): AcquirerInfo {
    return this.current.config();
  }
  pay(req: PayRequest): Promise<PayOutcome> {
    return this.gate.run(() => this.current.pay(req));
  }
  query(orderNo: string): Promise<QueryOutcome> {
    return this.gate.run(() => this.current.query(orderNo));
  }
  cancel(orderNo: string): Promise<CancelOutcome> {
    return this.gate.run(() => this.current.cancel(orderNo));
  }
  refund(req: RefundRequest): Promise<RefundOutcome> {
    return this.gate.run(() => this.current.refund(req));
  }
  queryRefund(orderNo: string, refundNo: string): Promise<RefundQueryOutcome> {
    return this.gate.run(() => this.current.queryRefund(orderNo, refundNo));
  }
  precreate(req: PrecreateRequest): Promise<PrecreateOutcome> {
    return this.gate.run(() => this.current.precreate(req));
  }
  statement(date: string): Promise<Statement> {
    return this.gate.run(() => this.current.statement(date));
  }

  /** Inside `LinkGate.hold` only: the next connection, the previous one closed. */
  replace(next: Acquirer & Closable): void {
    const prev = this.current;
    this.current = next;
    prev.close?.();
  }

  close(): void {
    this.current.close?.();
  }
}

/** Refunds of confirmed offline payments, on whichever connection is current (none: refused plainly). */
export class SwitchableOfflineRefunds implements OfflineRefunds {
  constructor(
    private readonly gate: LinkGate,
    private current: (OfflineRefunds & Closable) | null,
  ) {}

  refund(req: RefundRequest): Promise<RefundOutcome> {
    return this.gate.run(async () => (this.current ? this.current.refund(req) : { status: 'refused' as const, ...NOT_CONNECTED }));
  }
  queryRefund(refundNo: string): Promise<RefundQueryOutcome> {
    return this.gate.run(async () => (this.current ? this.current.queryRefund(refundNo) : { status: 'unknown' as const, why: 'not connected' }));
  }

  /** Inside `LinkGate.hold` only. */
  replace(next: (OfflineRefunds & Closable) | null): void {
    const prev = this.current;
    this.current = next;
    prev?.close?.();
  }

  close(): void {
    this.current?.close?.();
  }
}

/**
 * A live counter before its first connection is saved. Charges and refunds fail as never sent;
 * a query or cancel cannot know anything, so it is `unknown` (there is nothing open to ask
 * about: nothing was ever sent). The timings are the configuration's, as for any acquirer.
 */
export class UnconnectedAcquirer implements Acquirer {
  constructor(private readonly timings: AcquirerTimings) {}

  config(): AcquirerInfo {
    // The sandbox adapter's rules, so a refund reaches `refund()` and fails with the plain reason
    // above instead of a misleading "too late".
    return { name: 'none', timings: { ...this.timings }, refundWindowMs: 90 * 24 * 3600_000, maxRefundsPerPayment: 50, training: false };
  }
  // Never sent: `refused` (the engine fails a charge or refund no earlier request of which left).
  async pay(): Promise<PayOutcome> {
    return { status: 'refused', ...NOT_CONNECTED };
  }
  async query(): Promise<QueryOutcome> {
    return { status: 'unknown', why: 'not connected' };
  }
  async cancel(): Promise<CancelOutcome> {
    return { status: 'unknown', why: 'not connected' };
  }
  async refund(): Promise<RefundOutcome> {
    return { status: 'refused', ...NOT_CONNECTED };
  }
  async queryRefund(): Promise<RefundQueryOutcome> {
    return { status: 'unknown', why: 'not connected' };
  }
  async precreate(): Promise<PrecreateOutcome> {
    return { status: 'refused', ...NOT_CONNECTED };
  }
  async statement(): Promise<Statement> {
    throw new Error('no acquirer connection');
  }
}
