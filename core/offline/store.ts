/**
 * The offline ledger: the one place where store-and-forward state changes. Offline accept,
 * forwarding progress, acquirer answers and synced trust material (issuer keys, revocations,
 * policy, clock offset) all go through this class, which keeps an in-memory mirror of the
 * counters the risk engine reads, so a risk decision needs no disk read.
 *
 * Invariants:
 * - An accept is parse → verify → risk → ONE transaction (outbox row, wallet counter, day
 *   counters, journal row) → mirror update → event. A refusal at any step writes nothing.
 * - Accepts are decided one at a time (a queue drained by one loop), each against the counters
 *   left by the previous one, so two quick scans of one wallet cannot both pass; accepts that
 *   queue up during a commit share the next one (group commit: one fsync for the group).
 * - The SM2 signature checks run on worker threads (verify-pool.ts), started as soon as a code
 *   arrives so they overlap earlier accepts' commits; their verdict is pure (valid, or which
 *   signature is bad). Everything stateful — issuer key choice, clock, revocation, replay, risk,
 *   the commit — happens here, in order. The queue is bounded: past `maxQueuedAccepts`, or when
 *   the pool is full, an accept is refused as busy (offline.busy), having written nothing.
 * - A code's signature checks may begin before its accept, when the code first reaches the core
 *   (`precheck`, from `offline:budget` after the scan); the accept then reads that verdict from a
 *   small, short-lived cache keyed by the code's hash (verdict-cache.ts), only for the same
 *   issuer key and only until trust material is replaced. It is the same pure verdict the accept
 *   would have asked for: every stateful check still runs at the accept, in order.
 * - The mirror is rebuilt from SQLite on open, so a crash loses nothing the mirror knew.
 * - An item's status moves pending → sending → (accepted | declined | needs_review), or back
 *   from sending to pending on a failed attempt; a final status is never left (migration 202's
 *   trigger refuses it too). The signed code is dropped (NULL) once the acquirer has answered.
 * - A needs_review item is reviewed by a supervisor beside its status: unreviewed → held (with a
 *   reason) → released, or straight to released; released is final. The decision, its journal
 *   row and its audit row (operator and approver) are one transaction. Until released the
 *   payment stays "accepted offline", so it stays in the list and in the Z report's pending totals.
 * - `sending` rows found at open are an interrupted attempt: they are resent as they are
 *   (the acquirer is idempotent on terminal + order number), never re-accepted.
 */
import type { Payment, PaymentKind } from '../api/payments';
import { AppError } from '../api/errors';
import { audit } from '../audit';
import type { EventBus } from '../events';
import { appendJournal } from '../ledger/journal';
import type { Db, Queryable } from '../store/db';
import { historyRows, type HistoryColumns, type HistoryFilter } from '../store/history-filter';
import { decide, DEFAULT_POLICY, parsePolicy, RULE_TEXT, type AmlFlag, type Purpose, type RiskDecision, type RiskPolicy, type RiskState } from '../risk/policy';
import { checkValidity, CodeRefusal, CodeVerifier, maskCode, offlineOrderNo, parseCode, REFUSAL_TEXT, type IssuerKey, type ParsedCode, type VerifiedCode, type VerifyContext } from './code';
import { crashPoint } from './crash-point';
import { InlineSignatures, VerifyBusy, VerifyUnavailable, type SignatureService } from './verify-pool';
import type { DayClock } from '../clock/trusted-clock';
import { reasonText } from './reasons';
import { VerdictCache, type VerdictCacheOptions } from './verdict-cache';
import { chinaDay } from '../china-time';

/**
 * needs_review: the acquirer took the money but the item is flagged (AML) for a person to hand
 * to the acquirer; it leaves the exposure like an accepted item.
 */
export type ItemStatus = 'pending' | 'sending' | 'accepted' | 'declined' | 'needs_review';

export interface OutboxItem {
  seq: number;
  orderNo: string;
  walletTail: string;
  amountFen: number;
  purpose: Purpose;
  status: ItemStatus;
  reason: string | null;
  flags: AmlFlag[];
  attempts: number;
  acceptedAt: number;
  updatedAt: number;
  maskedContact: string | null;
  reasonText: { zh: string; en: string } | null;
  review: { decision: ReviewDecision; note: string | null; reviewedBy: string | null; at: number } | null;
  operatorId: string | null;
}

/** A supervisor's decision on a needs_review item (migration 202). */
export type ReviewDecision = 'held' | 'released';

/** Who may decide a review on their own (anyone else needs one of them to approve with a PIN). */
export const REVIEWER_ROLES: readonly string[] = ['supervisor', 'admin'];

/** What the forwarder sends for one item (the code is still held). */
export interface ForwardItem {
  seq: number;
  orderNo: string;
  amountFen: number;
  purpose: Purpose;
  acceptedAt: number;
  flags: AmlFlag[];
  code: Uint8Array;
}

export type AcquirerVerdict = { status: 'accepted' } | { status: 'declined'; reason: string } | { status: 'review'; reason: string };

export interface Budget {
  perPaymentCapFen: number;
  exposureFen: number;
  exposureLimitFen: number;
  oldestPendingAgeMs: number | null;
  maxOldestPendingMs: number;
  pendingCount: number;
  wallet: { walletTail: string; todayFen: number; dailyCapFen: number; remainingFen: number } | null;
  policyVersion: number;
}

