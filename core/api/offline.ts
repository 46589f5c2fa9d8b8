/**
 * Store-and-forward as the UI sees it: offline accept with its live risk budget, the outbox of
 * items waiting to reach the acquirer (each with a status and reason), the follow-up list of
 * declines, and reconciliation against the acquirer's statement.
 *
 * Outbox item statuses:
 * - `pending`      accepted offline and durable; waiting for the link
 * - `sending`      in a batch on its way to the acquirer (resent as-is after a crash: idempotent)
 * - `accepted`     the acquirer confirmed it (the payment becomes `succeeded`)
 * - `declined`     the acquirer refused it (reason given); goes to the follow-up list
 * - `needs_review` accepted by the acquirer but flagged (AML) or held by the acquirer for review;
 *                  a supervisor reviews it: `review` is null (waiting), `held` (with a reason) or
 *                  `released` (final). The status itself never changes again.
 *
 * Forwarding problems (`ForwardProblemCode`) say in plain words why forwarding is not moving and
 * who should act; the technical detail travels beside them for the detail view.
 */
import { z } from 'zod';
import { Empty, Fen, Id, method, Ok, PositiveFen } from './define';
import { Message, OrderNo, Payment } from './payments';

/**
 * Why forwarding failed (core/forward/failures.ts maps the transport's errors to these):
 * - `auth_refused`    401/403: the acquirer does not accept this terminal's key (installer); paused
 * - `clock_skew`      401 stale_request: the terminal's clock is off (cashier fixes the time); paused
 * - `not_provisioned` no terminal key yet (installer); paused
 * - `server_error`    5xx at the acquirer; retried
 * - `timeout`         no answer in time; retried
 * - `link_down`       connection refused or reset: no network; retried
 * - `bad_reply`       a reply that could not be understood; retried
 * - `request_refused` another refusal of the request (4xx); retried
 */
export const ForwardProblemCode = z.enum(['auth_refused', 'clock_skew', 'not_provisioned', 'server_error', 'timeout', 'link_down', 'bad_reply', 'request_refused']);
export type ForwardProblemCode = z.infer<typeof ForwardProblemCode>;

export const OutboxStatus = z.enum(['pending', 'sending', 'accepted', 'declined', 'needs_review']);

