/**
 * The acquirer simulator's offline side: it is the issuer of offline wallets (certificates
 * signed with rotating SM2 issuer keys), the source of the terminal's sync (issuer keys,
 * revocation list, risk policy, server time), the receiver of forwarded batches, and the
 * source of the day statement used for reconciliation.
 *
 * Invariants:
 * - A forwarded item is applied at most once: keyed by terminal + order number, a re-sent item
 *   gets its first verdict back (flagged `replayed`) and moves no money again. The wallet debit
 *   and the verdict are written in one transaction.
 * - One wallet code (wallet id + counter) pays at most once across all terminals: a second
 *   use is declined `duplicate_code` (an offline double spend).
 * - Every signature is verified again here; the terminal's word is not trusted.
 * - Every limit the certificate signs is enforced again here (`signedLimitRefusal`): the
 *   certificate's validity at the code's signed time, its per-payment cap, its daily cap (per
 *   wallet per China day of the code's signed time, across terminals) and the regulator's day
 *   limit of its grade. A modified till that skips its own risk checks gets `declined`, with the
 *   limit as the reason, and no money moves.
 * - The ledger table has no uniqueness on purpose: tests count its rows per order to prove
 *   "never applied twice" rather than relying on a constraint that would hide the attempt.
 * - A forwarded item the acquirer took the money for (`accepted`, or `review`) is one of its
 *   transactions and can be refunded (`POST /offline/v1/refund`): idempotent on terminal +
 *   refund number, the sum refunded never above the item's amount, the wallet credited and the
 *   refund row written in one transaction.
 *
 * - Every /offline/v1/ request is signed by a known terminal (the online routes' HMAC scheme,
 *   over a SHA-256 digest of the raw body, which is binary for batches): an unsigned, badly
 *   signed, stale or replayed request is refused with 401 before anything is read or written,
 *   and the nonce is recorded durably first. A terminal may only forward, and read the
 *   statement, as itself.
 *
 * Served by `offlineHttpHandler` (binary batch body, JSON elsewhere) under /offline/v1/.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { z } from 'zod';
import type { Db, Queryable } from '../../store/db';
import { base32Decode, base32Encode, CODE_BYTES, CodeRefusal, CodeVerifier, issueCertificate, newKeyPair, parseBytes, type Grade, type IssuerKey, type KeyPair, type ParsedCode } from '../../offline/code';
import { DEFAULT_POLICY, regulatorLimit, type RiskPolicy } from '../../risk/policy';
import { MAX_CLOCK_SKEW_MS, newTerminalKey, sign, signatureMatches, SIGNATURE_HEADERS } from '../signing';
import type { WireOfflineRefundQueryReply, WireOfflineRefundReply, WireOfflineRefundRefusal, WireOfflineRefundRequest } from '../sandbox/wire';
import { bodyDigest, certRef, decodeBatch, encodeResults, UnknownCertificate, WireError, type WireBatch, type WireVerdict } from '../../forward/wire';
import { JournalAnchors } from './journal-anchors';

const DAY_S = 86_400;

/** Declines for a forwarded item outside a limit its certificate signs (core/offline/reasons.ts words them). */
export type OfflineLimitReason = 'cert_not_yet_valid' | 'cert_expired' | 'code_from_future' | 'over_payment_cap' | 'over_daily_cap' | 'over_regulator_day_limit';

