import type { Migration } from '../migrate';

/**
 * Reconciliation of online payments and refunds against the acquirer's day statement
 * (core/reconcile): one run per business day (the latest), and one line per payment or refund
 * that is not plainly matched, or was corrected.
 * - A line's `action` is `corrected` (the till put itself right through the payment state
 *   machine, with a journal row saying why) or `supervisor` (waits on the screen). A supervisor's
 *   resolution is final (trigger): a later run of the same day keeps it.
 * - Lines are keyed by day, kind and reference (order or refund number): running a day again
 *   replaces the unresolved lines only.
 */
export const m120ReconcileOnline: Migration = {
  id: 120,
  name: 'reconciliation of online payments and refunds',
  async up(q) {
    await q.exec(`
      CREATE TABLE reconcile_runs (
        day TEXT PRIMARY KEY,
        ran_at INTEGER NOT NULL,
        trigger TEXT NOT NULL CHECK (trigger IN ('daily','manual')),
        operator_id TEXT,
        matched INTEGER NOT NULL CHECK (matched >= 0),
        local_total_fen INTEGER NOT NULL,
        acquirer_total_fen INTEGER NOT NULL
      );
      CREATE TABLE reconcile_lines (
        day TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('payment','refund')),
        ref TEXT NOT NULL,
        order_no TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('missing_locally','missing_at_acquirer','amount_mismatch','status_mismatch')),
        local_fen INTEGER,
        acquirer_fen INTEGER,
        local_state TEXT,
        acquirer_state TEXT,
        action TEXT NOT NULL CHECK (action IN ('corrected','supervisor')),
        note TEXT,
        resolved_by TEXT,
        resolved_at INTEGER,
        resolution TEXT CHECK (resolution IS NULL OR length(resolution) BETWEEN 2 AND 200),
        PRIMARY KEY (day, kind, ref)
      );
      CREATE TRIGGER reconcile_lines_resolved_final BEFORE UPDATE ON reconcile_lines
        WHEN OLD.resolved_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a resolved reconciliation line is final'); END;
      CREATE TRIGGER reconcile_lines_resolved_kept BEFORE DELETE ON reconcile_lines
        WHEN OLD.resolved_at IS NOT NULL OR OLD.action = 'corrected'
        BEGIN SELECT RAISE(ABORT, 'a resolved or corrected reconciliation line is kept'); END;
    `);
  },
};
