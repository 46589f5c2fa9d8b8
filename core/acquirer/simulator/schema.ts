/**
 * The simulator's own database (a separate SQLite file from the terminal's): merchants,
 * terminals with their keys, wallets with balances, one-time payment codes, orders, refunds,
 * the wallet ledger, seen nonces and enrolled faces. Versioned with the same migration runner
 * as the terminal; a shipped migration is never edited, a change is a new one.
 * The ledger is the simulator's truth about money: every debit and credit of a wallet is one
 * row, written in the same transaction as the balance change.
 */
import type { Migration } from '../../store/migrate';

export const simMigrations: readonly Migration[] = [
  {
    id: 1,
    name: 'simulator acquirer',
    async up(q) {
      await q.exec(`
        CREATE TABLE merchants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE terminals (
          id TEXT PRIMARY KEY,
          merchant_id TEXT NOT NULL REFERENCES merchants(id),
          key_hex TEXT NOT NULL
        );
        CREATE TABLE wallets (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          scheme TEXT NOT NULL CHECK (scheme IN ('wechat','alipay','unionpay','face')),
          balance_fen INTEGER NOT NULL CHECK (balance_fen >= 0),
          needs_password INTEGER NOT NULL DEFAULT 0,
          single_limit_fen INTEGER NOT NULL DEFAULT 500000
        );
        CREATE TABLE codes (
          code TEXT PRIMARY KEY,
          wallet_id TEXT NOT NULL REFERENCES wallets(id),
          issued_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          used_by TEXT
        );
        CREATE TABLE orders (
          terminal_id TEXT NOT NULL,
          out_trade_no TEXT NOT NULL,
          trade_no TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL CHECK (kind IN ('barcode','qr','tombstone')),
          amount_fen INTEGER NOT NULL,
          wallet_id TEXT,
          status TEXT NOT NULL CHECK (status IN ('SUCCESS','USERPAYING','NOTPAY','CLOSED','REVERSED','PAYERROR')),
          err_code TEXT,
          err_zh TEXT,
          err_en TEXT,
          forever INTEGER NOT NULL DEFAULT 0,
          qr_content TEXT,
          qr_expires_at INTEGER,
          refunded_fen INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (terminal_id, out_trade_no)
        );
        CREATE TABLE refunds (
          terminal_id TEXT NOT NULL,
          out_refund_no TEXT NOT NULL,
          out_trade_no TEXT NOT NULL,
          amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
          created_at INTEGER NOT NULL,
          PRIMARY KEY (terminal_id, out_refund_no)
        );
        CREATE TABLE ledger (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          wallet_id TEXT NOT NULL,
          terminal_id TEXT NOT NULL,
          out_trade_no TEXT NOT NULL,
          ref_no TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('payment','refund','reversal')),
          amount_fen INTEGER NOT NULL
        );
        CREATE INDEX ledger_order ON ledger(terminal_id, out_trade_no);
        CREATE TABLE nonces (terminal_id TEXT NOT NULL, nonce TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (terminal_id, nonce));
        CREATE INDEX nonces_at ON nonces(at);
      `);
    },
  },
  {
    id: 2,
    name: 'face enrolments',
    /**
     * Enrolled faces belong to the acquirer (1:N identification happens there), so they live in
     * its file and survive a restart. One row per face wallet: an int8 template of the
     * embedding (face-template.ts: 1024 bytes, exactly), never an image and never the bytes a
     * terminal sent. Identification probes are not stored at all.
     */
    async up(q) {
      await q.exec(`
        CREATE TABLE face_enrolments (
          wallet_id TEXT PRIMARY KEY REFERENCES wallets(id),
          template BLOB NOT NULL CHECK (typeof(template) = 'blob' AND length(template) = 1024),
          enrolled_at INTEGER NOT NULL
        );
      `);
    },
  },
];