export function chinaDayOf(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

interface IssuerEntry {
  key: IssuerKey;
  pair: KeyPair;
}

export interface OfflineAcquirerOptions {
  now?: () => number;
  policy?: RiskPolicy;
  /** Wallet certificates' life. */
  certLifeS?: number;
}

export const IssueWalletBody = z
  .object({
    publicKey: z.string().regex(/^0[23][0-9a-f]{64}$/),
    grade: z.enum(['S', 'A', 'B', 'C']).default('B'),
    balanceFen: z.number().int().min(0).max(100_000_000).default(1_000_000),
    perPaymentCapFen: z.number().int().min(1).max(100_000_000).default(20_000),
    dailyCapFen: z.number().int().min(1).max(100_000_000).default(50_000),
  })
  .strict();

const NaiveItemBody = z
  .object({
    terminalId: z.string().regex(/^[A-Z0-9]{4,16}$/),
    orderNo: z.string().regex(/^[A-Z0-9]{8,40}$/),
    amountFen: z.number().int().min(1).max(100_000_000),
    purpose: z.enum(['sale', 'cash_out']),
    acceptedAt: z.number().int().min(0),
    code: z.string().regex(/^OC1[A-Z2-7]{332}$/),
  })
  .strict();

const RefundNo = z.string().regex(/^[A-Z0-9]{8,48}$/);

/** `POST /offline/v1/refund` (PROTOCOL.md, "Offline routes"; sandbox/wire.ts): acts for the signing terminal only. */
export const OfflineRefundBody = z
  .object({
    orderNo: z.string().regex(/^[A-Z0-9]{8,40}$/),
    refundNo: RefundNo,
    amountFen: z.number().int().min(1).max(100_000_000),
    /** The item's full amount, as the terminal knows it: a mismatch is refused. */
    totalFen: z.number().int().min(1).max(100_000_000),
    reason: z.string().min(1).max(80),
  })
  .strict();

export class OfflineAcquirer {
  private issuers: IssuerEntry[] = [];
  private readonly now: () => number;
  policy: RiskPolicy;
  private readonly certLifeS: number;
  /** The same verifier the terminal uses, for its caches; clock checks are not applied here. */
  private readonly checker = new CodeVerifier(undefined, 100_000, 2);
  /** Every certificate issued, by reference (wire.ts certRef), so batches can name them. */
  private readonly certs = new Map<string, Uint8Array>();
  /** Items received, for tests: every attempt, including re-sends. */
  received = 0;
  /** Mounted in the protocol simulator's file (server.ts): its `terminals` table also holds keys. */
  private sharedTerminals = false;
  /** The journal heads terminals send (journal-anchors.ts). */
  anchors!: JournalAnchors;
  private lastPrune = 0;

  private constructor(private readonly db: Db, opts: OfflineAcquirerOptions) {
    this.now = opts.now ?? Date.now;
    this.policy = opts.policy ?? DEFAULT_POLICY;
    this.certLifeS = opts.certLifeS ?? 30 * DAY_S;
  }

  static async open(db: Db, opts: OfflineAcquirerOptions = {}): Promise<OfflineAcquirer> {
    await db.exec(`
      CREATE TABLE IF NOT EXISTS sim_offline_issuers (key_id INTEGER PRIMARY KEY, private_key TEXT NOT NULL, public_key TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sim_offline_wallets (wallet_id TEXT PRIMARY KEY, balance_fen INTEGER NOT NULL CHECK (balance_fen >= 0), revoked INTEGER NOT NULL DEFAULT 0, grade TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sim_offline_items (
        terminal_id TEXT NOT NULL, order_no TEXT NOT NULL, wallet_id TEXT NOT NULL, counter INTEGER NOT NULL,
        amount_fen INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT, day TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (terminal_id, order_no));
      CREATE TABLE IF NOT EXISTS sim_offline_spent (wallet_id TEXT NOT NULL, counter INTEGER NOT NULL, terminal_id TEXT NOT NULL, order_no TEXT NOT NULL, PRIMARY KEY (wallet_id, counter));
      CREATE TABLE IF NOT EXISTS sim_offline_certs (ref TEXT PRIMARY KEY, cert BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS sim_offline_ledger (seq INTEGER PRIMARY KEY AUTOINCREMENT, terminal_id TEXT NOT NULL, order_no TEXT NOT NULL, wallet_id TEXT NOT NULL, amount_fen INTEGER NOT NULL, day TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sim_offline_terminals (terminal_id TEXT PRIMARY KEY, key_hex TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sim_offline_nonces (terminal_id TEXT NOT NULL, nonce TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (terminal_id, nonce));
      CREATE TABLE IF NOT EXISTS sim_offline_refunds (
        terminal_id TEXT NOT NULL, refund_no TEXT NOT NULL, order_no TEXT NOT NULL, wallet_id TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0), reason TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (terminal_id, refund_no));
      CREATE INDEX IF NOT EXISTS sim_offline_refunds_order ON sim_offline_refunds(terminal_id, order_no);
      -- What each wallet paid offline per China day of its codes' signed time, across terminals:
      -- the certificate's daily cap and the regulator's day limit are checked against it.
      CREATE TABLE IF NOT EXISTS sim_offline_wallet_days (wallet_id TEXT NOT NULL, day TEXT NOT NULL, total_fen INTEGER NOT NULL, PRIMARY KEY (wallet_id, day));
    `);
    const a = new OfflineAcquirer(db, opts);
    a.anchors = await JournalAnchors.open(db);
    a.sharedTerminals = !!(await db.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'terminals'"));
    const rows = await db.all<{ key_id: number; private_key: string; public_key: string; valid_from: number; valid_to: number }>('SELECT * FROM sim_offline_issuers ORDER BY key_id');
    a.issuers = rows.map((r) => ({ key: { keyId: r.key_id, publicKey: r.public_key, validFrom: r.valid_from, validTo: r.valid_to }, pair: { privateKey: r.private_key, publicKey: r.public_key } }));
    // Keyed by the reference computed now, not the stored one, so a change of reference format never strands a certificate.
    for (const c of await db.all<{ cert: Buffer }>('SELECT cert FROM sim_offline_certs')) a.certs.set(certRef(c.cert).toString('hex'), new Uint8Array(c.cert));
    if (!a.issuers.length) await a.rotateIssuerKey();
    a.checker.setIssuerKeys(a.issuers.map((e) => e.key));
    return a;
  }

  private nowS(): number {
    return Math.floor(this.now() / 1000);
  }

  /**
   * Adds a new issuer key; new certificates are signed with it. Older keys stay trusted until
   * the certificates they signed have expired (validTo = now + certificate life).
   */
  async rotateIssuerKey(): Promise<IssuerKey> {
    const pair = newKeyPair();
    const keyId = (this.issuers.at(-1)?.key.keyId ?? 0) + 1;
    const nowS = this.nowS();
    for (const e of this.issuers) {
      if (e.key.validTo > nowS + this.certLifeS) e.key.validTo = nowS + this.certLifeS;
      await this.db.run('UPDATE sim_offline_issuers SET valid_to = ? WHERE key_id = ?', [e.key.validTo, e.key.keyId]);
    }
    const key: IssuerKey = { keyId, publicKey: pair.publicKey, validFrom: nowS - 60, validTo: 0xffffffff };
    await this.db.run('INSERT INTO sim_offline_issuers (key_id, private_key, public_key, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)', [keyId, pair.privateKey, pair.publicKey, key.validFrom, key.validTo]);
    this.issuers.push({ key, pair });
    this.checker.setIssuerKeys(this.issuers.map((e) => e.key));
    return key;
  }

  /** Issues a wallet certificate for a public key the phone generated (the private key never leaves it). */
  async issueWallet(input: z.input<typeof IssueWalletBody>): Promise<{ walletId: string; certificate: string; grade: Grade }> {
    const b = IssueWalletBody.parse(input);
    const issuer = this.issuers.at(-1)!;
    const walletId = randomBytes(8).toString('hex').toUpperCase();
    const nowS = this.nowS();
    const cert = issueCertificate({
      issuerKeyId: issuer.key.keyId, walletId, walletPublicKey: b.publicKey, grade: b.grade,
      perPaymentCapFen: b.perPaymentCapFen, dailyCapFen: b.dailyCapFen, notBefore: nowS - 60, notAfter: nowS + this.certLifeS,
    }, issuer.pair);
    const ref = certRef(cert).toString('hex');
    await this.db.tx(async (q) => {
      await q.run('INSERT INTO sim_offline_wallets (wallet_id, balance_fen, grade) VALUES (?, ?, ?)', [walletId, b.balanceFen, b.grade]);
      await q.run('INSERT OR IGNORE INTO sim_offline_certs (ref, cert) VALUES (?, ?)', [ref, Buffer.from(cert)]);
    });
    this.certs.set(ref, cert);
    return { walletId, certificate: base32Encode(cert), grade: b.grade };
  }

  /**
   * The key of a terminal for the offline routes, creating it when new (stand-alone offline
   * acquirer: tests, the bench, the embedded demo). Beside the protocol simulator, terminals
   * provisioned there are known here too (same file), with the same key.
   */
  async provisionTerminal(terminalId: string, keyHex?: string): Promise<string> {
    const known = await this.terminalKey(terminalId);
    if (known && (!keyHex || keyHex === known)) return known;
    const key = keyHex ?? newTerminalKey();
    await this.db.run('INSERT INTO sim_offline_terminals (terminal_id, key_hex) VALUES (?, ?) ON CONFLICT(terminal_id) DO UPDATE SET key_hex = excluded.key_hex', [terminalId, key]);
    return key;
  }

  private async terminalKey(terminalId: string): Promise<string | null> {
    const own = await this.db.get<{ key_hex: string }>('SELECT key_hex FROM sim_offline_terminals WHERE terminal_id = ?', [terminalId]);
    if (own) return own.key_hex;
    if (!this.sharedTerminals) return null;
    return (await this.db.get<{ key_hex: string }>('SELECT key_hex FROM terminals WHERE id = ?', [terminalId]))?.key_hex ?? null;
  }

  /**
   * Checks a request's signature (PROTOCOL.md, "Offline routes"): the online scheme with the
   * hex SHA-256 of the raw body in place of the body. Order as in server.ts: headers, known
   * terminal, signature, clock window, then the nonce, recorded before the request runs so a
   * replay is refused even while the first is in flight. Returns the terminal or the refusal.
   */
  async authenticate(method: string, pathAndQuery: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<{ terminalId: string } | { status: 401; error: 'auth_failed' | 'stale_request' | 'replayed_request' }> {
    const h = (n: string) => (typeof headers[n] === 'string' ? (headers[n] as string) : '');
    const terminalId = h(SIGNATURE_HEADERS.terminal);
    const ts = h(SIGNATURE_HEADERS.timestamp);
    const nonce = h(SIGNATURE_HEADERS.nonce);
    if (!/^[A-Z0-9]{4,16}$/.test(terminalId) || !/^\d{1,16}$/.test(ts) || !/^[0-9a-f]{16,64}$/.test(nonce)) return { status: 401, error: 'auth_failed' };
    const key = await this.terminalKey(terminalId);
    if (!key) return { status: 401, error: 'auth_failed' };
    if (!signatureMatches(key, sign(key, method, pathAndQuery, ts, nonce, bodyDigest(body)), h(SIGNATURE_HEADERS.signature))) return { status: 401, error: 'auth_failed' };
    const at = this.now();
    if (Math.abs(at - Number(ts)) > MAX_CLOCK_SKEW_MS) return { status: 401, error: 'stale_request' };
    const r = await this.db.run('INSERT OR IGNORE INTO sim_offline_nonces (terminal_id, nonce, at) VALUES (?, ?, ?)', [terminalId, nonce, at]);
    if (r.changes !== 1) return { status: 401, error: 'replayed_request' };
    if (at - this.lastPrune > 60_000) {
      this.lastPrune = at;
      // Older than twice the window: a replay of them is refused as stale anyway.
      await this.db.run('DELETE FROM sim_offline_nonces WHERE at < ?', [at - 2 * MAX_CLOCK_SKEW_MS]);
    }
    return { terminalId };
  }

  /**
   * The training reset's share of this acquirer (core/offline/service.ts `resetDemo` checks the
   * file first): every wallet, certificate, forwarded item, spent code, debit, refund and nonce goes, in
   * one transaction. Issuer keys and terminal keys stay: the terminal trusts the former and
   * signs with the latter, so removing them would lock the terminal out of its own simulator.
   */
  async resetData(): Promise<void> {
    await this.db.tx(async (q) => {
      for (const t of ['sim_offline_items', 'sim_offline_spent', 'sim_offline_ledger', 'sim_offline_refunds', 'sim_offline_wallets', 'sim_offline_certs', 'sim_offline_nonces', 'sim_offline_wallet_days']) {
        await q.run(`DELETE FROM ${t}`);
      }
    });
    this.certs.clear();
    this.received = 0;
  }

  async revoke(walletId: string): Promise<void> {
    await this.db.run('UPDATE sim_offline_wallets SET revoked = 1 WHERE wallet_id = ?', [walletId]);
  }

  async setBalance(walletId: string, balanceFen: number): Promise<void> {
    await this.db.run('UPDATE sim_offline_wallets SET balance_fen = ? WHERE wallet_id = ?', [balanceFen, walletId]);
  }

  async sync(): Promise<{ serverTime: number; issuerKeys: IssuerKey[]; revoked: string[]; policy: RiskPolicy }> {
    const revoked = (await this.db.all<{ wallet_id: string }>('SELECT wallet_id FROM sim_offline_wallets WHERE revoked = 1')).map((r) => r.wallet_id);
    return { serverTime: this.now(), issuerKeys: this.issuers.map((e) => ({ ...e.key })), revoked, policy: this.policy };
  }

  /**
   * Applies one forwarded batch; see the invariants at the top. `asTerminal`, when given, is
   * the authenticated sender: a batch naming another terminal is refused (ForeignTerminal).
   */
  async forward(body: Buffer, asTerminal?: string): Promise<Buffer> {
    const batch = decodeBatch(body, (ref) => this.certs.get(ref.toString('hex')) ?? null);
    if (!/^[A-Z0-9]{4,16}$/.test(batch.terminalId)) throw new WireError('bad terminal id');
    if (asTerminal !== undefined && batch.terminalId !== asTerminal) throw new ForeignTerminal();
    return encodeResults(batch.batchId, await this.apply(batch));
  }

  /**
   * One item as one JSON request: the naive protocol the benchmark compares the batches with
   * (same checks, same idempotency), kept as a working endpoint rather than a made-up figure.
   */
  async forwardOne(input: unknown, asTerminal?: string): Promise<{ orderNo: string; status: string; reason: string | null; replayed: boolean }> {
    const b = NaiveItemBody.parse(input);
    if (asTerminal !== undefined && b.terminalId !== asTerminal) throw new ForeignTerminal();
    const code = base32Decode(b.code.slice(3));
    if (!code || code.length !== CODE_BYTES || !b.code.startsWith('OC1')) throw new WireError('bad code');
    const [v] = await this.apply({ terminalId: b.terminalId, batchId: b.orderNo, items: [{ orderNo: b.orderNo, amountFen: b.amountFen, purpose: b.purpose, acceptedAt: b.acceptedAt, flags: 0, code }] });
    return { orderNo: b.orderNo, status: v.status, reason: v.reason, replayed: v.replayed };
  }

  private async apply(batch: WireBatch): Promise<WireVerdict[]> {
    this.received += batch.items.length;
    // Signatures are checked outside the transaction (CPU work, no state).
    const sigOk = batch.items.map((it) => {
      try {
        const code = parseBytes(it.code);
        this.checker.checkSignatures(code);
        return { code, err: null as string | null };
      } catch (e) {
        return { code: null, err: e instanceof CodeRefusal ? e.reason : 'malformed' };
      }
    });
    const verdicts = await this.db.tx(async (q) => {
      const out: WireVerdict[] = [];
      const at = this.now();
      for (let i = 0; i < batch.items.length; i++) {
        const it = batch.items[i];
        const prior = await q.get<{ status: WireVerdict['status']; reason: string | null }>(
          'SELECT status, reason FROM sim_offline_items WHERE terminal_id = ? AND order_no = ?', [batch.terminalId, it.orderNo]);
        if (prior) {
          out.push({ status: prior.status, reason: prior.reason, replayed: true });
          continue;
        }
        const { code, err } = sigOk[i];
        let status: WireVerdict['status'] = 'accepted';
        let reason: string | null = null;
        const walletId = code?.cert.walletId ?? 'UNKNOWN';
        const counter = code?.counter ?? -1;
        if (err || !code) {
          status = 'declined';
          reason = err === 'malformed' || !err ? 'malformed' : err === 'unknown_issuer' ? 'unknown_issuer' : 'bad_signature';
        } else {
          const w = await q.get<{ balance_fen: number; revoked: number }>('SELECT balance_fen, revoked FROM sim_offline_wallets WHERE wallet_id = ?', [walletId]);
          const spent = await q.get<{ order_no: string }>('SELECT order_no FROM sim_offline_spent WHERE wallet_id = ? AND counter = ?', [walletId, counter]);
          if (!w) [status, reason] = ['declined', 'unknown_wallet'];
          else if (w.revoked) [status, reason] = ['declined', 'revoked'];
          else if (spent) [status, reason] = ['declined', 'duplicate_code'];
          else {
            const limit = await this.signedLimitRefusal(q, code, it.amountFen, at);
            if (limit) [status, reason] = ['declined', limit];
            else if (w.balance_fen < it.amountFen) [status, reason] = ['declined', 'insufficient_funds'];
          }
          if (status === 'accepted') {
            await q.run('INSERT INTO sim_offline_wallet_days (wallet_id, day, total_fen) VALUES (?, ?, ?) ON CONFLICT(wallet_id, day) DO UPDATE SET total_fen = total_fen + excluded.total_fen',
              [walletId, chinaDayOf(code.codeTime * 1000), it.amountFen]);
            await q.run('UPDATE sim_offline_wallets SET balance_fen = balance_fen - ? WHERE wallet_id = ?', [it.amountFen, walletId]);
            await q.run('INSERT INTO sim_offline_spent (wallet_id, counter, terminal_id, order_no) VALUES (?, ?, ?, ?)', [walletId, counter, batch.terminalId, it.orderNo]);
            await q.run('INSERT INTO sim_offline_ledger (terminal_id, order_no, wallet_id, amount_fen, day, at) VALUES (?, ?, ?, ?, ?, ?)',
              [batch.terminalId, it.orderNo, walletId, it.amountFen, chinaDayOf(it.acceptedAt), at]);
            if (it.flags) [status, reason] = ['review', 'aml_flagged'];
          }
        }
        await q.run('INSERT INTO sim_offline_items (terminal_id, order_no, wallet_id, counter, amount_fen, status, reason, day, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [batch.terminalId, it.orderNo, walletId, counter, it.amountFen, status, reason, chinaDayOf(it.acceptedAt), at]);
        out.push({ status, reason, replayed: false });
      }
      return out;
    });
    return verdicts;
  }

  /**
   * The certificate's signed limits, checked again at the acquirer (PROTOCOL.md, "Acquirer
   * obligations"): null when the item is within all of them, else the decline reason. Times are
   * the code's own signed time (the terminal's `acceptedAt` is not signed), so a till cannot move
   * a payment into another day or into the certificate's life by rewriting its own record.
   */
  private async signedLimitRefusal(q: Queryable, code: ParsedCode, amountFen: number, nowMs: number): Promise<OfflineLimitReason | null> {
    const { cert } = code;
    if (code.codeTime < cert.notBefore) return 'cert_not_yet_valid';
    if (code.codeTime > cert.notAfter) return 'cert_expired';
    // A code dated ahead of the acquirer's clock (beyond the signing window) would book against a day not yet begun.
    if (code.codeTime * 1000 > nowMs + MAX_CLOCK_SKEW_MS) return 'code_from_future';
    if (amountFen > cert.perPaymentCapFen) return 'over_payment_cap';
    const day = await q.get<{ total_fen: number }>('SELECT total_fen FROM sim_offline_wallet_days WHERE wallet_id = ? AND day = ?', [cert.walletId, chinaDayOf(code.codeTime * 1000)]);
    const spent = day?.total_fen ?? 0;
    if (spent + amountFen > cert.dailyCapFen) return 'over_daily_cap';
    if (spent + amountFen > regulatorLimit(this.policy, cert.grade)) return 'over_regulator_day_limit';
    return null;
  }

  /**
   * Refunds part or all of a forwarded item this acquirer took the money for (see the
   * invariants at the top). A repeat of a refund number with the same details answers its
   * first result and moves nothing; with other details it is refused. Refusals are not kept:
   * nothing moved, and the terminal does not send that number again.
   */
  async refund(terminalId: string, b: WireOfflineRefundRequest): Promise<WireOfflineRefundReply> {
    return this.db.tx(async (q) => {
      const prior = await q.get<{ order_no: string; amount_fen: number }>(
        'SELECT order_no, amount_fen FROM sim_offline_refunds WHERE terminal_id = ? AND refund_no = ?', [terminalId, b.refundNo]);
      const refusal = (reason: WireOfflineRefundRefusal, leftFen?: number): WireOfflineRefundReply => ({ refundNo: b.refundNo, status: 'refused', reason, ...(leftFen === undefined ? {} : { leftFen }) });
      const refunded = async () =>
        (await q.get<{ s: number | null }>('SELECT SUM(amount_fen) AS s FROM sim_offline_refunds WHERE terminal_id = ? AND order_no = ?', [terminalId, b.orderNo]))?.s ?? 0;
      if (prior) {
        if (prior.order_no !== b.orderNo || prior.amount_fen !== b.amountFen) return refusal('refund_no_reused');
        return { refundNo: b.refundNo, status: 'succeeded', orderNo: b.orderNo, amountFen: b.amountFen, refundedFen: await refunded(), replayed: true };
      }
      const item = await q.get<{ wallet_id: string; amount_fen: number; status: string }>(
        'SELECT wallet_id, amount_fen, status FROM sim_offline_items WHERE terminal_id = ? AND order_no = ?', [terminalId, b.orderNo]);
      if (!item) return refusal('order_not_found');
      // `review`: the money was taken, then the item flagged; it can still go back to the customer.
      if (item.status !== 'accepted' && item.status !== 'review') return refusal('not_refundable');
      if (item.amount_fen !== b.totalFen) return refusal('order_mismatch');
      const before = await refunded();
      if (before + b.amountFen > item.amount_fen) return refusal('exceeds', item.amount_fen - before);
      await q.run('INSERT INTO sim_offline_refunds (terminal_id, refund_no, order_no, wallet_id, amount_fen, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [terminalId, b.refundNo, b.orderNo, item.wallet_id, b.amountFen, b.reason, this.now()]);
      await q.run('UPDATE sim_offline_wallets SET balance_fen = balance_fen + ? WHERE wallet_id = ?', [b.amountFen, item.wallet_id]);
      return { refundNo: b.refundNo, status: 'succeeded', orderNo: b.orderNo, amountFen: b.amountFen, refundedFen: before + b.amountFen, replayed: false };
    });
  }

  /** What became of a refund number: done (with its details), or never seen. */
  async queryRefund(terminalId: string, refundNo: string): Promise<WireOfflineRefundQueryReply> {
    const r = await this.db.get<{ order_no: string; amount_fen: number }>(
      'SELECT order_no, amount_fen FROM sim_offline_refunds WHERE terminal_id = ? AND refund_no = ?', [terminalId, refundNo]);
    return r ? { refundNo, status: 'succeeded', orderNo: r.order_no, amountFen: r.amount_fen } : { refundNo, status: 'not_found' };
  }

  /** For tests: what each refund number moved, per order (each number at most once, by key). */
  async refunds(terminalId: string): Promise<Array<{ refundNo: string; orderNo: string; amountFen: number }>> {
    const rows = await this.db.all<{ refund_no: string; order_no: string; amount_fen: number }>(
      'SELECT refund_no, order_no, amount_fen FROM sim_offline_refunds WHERE terminal_id = ? ORDER BY at, refund_no', [terminalId]);
    return rows.map((r) => ({ refundNo: r.refund_no, orderNo: r.order_no, amountFen: r.amount_fen }));
  }

  /** The day statement: every debit in the ledger (a double application would show twice). */
  async statement(terminalId: string, day: string): Promise<Array<{ orderNo: string; amountFen: number; at: number }>> {
    const rows = await this.db.all<{ order_no: string; amount_fen: number; at: number }>(
      'SELECT order_no, amount_fen, at FROM sim_offline_ledger WHERE terminal_id = ? AND day = ? ORDER BY seq', [terminalId, day]);
    return rows.map((r) => ({ orderNo: r.order_no, amountFen: r.amount_fen, at: r.at }));
  }

  /** For tests: how many times each order moved money (must be 0 or 1). */
  async applyCounts(terminalId: string): Promise<Map<string, number>> {
    const rows = await this.db.all<{ order_no: string; n: number }>('SELECT order_no, COUNT(*) AS n FROM sim_offline_ledger WHERE terminal_id = ? GROUP BY order_no', [terminalId]);
    return new Map(rows.map((r) => [r.order_no, r.n]));
  }

  async verdicts(terminalId: string): Promise<Map<string, string>> {
    const rows = await this.db.all<{ order_no: string; status: string }>('SELECT order_no, status FROM sim_offline_items WHERE terminal_id = ?', [terminalId]);
    return new Map(rows.map((r) => [r.order_no, r.status]));
  }
}

// ---------------------------------------------------------------- HTTP
const MAX_BODY = 4 * 1024 * 1024;

/** A signed request acting for a terminal other than its signer. */
export class ForeignTerminal extends Error {
  constructor() {
    super('terminal mismatch');
    this.name = 'ForeignTerminal';
  }
}


function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new WireError('body too large'));
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const b = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length });
  res.end(b);
}

/**
 * Handles /offline/v1/* ; returns false for any other path so a host server can mount it
 * beside its own routes. Admin routes (revoke, rotate, balance) exist only in the simulator.
 */
export function offlineHttpHandler(acq: OfflineAcquirer): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (!url.pathname.startsWith('/offline/v1/')) return false;
    try {
      // Authenticated before any route runs: the body is read (bounded) only to check its digest.
      const raw = await readBody(req);
      const auth = await acq.authenticate(req.method ?? '', url.pathname + url.search, req.headers, raw);
      if (!('terminalId' in auth)) return json(res, auth.status, { error: auth.error }), true;
      const body = () => JSON.parse(raw.toString('utf8') || '{}') as unknown;
      const route = `${req.method} ${url.pathname}`;
      // The journal head a sync, batch or statement carries: kept, and the one held before sent back.
      const head = url.searchParams.get('head');
      if (head !== null && (route === 'GET /offline/v1/sync' || route === 'POST /offline/v1/forward' || route === 'GET /offline/v1/statement')) {
        const held = await acq.anchors.record(auth.terminalId, head, url.pathname.slice('/offline/v1/'.length), Date.now());
        if (held) res.setHeader('x-journal-anchor', held);
      }
      if (route === 'GET /offline/v1/sync') {
        json(res, 200, await acq.sync());
      } else if (route === 'POST /offline/v1/forward') {
        const out = await acq.forward(raw, auth.terminalId);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': out.length });
        res.end(out);
      } else if (route === 'POST /offline/v1/item') {
        const parsed = NaiveItemBody.safeParse(body());
        if (!parsed.success) return json(res, 400, { error: 'bad_request' }), true;
        json(res, 200, await acq.forwardOne(parsed.data, auth.terminalId));
      } else if (route === 'GET /offline/v1/statement') {
        const terminalId = url.searchParams.get('terminalId') ?? '';
        const date = url.searchParams.get('date') ?? '';
        if (!/^[A-Z0-9]{4,16}$/.test(terminalId) || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return json(res, 400, { error: 'bad_request' }), true;
        if (terminalId !== auth.terminalId) return json(res, 403, { error: 'foreign_terminal' }), true;
        json(res, 200, { terminalId, date, lines: await acq.statement(terminalId, date) });
      } else if (route === 'POST /offline/v1/refund') {
        const parsed = OfflineRefundBody.safeParse(body());
        if (!parsed.success) return json(res, 400, { error: 'bad_request' }), true;
        json(res, 200, await acq.refund(auth.terminalId, parsed.data));
      } else if (route === 'GET /offline/v1/refund') {
        const parsed = RefundNo.safeParse(url.searchParams.get('refundNo') ?? '');
        if (!parsed.success) return json(res, 400, { error: 'bad_request' }), true;
        json(res, 200, await acq.queryRefund(auth.terminalId, parsed.data));
      } else if (route === 'POST /offline/v1/wallets') {
        const parsed = IssueWalletBody.safeParse(body());
        if (!parsed.success) return json(res, 400, { error: 'bad_request' }), true;
        json(res, 200, await acq.issueWallet(parsed.data));
      } else if (route === 'POST /offline/v1/revoke') {
        const b = z.object({ walletId: z.string().regex(/^[0-9A-F]{16}$/) }).safeParse(body());
        if (!b.success) return json(res, 400, { error: 'bad_request' }), true;
        await acq.revoke(b.data.walletId);
        json(res, 200, { ok: true });
      } else if (route === 'POST /offline/v1/rotate') {
        json(res, 200, await acq.rotateIssuerKey());
      } else {
        json(res, 404, { error: 'not_found' });
      }
    } catch (e) {
      if (e instanceof UnknownCertificate) json(res, 409, { error: 'need_full_certs' });
      else if (e instanceof ForeignTerminal) json(res, 403, { error: 'foreign_terminal' });
      else json(res, e instanceof WireError || e instanceof SyntaxError ? 400 : 500, { error: e instanceof WireError ? 'bad_batch' : 'internal' });
    }
    return true;
  };
}

/** A stand-alone server for the offline routes (tests, benchmarks, the embedded demo link). */
export async function startOfflineAcquirerServer(acq: OfflineAcquirer, port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const handle = offlineHttpHandler(acq);
  const server = http.createServer((req, res) => {
    void handle(req, res).then((done) => {
      if (!done) json(res, 404, { error: 'not_found' });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
