/**
 * Terminal settings under dual control (双人复核, docs/DOMAIN.md): the offline risk limits and the
 * refund approval threshold. The acquirer connection the counter started with is shown (safe
 * fields) but never changed here: it has its own checked, tested and dual-controlled form
 * (acquirer-profile.ts), since its keys go to the keychain and a change must wait for every
 * payment and forwarded batch to finish.
 *
 * Invariants:
 * - Nothing is written unless the whole change is valid AND a different supervisor/admin
 *   approved it. Bounds are checked before the approver's PIN, so a bad value never costs a
 *   PIN attempt.
 * - A local limit only ever tightens: at most the acquirer's synced policy, and for money per
 *   wallet or payment at most the largest fixed regulator day limit. The risk engine applies
 *   min(synced, local) on every decision, so a later sync that tightens wins, and one that
 *   loosens does not undo a local tightening.
 * - The stored values and the audit row (proposer, approver, old → new) are one transaction;
 *   memory (risk engine, refund threshold) is updated only after it commits.
 * - Once per request id (core/requests.ts): the screen's id is written in that same transaction,
 *   so a double press, a retry after a reconnect or a reload's re-send gets the settings as they
 *   are, is never applied twice and never asks for a second approval (the PIN is not part of what
 *   makes it the same change: the first try may have been refused for want of one).
 */
import { formatFen } from '../money';
import type { CallContext } from '../api/contract';
import { AppError, RpcErrors } from '../api/errors';
import type { OfflineLimits, SettingsUpdate, SettingsView } from '../api/settings';
import { audit } from '../audit';
import { AuthErrors } from '../auth/operators';
import type { AppConfig } from '../config';
import { RequestLog, type RecordRequest } from '../requests';
import { REGULATOR_DAY_LIMIT_FEN, type RiskPolicy } from '../risk/policy';
import type { Db } from '../store/db';

/** The settings row holding the local limits (policy units: fen, ms, count), JSON. */
export const LOCAL_LIMITS_KEY = 'limits.offline';
/** Read by core/payments/setup.ts at start-up, too. */
export const REFUND_APPROVAL_KEY = 'payments.refund_approval_fen';
/** The engine's built-in threshold (¥100.00) when none is stored. */
export const DEFAULT_REFUND_APPROVAL_FEN = 100_00;
/**
 * Refunds above ¥1,000 always need a supervisor (product choice): it is the figure above which
 * WeChat asks the payer for a password and the regulator's grade-C day limit, so a bigger
 * refund without a second person would be out of proportion to a village shop's takings.
 */
export const REFUND_APPROVAL_MAX_FEN = 1_000_00;
/**
 * An operator's refunds in one China day made without a supervisor: above this total the next
 * one needs approval (core/payments/refund.ts `approvalNeed`). Default ¥500.00; at most ¥5,000
 * (the regulator's grade-B day limit: more than a wallet may pay in a day goes out unsupervised never).
 */
export const REFUND_DAILY_APPROVAL_KEY = 'payments.refund_daily_approval_fen';
export const DEFAULT_REFUND_DAILY_APPROVAL_FEN = 500_00;
export const REFUND_DAILY_APPROVAL_MAX_FEN = 5_000_00;

/** A stored threshold, or the default when absent or damaged (read at start and after a training reset). */
export async function storedFen(db: Db, key: string, fallback: number): Promise<number> {
  const t = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
  return t && /^\d{1,9}$/.test(t.value) ? Number(t.value) : fallback;
}
/** The largest regulator day limit fixed by PBOC (grade B, ¥5,000): no per-wallet money limit goes above it. */
export const REGULATOR_CAP_FEN = Math.max(...Object.values(REGULATOR_DAY_LIMIT_FEN).filter((v): v is number => v !== null));

const MINUTE = 60_000;
type LimitKey = keyof OfflineLimits;
const LIMIT_KEYS: readonly LimitKey[] = ['perPaymentCapFen', 'walletDailyCapFen', 'exposureLimitFen', 'maxPendingAgeMin', 'velocityPerHour'];

/** What is stored: policy field → local value in policy units. */
type LocalLimits = Partial<Pick<RiskPolicy, 'perPaymentCapFen' | 'walletDailyCapFen' | 'exposureLimitFen' | 'maxOldestPendingMs' | 'velocityPerWalletPerHour'>>;