export const OfflineErrors = {
  refused: (reason: CodeRefusal['reason']) =>
    new AppError(`offline.code.${reason}`, REFUSAL_TEXT[reason].zh, REFUSAL_TEXT[reason].en, { reason }),
  risk: (d: RiskDecision) =>
    new AppError(`offline.risk.${d.rule}`, RULE_TEXT[d.rule].zh, RULE_TEXT[d.rule].en, {
      rule: d.rule,
      limitFen: d.limitFen,
      remainingFen: d.remainingFen,
    }),
  contact: () =>
    new AppError('offline.contact_invalid', '联系方式格式不正确（手机号 11 位，或不超过 40 个字）。',
      'The contact is not valid (an 11-digit mobile number, or at most 40 characters).'),
  notFound: () => new AppError('offline.not_found', '找不到这笔离线款。', 'No such offline payment.'),
  busy: () =>
    new AppError('offline.busy', '正在核验的付款码太多，本次未收款。请稍等几秒再扫一次。',
      'Too many codes are being verified at once; this one was not taken. Wait a few seconds and scan it again.'),
  verifyUnavailable: () =>
    new AppError('offline.verify_unavailable', '暂时无法核验离线付款码，本次未收款。请再扫一次；仍不行请改收现金或赊账。',
      'The offline code could not be verified just now and was not taken. Scan it again; if that fails, take cash or credit.'),
  notForReview: () =>
    new AppError('offline.review.not_flagged', '这笔离线款没有被标记待复核，无需复核。', 'This offline payment is not flagged for review; there is nothing to review.'),
  alreadyReleased: () =>
    new AppError('offline.review.released', '这笔离线款已复核放行，不能再更改。', 'This offline payment was already released after review; that is final.'),
  alreadyHeld: () =>
    new AppError('offline.review.held', '这笔离线款已经暂扣。如已查清，请选择“放行”。', 'This offline payment is already held. Once it is cleared, choose “Release”.'),
  reasonNeeded: () =>
    new AppError('offline.review.reason', '暂扣须写明原因（2 到 80 个字）。', 'Give a reason to hold it (2 to 80 characters).'),
  ownItem: () =>
    new AppError('offline.review.own_item', '这笔款是您本人收的，须由另一位主管或管理员复核。',
      'You took this payment yourself: another supervisor or administrator must review it.'),
  notReviewer: () =>
    new AppError('offline.review.role', '只有主管或管理员可以复核，请主管在本屏输入工号和 PIN。',
      'Only a supervisor or administrator may review: ask one to approve on this screen with their PIN.'),
};

/** A verification failure as the cashier sees it: the named refusal, busy, or unavailable. */
function refusalError(e: unknown): unknown {
  if (e instanceof CodeRefusal) return OfflineErrors.refused(e.reason);
  if (e instanceof VerifyBusy) return OfflineErrors.busy();
  if (e instanceof VerifyUnavailable) return OfflineErrors.verifyUnavailable();
  return e;
}

/** Beijing calendar day of a UTC instant: regulator day limits follow the local day (core/china-time.ts). */
export const beijingDay = chinaDay;

/** Customer contact: kept to follow up a decline, shown masked. */
export function normaliseContact(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const s = raw.trim();
  if (s === '') return null;
  if (s.length > 40 || /[\u0000-\u001f\u007f]/.test(s)) throw OfflineErrors.contact();
  return s;
}

export function maskContact(c: string | null): string | null {
  if (c === null) return null;
  if (/^1[3-9][0-9]{9}$/.test(c)) return `${c.slice(0, 3)}****${c.slice(7)}`;
  return `${[...c][0]}***`;
}

const MSG = {
  accepted_offline: { zh: '离线受理，待上传。', en: 'Accepted offline, pending upload.' },
  succeeded: { zh: '离线款已上传，收单机构已确认。', en: 'Offline payment forwarded and confirmed by the acquirer.' },
  declined: { zh: '离线款上传后被拒绝，请联系顾客补款。', en: 'The acquirer declined this offline payment after forwarding; follow up with the customer.' },
  review: { zh: '离线款已上传，被反洗钱规则标记待复核：请主管在“待上传”屏复核。', en: 'Forwarded, and flagged for review by the anti-money-laundering rules: a supervisor reviews it on the Forwarding screen.' },
  held: { zh: '离线款已上传，主管复核后暂扣，尚未计入确认收款。', en: 'Forwarded; held by a supervisor after review, not counted as confirmed yet.' },
  released: { zh: '离线款已上传，主管复核放行，已确认。', en: 'Forwarded; released by a supervisor after review, confirmed.' },
};

interface ItemRow {
  seq: number;
  order_no: string;
  wallet_id: string;
  counter: number;
  amount_fen: number;
  purpose: Purpose;
  code: Buffer | null;
  masked: string;
  status: ItemStatus;
  reason: string | null;
  flags: string;
  contact: string | null;
  attempts: number;
  accepted_at: number;
  updated_at: number;
  operator_id: string | null;
  training: number;
  review: ReviewDecision | null;
  review_note: string | null;
  reviewed_by: string | null;
  reviewed_at: number | null;
}

/** The outbox as a source of the cashier's history (core/store/history-filter.ts). */
const ITEM_COLUMNS: HistoryColumns = {
  table: 'offline_items', orderNo: 'order_no', amount: 'amount_fen', time: 'accepted_at', masked: 'masked',
  select: 'order_no, amount_fen, purpose, status, review, reviewed_by, masked, reason, accepted_at, updated_at, operator_id, training',
};

/** The history kind of an outbox purpose: an offline cash-out hands cash over like a withdrawal. */
const KIND_OF: Record<Purpose, PaymentKind> = { sale: 'sale', cash_out: 'withdrawal' };

type AcceptInput = { amountFen: number; code: string; contact?: string; purpose?: Purpose; operatorId: string | null };

interface QueuedAccept {
  input: AcceptInput;
  contact: string | null;
  code: ParsedCode;
  /** The issuer key the signatures are being checked under (the trusted one when the code arrived). */
  issuerKey: string;
  /** The signature verdict, under way since the code arrived: the certificate hash, or a refusal. */
  signatures: Promise<string>;
  resolve: (p: Payment) => void;
  reject: (e: unknown) => void;
}

interface Prepared {
  input: AcceptInput;
  v: VerifiedCode;
  d: RiskDecision;
  at: number;
  day: string;
  nextDay: DayCounter;
  contact: string | null;
  purpose: Purpose;
  orderNo: string;
  masked: string;
  seq: number;
}

interface DayCounter {
  totalFen: number;
  count: number;
  nearLimit: number;
  cashOuts: number;
}

