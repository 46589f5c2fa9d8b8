/**
 * The one interface the payment engine talks to an acquirer through, and the outcomes it
 * understands. Each adapter (core/acquirer/<name>/) turns its own wire protocol into these
 * outcomes in a mapping file of its own, so the engine never sees a wire status.
 *
 * Invariants every adapter keeps:
 * - `unknown` is returned whenever the request may have been processed but no answer was read
 *   (timeout, reset, 5xx, unparseable body). An adapter never guesses `failed` for those: a
 *   wrong `failed` would let the cashier take a second payment for goods already paid.
 * - `failed` is the acquirer's own decision about the order (or refund) number: a business answer
 *   (declined, closed, refund exceeds …). The acquirer keeps it under that number, so a later
 *   copy of the same request cannot change it.
 * - `refused` is returned when THIS request was not processed: an HTTP 4xx or 401 (malformed,
 *   bad signature, stale timestamp, replayed nonce), or a connection that was never made. It
 *   says nothing about earlier requests with the same number: the engine alone decides what it
 *   means (core/payments/README.md, "When a payment may fail"). Never map a refusal to `failed`.
 * - The merchant order number (`orderNo`) and refund number (`refundNo`) are sent as they are:
 *   they are the idempotency keys, created and stored by the engine before the first call.
 */

/** The wallet scheme of an online payment code, recognised by its format. */
export type Scheme = 'wechat' | 'alipay' | 'unionpay' | 'face';

/**
 * Timings of one acquirer, all in ms. Their values live in the validated configuration
 * (core/config.ts: DOMAIN.md's figures by default, shorter ones for the embedded demo, bounds
 * that refuse unsafe settings); tests pass their own, smaller ones straight to an adapter.
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

/** This request was not processed (4xx/401, never connected); nothing is known of earlier ones. */
export type Refused = { status: 'refused' } & Decline;

export type PayOutcome =
  | { status: 'succeeded'; tradeNo: string }
  | { status: 'userpaying'; tradeNo: string | null }
  | ({ status: 'failed' } & Decline)
  | Refused
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

export type RefundOutcome = { status: 'succeeded' } | ({ status: 'failed' } & Decline) | Refused | { status: 'unknown'; why: string };

/**
 * What the acquirer knows of one refund number: its outcome, or that it never saw it, or
 * `settle_by_hand`: the acquirer took the refund's money from the merchant but could not deliver
 * it to the customer (WeChat Pay's refundquery `CHANGE`, e.g. the customer's bank card closed).
 * Neither succeeded (the customer has nothing) nor failed (the money has left the merchant:
 * refunding it again would pay twice); the refund stays pending, its amount reserved, until a
 * supervisor settles it on the acquirer's merchant platform and a later query says so.
 */
export type RefundQueryOutcome = RefundOutcome | { status: 'not_found' } | ({ status: 'settle_by_hand' } & Decline);

export type PrecreateOutcome =
  | { status: 'created'; qrContent: string; expiresAt: number }
  | ({ status: 'failed' } & Decline)
  | Refused
  | { status: 'unknown'; why: string };

export interface PayRequest {
  orderNo: string;
  amountFen: number;
  /** The full one-time code: held in memory for the attempt only, never stored. */
  code: string;
  subject: string;
  /**
   * Called once the request has been written to the link (it may reach the acquirer from now
   * on). The engine commits its `paying` mark then; an adapter that cannot tell may leave it
   * out (the mark then follows the answer; recovery treats `created` exactly like `paying`).
   */
  onSent?: () => void;
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
  /** Signed: a payment positive, a refund or reversal (money back to the customer) negative. */
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
  /**
   * What became of a refund number: asked after a refund's outcome was unknown, before the same
   * number is sent again, and whenever a re-send is refused (its amount stays reserved until
   * this answers). A refused or unreadable query is `unknown`, never `not_found`.
   */
  queryRefund(orderNo: string, refundNo: string): Promise<RefundQueryOutcome>;
  precreate(req: PrecreateRequest): Promise<PrecreateOutcome>;
  /** The day's statement (YYYY-MM-DD, terminal's local day) for reconciliation. */
  statement(date: string): Promise<Statement>;
}

/**
 * Refunds of offline-code payments the acquirer has confirmed. Those payments reached it as
 * forwarded items on the offline routes (`/offline/v1/*`), so their refunds go there too; the
 * rules are those of any refund (a refund number stored before the call and re-sent unchanged,
 * idempotent at the acquirer, the sum refunded never above the amount paid). An adapter keeps
 * the same outcome rules as `Acquirer`: `unknown` whenever no answer was read.
 */
export interface OfflineRefunds {
  refund(req: RefundRequest): Promise<RefundOutcome>;
  /** Asked after an unknown outcome, before the same refund number is sent again. */
  queryRefund(refundNo: string): Promise<RefundQueryOutcome>;
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
