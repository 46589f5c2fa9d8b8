import type { Migration } from '../migrate';

/**
 * Closed days: the Z report of a day as it stood when a supervisor closed it, numbered (Z 1, 2, …)
 * and immutable. Triggers refuse UPDATE and DELETE, as for the journal; the snapshot's SHA-256 is
 * also in the journal (`z.closed`), so a snapshot edited in the file no longer matches the chain.
 * One closing per day (UNIQUE): a reprint shows the stored one.
 */
export const m010ZClosings: Migration = {
  id: 10,
  name: 'closed days: numbered, immutable Z snapshots',
  async up(q) {
    await q.exec(`
      CREATE TABLE z_closings (
        number INTEGER PRIMARY KEY,
        day TEXT NOT NULL UNIQUE CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        closed_at INTEGER NOT NULL,
        closed_by TEXT NOT NULL,
        report_json TEXT NOT NULL,
        hash TEXT NOT NULL CHECK (length(hash) = 64)
      );
      CREATE TRIGGER z_closings_no_update BEFORE UPDATE ON z_closings BEGIN SELECT RAISE(ABORT, 'a closed day is immutable'); END;
      CREATE TRIGGER z_closings_no_delete BEFORE DELETE ON z_closings BEGIN SELECT RAISE(ABORT, 'a closed day is immutable'); END;
    `);
  },
};