export interface StoreOptions {
  terminalId: string;
  training: boolean;
  now?: () => number;
  verifier?: CodeVerifier;
  /**
   * Where signatures are checked: the worker pool in the app (service.ts); by default in this
   * thread. The store owns it from here on and closes it in `close()`.
   */
  signatures?: SignatureService;
  /** Accepts waiting for their turn before more are refused as busy (default 512). */
  maxQueuedAccepts?: number;
  /** Bound and lifetime of the verdicts begun before an accept (verdict-cache.ts). */
  verdictCache?: VerdictCacheOptions;
  /**
   * The trusted clock (core/clock) in the app: its time replaces `now` + the sync's offset and
   * its `counterDay` keys the wallet day counters, so a clock moved back or forward neither
   * reopens a wallet's day nor loses its counter. Without it (tests), `now` + the offset.
   */
  clock?: DayClock;
}

export class OfflineStore {
  private readonly now: () => number;
  readonly verifier: CodeVerifier;
  readonly signatures: SignatureService;
  /** Signature verdicts begun when a code was first seen (`precheck`), read by its accept. */
  readonly verdicts: VerdictCache;
  private policyNow: RiskPolicy = DEFAULT_POLICY;
  /**
   * Limits an operator tightened locally (core/settings, dual-controlled), applied over the
   * synced policy on every decision, so a change takes effect at once and a later sync never
   * silently undoes it. Identity until core/settings installs one.
   */
  private policyOverride: (synced: RiskPolicy) => RiskPolicy = (p) => p;
  private offsetMs = 0;
  private readonly lastCounter = new Map<string, number>();
  private revoked = new Set<string>();
  private readonly days = new Map<string, DayCounter>();
  private readonly hourly = new Map<string, number[]>();
  /** Unsettled items by seq, in insertion (= acceptance) order: the first is the oldest. */
  private readonly unsettled = new Map<number, { amountFen: number; acceptedAt: number }>();
  private exposure = 0;
  private readonly acceptQueue: QueuedAccept[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;
  private warmTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly db: Db, private readonly bus: EventBus | null, private readonly opts: StoreOptions) {
    this.now = opts.now ?? Date.now;
    this.verifier = opts.verifier ?? new CodeVerifier();
    this.signatures = opts.signatures ?? new InlineSignatures(this.verifier);
    this.verdicts = new VerdictCache(opts.verdictCache);
  }

  static async open(db: Db, bus: EventBus | null, opts: StoreOptions): Promise<OfflineStore> {
    const s = new OfflineStore(db, bus, opts);
    await s.load();
    return s;
  }

  private async load(): Promise<void> {
    const settings = await this.db.all<{ key: string; value: string }>("SELECT key, value FROM settings WHERE key LIKE 'offline.%'");
    for (const { key, value } of settings) {
      if (key === 'offline.policy') this.policyNow = parsePolicy(JSON.parse(value)) ?? DEFAULT_POLICY;
      if (key === 'offline.offset_ms') this.offsetMs = Number(value) || 0;
    }
    const keys = await this.db.all<{ key_id: number; public_key: string; valid_from: number; valid_to: number }>('SELECT * FROM offline_issuer_keys');
    this.verifier.setIssuerKeys(keys.map((k) => ({ keyId: k.key_id, publicKey: k.public_key, validFrom: k.valid_from, validTo: k.valid_to })));
    this.signatures.trust(this.verifier.issuerPublicKeys());
    this.verdicts.clear();
    this.revoked = new Set((await this.db.all<{ wallet_id: string }>('SELECT wallet_id FROM offline_revoked')).map((r) => r.wallet_id));
    for (const w of await this.db.all<{ wallet_id: string; last_counter: number }>('SELECT wallet_id, last_counter FROM offline_wallets')) {
      this.lastCounter.set(w.wallet_id, w.last_counter);
    }
    const today = this.counterDay();
    for (const d of await this.db.all<{ wallet_id: string; total_fen: number; count: number; near_limit: number; cash_outs: number }>(
      'SELECT * FROM risk_wallet_day WHERE day = ?', [today])) {
      this.days.set(`${d.wallet_id}|${today}`, { totalFen: d.total_fen, count: d.count, nearLimit: d.near_limit, cashOuts: d.cash_outs });
    }
    const since = this.correctedNow() - 3_600_000;
    for (const r of await this.db.all<{ wallet_id: string; accepted_at: number }>(
      'SELECT wallet_id, accepted_at FROM offline_items WHERE accepted_at > ? ORDER BY accepted_at', [since])) {
      this.pushHour(r.wallet_id, r.accepted_at);
    }
    for (const r of await this.db.all<{ seq: number; amount_fen: number; accepted_at: number }>(
      "SELECT seq, amount_fen, accepted_at FROM offline_items WHERE status IN ('pending','sending') ORDER BY seq")) {
      this.unsettled.set(r.seq, { amountFen: r.amount_fen, acceptedAt: r.accepted_at });
      this.exposure += r.amount_fen;
    }
  }

  // ------------------------------------------------------------------ clock, policy, trust
  /** Terminal clock corrected by the last known server offset. */
  correctedNow(): number {
    return this.opts.clock ? this.opts.clock.now() : this.now() + this.offsetMs;
  }

  /** The day the wallet day counters are keyed by (the trusted clock's, which never goes back). */
  private counterDay(): string {
    return this.opts.clock ? this.opts.clock.counterDay() : beijingDay(this.correctedNow());
  }

  /** The policy in effect: the synced one with any local tightening applied. */
  get policy(): RiskPolicy {
    return this.policyOverride(this.policyNow);
  }

  /** The policy as the acquirer last synced it (the bound for local changes). */
  get syncedPolicy(): RiskPolicy {
    return this.policyNow;
  }

  /** Installs core/settings' local limits; the live budget is re-announced at once. */
  setPolicyOverride(f: (synced: RiskPolicy) => RiskPolicy): void {
    this.policyOverride = f;
    this.emitBudget(null);
  }

