/**
 * The payment and refund state machines: the one authority on which state may follow which.
 * Every state change of the engine goes through `transitionPayment` / `transitionRefund`
 * (repo.ts), which consult these tables inside the transaction that writes the change.
 *
 * Payment states (also documented for the UI in core/api/payments.ts):
 *   created        order number and intent durable; nothing answered yet (the pay request
 *                  may already be leaving, so recovery treats it exactly like `paying`)
 *   paying         the charge request is out
 *   userpaying     the customer must confirm in the wallet; the engine polls
 *   unknown        the outcome is uncertain (timeout, reset, 5xx); the engine queries
 *   cancelling     still unresolved, or the cashier gave up: cancel/reverse under way
 *   awaiting_scan  a dynamic merchant QR is shown, waiting for the customer
 *   accepted_offline  offline code accepted, pending forwarding (core/offline owns it)
 *   succeeded | failed | cancelled | closed | declined_after_forwarding — terminal, never left
 *
 * Invariants:
 * - a terminal state is final: no row leaves it;
 * - `unknown` is entered only from `paying` or `created` (where we know nothing more):
 *   an unknown outcome never overwrites a known one;
 * - `failed` is entered only when no request of the payment can have been delivered, or on
 *   the acquirer's own word about the order (query.ts: a refused re-send never fails it);
 * - `succeeded` is entered only on the acquirer's word (pay, query or the customer's QR
 *   payment), and always together with its journal row.
 */
import { TERMINAL_STATES, type PaymentState } from '../api/payments';

export type { PaymentState };

/** Where a charge whose request is out may go: `created` shares it, as the request may have left before the `paying` mark. */
const FROM_PAYING: readonly PaymentState[] = ['succeeded', 'failed', 'userpaying', 'unknown', 'cancelling'];

export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  // Exactly `paying`'s, plus the steps only a fresh order takes: recovery may find a `created`
  // row paid at the acquirer (the crash fell between the request and the `paying` mark).
  created: ['paying', 'awaiting_scan', 'cancelled', ...FROM_PAYING],
  paying: FROM_PAYING,
  userpaying: ['succeeded', 'failed', 'cancelling'],
  unknown: ['succeeded', 'failed', 'userpaying', 'cancelling'],
  // A cancel can lose the race with the customer's payment and the acquirer may refuse to
  // reverse (e.g. not same-day): a query then tells what really happened.
  cancelling: ['cancelled', 'closed', 'succeeded', 'failed'],
  awaiting_scan: ['succeeded', 'closed', 'cancelling', 'failed'],
  accepted_offline: ['succeeded', 'declined_after_forwarding'],
  succeeded: [],
  failed: [],
  cancelled: [],
  closed: [],
  declined_after_forwarding: [],
};

/**
 * Corrections, the one way out of a terminal state, made only by reconciliation on the
 * acquirer's word (core/reconcile, README "What reconciliation may correct by itself"): the
 * day's statement shows the money taken for an order we ended failed, cancelled or closed (a
 * refused re-send after the first request landed, issue 11). The acquirer's ledger is the
 * authority on money, so the payment becomes `succeeded` with its journal row, beside a
 * `reconcile.corrected` row saying why. `transitionPayment` takes them only with a `correction`.
 */
export const PAYMENT_CORRECTIONS: Readonly<Partial<Record<PaymentState, readonly PaymentState[]>>> = {
  failed: ['succeeded'],
  cancelled: ['succeeded'],
  closed: ['succeeded'],
};

export function canCorrect(from: PaymentState, to: PaymentState): boolean {
  return PAYMENT_CORRECTIONS[from]?.includes(to) ?? false;
}

/** States a payment row may be created in. */
export const INITIAL_STATES: readonly PaymentState[] = ['created', 'succeeded', 'accepted_offline'];

/**
 * A charge in one of these blocks another charge on the same terminal ("one at a time"): a
 * shown merchant QR too (`awaiting_scan`), until it is closed at the acquirer or paid.
 */
export const UNFINISHED_CHARGE_STATES: readonly PaymentState[] = ['created', 'paying', 'userpaying', 'unknown', 'cancelling', 'awaiting_scan'];

/** States the recovery and the sweeper resolve (accepted_offline belongs to store-and-forward). */
export const OPEN_STATES: readonly PaymentState[] = ['created', 'paying', 'userpaying', 'unknown', 'cancelling', 'awaiting_scan'];

export function isTerminal(s: PaymentState): boolean {
  return TERMINAL_STATES.includes(s);
}

export function canTransition(from: PaymentState, to: PaymentState): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to);
}

export type RefundState = 'created' | 'pending' | 'succeeded' | 'failed';

/**
 * Refunds: created (refund number and amount durable, nothing sent) → pending (request out,
 * retried with the same number until answered) → succeeded | failed (terminal).
 */
export const REFUND_TRANSITIONS: Readonly<Record<RefundState, readonly RefundState[]>> = {
  created: ['pending', 'failed'],
  pending: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export function canTransitionRefund(from: RefundState, to: RefundState): boolean {
  return REFUND_TRANSITIONS[from].includes(to);
}

/**
 * The refund's correction (see PAYMENT_CORRECTIONS): a refund we ended `failed` that the
 * statement shows paid becomes `succeeded`, counted in the payment's refunded amount (whose
 * CHECK refuses it should that pass the amount paid: then a supervisor decides).
 */
export const REFUND_CORRECTIONS: Readonly<Partial<Record<RefundState, readonly RefundState[]>>> = {
  failed: ['succeeded'],
};

export function canCorrectRefund(from: RefundState, to: RefundState): boolean {
  return REFUND_CORRECTIONS[from]?.includes(to) ?? false;
}

/** Refund states that still hold part of the payment's refundable amount. */
export const REFUND_HOLDING_STATES: readonly RefundState[] = ['created', 'pending', 'succeeded'];
