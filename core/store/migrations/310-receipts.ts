import type { Migration } from '../migrate';

/**
 * Receipts (core/receipts): one row per order whose receipt was handled, and counters per
 * business day for the Z report.
 *
 * - `receipt_prints.order_no` is the primary key, so claiming an order's receipt is one
 *   `INSERT … ON CONFLICT(order_no) DO NOTHING` (not OR IGNORE, which would also swallow CHECKs): a repeated `payments:changed`, a later state (accepted_offline →
 *   succeeded) or a restart can never print the same order twice.
 * - `description` keeps the receipt description (JSON, masked payment code only — parseReceipt
 *   refuses a full one) of a receipt that failed to print, so it survives a restart and can be
 *   printed again; it is cleared once printed.
 * - `receipt_days` counts per China business day (YYYY-MM-DD): printed, reprinted, failed and
 *   paper saved (qr-only receipts).
 */
export const m310Receipts: Migration = {
  id: 310,
  name: 'receipts: printed orders and paper saved',
  async up(q) {
    await q.exec(`
      CREATE TABLE receipt_prints (
        order_no TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('sale','withdrawal')),
        outcome TEXT NOT NULL CHECK (outcome IN ('claimed','printed','failed','qr_only')),
        description TEXT,
        error_json TEXT,
        copies INTEGER NOT NULL DEFAULT 0 CHECK (copies >= 0),
        day TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX receipt_prints_failed ON receipt_prints(outcome) WHERE outcome IN ('claimed','failed');
      CREATE TABLE receipt_days (
        day TEXT PRIMARY KEY,
        printed INTEGER NOT NULL DEFAULT 0 CHECK (printed >= 0),
        reprinted INTEGER NOT NULL DEFAULT 0 CHECK (reprinted >= 0),
        failed INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
        paper_saved INTEGER NOT NULL DEFAULT 0 CHECK (paper_saved >= 0)
      );
    `);
  },
};
