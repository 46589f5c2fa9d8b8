import type { Migration } from '../migrate';

/**
 * The rural service point: the cash float by business day and its movements, assisted
 * withdrawals (the per-customer daily limit is summed from this table inside the transaction
 * that adds a row), bill payments (queued ones wait here for the link), and the billers
 * catalogue synced from the acquirer. Customers are referenced by a hash, never a plain number.
 */
export const m400Agent: Migration = {
  id: 400,
  name: 'service point: float, withdrawals, bills',
  async up(q) {
    await q.exec(`
      CREATE TABLE agent_float_days (
        day TEXT PRIMARY KEY,
        opening_fen INTEGER NOT NULL CHECK (opening_fen >= 0),
        opened_at INTEGER NOT NULL,
        closing_fen INTEGER CHECK (closing_fen IS NULL OR closing_fen >= 0),
        closed_at INTEGER,
        variance_fen INTEGER
      );
      CREATE TABLE agent_float_moves (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        day TEXT NOT NULL REFERENCES agent_float_days(day),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('open','in','out','withdrawal','bill','close')),
        amount_fen INTEGER NOT NULL,
        reason TEXT NOT NULL,
        operator_id TEXT
      );
      CREATE INDEX agent_float_moves_day ON agent_float_moves(day);
      CREATE TABLE agent_withdrawals (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        customer_key TEXT NOT NULL,
        masked_phone TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        state TEXT NOT NULL CHECK (state IN ('charging','paid','failed')),
        order_no TEXT,
        masked_code TEXT,
        message_zh TEXT NOT NULL,
        message_en TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        operator_id TEXT
      );
      CREATE INDEX agent_withdrawals_customer_day ON agent_withdrawals(customer_key, day);
      CREATE UNIQUE INDEX agent_withdrawals_order ON agent_withdrawals(order_no) WHERE order_no IS NOT NULL;
      CREATE TABLE agent_bills (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        biller_id TEXT NOT NULL,
        account TEXT NOT NULL,
        masked_account TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        state TEXT NOT NULL CHECK (state IN ('paid','queued','failed')),
        reference TEXT,
        created_at INTEGER NOT NULL,
        operator_id TEXT
      );
      CREATE TABLE agent_billers (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name_zh TEXT NOT NULL,
        name_en TEXT NOT NULL,
        account_digits INTEGER NOT NULL,
        synced_at INTEGER NOT NULL
      );
    `);
  },
};