  /**
   * Applies a sync from the acquirer (already validated by the caller's schema). Keys, the
   * revocation list, policy and the clock offset are replaced together, in one transaction.
   */
  async applySync(s: { issuerKeys: IssuerKey[]; revoked: string[]; policy: unknown; offsetMs: number }): Promise<void> {
    const policy = parsePolicy(s.policy);
    await this.db.tx(async (q) => {
      await q.run('DELETE FROM offline_issuer_keys');
      for (const k of s.issuerKeys) {
        await q.run('INSERT INTO offline_issuer_keys (key_id, public_key, valid_from, valid_to) VALUES (?, ?, ?, ?)', [k.keyId, k.publicKey, k.validFrom, k.validTo]);
      }
      await q.run('DELETE FROM offline_revoked');
      for (const w of s.revoked) await q.run('INSERT OR IGNORE INTO offline_revoked (wallet_id) VALUES (?)', [w]);
      if (policy) await q.run("INSERT OR REPLACE INTO settings (key, value) VALUES ('offline.policy', ?)", [JSON.stringify(policy)]);
      await q.run("INSERT OR REPLACE INTO settings (key, value) VALUES ('offline.offset_ms', ?)", [String(Math.round(s.offsetMs))]);
    });
    const trustedBefore = this.verifier.issuerPublicKeys().join(',');
    this.verifier.setIssuerKeys(s.issuerKeys);
    this.signatures.trust(this.verifier.issuerPublicKeys());
    // A sync that changes the issuer keys invalidates every verdict begun before it: the accept
    // checks again. A routine sync bringing the same keys keeps them (each verdict is also tied
    // to the one key it was made under), so a sync landing between scan and accept costs nothing.
    if (this.verifier.issuerPublicKeys().join(',') !== trustedBefore) this.verdicts.clear();
    this.revoked = new Set(s.revoked);
    if (policy) this.policyNow = policy;
    this.offsetMs = Math.round(s.offsetMs);
    // The acquirer's time is trusted over the terminal's whenever a sync brings it.
    this.opts.clock?.observeAcquirerOffset(s.offsetMs);
    this.emitBudget(null);
  }

  // ------------------------------------------------------------------ accept
  private dayCounter(walletId: string, day: string): DayCounter {
    return this.days.get(`${walletId}|${day}`) ?? { totalFen: 0, count: 0, nearLimit: 0, cashOuts: 0 };
  }

  private hourCount(walletId: string, nowMs: number): number {
    const list = this.hourly.get(walletId);
    if (!list) return 0;
    while (list.length && list[0] <= nowMs - 3_600_000) list.shift();
    return list.length;
  }

  private pushHour(walletId: string, at: number): void {
    const list = this.hourly.get(walletId) ?? [];
    list.push(at);
    this.hourly.set(walletId, list);
  }

  private riskState(walletId: string, nowMs: number): RiskState {
    const first = this.unsettled.values().next();
    return {
      exposureFen: this.exposure,
      oldestPendingAt: first.done ? null : first.value.acceptedAt,
      walletDay: this.dayCounter(walletId, this.counterDay()),
      walletHourCount: this.hourCount(walletId, nowMs),
    };
  }

  /** The terminal's state as the verifier reads it (FORMAT.md §3 steps 5–8). */
  private stateContext(): VerifyContext {
    return {
      nowMs: this.correctedNow(),
      lastCounter: (w) => this.lastCounter.get(w) ?? -1,
      isRevoked: (w) => this.revoked.has(w),
    };
  }

  /**
   * Verifies only (no risk, no write), every step in this thread: used by the risk bench and as
   * the reference the worker pool is tested against.
   */
  verify(code: string): VerifiedCode {
    return this.verifier.verify(code, this.stateContext());
  }

  /**
   * Verifies only (no risk, no write) the way an accept does: the signatures through the
   * signature service (the worker pool in the app), every other step here. Rejects with the
   * same AppError an accept would give.
   */
  async check(text: string): Promise<VerifiedCode> {
    try {
      const code = parseCode(text);
      const issuerKey = this.verifier.issuerFor(code, this.correctedNow()).publicKey;
      return await this.settle(code, issuerKey, this.signaturesOf(code, issuerKey));
    } catch (e) {
      throw refusalError(e);
    }
  }

  /**
   * Steps 2 and 5–8 at the code's turn, once its signatures have been checked under `issuerKey`
   * (the key trusted when it arrived). Should a sync have replaced that key since, the
   * signatures are checked again under the key trusted now.
   */
  private async settle(code: ParsedCode, issuerKey: string, signatures: Promise<string>): Promise<VerifiedCode> {
    let certHash = await signatures;
    const issuer = this.verifier.issuerFor(code, this.correctedNow());
    if (issuer.publicKey !== issuerKey) certHash = await this.signatures.check(code, issuer.publicKey);
    return checkValidity(code, certHash, this.stateContext(), this.verifier.opts);
  }

  /** The pure risk decision for a verified code, against the live counters. */
  decideFor(v: VerifiedCode, amountFen: number, purpose: Purpose): RiskDecision {
    const nowMs = this.correctedNow();
    const c = v.code.cert;
    return decide(this.policy, this.riskState(v.walletId, nowMs), {
      amountFen, walletId: v.walletId, grade: c.grade, certPerPaymentCapFen: c.perPaymentCapFen,
      certDailyCapFen: c.dailyCapFen, purpose, nowMs,
    });
  }

  /**
   * Offline accept. Resolves with the payment (state accepted_offline) once it is durable;
   * rejects with an AppError naming the check or rule that refused, having written nothing.
   *
   * Group commit: accepts that arrive while a commit is in progress are decided one after the
   * other (each against the counters the previous ones left) and committed together in the
   * next transaction — one fsync for the group. Each caller is answered only after that commit.
   * A lone accept is a group of one. The code's signatures are sent to be checked the moment it
   * arrives, so they are usually ready by its turn.
   */
  accept(input: AcceptInput): Promise<Payment> {
    return new Promise<Payment>((resolve, reject) => {
      try {
        this.acceptQueue.push({ ...this.admit(input), input, resolve, reject });
      } catch (e) {
        reject(e);
        return;
      }
      if (!this.draining) this.draining = this.drainAccepts();
    });
  }

