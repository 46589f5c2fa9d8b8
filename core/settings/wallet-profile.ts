/**
 * The wallet kinds of the acquirer connection: Alipay 当面付 and WeChat Pay 付款码支付, each with
 * the fields its platform issues, beside the project's own protocol (acquirer-profile.ts). A
 * counter may have Alipay, WeChat Pay or both; the running acquirer is then a routing one
 * (core/acquirer/routing.ts).
 *
 * Invariants (the same as acquirer-profile.ts):
 * - Keys, certificates and the API key live only in the platform's secret store, under names
 *   derived from their fingerprints (SHA-256 of the text, first 8 bytes), so a new one never
 *   overwrites the one in use. The database row holds ids, the gateway and fingerprints only;
 *   no secret is in SQLite, an audit row, an error or an answer (`view` shows fingerprints).
 * - Nothing is written unless every field is valid, the connection test of every kind passed (a
 *   signed query of an order that cannot exist: the documented "not found" proves keys and
 *   clock), and a different supervisor or administrator approved. The row and its audit row
 *   are one transaction.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { WalletsDraft, type WalletDraft } from '../api/acquirer';
import { AppError } from '../api/errors';
import { AuthErrors } from '../auth/operators';
import { AlipayAcquirer, ALIPAY_GATEWAY, type AlipayKeys } from '../acquirer/alipay/adapter';
import { RoutingAcquirer, type Wallet } from '../acquirer/routing';
import type { Acquirer, AcquirerTimings, Scheme } from '../acquirer/types';
import { testAlipay, testWechat, type WalletTestResult } from '../acquirer/wallet-connection-test';
import { ALIPAY_TIMINGS, WECHAT_TIMINGS } from '../acquirer/wallet-timings';
import { WechatAcquirer, WECHAT_BASE_URL } from '../acquirer/wechat/adapter';
import { audit } from '../audit';
import type { SecretStore } from '../platform';
import type { Db } from '../store/db';

export const WALLETS_KEY = 'acquirer.wallets';

/** The secret fields of each kind. */
const SECRETS = {
  alipay: ['appPrivateKey', 'alipayPublicKey', 'appCert', 'alipayPublicCert', 'alipayRootCert'],
  wechat: ['apiKey', 'clientCert', 'clientKey'],
} as const;

const WORDS = {
  app_id: { zh: '支付宝 AppID 须为 16 位数字（开放平台“应用详情”里）。', en: 'The Alipay app id is 16 digits (the app’s page on the open platform).' },
  wx_app_id: { zh: '微信 AppID 须以 wx 开头，共 18 位。', en: 'The WeChat app id starts with wx and has 18 characters.' },
  mch_id: { zh: '微信支付商户号须为 8–10 位数字。', en: 'The WeChat Pay merchant id is 8–10 digits.' },
  gateway: { zh: '网关地址须为 https:// 开头的完整地址。', en: 'The gateway address is a full https:// address.' },
  private_key: { zh: '应用私钥不是 RSA 私钥（PEM，或开放平台工具生成的一整行 Base64）。', en: 'The app private key is not an RSA private key (PEM, or the one-line Base64 the platform’s tool makes).' },
  public_key: { zh: '支付宝公钥不是公钥（PEM，或一整行 Base64）。', en: 'The Alipay public key is not a public key (PEM, or one line of Base64).' },
  cert: { zh: '证书须为 PEM 格式（-----BEGIN CERTIFICATE-----）。', en: 'A certificate is PEM (-----BEGIN CERTIFICATE-----).' },
  api_key: { zh: 'API 密钥须为 32 位字母或数字（商户平台“API安全”里设置）。', en: 'The API key is 32 letters or digits (set under API security on the merchant platform).' },
  client_key: { zh: 'API 证书私钥须为 PEM 格式（apiclient_key.pem）。', en: 'The API certificate’s key is PEM (apiclient_key.pem).' },
  missing: { zh: '缺少必填项（首次保存须填写所有密钥和证书）。', en: 'A required field is empty (the first save needs every key and certificate).' },
  twice: { zh: '同一种钱包只能设置一次。', en: 'Each wallet can be set up once.' },
  qr: { zh: '收款码只能由已设置的支付宝显示（微信付款码支付不提供收款码）。', en: 'The merchant QR is shown by a configured Alipay only (WeChat code payment offers none).' },
} as const;

