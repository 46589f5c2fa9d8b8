/**
 * Payments as the UI sees them. A charge returns at once with the payment's durable record;
 * its progress (USERPAYING, querying, cancelled …) arrives as `payments:changed` events, so
 * the UI never blocks on the acquirer and a crash never loses what was already recorded.
 *
 * Payment states (the engine's state machine in core/payments/state.ts is the authority):
 * - `created`      the order number and intent are durable; nothing answered yet (the request
 *                  may be leaving: recovery treats `created` like `paying`)
 * - `paying`       the charge request is out (or being retried within the code's lifetime)
 * - `userpaying`   the customer must confirm in the wallet (password); the engine polls
 * - `unknown`      the outcome is uncertain (timeout, reset, 5xx); the engine queries
 * - `cancelling`   still unresolved after the last query: cancel/reverse is under way
 * - `awaiting_scan` a dynamic merchant QR is shown, waiting for the customer to pay
 * - `accepted_offline` an offline payment code was accepted within the risk budget; pending forwarding
 * Terminal (never left): `succeeded`, `failed`, `cancelled`, `closed` (QR expired unpaid),
 * `declined_after_forwarding` (an offline item the acquirer refused later).
 */
import { z } from 'zod';
import { Fen, Id, method, PositiveFen, RequestId } from './define';
import { AppErrorShape } from './errors';

export const PaymentState = z.enum([
  'created',
  'paying',
  'userpaying',
  'unknown',
  'cancelling',
  'awaiting_scan',
  'accepted_offline',
  'succeeded',
  'failed',
  'cancelled',
  'closed',
  'declined_after_forwarding',
]);
export type PaymentState = z.infer<typeof PaymentState>;

export const TERMINAL_STATES: readonly PaymentState[] = [
  'succeeded',
  'failed',
  'cancelled',
  'closed',
  'declined_after_forwarding',
];

export const Tender = z.enum(['wechat', 'alipay', 'unionpay', 'face', 'merchant_qr', 'offline_code', 'cash', 'credit']);
export type Tender = z.infer<typeof Tender>;

/**
 * What a history row is, read from where it is recorded (never guessed from the amount):
 * - `sale`       goods sold, by any tender; the day's takings
 * - `withdrawal` service-point assisted withdrawal (助农取款): the customer pays by code and the
 *                agent hands out that much cash. Recorded with the order when the charge is
 *                created (core/agent asks for it); an offline `cash_out` item is one too.
 *                Cash leaves the drawer; never refundable as a sale.
 * - `bill`       a bill (water, power, phone, insurance) paid in cash at the service point,
 *                core/agent's record; the cash is owed to the biller, not takings.
 * Refunds are not rows of their own: they stay with their sale (`payments:get`).
 */
export const PaymentKind = z.enum(['sale', 'withdrawal', 'bill']);
export type PaymentKind = z.infer<typeof PaymentKind>;

/** A bilingual sentence for the cashier: what happened and what to do next. */
export const Message = z.object({ zh: z.string(), en: z.string() });
export type Message = z.infer<typeof Message>;

export const OrderNo = z.string().regex(/^[A-Z0-9]{8,40}$/);

export const Refund = z.object({
  refundNo: z.string(),
  orderNo: z.string(),
  amountFen: Fen,
  state: z.enum(['created', 'pending', 'succeeded', 'failed']),
  reason: z.string(),
  createdAt: z.number().int(),
  operatorId: z.string().nullable(),
  approverId: z.string().nullable(),
  /**
   * Set on a `pending` refund whose money the acquirer took but could not deliver (WeChat Pay
   * refundquery CHANGE): why, and that a supervisor settles it on the merchant platform. Its
   * amount stays reserved; listed by `payments:refundsToSettle`.
   */
  settleByHand: AppErrorShape.nullable().optional(),
});
export type Refund = z.infer<typeof Refund>;

/**
 * Where an offline-code payment is on its way to the acquirer, read from core/offline's outbox
 * (the one place it changes); absent for every other tender:
 * - `not_forwarded`   accepted at the till, not sent yet (or an attempt failed: it is sent again)
 * - `awaiting_answer` sent; the acquirer has not answered yet
 * - `review`          forwarded, flagged by the anti-money-laundering rules: waiting for a supervisor
 * - `held`            held by a supervisor after review (`heldBy`: their operator id)
 * - `confirmed`       the acquirer took it (accepted, or released after review)
 * - `declined`        the acquirer refused it after forwarding
 */
