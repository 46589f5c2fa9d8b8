import type { Migration } from '../migrate';

/**
 * Store-and-forward and risk: the outbox of offline items, per-wallet replay counters and day
 * counters, synced issuer keys, revocations and policy. The outbox row, the wallet counter and
 * the day counters of an accept are written in one transaction with its journal row.
 * The signed code is kept only until the acquirer has answered (then nulled: PBOC rule).
 */
export const m200Offline: Migration = {
  id: 200,
  name: 'offline outbox, wallet counters, risk counters, issuer keys',
  async up(q) {
    await q.exec(`
      CREATE TABLE offline_items (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        order_no TEXT NOT NULL UNIQUE,
        wallet_id TEXT NOT NULL,
        counter INTEGER NOT NULL,
        code_time INTEGER NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        purpose TEXT NOT NULL CHECK (purpose IN ('sale','cash_out')),
        code BLOB,
        masked TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','sending','accepted','declined','needs_review')),
        reason TEXT,
        flags TEXT NOT NULL DEFAULT '[]',
        contact TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        batch_id TEXT,
        accepted_at INTEGER NOT NULL,
        day TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        operator_id TEXT,
        training INTEGER NOT NULL,
        UNIQUE (wallet_id, counter)
      );
      CREATE INDEX offline_items_status ON offline_items(status, seq);
      CREATE INDEX offline_items_day ON offline_items(day);
      CREATE INDEX offline_items_wallet ON offline_items(wallet_id, accepted_at);
      CREATE TABLE offline_wallets (
        wallet_id TEXT PRIMARY KEY,
        last_counter INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
      );
      CREATE TABLE risk_wallet_day (
        wallet_id TEXT NOT NULL,
        day TEXT NOT NULL,
        total_fen INTEGER NOT NULL,
        count INTEGER NOT NULL,
        near_limit INTEGER NOT NULL,
        cash_outs INTEGER NOT NULL,
        PRIMARY KEY (wallet_id, day)
      );
      CREATE TABLE offline_issuer_keys (
        key_id INTEGER PRIMARY KEY,
        public_key TEXT NOT NULL,
        valid_from INTEGER NOT NULL,
        valid_to INTEGER NOT NULL
      );
      CREATE TABLE offline_revoked (
        wallet_id TEXT PRIMARY KEY
      );
    `);
  },
};