  /**
   * What can be checked the moment a code arrives, whatever is queued before it: the contact,
   * the code's form, its issuer key (FORMAT.md §3 steps 1–2) and room in the queue. Then its
   * signatures are sent to be checked. Throws the first refusal; nothing is queued or written.
   */
  private admit(input: AcceptInput): Pick<QueuedAccept, 'contact' | 'code' | 'issuerKey' | 'signatures'> {
    if (this.closed) throw OfflineErrors.verifyUnavailable();
    const contact = normaliseContact(input.contact);
    let code: ParsedCode;
    let issuerKey: string;
    let signatures: Promise<string>;
    try {
      code = parseCode(input.code);
      issuerKey = this.verifier.issuerFor(code, this.correctedNow()).publicKey;
      if (this.acceptQueue.length >= (this.opts.maxQueuedAccepts ?? 512)) throw new VerifyBusy();
      signatures = this.signaturesOf(code, issuerKey);
    } catch (e) {
      throw refusalError(e);
    }
    // Read at the code's turn; a refusal waiting until then is not an unhandled rejection.
    signatures.catch(() => undefined);
    return { contact, code, issuerKey, signatures };
  }

  /**
   * The signature verdict for a code under `issuerKey`: the one begun when the code was first
   * seen (`precheck`) if it is still fresh and for the same key, else a new check.
   */
  private signaturesOf(code: ParsedCode, issuerKey: string): Promise<string> {
    return this.verdicts.get(code, issuerKey) ?? this.signatures.check(code, issuerKey);
  }

  /**
   * A code has reached the core ahead of its accept (the scan; the screen asks for the budget
   * before the cashier confirms): begin its signature checks now, so the accept finds the
   * verdict ready. Writes nothing, decides nothing and never throws — a code that does not parse,
   * names no trusted key, or meets a full pool is simply left for the accept to check and refuse
   * as usual. Returns whether a check is now under way or held.
   */
  precheck(text: string): boolean {
    if (this.closed) return false;
    try {
      const code = parseCode(text);
      const issuerKey = this.verifier.issuerFor(code, this.correctedNow()).publicKey;
      if (this.verdicts.has(code, issuerKey)) return true;
      const verdict = this.signatures.check(code, issuerKey);
      verdict.catch(() => undefined); // read by the accept, or never
      this.verdicts.put(code, issuerKey, verdict);
      return true;
    } catch {
      return false;
    }
  }

  private async drainAccepts(): Promise<void> {
    try {
      while (this.acceptQueue.length) await this.acceptGroup(this.acceptQueue.splice(0, 64));
    } finally {
      this.draining = null;
    }
  }

  /**
   * Takes no more accepts, lets the queued ones finish (each answered as usual), then stops the
   * signature service (the pool's threads). Before the database closes.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.warmTimer) clearTimeout(this.warmTimer);
    await this.draining;
    await this.signatures.close();
  }

  /**
   * At the code's turn: its signature verdict, the state checks and the risk decision, with no
   * await between the checks and the tentative mirror update (so each accept sees the previous
   * one's counters). On success the mirror already counts this accept.
   */
  private async prepare(item: QueuedAccept): Promise<Prepared> {
    const { input, contact } = item;
    const purpose = input.purpose ?? 'sale';
    let v: VerifiedCode;
    try {
      v = await this.settle(item.code, item.issuerKey, item.signatures);
    } catch (e) {
      throw refusalError(e);
    }
    const d = this.decideFor(v, input.amountFen, purpose);
    if (!d.accept) throw OfflineErrors.risk(d);
    const at = this.correctedNow();
    const day = this.counterDay();
    const dc = this.dayCounter(v.walletId, day);
    const nextDay: DayCounter = {
      totalFen: dc.totalFen + input.amountFen,
      count: dc.count + 1,
      nearLimit: dc.nearLimit + (d.nearLimit ? 1 : 0),
      cashOuts: dc.cashOuts + (purpose === 'cash_out' ? 1 : 0),
    };
    // Tentative mirror update, so the next accept of the group sees it; rolled back by a reload
    // if the group's commit fails.
    this.lastCounter.set(v.walletId, v.counter);
    this.days.set(`${v.walletId}|${day}`, nextDay);
    this.pushHour(v.walletId, at);
    this.exposure += input.amountFen;
    return {
      input, v, d, at, day, nextDay, contact, purpose,
      orderNo: offlineOrderNo(v.code.bytes),
      masked: maskCode(v.code),
      seq: 0,
    };
  }

