import type { Migration } from '../migrate';

/**
 * Request ids of the money-moving payment calls (charge, precreate, cash, credit, refund): the
 * screen makes one id per intended action and sends it with every try (core/api/define.ts
 * `RequestId`). Its row is written in the same transaction as the payment or refund the action
 * creates, so a repeat — a double Enter, a retry after a reconnect or a restart — finds that row
 * and gets the first answer instead of a second payment or refund (core/payments/requests.ts).
 * - `request_id` is unique: one id is one action, whichever method;
 * - exactly one of `order_no` (a payment) and `refund_no` (a refund) names the row it created;
 * - `request_hash` (sha-256 of the method and its parameters, never a full payment code) tells a
 *   repeat from a different action sent with the same id (`request.mismatch`);
 * - a row is never changed once written.
 * A table of its own rather than a column: migration 210 rebuilds `refunds` after this one runs
 * on a new database, and would drop a column added here.
 */
export const m103PaymentRequestIds: Migration = {
  id: 103,
  name: 'payments and refunds: request ids',
  async up(q) {
    await q.exec(`
      CREATE TABLE payment_requests (
        request_id TEXT PRIMARY KEY CHECK (length(request_id) BETWEEN 16 AND 64),
        method TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        order_no TEXT,
        refund_no TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        CHECK ((order_no IS NULL) <> (refund_no IS NULL))
      );
      CREATE UNIQUE INDEX payment_requests_order ON payment_requests(order_no) WHERE order_no IS NOT NULL;
      CREATE TRIGGER payment_requests_fixed BEFORE UPDATE ON payment_requests
        BEGIN SELECT RAISE(ABORT, 'payment request: never changed once written'); END;
    `);
  },
};
