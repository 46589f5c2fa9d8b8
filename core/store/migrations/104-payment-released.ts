import type { Migration } from '../migrate';

/**
 * When an online code charge was released (core/payments/release.ts): still unresolved once
 * the customer's code was past its life, so the cashier was told to take another tender and
 * the charge no longer blocks the counter. It is then only ever cancelled or reversed, never
 * kept (a second payment for the same goods). Null for every other payment and for rows
 * written before this.
 */
export const m104PaymentReleased: Migration = {
  id: 104,
  name: 'payments: released charges (total outage)',
  async up(q) {
    await q.exec(`
      ALTER TABLE payments ADD COLUMN released_at INTEGER CHECK (released_at IS NULL OR released_at >= created_at);
      CREATE INDEX payments_released ON payments(released_at) WHERE released_at IS NOT NULL;
    `);
  },
};
