import type { Migration } from '../migrate';

/**
 * Refunds of offline-code payments the acquirer has confirmed. Those payments live in
 * `offline_items` (core/offline owns them), not in `payments`, so the refunds table loses its
 * foreign key to `payments` (rebuilt: SQLite cannot drop a constraint) and a trigger takes its
 * place for every new refund:
 * - its order is a payment of the `payments` table (whose CHECK on `refunded_fen` bounds it, as
 *   before), or an offline item on which the acquirer moved the money (`accepted`, or
 *   `needs_review`: taken, then flagged);
 * - for an offline item, this refund plus every refund not failed never exceeds its amount.
 * The engine checks the same in the transaction that writes the refund (core/payments/refund.ts);
 * this keeps any other writer, or a bug, from breaking it.
 */
export const m210OfflineRefunds: Migration = {
  id: 210,
  name: 'refunds: of payments or of offline items the acquirer confirmed',
  async up(q) {
    await q.exec(`
      CREATE TABLE refunds_new (
        refund_no TEXT PRIMARY KEY,
        order_no TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        state TEXT NOT NULL CHECK (state IN ('created','pending','succeeded','failed')),
        reason TEXT NOT NULL,
        error_json TEXT,
        operator_id TEXT,
        approver_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO refunds_new (refund_no, order_no, amount_fen, state, reason, error_json, operator_id, approver_id, created_at, updated_at)
        SELECT refund_no, order_no, amount_fen, state, reason, error_json, operator_id, approver_id, created_at, updated_at FROM refunds;
      DROP TABLE refunds;
      ALTER TABLE refunds_new RENAME TO refunds;
      CREATE INDEX refunds_order ON refunds(order_no);
      CREATE INDEX refunds_state ON refunds(state);
      CREATE TRIGGER refunds_of_paid_orders BEFORE INSERT ON refunds
        WHEN NOT EXISTS (SELECT 1 FROM payments WHERE order_no = NEW.order_no)
        BEGIN
          SELECT RAISE(ABORT, 'refund: no payment and no confirmed offline item with this order number')
            WHERE NOT EXISTS (SELECT 1 FROM offline_items WHERE order_no = NEW.order_no AND status IN ('accepted','needs_review'));
          SELECT RAISE(ABORT, 'refund: more than the offline payment left to refund')
            WHERE NEW.amount_fen + (SELECT COALESCE(SUM(amount_fen), 0) FROM refunds WHERE order_no = NEW.order_no AND state <> 'failed')
              > (SELECT amount_fen FROM offline_items WHERE order_no = NEW.order_no);
        END;
    `);
  },
};
