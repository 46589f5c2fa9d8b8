import type { Migration } from '../migrate';

/**
 * The append-only, hash-chained journal of money events. Triggers refuse UPDATE and DELETE so
 * even a bug cannot rewrite history; the chain makes tampering with the file detectable.
 */
export const m002Journal: Migration = {
  id: 2,
  name: 'hash-chained journal',
  async up(q) {
    await q.exec(`
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
      );
      CREATE INDEX journal_ref ON journal(ref);
      CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
      CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
    `);
  },
};
