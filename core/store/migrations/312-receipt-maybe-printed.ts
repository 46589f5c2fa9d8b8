import type { Migration } from '../migrate';

/**
 * A receipt some bytes of which reached the printer without the printer confirming it printed
 * (sent but unconfirmed, or stopped part-way at paper end): `maybe_printed` = 1. The next copy
 * is printed marked 重打 / COPY, never as a second original (core/receipts/service.ts).
 */
export const m312ReceiptMaybePrinted: Migration = {
  id: 312,
  name: 'receipts: may already be on paper',
  async up(q) {
    await q.exec('ALTER TABLE receipt_prints ADD COLUMN maybe_printed INTEGER NOT NULL DEFAULT 0 CHECK (maybe_printed IN (0, 1))');
  },
};