export const OfflineForwarding = z.object({
  stage: z.enum(['not_forwarded', 'awaiting_answer', 'review', 'held', 'confirmed', 'declined']),
  heldBy: z.string().nullable(),
});
export type OfflineForwarding = z.infer<typeof OfflineForwarding>;

export const Payment = z.object({
  orderNo: z.string(),
  kind: PaymentKind,
  amountFen: Fen,
  tender: Tender,
  state: PaymentState,
  /** Masked payment code (`1345 **** **** 6789`), never the full code. */
  maskedCode: z.string().nullable(),
  /** What happened and what to do next, in both languages. */
  message: Message,
  /** The acquirer's failure reason when failed (code + plain words). */
  error: AppErrorShape.nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  refundedFen: Fen,
  /** True for demo-mode payments: no real money moved. */
  training: z.boolean(),
  /** The dynamic merchant QR to show on the customer display, while awaiting_scan. */
  qr: z.object({ content: z.string(), expiresAt: z.number().int() }).nullable(),
  /** Cash: amount tendered and change due. */
  cash: z.object({ tenderedFen: Fen, changeFen: Fen }).nullable(),
  /** Credit (赊账): the customer's name as the cashier typed it. */
  creditName: z.string().nullable(),
  operatorId: z.string().nullable(),
  /** Offline-code payments only: how far it has got with the acquirer. */
  forwarding: OfflineForwarding.optional(),
  /**
   * An online code charge still unresolved when the customer's code ran out of life (60 s): when
   * the cashier was told to take another tender. It no longer blocks the counter; it is cancelled
   * in the background and, if it turns out paid, reversed — never kept (`payments:followUps`).
   */
  releasedAt: z.number().int().optional(),
});
export type Payment = z.infer<typeof Payment>;

/**
 * The service point's own record behind a withdrawal or bill row (core/agent), for the detail
 * view. A withdrawal's cash is handed out only once its charge succeeded (`cashOutFen` is 0
 * before); its receipt carries the customer's signature line (PBOC).
 */
export const ServiceRecord = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('withdrawal'),
    id: z.string(),
    state: z.enum(['charging', 'paid', 'failed']),
    cashOutFen: Fen,
    /** Masked (`138****5678`). */
    maskedPhone: z.string(),
  }),
  z.object({
    kind: z.literal('bill'),
    id: z.string(),
    billerId: z.string(),
    billerName: Message.nullable(),
    maskedAccount: z.string(),
    /** As core/api/agent.ts `BillPayment`: `failed` refused by the biller, cash still to return; `returned` handed back. */
    state: z.enum(['paid', 'queued', 'failed', 'returned']),
    reference: z.string().nullable(),
    /** True until the biller has confirmed (queued while offline). */
    provisional: z.boolean(),
  }),
]);
export type ServiceRecord = z.infer<typeof ServiceRecord>;

/** A scanned payment code: printable ASCII only; the engine recognises the scheme. */
export const ScannedCode = z.string().min(1).max(512);

/**
 * Money-moving methods (charge, precreate, cash, credit, refund) carry `requestId`: made by the
 * screen once per intended action and sent with every try of it. A repeat answers the first
 * answer (the current record of what the first try created) and does nothing; the same id with
 * other parameters is refused `request.mismatch` (core/payments/requests.ts).
 */
