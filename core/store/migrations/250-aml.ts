import type { Migration } from '../migrate';

/**
 * The anti-money-laundering watcher (core/aml): its read position in the journal, the money
 * movements it has read, its cases and each case's evidence.
 * - `aml_state.journal_seq` moves in the same transaction as the movements and cases it read,
 *   so after a crash the watcher resumes exactly where its last commit left it: no movement is
 *   skipped, none is read twice. `salt` keys the subject references printed in exports.
 * - `aml_movements.seq` is the journal row's own number (one movement per journal row at most).
 * - No column can hold a full phone, account, wallet id or payment code: subjects are hashes
 *   (`subject_key`) and masked forms (`subject_masked`); CHECKs keep the masks masked.
 * - A reported case is final (trigger); evidence is never removed (trigger). A training reset is
 *   the one exception, on the demo file only (core/training/reset.ts).
 */
export const m250Aml: Migration = {
  id: 250,
  name: 'anti-money-laundering watcher: movements, cases, evidence',
  async up(q) {
    await q.exec(`
      CREATE TABLE aml_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        journal_seq INTEGER NOT NULL CHECK (journal_seq >= 0),
        salt TEXT NOT NULL CHECK (length(salt) = 64)
      );
      CREATE TABLE aml_movements (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        day TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('sale','withdrawal','cash_out','bill','remittance')),
        channel TEXT NOT NULL CHECK (channel IN ('online','offline','cash','service')),
        ref TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0 AND amount_fen = CAST(amount_fen AS INTEGER)),
        subject_type TEXT CHECK (subject_type IN ('phone','wallet','account','counter')),
        subject_key TEXT,
        subject_masked TEXT CHECK (subject_masked IS NULL OR subject_masked GLOB '*[*…]*'),
        near_limit INTEGER NOT NULL CHECK (near_limit IN (0,1)),
        line_fen INTEGER,
        CHECK ((subject_type IS NULL) = (subject_key IS NULL))
      );
      CREATE INDEX aml_movements_subject ON aml_movements(subject_key, at);
      CREATE INDEX aml_movements_day ON aml_movements(day);
      CREATE INDEX aml_movements_kind ON aml_movements(kind, at);
      CREATE TABLE aml_cases (
        id INTEGER PRIMARY KEY,
        case_no TEXT NOT NULL UNIQUE,
        rule TEXT NOT NULL CHECK (rule IN ('near_limit_repeated','repeated_cash_out','structuring','remit_then_cash_out','volume_spike')),
        subject_type TEXT NOT NULL CHECK (subject_type IN ('phone','wallet','account','counter')),
        subject_key TEXT NOT NULL,
        subject_masked TEXT CHECK (subject_masked IS NULL OR subject_masked GLOB '*[*…]*'),
        day TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        count INTEGER NOT NULL CHECK (count > 0),
        total_fen INTEGER NOT NULL CHECK (total_fen > 0),
        figures TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open','noted','reported')),
        note TEXT CHECK (note IS NULL OR length(note) BETWEEN 2 AND 200),
        noted_by TEXT,
        noted_at INTEGER,
        reported_by TEXT,
        reported_at INTEGER,
        updated_at INTEGER NOT NULL,
        CHECK (status = 'open' OR note IS NOT NULL),
        CHECK (status <> 'reported' OR reported_at IS NOT NULL)
      );
      CREATE INDEX aml_cases_day ON aml_cases(day);
      CREATE INDEX aml_cases_subject ON aml_cases(rule, subject_key, id);
      CREATE TABLE aml_evidence (
        case_id INTEGER NOT NULL REFERENCES aml_cases(id),
        movement_seq INTEGER NOT NULL REFERENCES aml_movements(seq),
        PRIMARY KEY (case_id, movement_seq)
      );
      CREATE INDEX aml_evidence_movement ON aml_evidence(movement_seq);
      CREATE TRIGGER aml_cases_reported_final BEFORE UPDATE ON aml_cases WHEN OLD.status = 'reported'
        BEGIN SELECT RAISE(ABORT, 'a reported AML case is final'); END;
      CREATE TRIGGER aml_evidence_kept BEFORE DELETE ON aml_evidence
        BEGIN SELECT RAISE(ABORT, 'AML evidence is never removed'); END;
    `);
  },
};