const POLICY_FIELD = {
  perPaymentCapFen: 'perPaymentCapFen',
  walletDailyCapFen: 'walletDailyCapFen',
  exposureLimitFen: 'exposureLimitFen',
  maxPendingAgeMin: 'maxOldestPendingMs',
  velocityPerHour: 'velocityPerWalletPerHour',
} as const satisfies Record<LimitKey, keyof LocalLimits>;

type RefundKey = 'refundApprovalFen' | 'refundDailyApprovalFen';

const LABEL: Record<LimitKey | RefundKey, { zh: string; en: string }> = {
  perPaymentCapFen: { zh: '单笔离线限额', en: 'per-payment offline cap' },
  walletDailyCapFen: { zh: '每个钱包每日离线限额', en: 'per-wallet daily offline cap' },
  exposureLimitFen: { zh: '待上传离线款总额上限', en: 'total pending offline exposure' },
  maxPendingAgeMin: { zh: '离线款最长未上传时间', en: 'maximum age of an unforwarded payment' },
  velocityPerHour: { zh: '每个钱包每小时离线笔数', en: 'offline payments per wallet per hour' },
  refundApprovalFen: { zh: '退款复核金额', en: 'refund approval threshold' },
  refundDailyApprovalFen: { zh: '收银员每日免复核退款总额', en: 'refunds per cashier per day without approval' },
};

function unitText(key: LimitKey | RefundKey, v: number): { zh: string; en: string } {
  if (key === 'maxPendingAgeMin') return { zh: `${v} 分钟`, en: `${v} min` };
  if (key === 'velocityPerHour') return { zh: `${v} 笔`, en: `${v} payments` };
  const yuan = formatFen(v);
  return { zh: `¥${yuan}`, en: `¥${yuan}` };
}

export const SettingsErrors = {
  nothingToChange: () =>
    new AppError('settings.nothing_to_change', '没有要修改的设置，未做任何更改。', 'There is nothing to change; nothing was written.'),
  /** Why: names the limit, the bound and where the bound comes from. */
  aboveBound: (key: LimitKey | RefundKey, max: number, source: 'acquirer' | 'regulator' | 'product') => {
    const m = unitText(key, max);
    const why = {
      acquirer: { zh: '收单机构下发的限额', en: "the acquirer's synced limit" },
      regulator: { zh: '人民银行条码支付规定的每日限额（B类5000元）', en: "the regulator's day limit (grade B, ¥5,000)" },
      product: key === 'refundDailyApprovalFen'
        ? { zh: '每日免复核退款不超过5000元', en: 'at most ¥5,000 a day is refunded without a supervisor' }
        : { zh: '退款超过1000元必须主管复核', en: 'refunds above ¥1,000 always need a supervisor' },
    }[source];
    return new AppError('settings.above_bound',
      `${LABEL[key].zh}不能高于${m.zh}（${why.zh}）。本机只能收紧限额，不能放宽；未做任何更改。`,
      `The ${LABEL[key].en} cannot be above ${m.en} (${why.en}). This terminal can only tighten limits, never loosen them; nothing was written.`,
      { field: key, max, source });
  },
  acquirerLiveRefused: () =>
    new AppError('settings.acquirer_live_refused', '培训（演示）模式不能连接真实收单机构，未做任何更改。',
      'Training (demo) mode can never be pointed at a live acquirer; nothing was written.'),
  acquirerReadOnly: () =>
    new AppError('settings.acquirer_read_only', '收单机构连接在“收单机构连接”一栏单独修改（主管复核），不能在此修改；未做任何更改。',
      'The acquirer connection is changed in its own form (Acquirer connection, with a supervisor’s approval), not here; nothing was written.'),
};

/** The offline store's side of the hook (core/offline/store.ts). */
export interface PolicyHost {
  readonly syncedPolicy: RiskPolicy;
  readonly policy: RiskPolicy;
  setPolicyOverride(f: (synced: RiskPolicy) => RiskPolicy): void;
}

export interface SettingsDeps {
  db: Db;
  config: Pick<AppConfig, 'mode' | 'terminalId' | 'acquirer'>;
  /** OperatorService.approve: a different supervisor/admin with a correct PIN; returns their id. */
  approve: (approverId: string | undefined, pin: string | undefined) => Promise<string>;
  offline: PolicyHost;
  /** The payment engine (its thresholds are changed in place once the update commits). */
  refunds: { refundApprovalFen: number; refundDailyApprovalFen: number };
  now?: () => number;
}