export const paymentMethods = {
  /**
   * Charge a scanned online payment code (WeChat, Alipay, UnionPay, face `fp…`). Returns the
   * durable record at once; progress follows as `payments:changed`. A code of no known scheme
   * is refused before any network call. Refused while another charge is unfinished.
   */
  'payments:charge': method({
    input: z.object({ amountFen: PositiveFen, code: ScannedCode, requestId: RequestId }).strict(),
    output: Payment,
    access: ['cashier', 'supervisor', 'agent', 'trainer', 'admin'],
  }),
  /** Create a dynamic merchant QR for the amount (with expiry) to show on the customer display. */
  'payments:precreate': method({
    input: z.object({ amountFen: PositiveFen, requestId: RequestId }).strict(),
    output: Payment,
    access: ['cashier', 'supervisor', 'agent', 'trainer', 'admin'],
  }),
  /** The cashier gives up on an unfinished payment (a shown QR, a USERPAYING wait). */
  'payments:cancel': method({ input: z.object({ orderNo: OrderNo }).strict(), output: Payment, access: 'operator' }),
  /**
   * This terminal's unfinished sale charge (a code being charged, USERPAYING, a merchant QR
   * shown, an outcome being resolved), or null. Read-only. The checkout asks on every load and
   * resumes that payment's screen, so a reload or an app restart mid-payment never forgets it.
   */
  'payments:open': method({ input: z.object({}).strict(), output: Payment.nullable(), access: 'operator' }),
  /** Manual look-up at the acquirer of one order (after an unknown outcome). */
  'payments:query': method({ input: z.object({ orderNo: OrderNo }).strict(), output: Payment, access: 'operator' }),
  /** Record a cash sale; change is computed. Kicks the drawer when a printer is configured. */
  'payments:cash': method({
    input: z.object({ amountFen: PositiveFen, tenderedFen: PositiveFen, requestId: RequestId }).strict(),
    output: Payment,
    access: ['cashier', 'supervisor', 'agent', 'trainer', 'admin'],
  }),
  /** Record a sale on credit (赊账) in the customer's name. */
  'payments:credit': method({
    input: z.object({ amountFen: PositiveFen, customerName: z.string().trim().min(1).max(40), requestId: RequestId }).strict(),
    output: Payment,
    access: ['cashier', 'supervisor', 'agent', 'trainer', 'admin'],
  }),
  /**
   * One payment with its refunds, the service point's record behind a withdrawal or bill, and
   * `refundBlock`: why a refund of it would be refused now, for reasons of the payment itself
   * (not a sale, not succeeded, an offline payment not confirmed or held, past the window, too
   * many refunds), or null. It is the engine's own refusal, so the screen can say it before the
   * cashier presses Refund; how much is left to refund is the screen's to show.
   */
  'payments:get': method({
    input: z.object({ orderNo: OrderNo }).strict(),
    output: z.object({ payment: Payment, refunds: z.array(Refund), service: ServiceRecord.nullable(), refundBlock: AppErrorShape.nullable() }),
    access: 'operator',
  }),
  /**
   * History, newest first, with search by order number fragment, amount, time range and kind:
   * the payments table, the offline outbox and the service point's bills in one list.
   */
  'payments:list': method({
    input: z
      .object({
        text: z.string().max(40).optional(),
        kind: PaymentKind.optional(),
        amountFen: Fen.optional(),
        from: z.number().int().optional(),
        to: z.number().int().optional(),
        limit: z.number().int().min(1).max(200).default(50),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.array(Payment),
    access: 'operator',
  }),
  /**
   * Refund all or part of a succeeded sale (withdrawals and bills are refused: they are not
   * takings to give back). Above the configured amount a supervisor's
   * approval (their id and PIN, entered on the same screen) is required. The sum refunded can
   * never exceed the amount paid.
   */
  'payments:refund': method({
    input: z
      .object({
        orderNo: OrderNo,
        amountFen: PositiveFen,
        reason: z.string().trim().min(1).max(80),
        approverId: Id.optional(),
        approverPin: z.string().regex(/^[0-9]{4,8}$/).optional(),
        requestId: RequestId,
      })
      .strict(),
    output: Refund,
    access: ['cashier', 'supervisor', 'agent', 'admin', 'trainer'],
  }),
  /**
   * Whether a refund of this amount, by the caller, would need a supervisor's approval now — the
   * very rule `payments:refund` applies (the sale's refunds in all, or the operator's day without
   * a supervisor, core/payments/refund.ts `approvalNeed`), so the screen shows the approval
   * fields as soon as the typed amount needs them and never guesses the thresholds. `why` is the
   * refusal `payments:refund` would give without an approver. Reads only; the refund checks again.
   */
  'payments:refundApproval': method({
    input: z.object({ orderNo: OrderNo, amountFen: PositiveFen }).strict(),
    output: z.object({ needed: z.boolean(), why: AppErrorShape.nullable() }),
    access: ['cashier', 'supervisor', 'agent', 'admin', 'trainer'],
  }),
  /**
   * The follow-up list of online charges released during an outage (`Payment.releasedAt`):
   * still being resolved, cancelled/reversed (any charge returned automatically), or a reverse
   * the acquirer refused (a supervisor refunds it). Newest first.
   */
  'payments:followUps': method({ input: z.object({}).strict(), output: z.array(Payment), access: 'operator' }),
  /**
   * Refunds to settle by hand: the acquirer took the money but could not deliver it to the
   * customer (WeChat Pay refundquery CHANGE). Each stays pending with its amount reserved until
   * the acquirer reports it settled. Newest first.
   */
  'payments:refundsToSettle': method({ input: z.object({}).strict(), output: z.array(Refund), access: 'operator' }),
} as const;

export const paymentEvents = {
  /** A payment changed state (including its creation). */
  'payments:changed': Payment,
  /** A refund changed state. */
  'refunds:changed': Refund,
} as const;
