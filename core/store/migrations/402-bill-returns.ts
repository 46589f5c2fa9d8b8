import type { Migration } from '../migrate';

/**
 * A bill taken in cash while offline and refused by the biller when it was sent: the customer's
 * cash was counted into the drawer with the bill, and goes back to them once (core/agent,
 * `agent:billReturn`).
 * - `agent_bills` keeps what the biller said (code and words, zh and en) and when and by whom
 *   the cash was handed back;
 * - `agent_float_moves` gets the movement kind `bill_return` (SQLite cannot change a CHECK, so
 *   the table is rebuilt with its rows, sequence numbers included).
 *
 * Rules core/agent/service.ts keeps, enforced here as well so no other writer can break them:
 * - a bill's state moves only from `queued` (to `paid` or `failed`); `paid` and `failed` are final;
 * - a return is recorded only for a refused (`failed`) bill, once, and is never erased.
 */
export const m402BillReturns: Migration = {
  id: 402,
  name: 'service point: refused bills and their cash returned',
  async up(q) {
    await q.exec(`
      ALTER TABLE agent_bills ADD COLUMN refusal_code TEXT;
      ALTER TABLE agent_bills ADD COLUMN refusal_zh TEXT;
      ALTER TABLE agent_bills ADD COLUMN refusal_en TEXT;
      ALTER TABLE agent_bills ADD COLUMN returned_at INTEGER;
      ALTER TABLE agent_bills ADD COLUMN returned_by TEXT;
      CREATE TRIGGER agent_bills_final_state BEFORE UPDATE OF state ON agent_bills
        WHEN OLD.state IN ('paid','failed') AND NEW.state IS NOT OLD.state
        BEGIN SELECT RAISE(ABORT, 'bill: a final state is never left'); END;
      CREATE TRIGGER agent_bills_return_once BEFORE UPDATE OF returned_at ON agent_bills
        WHEN NEW.returned_at IS NOT OLD.returned_at AND (OLD.returned_at IS NOT NULL OR OLD.state <> 'failed' OR NEW.returned_at IS NULL)
        BEGIN SELECT RAISE(ABORT, 'bill: cash is returned once, for a refused bill only'); END;

      CREATE TABLE agent_float_moves_402 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        day TEXT NOT NULL REFERENCES agent_float_days(day),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('open','in','out','withdrawal','bill','bill_return','close')),
        amount_fen INTEGER NOT NULL,
        reason TEXT NOT NULL,
        operator_id TEXT
      );
      INSERT INTO agent_float_moves_402 (seq, day, at, kind, amount_fen, reason, operator_id)
        SELECT seq, day, at, kind, amount_fen, reason, operator_id FROM agent_float_moves ORDER BY seq;
      -- The next number follows the old table's, not its highest surviving row.
      DELETE FROM sqlite_sequence WHERE name = 'agent_float_moves_402';
      INSERT INTO sqlite_sequence (name, seq) SELECT 'agent_float_moves_402', seq FROM sqlite_sequence WHERE name = 'agent_float_moves';
      DROP TABLE agent_float_moves;
      ALTER TABLE agent_float_moves_402 RENAME TO agent_float_moves;
      CREATE INDEX agent_float_moves_day ON agent_float_moves(day);
    `);
  },
};