export const WalletErrors = {
  invalid: (problem: keyof typeof WORDS, field: string) =>
    new AppError('acquirer.wallet_invalid', `${WORDS[problem].zh}未做任何更改。`, `${WORDS[problem].en} Nothing was changed.`, { field, problem }),
  liveOnly: () =>
    new AppError('acquirer.wallets_live_only', '支付宝、微信支付的收款连接只用于正式模式（培训模式用内置模拟收单）。未做任何更改。', 'Alipay and WeChat Pay connections are for live counters only (training uses the built-in simulated acquirer). Nothing was changed.'),
  testFailed: (kind: string, r: WalletTestResult) =>
    new AppError('acquirer.test_failed', `${kind === 'alipay' ? '支付宝' : '微信支付'}连接测试未通过：${r.zh}未做任何更改。`, `The ${kind === 'alipay' ? 'Alipay' : 'WeChat Pay'} connection test failed: ${r.en} Nothing was changed.`, { kind, outcome: r.outcome }),
};

/** A secret's fingerprint: the first 8 bytes of the SHA-256 of its text, as four groups of hex. */
export function secretFingerprint(text: string): string {
  return createHash('sha256').update(text.trim(), 'utf8').digest('hex').slice(0, 16).toUpperCase().match(/.{4}/g)!.join(' ');
}

/** Alipay's tools give keys as one Base64 line; Node and the SDK take PEM. */
function pem(text: string, label: string): string {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) return t;
  return `-----BEGIN ${label}-----\n${t.replace(/\s+/g, '').match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END ${label}-----`;
}

function checkGateway(url: string | undefined, field: string): string | undefined {
  if (url === undefined || url === '') return undefined;
  try {
    const u = new URL(url.trim());
    if (u.protocol === 'https:' && !u.username && !u.password) return u.toString();
  } catch {
    // falls through to the refusal
  }
  throw WalletErrors.invalid('gateway', field);
}

/** Every field of a draft checked, secrets normalised; an absent secret stays absent (keep the saved one). */
export function checkWalletDraft(d: WalletDraft): WalletDraft {
  const isKey = (text: string, type: 'private' | 'public') => {
    try {
      if (type === 'private') createPrivateKey(text);
      else createPublicKey(text);
      return true;
    } catch {
      return false;
    }
  };
  const isCert = (text: string) => {
    try {
      new X509Certificate(text);
      return true;
    } catch {
      return false;
    }
  };
  if (d.kind === 'alipay') {
    if (!/^\d{16}$/.test(d.appId.trim())) throw WalletErrors.invalid('app_id', 'appId');
    const out = { ...d, appId: d.appId.trim(), gateway: checkGateway(d.gateway, 'gateway') };
    if (d.appPrivateKey !== undefined) {
      const k = d.appPrivateKey.includes('BEGIN') ? d.appPrivateKey.trim() : pem(d.appPrivateKey, 'PRIVATE KEY');
      const k1 = isKey(k, 'private') ? k : pem(d.appPrivateKey, 'RSA PRIVATE KEY');
      if (!isKey(k1, 'private')) throw WalletErrors.invalid('private_key', 'appPrivateKey');
      out.appPrivateKey = k1;
    }
    if (d.alipayPublicKey !== undefined) {
      const k = pem(d.alipayPublicKey, 'PUBLIC KEY');
      if (!isKey(k, 'public')) throw WalletErrors.invalid('public_key', 'alipayPublicKey');
      out.alipayPublicKey = k;
    }
    for (const f of ['appCert', 'alipayPublicCert', 'alipayRootCert'] as const) {
      // The root certificate file holds several certificates; the first must parse.
      if (d[f] !== undefined && !isCert(d[f]!)) throw WalletErrors.invalid('cert', f);
    }
    return out;
  }
  if (!/^wx[0-9a-f]{16}$/i.test(d.appId.trim())) throw WalletErrors.invalid('wx_app_id', 'appId');
  if (!/^\d{8,10}$/.test(d.mchId.trim())) throw WalletErrors.invalid('mch_id', 'mchId');
  if (d.apiKey !== undefined && !/^[A-Za-z0-9]{32}$/.test(d.apiKey.trim())) throw WalletErrors.invalid('api_key', 'apiKey');
  if (d.clientCert !== undefined && !isCert(d.clientCert)) throw WalletErrors.invalid('cert', 'clientCert');
  if (d.clientKey !== undefined && !isKey(d.clientKey, 'private')) throw WalletErrors.invalid('client_key', 'clientKey');
  return { ...d, appId: d.appId.trim(), mchId: d.mchId.trim(), apiKey: d.apiKey?.trim(), baseUrl: checkGateway(d.baseUrl, 'baseUrl') };
}

