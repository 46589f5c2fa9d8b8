import type { Migration } from '../migrate';

/**
 * A supervisor's review of an offline item the acquirer answered with `needs_review` (AML
 * flags): `held` with a reason, or `released`. The item's status stays `needs_review` — a final
 * status is never left — and the review is a decision recorded beside it (who, when, why),
 * audited by core/offline/store.ts in the same transaction.
 *
 * Two rules the store keeps are enforced here as well, so no other writer can break them:
 * - a final status (accepted, declined, needs_review) is never left;
 * - only a `needs_review` item is reviewed; `released` is final; a decision is never erased.
 */
export const m202OfflineReview: Migration = {
  id: 202,
  name: 'offline items: supervisor review (held / released)',
  async up(q) {
    await q.exec(`
      ALTER TABLE offline_items ADD COLUMN review TEXT CHECK (review IS NULL OR review IN ('held','released'));
      ALTER TABLE offline_items ADD COLUMN review_note TEXT;
      ALTER TABLE offline_items ADD COLUMN reviewed_by TEXT;
      ALTER TABLE offline_items ADD COLUMN reviewed_at INTEGER;
      CREATE TRIGGER offline_items_final_status BEFORE UPDATE OF status ON offline_items
        WHEN OLD.status IN ('accepted','declined','needs_review') AND NEW.status IS NOT OLD.status
        BEGIN SELECT RAISE(ABORT, 'offline item: a final status is never left'); END;
      CREATE TRIGGER offline_items_review_rules BEFORE UPDATE OF review ON offline_items
        WHEN NEW.review IS NOT OLD.review AND (OLD.status <> 'needs_review' OR OLD.review IS 'released' OR NEW.review IS NULL)
        BEGIN SELECT RAISE(ABORT, 'offline item: review refused'); END;
    `);
  },
};
