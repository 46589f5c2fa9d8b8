import type { Migration } from '../migrate';

/**
 * Service-point receipts printed like sales (core/receipts): a bill paid at the counter
 * (`bill`, keyed `bill:<id>`) and a refused bill's cash handed back (`bill_return`, keyed
 * `bill_return:<id>`), each claimed once in `receipt_prints` before it is printed. SQLite cannot
 * change a CHECK, so the table is rebuilt with its rows.
 */
export const m311ServiceReceipts: Migration = {
  id: 311,
  name: 'receipts: bill and cash-returned receipts',
  async up(q) {
    await q.exec(`
      CREATE TABLE receipt_prints_new (
        order_no TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('sale','withdrawal','bill','bill_return')),
        outcome TEXT NOT NULL CHECK (outcome IN ('claimed','printed','failed','qr_only')),
        description TEXT,
        error_json TEXT,
        copies INTEGER NOT NULL DEFAULT 0 CHECK (copies >= 0),
        day TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO receipt_prints_new SELECT order_no, kind, outcome, description, error_json, copies, day, created_at, updated_at FROM receipt_prints;
      DROP TABLE receipt_prints;
      ALTER TABLE receipt_prints_new RENAME TO receipt_prints;
      CREATE INDEX receipt_prints_failed ON receipt_prints(outcome) WHERE outcome IN ('claimed','failed');
    `);
  },
};
