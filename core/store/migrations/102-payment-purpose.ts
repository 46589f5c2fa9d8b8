import type { Migration } from '../migrate';

/**
 * What each payment is for, recorded with the order in the transaction that creates it:
 * `sale` (takings) or `withdrawal` (the charge of a service-point assisted withdrawal: cash
 * leaves the drawer, never refundable as a sale). Before this, a withdrawal's charge was
 * indistinguishable from a sale in history and the Z report. Existing rows read as `sale`;
 * migration 401 marks the withdrawals the service point had already linked to their orders.
 */
export const m102PaymentPurpose: Migration = {
  id: 102,
  name: 'payments: purpose (sale or withdrawal)',
  async up(q) {
    await q.exec(`
      ALTER TABLE payments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sale' CHECK (purpose IN ('sale','withdrawal'));
    `);
  },
};