const StoredSecret = z.object({ secret: z.string().regex(/^acquirer\.wallet\.[a-zA-Z]+\.[0-9A-F]{16}$/), fingerprint: z.string() });
const StoredWallet = z.object({
  kind: z.enum(['alipay', 'wechat']),
  fields: z.record(z.string(), z.string()),
  secrets: z.record(z.string(), StoredSecret),
});
const StoredWallets = z.object({
  v: z.literal(1),
  wallets: z.array(StoredWallet),
  qrWallet: z.enum(['alipay', 'wechat']).nullable(),
  savedAt: z.number().int(),
  savedBy: z.string(),
  approvedBy: z.string(),
});
export type StoredWallets = z.infer<typeof StoredWallets>;

/** What the screen shows: ids, the gateway, and each secret's fingerprint. */
export interface WalletsView {
  wallets: Array<{ kind: Wallet; fields: Record<string, string>; fingerprints: Record<string, string> }>;
  qrWallet: Wallet | null;
  savedAt: number;
  savedBy: string;
  approvedBy: string;
}

type Complete = WalletDraft & Record<string, unknown>;

export interface WalletDeps {
  db: Db;
  secrets: SecretStore;
  approve: (approverId: string | undefined, pin: string | undefined) => Promise<string>;
  /** Timings per kind (tests pass tiny ones); default: the published figures. */
  timings?: Partial<Record<Wallet, AcquirerTimings>>;
  now?: () => number;
  /** Tests only: certificates to trust for HTTPS, per kind. */
  ca?: Partial<Record<Wallet, string>>;
  /** The counter's mode: wallet connections are for live counters only. */
  mode?: 'live' | 'demo';
  /** Applying a save while the app runs (core/app.ts): absent, a save takes effect at the next start. */
  running?: {
    /** True when the counter runs on its saved wallets, or on nothing (no sandbox connection). */
    mayReplace: () => boolean;
    openWork: () => Promise<{ payments: number; refunds: number }>;
    /** Runs `fn` with every call to the acquirer held (LinkGate.hold); false when calls did not drain. */
    hold: (fn: () => void) => Promise<boolean>;
    use: (acquirer: Acquirer & { close?(): void }) => void;
    recognise: (code: string) => Scheme;
    tenderOf?: (orderNo: string) => Promise<string | null>;
  };
}

/** The adapter of one complete wallet. */
export function walletAcquirer(w: Complete, timings: AcquirerTimings, ca?: string): AlipayAcquirer | WechatAcquirer {
  if (w.kind === 'alipay') {
    const keys: AlipayKeys = w.keyMode === 'cert'
      ? { mode: 'cert', appPrivateKey: w.appPrivateKey!, appCert: w.appCert!, alipayPublicCert: w.alipayPublicCert!, alipayRootCert: w.alipayRootCert! }
      : { mode: 'public_key', appPrivateKey: w.appPrivateKey!, alipayPublicKey: w.alipayPublicKey! };
    return new AlipayAcquirer({ appId: w.appId, keys, gateway: w.gateway ?? ALIPAY_GATEWAY, timings, ca });
  }
  return new WechatAcquirer({
    appId: w.appId, mchId: w.mchId, apiKey: w.apiKey!, signType: w.signType, clientCert: { cert: w.clientCert!, key: w.clientKey! },
    baseUrl: w.baseUrl ?? WECHAT_BASE_URL, terminalIp: w.terminalIp, timings, ca,
  });
}

/** The running acquirer of a counter's wallets: a routing one over each configured kind. */
export function routedWallets(wallets: Complete[], qrWallet: Wallet | null, recognise: (code: string) => Scheme, deps: Pick<WalletDeps, 'timings' | 'ca'> & { tenderOf?: (orderNo: string) => Promise<string | null> }): Acquirer {
  const byScheme: Partial<Record<Scheme, Acquirer>> = {};
  for (const w of wallets) byScheme[w.kind] = walletAcquirer(w, deps.timings?.[w.kind] ?? (w.kind === 'alipay' ? ALIPAY_TIMINGS : WECHAT_TIMINGS), deps.ca?.[w.kind]);
  return new RoutingAcquirer({ byScheme, qrWallet, recognise, tenderOf: deps.tenderOf });
}

