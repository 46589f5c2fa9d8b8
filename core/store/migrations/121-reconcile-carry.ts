import type { Migration } from '../migrate';

/**
 * Payments and refunds started in the last minutes of a business day that the day's statement
 * does not hold: the acquirer may have completed them after midnight, on the next day's
 * statement (core/reconcile/online.ts `CARRY_TAIL_MS`). They are carried to the next day's
 * run rather than reported missing, and that run matches or reports them. Keyed by the day they
 * were carried from: running that day again replaces its carries.
 */
export const m121ReconcileCarry: Migration = {
  id: 121,
  name: 'reconciliation: items carried to the next day',
  async up(q) {
    await q.exec(`
      CREATE TABLE reconcile_carry (
        from_day TEXT NOT NULL,
        to_day TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('payment','refund')),
        ref TEXT NOT NULL,
        PRIMARY KEY (from_day, kind, ref)
      );
      CREATE INDEX reconcile_carry_to ON reconcile_carry (to_day);
    `);
  },
};
