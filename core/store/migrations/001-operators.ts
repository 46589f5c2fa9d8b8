import type { Migration } from '../migrate';

/** Operators with their PIN hash, failed-attempt counter and lockout; the audit trail. */
export const m001Operators: Migration = {
  id: 1,
  name: 'operators and audit trail',
  async up(q) {
    await q.exec(`
      CREATE TABLE operators (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('cashier','supervisor','agent','trainer','admin')),
        pin_hash TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER,
        active INTEGER NOT NULL DEFAULT 1
      );
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        operator_id TEXT,
        approver_id TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
};
