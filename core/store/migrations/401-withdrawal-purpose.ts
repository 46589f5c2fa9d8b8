import type { Migration } from '../migrate';

/**
 * Marks as withdrawals the payments the service point had already linked to a withdrawal
 * (`agent_withdrawals.order_no`), so history and the Z report read existing data right after
 * migration 102 added `payments.purpose`. Runs in the 400s because it reads the service point's
 * table (created by 400). New withdrawals are recorded as such when their charge is created.
 *
 * A withdrawal whose order number was never stored (a crash between the charge and that
 * write) is left alone: matching by amount and time could turn a real sale into a withdrawal.
 */
export const m401WithdrawalPurpose: Migration = {
  id: 401,
  name: 'payments: mark existing withdrawal charges',
  async up(q) {
    await q.exec(`
      UPDATE payments SET purpose = 'withdrawal'
        WHERE order_no IN (SELECT order_no FROM agent_withdrawals WHERE order_no IS NOT NULL);
    `);
  },
};