function parseLocal(raw: string | undefined): LocalLimits {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    const out: LocalLimits = {};
    // A damaged row is ignored field by field: the synced policy (never looser) then applies.
    for (const f of Object.values(POLICY_FIELD)) {
      const n = v[f];
      if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0) out[f] = n;
    }
    return out;
  } catch {
    return {};
  }
}

/** min(synced, local) per field: a local value can only tighten. */
export function applyLocal(synced: RiskPolicy, local: LocalLimits): RiskPolicy {
  const p = { ...synced };
  for (const f of Object.values(POLICY_FIELD)) {
    const v = local[f];
    if (v !== undefined) p[f] = Math.min(p[f], v);
  }
  return p;
}

export class SettingsService {
  private local: LocalLimits = {};
  private readonly now: () => number;
  private readonly requests: RequestLog;

  private constructor(private readonly deps: SettingsDeps) {
    this.now = deps.now ?? Date.now;
    this.requests = new RequestLog(deps.db, this.now);
  }

  /** Loads the stored local limits and installs them in the risk engine. */
  static async create(deps: SettingsDeps): Promise<SettingsService> {
    const s = new SettingsService(deps);
    const row = await deps.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [LOCAL_LIMITS_KEY]);
    s.install(parseLocal(row?.value));
    return s;
  }

  /**
   * After the training reset emptied the demo database: back to the stored (now absent) values,
   * so memory never keeps a limit or threshold the database no longer records.
   */
  async reload(): Promise<void> {
    const row = await this.deps.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [LOCAL_LIMITS_KEY]);
    this.install(parseLocal(row?.value));
    this.deps.refunds.refundApprovalFen = await storedFen(this.deps.db, REFUND_APPROVAL_KEY, DEFAULT_REFUND_APPROVAL_FEN);
    this.deps.refunds.refundDailyApprovalFen = await storedFen(this.deps.db, REFUND_DAILY_APPROVAL_KEY, DEFAULT_REFUND_DAILY_APPROVAL_FEN);
  }

  private install(local: LocalLimits): void {
    this.local = local;
    this.deps.offline.setPolicyOverride((synced) => applyLocal(synced, this.local));
  }

  /** The upper bound of each limit and where it comes from. */
  private bounds(): Record<LimitKey, { max: number; source: 'acquirer' | 'regulator' }> {
    const s = this.deps.offline.syncedPolicy;
    const money = (v: number) => (v <= REGULATOR_CAP_FEN ? { max: v, source: 'acquirer' as const } : { max: REGULATOR_CAP_FEN, source: 'regulator' as const });
    return {
      perPaymentCapFen: money(s.perPaymentCapFen),
      walletDailyCapFen: money(s.walletDailyCapFen),
      exposureLimitFen: { max: s.exposureLimitFen, source: 'acquirer' },
      // Whole minutes, rounded down: a bound never rounds looser than the acquirer's.
      maxPendingAgeMin: { max: Math.floor(s.maxOldestPendingMs / MINUTE), source: 'acquirer' },
      velocityPerHour: { max: s.velocityPerWalletPerHour, source: 'acquirer' },
    };
  }

  async get(): Promise<SettingsView> {
    const p = this.deps.offline.policy;
    const b = this.bounds();
    const { config } = this.deps;
    const a = config.acquirer;
    return {
      offline: {
        perPaymentCapFen: p.perPaymentCapFen,
        walletDailyCapFen: p.walletDailyCapFen,
        exposureLimitFen: p.exposureLimitFen,
        maxPendingAgeMin: Math.floor(p.maxOldestPendingMs / MINUTE),
        velocityPerHour: p.velocityPerWalletPerHour,
      },
      bounds: {
        perPaymentCapFen: b.perPaymentCapFen.max,
        walletDailyCapFen: b.walletDailyCapFen.max,
        exposureLimitFen: b.exposureLimitFen.max,
        maxPendingAgeMin: b.maxPendingAgeMin.max,
        velocityPerHour: b.velocityPerHour.max,
      },
      localOverrides: LIMIT_KEYS.filter((k) => this.local[POLICY_FIELD[k]] !== undefined),
      policyVersion: p.version,
      refundApprovalFen: this.deps.refunds.refundApprovalFen,
      refundApprovalMaxFen: REFUND_APPROVAL_MAX_FEN,
      refundDailyApprovalFen: this.deps.refunds.refundDailyApprovalFen,
      refundDailyApprovalMaxFen: REFUND_DAILY_APPROVAL_MAX_FEN,
      acquirer: {
        kind: a.kind,
        // Host only: a base URL may carry a path or credentials that are not for the screen.
        host: a.kind === 'http' ? new URL(a.baseUrl).host : null,
        terminalId: config.terminalId,
        simulator: a.kind === 'embedded' || (a.kind === 'http' && a.simulator),
        editable: false,
      },
    };
  }

  /** `requestId`: the screen's id for this change (required by the contract; the core's own callers may leave it out). */
  async update(input: Omit<SettingsUpdate, 'requestId'> & { requestId?: string }, ctx: CallContext): Promise<SettingsView> {
    const proposer = ctx.operator;
    if (!proposer) throw RpcErrors.notLoggedIn();
    const { requestId, approverId, approverPin, ...change } = input;
    return this.requests.once(
      { requestId, method: 'settings:update', params: { ...change, proposerId: proposer.id } },
      (record) => this.apply({ ...change, approverId, approverPin }, proposer, record),
      () => this.get(),
    );
  }

  private async apply(
    input: Omit<SettingsUpdate, 'requestId'>,
    proposer: NonNullable<CallContext['operator']>,
    record: RecordRequest,
  ): Promise<SettingsView> {
    if (input.acquirer !== undefined) {
      throw this.deps.config.mode === 'demo' ? SettingsErrors.acquirerLiveRefused() : SettingsErrors.acquirerReadOnly();
    }
    // 1. Every value within its bound (the schema already made them positive integers).
    const bounds = this.bounds();
    const nextLocal: LocalLimits = { ...this.local };
    const changes: Record<string, { from: number; to: number }> = {};
    const effective = (await this.get()).offline;
    for (const k of LIMIT_KEYS) {
      const v = input[k];
      if (v === undefined) continue;
      if (!Number.isSafeInteger(v) || v <= 0) throw SettingsErrors.aboveBound(k, bounds[k].max, bounds[k].source);
      if (v > bounds[k].max) throw SettingsErrors.aboveBound(k, bounds[k].max, bounds[k].source);
      nextLocal[POLICY_FIELD[k]] = k === 'maxPendingAgeMin' ? v * MINUTE : v;
      if (v !== effective[k]) changes[k] = { from: effective[k], to: v };
    }
    const refund = input.refundApprovalFen;
    if (refund !== undefined) {
      if (refund > REFUND_APPROVAL_MAX_FEN) throw SettingsErrors.aboveBound('refundApprovalFen', REFUND_APPROVAL_MAX_FEN, 'product');
      if (refund !== this.deps.refunds.refundApprovalFen) changes.refundApprovalFen = { from: this.deps.refunds.refundApprovalFen, to: refund };
    }
    const daily = input.refundDailyApprovalFen;
    if (daily !== undefined) {
      if (daily > REFUND_DAILY_APPROVAL_MAX_FEN) throw SettingsErrors.aboveBound('refundDailyApprovalFen', REFUND_DAILY_APPROVAL_MAX_FEN, 'product');
      if (daily !== this.deps.refunds.refundDailyApprovalFen) changes.refundDailyApprovalFen = { from: this.deps.refunds.refundDailyApprovalFen, to: daily };
    }
    if (Object.keys(changes).length === 0) throw SettingsErrors.nothingToChange();
    // 2. Dual control: never the proposer (checked here too, so self-approval costs no PIN attempt).
    if (input.approverId !== undefined && input.approverId === proposer.id) throw AuthErrors.approverInvalid();
    const approverId = await this.deps.approve(input.approverId, input.approverPin);
    // 3. Values and audit row together; memory after the commit.
    const now = this.now();
    await this.deps.db.tx(async (q) => {
      await q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [LOCAL_LIMITS_KEY, JSON.stringify(nextLocal)]);
      if (changes.refundApprovalFen) {
        await q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [REFUND_APPROVAL_KEY, String(refund)]);
      }
      if (changes.refundDailyApprovalFen) {
        await q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [REFUND_DAILY_APPROVAL_KEY, String(daily)]);
      }
      await audit(q, { operatorId: proposer.id, approverId, action: 'settings.update', detail: { changes } }, now);
      await record(q, `settings.update@${now}`);
    });
    this.install(nextLocal);
    if (refund !== undefined) this.deps.refunds.refundApprovalFen = refund;
    if (daily !== undefined) this.deps.refunds.refundDailyApprovalFen = daily;
    return this.get();
  }
}