  /** One statement: the outbox row; migration 201's trigger moves the counters with it. */
  private async write(q: Queryable, p: Prepared): Promise<void> {
    const r = await q.run(
      `INSERT INTO offline_items (order_no, wallet_id, counter, code_time, amount_fen, purpose, code, masked, status, flags,
         contact, accepted_at, day, updated_at, operator_id, training, near_limit)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
      [p.orderNo, p.v.walletId, p.v.counter, p.v.code.codeTime, p.input.amountFen, p.purpose, Buffer.from(p.v.code.bytes), p.masked,
        JSON.stringify(p.d.flags), p.contact, p.at, p.day, p.at, p.input.operatorId, this.opts.training ? 1 : 0, p.d.nearLimit ? 1 : 0],
    );
    p.seq = r.lastID;
    await appendJournal(q, {
      kind: 'offline.accepted', ref: p.orderNo, amountFen: p.input.amountFen,
      body: { wallet: p.v.walletId.slice(-4), counter: p.v.counter, purpose: p.purpose, flags: p.d.flags, rule: p.d.rule },
    }, p.at);
  }

  private async acceptGroup(group: QueuedAccept[]): Promise<void> {
    const ok: Array<{ q: QueuedAccept; p: Prepared }> = [];
    for (const item of group) {
      try {
        ok.push({ q: item, p: await this.prepare(item) });
      } catch (e) {
        item.reject(e);
      }
    }
    if (!ok.length) return;
    try {
      await this.db.tx(async (q) => {
        for (const o of ok) await this.write(q, o.p);
        crashPoint('accept.before-commit');
      });
    } catch (e) {
      // Nothing of the group was written: forget the tentative counters by rebuilding them.
      await this.reload();
      for (const o of ok) o.q.reject(e);
      return;
    }
    crashPoint('accept.after-commit');
    this.scheduleWarm();
    for (const { q, p } of ok) {
      this.unsettled.set(p.seq, { amountFen: p.input.amountFen, acceptedAt: p.at });
      const payment = toPayment({
        order_no: p.orderNo, amount_fen: p.input.amountFen, purpose: p.purpose, status: 'pending', review: null, reviewed_by: null, masked: p.masked, reason: null,
        accepted_at: p.at, updated_at: p.at, operator_id: p.input.operatorId, training: this.opts.training ? 1 : 0,
      });
      this.bus?.emit('payments:changed', payment);
      q.resolve(payment);
    }
    this.emitChanged(ok.length);
    this.emitBudget(ok.length === 1 ? ok[0].p.v.walletId : null);
  }

  /**
   * After the training reset emptied the terminal's tables (demo database only; checked by the
   * reset): forget the mirror and read it again, so the budget and counters match the rows.
   */
  async reloadAfterReset(): Promise<void> {
    await this.reload();
    this.emitChanged(0);
    this.emitBudget(null);
  }

  private async reload(): Promise<void> {
    this.lastCounter.clear();
    this.days.clear();
    this.hourly.clear();
    this.unsettled.clear();
    this.exposure = 0;
    await this.load();
  }

  /**
   * Between customers (no accept for 150 ms), precompute the keys of wallets seen today in
   * slices of 20 ms (per verification thread, in that thread), so their next code verifies in
   * ~1 ms instead of ~3.5 ms.
   */
  private scheduleWarm(): void {
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => {
      this.warmTimer = null;
      void this.signatures.warm(20).then(
        ({ cold }) => {
          if (cold > 0 && !this.closed) this.scheduleWarm();
        },
        () => undefined,
      );
    }, 150);
    this.warmTimer.unref();
  }

  // ------------------------------------------------------------------ budget
  budget(walletId: string | null = null): Budget {
    const nowMs = this.correctedNow();
    const first = this.unsettled.values().next();
    const p = this.policy;
    let wallet: Budget['wallet'] = null;
    if (walletId) {
      const dc = this.dayCounter(walletId, this.counterDay());
      wallet = { walletTail: walletId.slice(-4), todayFen: dc.totalFen, dailyCapFen: p.walletDailyCapFen, remainingFen: Math.max(0, p.walletDailyCapFen - dc.totalFen) };
    }
    return {
      perPaymentCapFen: Math.min(p.perPaymentCapFen, Math.max(0, p.exposureLimitFen - this.exposure)),
      exposureFen: this.exposure,
      exposureLimitFen: p.exposureLimitFen,
      oldestPendingAgeMs: first.done ? null : Math.max(0, nowMs - first.value.acceptedAt),
      maxOldestPendingMs: p.maxOldestPendingMs,
      pendingCount: this.unsettled.size,
      wallet,
      policyVersion: p.version,
    };
  }

  /** Wallet id of a code (for "this wallet today" in the budget), without verifying it. */
  walletOf(code: string): string | null {
    try {
      return parseCode(code).cert.walletId;
    } catch {
      return null;
    }
  }

  // ------------------------------------------------------------------ forwarding
  /** Items to send next: interrupted `sending` first, then `pending`, oldest first. */
  async nextBatch(limit: number): Promise<ForwardItem[]> {
    const rows = await this.db.all<ItemRow>(
      "SELECT * FROM offline_items WHERE status IN ('sending','pending') ORDER BY status = 'pending', seq LIMIT ?", [limit]);
    return rows.filter((r) => r.code !== null).map((r) => ({
      seq: r.seq, orderNo: r.order_no, amountFen: r.amount_fen, purpose: r.purpose, acceptedAt: r.accepted_at,
      flags: JSON.parse(r.flags) as AmlFlag[], code: new Uint8Array(r.code!),
    }));
  }

  async pendingCount(): Promise<number> {
    const r = await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM offline_items WHERE status IN ('pending','sending')");
    return r?.n ?? 0;
  }

  /** Durable before the request leaves: these items are in flight under `batchId`. */
  async markSending(batchId: string, seqs: number[]): Promise<void> {
    if (!seqs.length) return;
    const at = this.now();
    await this.db.tx(async (q) => {
      for (const s of seqs) {
        await q.run("UPDATE offline_items SET status = 'sending', batch_id = ?, attempts = attempts + 1, updated_at = ? WHERE seq = ? AND status IN ('pending','sending')", [batchId, at, s]);
      }
    });
    this.emitChanged(seqs.length);
  }

  /** A failed attempt: the items go back to pending with the reason shown to the cashier. */
  async markRetry(seqs: number[], reason: string): Promise<void> {
    if (!seqs.length) return;
    const at = this.now();
    await this.db.tx(async (q) => {
      for (const s of seqs) await q.run("UPDATE offline_items SET status = 'pending', reason = ?, updated_at = ? WHERE seq = ? AND status = 'sending'", [reason, at, s]);
    });
    this.emitChanged(seqs.length);
  }

  /**
   * Applies the acquirer's answers in one transaction. An answer for an item that is already
   * final (a duplicate delivery of an answer) changes nothing.
   */
  async applyResults(results: Array<{ seq: number; orderNo?: string; verdict: AcquirerVerdict }>): Promise<void> {
    const at = this.now();
    const changed: ItemRow[] = [];
    await this.db.tx(async (q) => {
      for (const { seq, orderNo, verdict } of results) {
        const row = await q.get<ItemRow>('SELECT * FROM offline_items WHERE seq = ?', [seq]);
        if (!row || (row.status !== 'sending' && row.status !== 'pending')) continue;
        // A training reset empties the table and restarts seq: an answer to a batch sent before
        // it must not land on a new item that reused the number.
        if (orderNo !== undefined && row.order_no !== orderNo) continue;
        const flags = JSON.parse(row.flags) as AmlFlag[];
        const status: ItemStatus =
          verdict.status === 'declined' ? 'declined' : verdict.status === 'review' || flags.length ? 'needs_review' : 'accepted';
        const reason = verdict.status === 'accepted' ? (flags.length ? flags.join(',') : null) : verdict.reason;
        await q.run('UPDATE offline_items SET status = ?, reason = ?, code = NULL, updated_at = ? WHERE seq = ?', [status, reason, at, seq]);
        await appendJournal(q, {
          kind: status === 'declined' ? 'offline.declined' : 'offline.forwarded',
          ref: row.order_no,
          amountFen: status === 'declined' ? -row.amount_fen : 0,
          body: { status, reason },
        }, at);
        crashPoint('forward.mid-apply');
        changed.push({ ...row, status, reason, code: null, updated_at: at });
      }
    });
    for (const row of changed) {
      // Any answer settles the exposure: accepted and needs_review moved the money, declined never will.
      const u = this.unsettled.get(row.seq);
      if (u) {
        this.unsettled.delete(row.seq);
        this.exposure -= u.amountFen;
      }
      this.bus?.emit('payments:changed', toPayment(row));
    }
    if (changed.length) {
      this.emitChanged(changed.length);
      this.emitBudget(null);
    }
  }

  /** The outbox, newest first, optionally one status. */
  async list(opts: { status?: ItemStatus; limit: number; offset: number }): Promise<OutboxItem[]> {
    const rows = opts.status
      ? await this.db.all<ItemRow>('SELECT * FROM offline_items WHERE status = ? ORDER BY seq DESC LIMIT ? OFFSET ?', [opts.status, opts.limit, opts.offset])
      : await this.db.all<ItemRow>('SELECT * FROM offline_items ORDER BY seq DESC LIMIT ? OFFSET ?', [opts.limit, opts.offset]);
    return rows.map(toItem);
  }

  async counts(): Promise<Record<ItemStatus, number>> {
    const out: Record<ItemStatus, number> = { pending: 0, sending: 0, accepted: 0, declined: 0, needs_review: 0 };
    for (const r of await this.db.all<{ status: ItemStatus; n: number }>('SELECT status, COUNT(*) AS n FROM offline_items GROUP BY status')) out[r.status] = r.n;
    return out;
  }

  /** Declined after forwarding: the follow-up list, contact masked. */
  async followUps(): Promise<OutboxItem[]> {
    return (await this.db.all<ItemRow>("SELECT * FROM offline_items WHERE status = 'declined' ORDER BY seq DESC LIMIT 500")).map(toItem);
  }

  async payment(orderNo: string): Promise<Payment> {
    const row = await this.db.get<ItemRow>('SELECT * FROM offline_items WHERE order_no = ?', [orderNo]);
    if (!row) throw OfflineErrors.notFound();
    return toPayment(row);
  }

  /**
   * Offline items as payments for the cashier's history (`payments:list` merges them with the
   * payment engine's records): the first `limit` matches, newest first, with the same filter and
   * order as every other source (core/store/history-filter.ts), so the lists merge into one.
   */
  async history(f: HistoryFilter & { kind?: PaymentKind; limit: number }): Promise<Payment[]> {
    const purposes = (Object.keys(KIND_OF) as Purpose[]).filter((p) => f.kind === undefined || KIND_OF[p] === f.kind);
    if (!purposes.length) return [];
    const rows = await historyRows<ItemRow>(this.db, ITEM_COLUMNS, f, [{ sql: `purpose IN (${purposes.map(() => '?').join(',')})`, params: purposes }]);
    return rows.map(toPayment);
  }

  // ------------------------------------------------------------------ review
  /**
   * Checks a review could be made now, writing nothing: the caller asks for a supervisor's PIN
   * only when the decision would be accepted (cheap checks first). `review` checks again inside
   * its transaction.
   */
  async checkReview(orderNo: string, decision: 'release' | 'hold', reason: string | undefined): Promise<void> {
    const row = await this.db.get<ItemRow>('SELECT * FROM offline_items WHERE order_no = ?', [orderNo]);
    reviewRefusal(row, decision, reason);
  }

  /**
   * A supervisor's decision on a needs_review item: `release` (final; the payment becomes
   * confirmed) or `hold` with a reason (it stays pending and visible). `reviewerId` is the
   * supervisor or administrator who decided — never the operator who accepted the payment;
   * `operatorId` is who was logged in, `approverId` set when the reviewer approved with a PIN.
   * One transaction: the decision, a journal row and an audit row; the event after commit.
   */
  async review(input: { orderNo: string; decision: 'release' | 'hold'; reason?: string; operatorId: string | null; reviewerId: string; approverId: string | null }): Promise<OutboxItem> {
    const at = this.now();
    const row = await this.db.tx(async (q) => {
      const r = await q.get<ItemRow>('SELECT * FROM offline_items WHERE order_no = ?', [input.orderNo]);
      const note = reviewRefusal(r, input.decision, input.reason);
      const item = r!;
      if (item.operator_id !== null && item.operator_id === input.reviewerId) throw OfflineErrors.ownItem();
      const decision: ReviewDecision = input.decision === 'release' ? 'released' : 'held';
      const u = await q.run(
        "UPDATE offline_items SET review = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ? WHERE seq = ? AND status = 'needs_review' AND review IS ?",
        [decision, note, input.reviewerId, at, at, item.seq, item.review],
      );
      if (u.changes !== 1) throw OfflineErrors.notForReview();
      await appendJournal(q, { kind: `offline.review.${decision}`, ref: item.order_no, amountFen: 0, body: { decision, note, reviewer: input.reviewerId } }, at);
      await audit(q, {
        operatorId: input.operatorId,
        approverId: input.approverId,
        action: `offline.review.${input.decision}`,
        detail: { orderNo: item.order_no, amountFen: item.amount_fen, wallet: item.wallet_id.slice(-4), flags: JSON.parse(item.flags) as AmlFlag[], reason: item.reason, note, reviewer: input.reviewerId },
      }, at);
      return { ...item, review: decision, review_note: note, reviewed_by: input.reviewerId, reviewed_at: at, updated_at: at };
    });
    this.bus?.emit('payments:changed', toPayment(row));
    this.emitChanged(1);
    return toItem(row);
  }

  /** Needs-review items accepted in [from, to]: waiting for a decision, and held. */
  async reviewTotals(from: number, to: number): Promise<{ waiting: { count: number; fen: number }; held: { count: number; fen: number } }> {
    const rows = await this.db.all<{ review: ReviewDecision | null; n: number; fen: number }>(
      `SELECT review, COUNT(*) AS n, SUM(amount_fen) AS fen FROM offline_items
       WHERE status = 'needs_review' AND (review IS NULL OR review = 'held') AND accepted_at >= ? AND accepted_at <= ? GROUP BY review`,
      [from, to]);
    const pick = (r: ReviewDecision | null) => {
      const x = rows.find((y) => y.review === r);
      return { count: x?.n ?? 0, fen: x?.fen ?? 0 };
    };
    return { waiting: pick(null), held: pick('held') };
  }

  /** One offline item as a payment, or null when this order number is not an offline item. */
  async findPayment(orderNo: string): Promise<Payment | null> {
    const row = await this.db.get<ItemRow>('SELECT * FROM offline_items WHERE order_no = ?', [orderNo]);
    return row ? toPayment(row) : null;
  }

  /** Local offline items of one Beijing day, for reconciliation. */
  async itemsOfDay(day: string): Promise<Array<{ orderNo: string; amountFen: number; status: ItemStatus }>> {
    const rows = await this.db.all<ItemRow>('SELECT order_no, amount_fen, status FROM offline_items WHERE day = ? ORDER BY seq', [day]);
    return rows.map((r) => ({ orderNo: r.order_no, amountFen: r.amount_fen, status: r.status }));
  }

  private emitChanged(n: number): void {
    if (!this.bus) return;
    const first = this.unsettled.values().next();
    this.bus.emit('outbox:changed', {
      changed: n,
      unsettled: this.unsettled.size,
      exposureFen: this.exposure,
      oldestPendingAt: first.done ? null : first.value.acceptedAt,
    });
  }

  private emitBudget(walletId: string | null): void {
    this.bus?.emit('risk:budget', this.budget(walletId));
  }
}

/**
 * Why a review cannot be made (throws), or the note to record with it. Shared by the check
 * before the PIN and the transaction, so both refuse alike.
 */
function reviewRefusal(r: ItemRow | undefined, decision: 'release' | 'hold', reason: string | undefined): string | null {
  if (!r) throw OfflineErrors.notFound();
  if (r.status !== 'needs_review') throw OfflineErrors.notForReview();
  if (r.review === 'released') throw OfflineErrors.alreadyReleased();
  if (decision === 'release') return reason?.trim() || null;
  if (r.review === 'held') throw OfflineErrors.alreadyHeld();
  const note = (reason ?? '').trim();
  if ([...note].length < 2 || note.length > 80 || /\p{Cc}/u.test(note)) throw OfflineErrors.reasonNeeded();
  return note;
}

function toItem(r: ItemRow): OutboxItem {
  return {
    seq: r.seq, orderNo: r.order_no, walletTail: r.wallet_id.slice(-4), amountFen: r.amount_fen, purpose: r.purpose,
    status: r.status, reason: r.reason, flags: JSON.parse(r.flags) as AmlFlag[], attempts: r.attempts,
    acceptedAt: r.accepted_at, updatedAt: r.updated_at, maskedContact: maskContact(r.contact),
    reasonText: reasonText(r.reason),
    review: r.review ? { decision: r.review, note: r.review_note, reviewedBy: r.reviewed_by, at: r.reviewed_at ?? r.updated_at } : null,
    operatorId: r.operator_id,
  };
}

/** An item's way to the acquirer as the payment shows it (core/api/payments.ts `OfflineForwarding`). */
function forwardingOf(r: Pick<ItemRow, 'status' | 'review' | 'reviewed_by'>): NonNullable<Payment['forwarding']> {
  const stage =
    r.status === 'pending' ? 'not_forwarded'
      : r.status === 'sending' ? 'awaiting_answer'
        : r.status === 'declined' ? 'declined'
          : r.status === 'accepted' || r.review === 'released' ? 'confirmed'
            : r.review === 'held' ? 'held' : 'review';
  return { stage, heldBy: stage === 'held' ? r.reviewed_by : null };
}

export function toPayment(r: Pick<ItemRow, 'order_no' | 'amount_fen' | 'purpose' | 'status' | 'review' | 'reviewed_by' | 'masked' | 'reason' | 'accepted_at' | 'updated_at' | 'operator_id' | 'training'>): Payment {
  // A needs_review item counts as confirmed only once a supervisor released it; until then it
  // stays "accepted offline" (in the pending totals), with words saying it awaits review or is held.
  const released = r.status === 'needs_review' && r.review === 'released';
  const state = r.status === 'declined' ? 'declined_after_forwarding' : r.status === 'accepted' || released ? 'succeeded' : 'accepted_offline';
  const message =
    r.status === 'needs_review'
      ? r.review === 'released' ? MSG.released : r.review === 'held' ? MSG.held : MSG.review
      : state === 'succeeded' ? MSG.succeeded : state === 'declined_after_forwarding' ? MSG.declined : MSG.accepted_offline;
  return {
    orderNo: r.order_no,
    kind: KIND_OF[r.purpose],
    amountFen: r.amount_fen,
    tender: 'offline_code',
    state,
    maskedCode: r.masked,
    message,
    error: state === 'declined_after_forwarding'
      ? { code: `offline.declined.${r.reason ?? 'unknown'}`, zh: MSG.declined.zh, en: MSG.declined.en, detail: { reason: r.reason } }
      : null,
    createdAt: r.accepted_at,
    updatedAt: r.updated_at,
    refundedFen: 0,
    training: r.training === 1,
    qr: null,
    cash: null,
    creditName: null,
    operatorId: r.operator_id,
    forwarding: forwardingOf(r),
  };
}
