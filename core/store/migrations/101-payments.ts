import type { Migration } from '../migrate';

/**
 * Payments and refunds of the engine (core/payments), and the per-day order sequence.
 * - `payments.state` and `refunds.state` are checked against the documented state lists; the
 *   transitions themselves are the state machine's business (core/payments/state.ts).
 * - No column can hold a full payment code: only `masked_code`.
 * - Amounts are integer fen with CHECKs; `refunded_fen` never exceeds `amount_fen`.
 */
export const m101Payments: Migration = {
  id: 101,
  name: 'payments, refunds and order sequence',
  async up(q) {
    await q.exec(`
      CREATE TABLE payments (
        order_no TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('code','qr','cash','credit','offline')),
        tender TEXT NOT NULL CHECK (tender IN ('wechat','alipay','unionpay','face','merchant_qr','offline_code','cash','credit')),
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0 AND amount_fen = CAST(amount_fen AS INTEGER)),
        state TEXT NOT NULL CHECK (state IN ('created','paying','userpaying','unknown','cancelling','awaiting_scan','accepted_offline',
                                             'succeeded','failed','cancelled','closed','declined_after_forwarding')),
        masked_code TEXT,
        message_zh TEXT NOT NULL,
        message_en TEXT NOT NULL,
        error_json TEXT,
        refunded_fen INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0 AND refunded_fen <= amount_fen),
        training INTEGER NOT NULL,
        qr_content TEXT,
        qr_expires_at INTEGER,
        cash_tendered_fen INTEGER,
        cash_change_fen INTEGER,
        credit_name TEXT,
        operator_id TEXT,
        acquirer_trade_no TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX payments_state ON payments(state);
      CREATE INDEX payments_created ON payments(created_at);
      CREATE TABLE refunds (
        refund_no TEXT PRIMARY KEY,
        order_no TEXT NOT NULL REFERENCES payments(order_no),
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        state TEXT NOT NULL CHECK (state IN ('created','pending','succeeded','failed')),
        reason TEXT NOT NULL,
        error_json TEXT,
        operator_id TEXT,
        approver_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX refunds_order ON refunds(order_no);
      CREATE INDEX refunds_state ON refunds(state);
      CREATE TABLE order_sequence (
        terminal_id TEXT NOT NULL,
        day TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (terminal_id, day)
      );
    `);
  },
};
