/**
 * The one interface the payment engine talks to an acquirer through, and the outcomes it
 * understands. Each adapter (core/acquirer/<name>/) turns its own wire protocol into these
 * outcomes in a mapping file of its own, so the engine never sees a wire status.
 *
 * Invariants every adapter keeps:
 * - `unknown` is returned whenever the request may have been processed but no answer was read
 *   (timeout, reset, 5xx, unparseable body). An adapter never guesses `failed` for those: a
 *   wrong `failed` would let the cashier take a second payment for goods already paid.
 * - `failed` is returned only when the acquirer said so, or the request provably never left.
 * - The merchant order number (`orderNo`) and refund number (`refundNo`) are sent as they are:
 *   they are the idempotency keys, created and stored by the engine before the first call.
 */

/** The wallet scheme of an online payment code, recognised by its format. */
export type Scheme = 'wechat' | 'alipay' | 'unionpay' | 'face';

/**
 * Timings of one acquirer, all in ms. Defaults follow ../../shared/DOMAIN.md (WeChat/Alipay
 * published figures); tests and demo mode pass smaller ones through configuration.
 */
export interface AcquirerTimings {
  /** One HTTP exchange: after this the outcome is unknown. */
  requestTimeoutMs: number;
  /** USERPAYING: query every … */
  userpayingPollMs: number;
  /** USERPAYING: give up (and cancel) after this long since the charge began. */
  userpayingMaxWaitMs: number;
  /** Unknown outcome: wait this long before the first query (WeChat: 5 s after a system error). */
  unknownFirstQueryMs: number;
  /** Unknown outcome: then query every … */
  unknownQueryEveryMs: number;
  /** Unknown outcome: this many queries in all before cancelling (Alipay demo: 5 × 5 s). */
  unknownQueries: number;
  /** Cancel/reverse no earlier than this after the charge began (WeChat: 15 s). */
  cancelNotBeforeMs: number;
  /** Cancel attempts (Alipay: up to 3 × 2 s) … */
  cancelAttempts: number;
  /** … this far apart. */
  cancelEveryMs: number;
  /** Refund request retries with the same refund number before leaving it to the sweeper. */
  refundAttempts: number;
  refundEveryMs: number;
  /** Dynamic merchant QR: lifetime of the code, and how often the engine polls it. */
  qrExpiryMs: number;
  qrPollMs: number;
  /** Background check of anything stuck (Alipay: every 15 min). */
  sweepEveryMs: number;
}

export const DEFAULT_TIMINGS: AcquirerTimings = {
  requestTimeoutMs: 15_000,
  userpayingPollMs: 5_000,
  userpayingMaxWaitMs: 60_000,
  unknownFirstQueryMs: 5_000,
  unknownQueryEveryMs: 5_000,
  unknownQueries: 5,
  cancelNotBeforeMs: 15_000,
  cancelAttempts: 3,
  cancelEveryMs: 2_000,
  refundAttempts: 3,
  refundEveryMs: 5_000,
  qrExpiryMs: 120_000,
  qrPollMs: 3_000,
  sweepEveryMs: 15 * 60_000,
};

/**
 * Demo mode (the embedded simulator): the same rules with shorter waits, so a lesson on an
 * unknown outcome takes seconds, not the 45 s a real acquirer's rules would.
 */
export const DEMO_TIMINGS: AcquirerTimings = {
  ...DEFAULT_TIMINGS,
  requestTimeoutMs: 5_000,
  userpayingPollMs: 1_000,
  unknownFirstQueryMs: 1_000,
  unknownQueryEveryMs: 1_000,
  unknownQueries: 3,
  cancelNotBeforeMs: 0,
  cancelEveryMs: 1_000,
  refundEveryMs: 1_000,
  qrPollMs: 1_000,
  sweepEveryMs: 60_000,
};

/** Rules of one acquirer that the engine must respect (besides timings). */
export interface AcquirerInfo {
  name: string;
  timings: AcquirerTimings;
  /** Refunds allowed up to this long after the payment (Alipay ≈ 3 months, WeChat 1 year). */
  refundWindowMs: number;
  /** At most this many partial refunds per payment (WeChat: 50). */
  maxRefundsPerPayment: number;
  /** True when no real money moves (the simulator). */
  training: boolean;
}

/** A failure the acquirer stated, with words for the cashier. */
export interface Decline {
  reason: string;
  zh: string;
  en: string;
}

export type PayOutcome =
  | { status: 'succeeded'; tradeNo: string }
  | { status: 'userpaying'; tradeNo: string | null }
  | ({ status: 'failed' } & Decline)
  | { status: 'unknown'; why: string };

export type QueryOutcome =
  | PayOutcome
  /** A merchant QR not yet paid. */
  | { status: 'awaiting_scan' }
  /** Closed unpaid (expired, cancelled before payment, customer refused). */
  | { status: 'closed' }
  /** Was paid, then cancelled: the money went back. */
  | { status: 'reversed' }
  /** The acquirer has never seen this order number. */
  | { status: 'not_found' };

export type CancelOutcome =
  | { status: 'cancelled'; reversed: boolean }
  | ({ status: 'failed' } & Decline)
  | { status: 'unknown'; why: string };

export type RefundOutcome = { status: 'succeeded' } | ({ status: 'failed' } & Decline) | { status: 'unknown'; why: string };

export type PrecreateOutcome =
  | { status: 'created'; qrContent: string; expiresAt: number }
  | ({ status: 'failed' } & Decline)
  | { status: 'unknown'; why: string };

export interface PayRequest {
  orderNo: string;
  amountFen: number;
  /** The full one-time code: held in memory for the attempt only, never stored. */
  code: string;
  subject: string;
}

export interface RefundRequest {
  orderNo: string;
  refundNo: string;
  amountFen: number;
  /** The payment's full amount, as acquirers ask for it to check partial refunds. */
  totalFen: number;
  reason: string;
}

export interface PrecreateRequest {
  orderNo: string;
  amountFen: number;
  subject: string;
  expiresInMs: number;
}

export interface StatementLine {
  kind: 'payment' | 'refund' | 'reversal';
  orderNo: string;
  refNo: string;
  amountFen: number;
  at: number;
}

export interface Statement {
  date: string;
  lines: StatementLine[];
  totalFen: number;
}

export interface Acquirer {
  config(): AcquirerInfo;
  pay(req: PayRequest): Promise<PayOutcome>;
  query(orderNo: string): Promise<QueryOutcome>;
  /** Cancel (reverse) an order: closes it unpaid, or returns the money if it was paid. */
  cancel(orderNo: string): Promise<CancelOutcome>;
  refund(req: RefundRequest): Promise<RefundOutcome>;
  precreate(req: PrecreateRequest): Promise<PrecreateOutcome>;
  /** The day's statement (YYYY-MM-DD, terminal's local day) for reconciliation. */
  statement(date: string): Promise<Statement>;
}

/** Steps an adapter reports while a request is in flight: used for crash tests and timing. */
export type ProbeStep =
  | 'request_sent'
  | 'response_headers'
  /** An answer was read (any HTTP status below 500); `ms` is the full round trip. */
  | 'round_trip'
  /** No usable answer: timeout, reset, refused, 5xx; `ms` as above. */
  | 'transport_failed';
export type Probe = (step: ProbeStep, op: string, ms?: number) => void;
