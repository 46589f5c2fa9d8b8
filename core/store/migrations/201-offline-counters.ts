import type { Migration } from '../migrate';

/**
 * The risk counters (per wallet per day) and the replay counter (per wallet) are maintained by
 * a trigger on the outbox insert: they change in the same statement — so the same transaction —
 * as the accepted payment, and an accept costs one round trip to SQLite instead of three.
 */
export const m201OfflineCounters: Migration = {
  id: 201,
  name: 'offline counters maintained by trigger',
  async up(q) {
    await q.exec(`
      ALTER TABLE offline_items ADD COLUMN near_limit INTEGER NOT NULL DEFAULT 0;
      CREATE TRIGGER offline_items_counters AFTER INSERT ON offline_items BEGIN
        INSERT INTO risk_wallet_day (wallet_id, day, total_fen, count, near_limit, cash_outs)
          VALUES (NEW.wallet_id, NEW.day, NEW.amount_fen, 1, NEW.near_limit, NEW.purpose = 'cash_out')
          ON CONFLICT(wallet_id, day) DO UPDATE SET total_fen = total_fen + excluded.total_fen, count = count + 1,
            near_limit = near_limit + excluded.near_limit, cash_outs = cash_outs + excluded.cash_outs;
        INSERT INTO offline_wallets (wallet_id, last_counter, last_seen) VALUES (NEW.wallet_id, NEW.counter, NEW.accepted_at)
          ON CONFLICT(wallet_id) DO UPDATE SET last_counter = MAX(last_counter, excluded.last_counter), last_seen = excluded.last_seen;
      END;
    `);
  },
};