export const OutboxItem = z.object({
  seq: z.number().int(),
  orderNo: z.string(),
  /** Last 4 of the wallet id: enough to tell customers apart, not to identify one. */
  walletTail: z.string(),
  amountFen: Fen,
  purpose: z.enum(['sale', 'cash_out']),
  status: OutboxStatus,
  /** Why: the acquirer's decline reason, the retry cause, or the AML flags. */
  reason: z.string().nullable(),
  flags: z.array(z.enum(['near_limit_repeated', 'repeated_cash_out'])),
  attempts: z.number().int(),
  acceptedAt: z.number().int(),
  updatedAt: z.number().int(),
  /** The customer contact left at the sale, masked (`138****5678`); null if none. */
  maskedContact: z.string().nullable(),
  /** `reason` in plain words (a decline, a forwarding problem, a review flag); null when there is none or it is not known. */
  reasonText: Message.nullable(),
  /** A needs_review item's supervisor review: null while waiting, then held (with its reason) or released. */
  review: z
    .object({
      decision: z.enum(['held', 'released']),
      note: z.string().nullable(),
      reviewedBy: z.string().nullable(),
      at: z.number().int(),
    })
    .nullable(),
  /** Who accepted the payment at the till (the reviewer must be someone else). */
  operatorId: z.string().nullable(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export const RiskBudget = z.object({
  /** The largest offline payment possible right now (policy cap, or less if exposure is near its limit). */
  perPaymentCapFen: Fen,
  exposureFen: Fen,
  exposureLimitFen: Fen,
  oldestPendingAgeMs: z.number().int().nonnegative().nullable(),
  maxOldestPendingMs: z.number().int(),
  pendingCount: z.number().int().nonnegative(),
  /** This wallet today, when a code was given. */
  wallet: z.object({ walletTail: z.string(), todayFen: Fen, dailyCapFen: Fen, remainingFen: Fen }).nullable(),
  policyVersion: z.number().int(),
});
export type RiskBudget = z.infer<typeof RiskBudget>;

export const ForwardProblem = z.object({
  code: ForwardProblemCode,
  /** What happened and what to do, for the cashier or installer. */
  zh: z.string(),
  en: z.string(),
  who: z.enum(['nobody', 'cashier', 'installer']),
  /** Retrying cannot help: forwarding is paused with a long back-off until "send now". */
  paused: z.boolean(),
  since: z.number().int(),
  /** The technical detail (`http: 401 (auth_failed)`), for the detail view and the installer. */
  detail: z.string(),
});
export type ForwardProblem = z.infer<typeof ForwardProblem>;

export const ForwarderStatus = z.object({
  /** `paused`: a problem retrying cannot fix (see `problem`); waits long, "send now" tries at once. */
  state: z.enum(['idle', 'sending', 'backoff', 'offline', 'paused']),
  nextAttemptAt: z.number().int().nullable(),
  batchSize: z.number().int(),
  /** The last failure's technical text (kept for the detail view and logs). */
  lastError: z.string().nullable(),
  /** The current problem in plain words; null while forwarding works. */
  problem: ForwardProblem.nullable(),
});
export type ForwarderStatus = z.infer<typeof ForwarderStatus>;

export const ReconcileLine = z.object({
  orderNo: z.string(),
  outcome: z.enum(['matched', 'missing_at_acquirer', 'missing_locally', 'amount_mismatch', 'duplicate']),
  localFen: Fen.nullable(),
  acquirerFen: Fen.nullable(),
  localStatus: z.string().nullable(),
});
export const ReconcileReport = z.object({
  date: z.string(),
  generatedAt: z.number().int(),
  counts: z.object({
    matched: z.number().int(), missing_at_acquirer: z.number().int(), missing_locally: z.number().int(),
    amount_mismatch: z.number().int(), duplicate: z.number().int(),
  }),
  localTotalFen: Fen,
  acquirerTotalFen: Fen,
  lines: z.array(ReconcileLine),
});
export type ReconcileReport = z.infer<typeof ReconcileReport>;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Sellers = ['cashier', 'supervisor', 'agent', 'trainer', 'admin'] as const;

export const offlineMethods = {
  /**
   * Accept an offline payment code (OC1…) for the amount, within the risk budget. Verified on
   * the terminal (issuer and wallet signatures, time window, replay counter, revocation,
   * expiry), then risk-checked, then recorded in one durable commit. The payment's message
   * says "accepted offline, pending" (离线受理，待上传), never "paid". A refusal names its reason
   * (`offline.code.<reason>` or `offline.risk.<rule>`) and writes nothing; so do `offline.busy`
   * (too many codes being verified at once: scan again in a moment) and
   * `offline.verify_unavailable` (the code could not be verified just now).
   */
  'offline:accept': method({
    input: z
      .object({
        amountFen: PositiveFen,
        code: z.string().min(1).max(600),
        /** Optional, chosen by the customer: to follow up a later decline. */
        contact: z.string().max(40).optional(),
        purpose: z.enum(['sale', 'cash_out']).default('sale'),
      })
      .strict(),
    output: Payment,
    access: Sellers,
  }),
  /**
   * The live risk budget; with a code, also what that wallet has used today. Given a code (the
   * screen asks right after the scan), it also begins checking the code's signatures so the
   * accept that follows finds the verdict ready; it never refuses or records the code.
   */
  'offline:budget': method({
    input: z.object({ code: z.string().min(1).max(600).optional() }).strict(),
    output: RiskBudget,
    access: 'operator',
  }),
  /** The outbox, newest first, with status and reason per item. */
  'outbox:list': method({
    input: z
      .object({
        status: OutboxStatus.optional(),
        limit: z.number().int().min(1).max(500).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.object({
      items: z.array(OutboxItem),
      counts: z.record(OutboxStatus, z.number().int()),
      forwarder: ForwarderStatus,
    }),
    access: 'operator',
  }),
  /** "Send now": skip any backoff wait and try to forward at once. */
  'outbox:sendNow': method({ input: Empty, output: Ok, access: 'operator' }),
  /** Declined after forwarding, with the customer contact (masked) where one was left. */
  'outbox:followUps': method({ input: Empty, output: z.array(OutboxItem), access: 'operator' }),
  /**
   * A supervisor's review of an item flagged for review (`needs_review`): `release` it (the
   * payment then counts as confirmed) or `hold` it with a reason (it stays pending in the list
   * and the Z report). The reviewer is the logged-in supervisor or administrator, or one who
   * approves on the same screen with their PIN (dual control), and never the operator who
   * accepted the payment. Released is final. Audited with the operator and the approver; a
   * refusal changes nothing.
   */
  'outbox:review': method({
    input: z
      .object({
        orderNo: OrderNo,
        decision: z.enum(['release', 'hold']),
        /** Required to hold: why (2–80 characters). */
        reason: z.string().max(80).optional(),
        approverId: Id.optional(),
        approverPin: z.string().regex(/^[0-9]{4,8}$/).optional(),
      })
      .strict(),
    output: OutboxItem,
    access: 'operator',
  }),
  /** Fetch the acquirer's statement for a day and match it with the local journal. */
  'reconcile:run': method({ input: z.object({ date: Day }).strict(), output: ReconcileReport, access: ['supervisor', 'agent', 'admin', 'trainer'] }),
  /** The same report as CSV text (UTF-8 with BOM, for spreadsheet programs). */
  'reconcile:export': method({ input: z.object({ date: Day }).strict(), output: z.object({ csv: z.string() }), access: ['supervisor', 'agent', 'admin', 'trainer'] }),
} as const;

export const offlineEvents = {
  /** Outbox items were added or changed status. */
  'outbox:changed': z.object({
    changed: z.number().int(),
    unsettled: z.number().int(),
    exposureFen: Fen,
    oldestPendingAt: z.number().int().nullable(),
  }),
  /** The live risk budget moved (an accept, a forwarded batch, a policy sync). */
  'risk:budget': RiskBudget,
  /** The forwarder's problem appeared, changed or cleared (the status bar shows a paused one). */
  'forwarder:changed': ForwarderStatus,
} as const;