export class WalletProfileService {
  private stored: StoredWallets | null = null;
  /** True once the engine runs on the saved wallets. */
  inUse = false;
  private readonly now: () => number;

  constructor(private readonly deps: WalletDeps) {
    this.now = deps.now ?? Date.now;
  }

  async load(): Promise<void> {
    const row = await this.deps.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [WALLETS_KEY]);
    const parsed = row ? StoredWallets.safeParse(JSON.parse(row.value)) : null;
    this.stored = parsed?.success ? parsed.data : null;
  }

  view(): WalletsView | null {
    const s = this.stored;
    if (!s) return null;
    return {
      wallets: s.wallets.map((w) => ({ kind: w.kind, fields: { ...w.fields }, fingerprints: Object.fromEntries(Object.entries(w.secrets).map(([k, v]) => [k, v.fingerprint])) })),
      qrWallet: s.qrWallet, savedAt: s.savedAt, savedBy: s.savedBy, approvedBy: s.approvedBy,
    };
  }

  /** Each wallet checked and completed with the saved secrets where a field was left out. */
  private async complete(input: unknown): Promise<{ draft: WalletsDraft; wallets: Complete[] }> {
    const parsed = WalletsDraft.safeParse(input);
    if (!parsed.success) throw WalletErrors.invalid('missing', String(parsed.error.issues[0]?.path.join('.') ?? ''));
    const draft = parsed.data;
    const kinds = draft.wallets.map((w) => w.kind);
    if (new Set(kinds).size !== kinds.length) throw WalletErrors.invalid('twice', 'wallets');
    if (draft.qrWallet !== null && (draft.qrWallet !== 'alipay' || !kinds.includes('alipay'))) throw WalletErrors.invalid('qr', 'qrWallet');
    const wallets: Complete[] = [];
    for (const raw of draft.wallets) {
      const w = checkWalletDraft(raw) as Complete;
      const saved = this.stored?.wallets.find((s) => s.kind === w.kind);
      const needed = w.kind === 'alipay'
        ? (w.keyMode === 'cert' ? ['appPrivateKey', 'appCert', 'alipayPublicCert', 'alipayRootCert'] : ['appPrivateKey', 'alipayPublicKey'])
        : ['apiKey', 'clientCert', 'clientKey'];
      for (const f of needed) {
        if (w[f] !== undefined) continue;
        const s = saved?.secrets[f];
        const v = s ? await this.deps.secrets.get(s.secret).catch(() => null) : null;
        if (!v || secretFingerprint(v) !== s!.fingerprint) throw WalletErrors.invalid('missing', f);
        w[f] = v;
      }
      wallets.push(w);
    }
    return { draft, wallets };
  }

  /** "Test connection", per kind. Writes nothing. */
  async test(input: unknown): Promise<Array<{ kind: Wallet } & WalletTestResult>> {
    const { wallets } = await this.complete(input);
    return Promise.all(wallets.map((w) => this.testOne(w)));
  }

  private async testOne(w: Complete): Promise<{ kind: Wallet } & WalletTestResult> {
    const timings = this.deps.timings?.[w.kind] ?? (w.kind === 'alipay' ? ALIPAY_TIMINGS : WECHAT_TIMINGS);
    let a: AlipayAcquirer | WechatAcquirer;
    try {
      a = walletAcquirer(w, timings, this.deps.ca?.[w.kind]);
    } catch {
      throw WalletErrors.invalid('missing', w.kind);
    }
    try {
      return { kind: w.kind, ...(a instanceof AlipayAcquirer ? await testAlipay(a) : await testWechat(a)) };
    } finally {
      a.close();
    }
  }

  /** The running acquirer of the saved wallets, or null (none saved, or a secret missing). */
  async startupAcquirer(): Promise<(Acquirer & { close?(): void }) | null> {
    const r = this.deps.running;
    const w = r && this.deps.mode === 'live' ? await this.startupWallets() : null;
    if (!r || !w) return null;
    this.inUse = true;
    return routedWallets(w.wallets, w.qrWallet, r.recognise, { timings: this.deps.timings, ca: this.deps.ca, tenderOf: r.tenderOf }) as Acquirer & { close?(): void };
  }

  /** Save, then use it at once when the counter may switch and nothing open belongs to the running connection. */
  async saveAndApply(input: unknown, approval: { approverId?: string; approverPin?: string }, proposerId: string): Promise<{ view: WalletsView; applied: 'now' | 'restart' }> {
    const view = await this.save(input, approval, proposerId);
    const r = this.deps.running;
    if (!r || !r.mayReplace()) return { view, applied: 'restart' };
    const w = r.mayReplace() ? await this.startupWallets() : null;
    const open = await r.openWork();
    if (!w || open.payments || open.refunds) return { view, applied: 'restart' };
    const next = routedWallets(w.wallets, w.qrWallet, r.recognise, { timings: this.deps.timings, ca: this.deps.ca, tenderOf: r.tenderOf }) as Acquirer & { close?(): void };
    const done = await r.hold(() => r.use(next));
    if (done) this.inUse = true;
    return { view, applied: done ? 'now' : 'restart' };
  }

  /** Saves under dual control once every kind's test passed. */
  async save(input: unknown, approval: { approverId?: string; approverPin?: string }, proposerId: string): Promise<WalletsView> {
    if (this.deps.mode === 'demo') throw WalletErrors.liveOnly();
    const { draft, wallets } = await this.complete(input);
    for (const w of wallets) {
      const r = await this.testOne(w);
      if (r.outcome !== 'ok') throw WalletErrors.testFailed(w.kind, r);
    }
    if (approval.approverId !== undefined && approval.approverId === proposerId) throw AuthErrors.approverInvalid();
    const approver = await this.deps.approve(approval.approverId, approval.approverPin);
    const added: string[] = [];
    const stored: StoredWallets = { v: 1, wallets: [], qrWallet: draft.qrWallet, savedAt: this.now(), savedBy: proposerId, approvedBy: approver };
    try {
      for (const w of wallets) {
        const secrets: Record<string, z.infer<typeof StoredSecret>> = {};
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(w)) {
          if (typeof v !== 'string') continue;
          if ((SECRETS[w.kind] as readonly string[]).includes(k)) {
            const fp = secretFingerprint(v);
            const name = `acquirer.wallet.${k}.${fp.replace(/ /g, '')}`;
            if ((await this.deps.secrets.get(name)) !== v) {
              await this.deps.secrets.set(name, v);
              added.push(name);
            }
            secrets[k] = { secret: name, fingerprint: fp };
          } else {
            fields[k] = v;
          }
        }
        stored.wallets.push({ kind: w.kind, fields, secrets });
      }
      await this.deps.db.tx(async (q) => {
        await q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [WALLETS_KEY, JSON.stringify(stored)]);
        await audit(q, {
          operatorId: proposerId, approverId: approver, action: 'acquirer.wallets_saved',
          detail: { wallets: stored.wallets.map((w) => ({ kind: w.kind, fields: w.fields, fingerprints: Object.fromEntries(Object.entries(w.secrets).map(([k, v]) => [k, v.fingerprint])) })), qrWallet: stored.qrWallet },
        }, stored.savedAt);
      });
    } catch (e) {
      // A failed save removes what it added: the saved profile stays whole.
      for (const n of added) await this.deps.secrets.delete(n).catch(() => undefined);
      throw e;
    }
    const old = this.stored;
    this.stored = stored;
    const keep = new Set(stored.wallets.flatMap((w) => Object.values(w.secrets).map((s) => s.secret)));
    for (const n of old?.wallets.flatMap((w) => Object.values(w.secrets).map((s) => s.secret)) ?? []) {
      if (!keep.has(n)) await this.deps.secrets.delete(n).catch(() => undefined);
    }
    return this.view()!;
  }

  /** Each saved wallet's gateway address (the published one unless the installer typed another): the link probe's targets. */
  gateways(): string[] {
    return (this.stored?.wallets ?? []).map((w) => (w.kind === 'alipay' ? w.fields.gateway ?? ALIPAY_GATEWAY : w.fields.baseUrl ?? WECHAT_BASE_URL));
  }

  /** The saved wallets with their secrets, for building the running acquirer at start; null when none or a secret is missing. */
  async startupWallets(): Promise<{ wallets: Complete[]; qrWallet: Wallet | null } | null> {
    if (!this.stored) return null;
    const out: Complete[] = [];
    for (const w of this.stored.wallets) {
      const full: Record<string, unknown> = { kind: w.kind, ...w.fields };
      for (const [k, s] of Object.entries(w.secrets)) {
        const v = await this.deps.secrets.get(s.secret).catch(() => null);
        if (!v || secretFingerprint(v) !== s.fingerprint) return null;
        full[k] = v;
      }
      out.push(full as Complete);
    }
    return { wallets: out, qrWallet: this.stored.qrWallet };
  }
}
