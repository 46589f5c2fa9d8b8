/**
 * The acquirer connection an installer enters in Settings (收单机构连接): the acquirer's HTTPS
 * address, the merchant id and terminal id it issued, the terminal's signing key and its
 * offline-route key, and optional overrides of the acquirer's timings. Saved under dual control
 * like a limit change: an administrator proposes, a different supervisor or administrator
 * approves with their PIN on the same screen, and both are written into the audit row.
 *
 * The keys are typed once and never shown again: they go to the platform's secret store (the OS
 * keychain under Electron) and nowhere else — not the database, an audit row, a log line, an
 * error or any answer of these methods. The screen shows each key's fingerprint instead.
 *
 * Every field is checked here with a plain zh-CN/en reason naming it (`checkProfile`); the
 * timings' bounds live with the configuration (core/config.ts) and are checked by the core.
 * A refused save changes nothing.
 */
import { z } from 'zod';
import { Empty, Id, method } from './define';
import { AppError } from './errors';
import { Mode } from './system';

/** What the screen sends. Shape and size only: `checkProfile` says what is wrong with a value. */
export const ProfileDraft = z
  .object({
    /** The acquirer's address, scheme, host and port only: `https://acq.example.cn:8443`. */
    endpoint: z.string().max(512),
    merchantId: z.string().max(128),
    terminalId: z.string().max(128),
    /** 64 hex characters (spaces, dashes, colons between groups are ignored). Absent: keep the saved key. */
    signingKey: z.string().max(512).optional(),
    /** The key of the offline routes (/offline/v1/*), the same form. Absent: keep the saved key. */
    offlineKey: z.string().max(512).optional(),
    /** Overrides of the acquirer's timings (ms, or counts); any left out take the defaults. */
    timings: z.record(z.string().max(40), z.number()).optional(),
  })
  .strict();
export type ProfileDraft = z.infer<typeof ProfileDraft>;

const Approval = {
  /** Optional in the schema so a missing approval is refused with its own plain reason. */
  approverId: Id.optional(),
  approverPin: z.string().regex(/^[0-9]{4,8}$/).optional(),
};
export const ProfileSave = ProfileDraft.extend(Approval).strict();
export type ProfileSave = z.infer<typeof ProfileSave>;
export const BuiltInRestore = z.object(Approval).strict();

/** What "test connection" found (core/acquirer/connection-test.ts documents each outcome). */
export const ConnectionOutcome = z.enum([
  'ok', 'unreachable', 'timeout', 'tls', 'clock_skew', 'key_refused', 'offline_key_refused', 'wrong_terminal', 'wrong_merchant', 'not_acquirer', 'server_error',
  /** The acquirer answered, but it is a simulator and this is a live counter, or the reverse. */
  'training_mismatch',
]);
export type ConnectionOutcome = z.infer<typeof ConnectionOutcome>;

export const ConnectionTestResult = z.object({
  outcome: ConnectionOutcome,
  /** Round trip of the signed ping (ms), when it was answered. */
  rttMs: z.number().int().nonnegative().nullable(),
  /** The acquirer's clock minus this terminal's (ms), when it told its time. */
  clockOffsetMs: z.number().int().nullable(),
  /** For support: an error code or an HTTP status. Never a key. */
  detail: z.string().max(120),
  /** What to tell the installer, both languages. */
  zh: z.string(),
  en: z.string(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

const Fingerprint = z.string().regex(/^[0-9A-F]{4}( [0-9A-F]{4}){3}$/);

export const ProfileView = z.object({
  mode: Mode,
  /** The connection the counter uses now. */
  running: z.object({
    /** `embedded`: demo mode's built-in simulator; `none`: a live counter not set up yet. */
    kind: z.enum(['embedded', 'http', 'none']),
    endpoint: z.string().nullable(),
    merchantId: z.string().nullable(),
    terminalId: z.string(),
    signingKeyFingerprint: Fingerprint.nullable(),
    offlineKeyFingerprint: Fingerprint.nullable(),
  }),
  /** The saved connection (what the next start uses); null when none was saved. */
  saved: z
    .object({
      endpoint: z.string(),
      merchantId: z.string(),
      terminalId: z.string(),
      signingKeyFingerprint: Fingerprint,
      offlineKeyFingerprint: Fingerprint,
      timings: z.record(z.string(), z.number()),
      savedAt: z.number().int(),
      savedBy: z.string(),
      approvedBy: z.string(),
    })
    .nullable(),
  /** The saved connection takes effect when the app is next started (the terminal id changed, or demo mode leaves its built-in simulator). */
  restartRequired: z.boolean(),
  /** A saved connection that could not be used at start: its row is unreadable, or the keychain no longer has its keys. */
  problem: z.enum(['unreadable', 'keys_missing']).nullable(),
  /** Each timing's default for a remote acquirer and its bounds, for the form. */
  timings: z.object({
    defaults: z.record(z.string(), z.number()),
    bounds: z.record(z.string(), z.object({ min: z.number(), max: z.number() })),
  }),
});
export type ProfileView = z.infer<typeof ProfileView>;

export const SaveResult = z.object({
  view: ProfileView,
  /** `now`: the counter uses it already; `restart`: from the next start. */
  applied: z.enum(['now', 'restart']),
  test: ConnectionTestResult,
});
export type SaveResult = z.infer<typeof SaveResult>;

// ---------------------------------------------------------------------------------------------
// Field checks, each with its reason in both languages.

const WORDS = {
  endpoint_invalid: {
    zh: '收单地址格式不正确，应类似 https://acq.example.cn:8443。',
    en: 'The acquirer address is not valid; it looks like https://acq.example.cn:8443.',
  },
  endpoint_https_live: {
    zh: '正式模式只能用 https:// 连接收单机构。',
    en: 'A live counter connects to its acquirer over https:// only.',
  },
  endpoint_https_demo: {
    zh: '培训模式下只有本机（127.0.0.1、localhost）上的模拟器可以用 http://，其他地址须用 https://。',
    en: 'In training mode only a simulator on this machine (127.0.0.1, localhost) may use http://; any other address needs https://.',
  },
  endpoint_credentials: {
    zh: '收单地址里不能有用户名或密码（“@”）：密钥在下面单独填写。',
    en: 'The acquirer address cannot carry a user name or password (“@”): the keys go in their own fields below.',
  },
  endpoint_fragment: {
    zh: '收单地址里不能有“#”及其后的内容。',
    en: 'The acquirer address cannot have a “#” part.',
  },
  endpoint_path: {
    zh: '收单地址只填协议、主机和端口（如 https://acq.example.cn:8443），不要带路径或“?”参数。',
    en: 'The acquirer address is the scheme, host and port only (like https://acq.example.cn:8443), with no path or “?” part.',
  },
  merchant_format: {
    zh: '商户号须为收单机构给的 4–32 位字母或数字。',
    en: 'The merchant id is the 4–32 letters or digits the acquirer issued.',
  },
  terminal_format: {
    zh: '终端号须为收单机构给的 4–16 位大写字母或数字。',
    en: 'The terminal id is the 4–16 capital letters or digits the acquirer issued.',
  },
  signing_key_format: {
    zh: '签名密钥须为 64 位十六进制字符（0–9、A–F），可用空格分组。',
    en: 'The signing key is 64 hexadecimal characters (0–9, A–F); spaces between groups are fine.',
  },
  offline_key_format: {
    zh: '离线通道密钥须为 64 位十六进制字符（0–9、A–F），可用空格分组。',
    en: 'The offline-route key is 64 hexadecimal characters (0–9, A–F); spaces between groups are fine.',
  },
  signing_key_weak: {
    zh: '签名密钥全是同一个字符，不会是收单机构下发的密钥，请核对。',
    en: 'The signing key is one character repeated: that is not a key an acquirer issues; check it.',
  },
  offline_key_weak: {
    zh: '离线通道密钥全是同一个字符，不会是收单机构下发的密钥，请核对。',
    en: 'The offline-route key is one character repeated: that is not a key an acquirer issues; check it.',
  },
} as const satisfies Record<string, { zh: string; en: string }>;
type Problem = keyof typeof WORDS;

/** Which field each problem belongs to (the screen marks it). */
const FIELD: Record<Problem, keyof ProfileDraft> = {
  endpoint_invalid: 'endpoint', endpoint_https_live: 'endpoint', endpoint_https_demo: 'endpoint', endpoint_credentials: 'endpoint',
  endpoint_fragment: 'endpoint', endpoint_path: 'endpoint', merchant_format: 'merchantId', terminal_format: 'terminalId',
  signing_key_format: 'signingKey', offline_key_format: 'offlineKey', signing_key_weak: 'signingKey', offline_key_weak: 'offlineKey',
};

export const ProfileErrors = {
  invalid: (problem: Problem) =>
    new AppError('acquirer.invalid', `${WORDS[problem].zh}未做任何更改。`, `${WORDS[problem].en} Nothing was changed.`, { field: FIELD[problem], problem }),
};

/** Full-width letters and digits typed on a Chinese keyboard become the ASCII ones; ends trimmed. */
const plain = (s: string) => s.normalize('NFKC').trim();

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** The address's problem, or null; the address as kept: scheme, lower-case host, port. */
function endpointProblem(raw: string, mode: Mode): Problem | { endpoint: string } {
  if (!raw || /[\s\p{Cc}]/u.test(raw)) return 'endpoint_invalid';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (!scheme) return 'endpoint_invalid';
  const rest = raw.slice(scheme[0].length);
  // Checked on the text, before parsing: URL() would quietly drop an empty "#" or "@".
  if (/@/.test(rest.split(/[/?#]/)[0] ?? '')) return 'endpoint_credentials';
  if (raw.includes('#')) return 'endpoint_fragment';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'endpoint_invalid';
  }
  if (!url.hostname) return 'endpoint_invalid';
  if (url.username || url.password) return 'endpoint_credentials';
  if (raw.includes('?') || (url.pathname !== '/' && url.pathname !== '')) return 'endpoint_path';
  if (url.protocol === 'http:') {
    if (mode === 'live') return 'endpoint_https_live';
    if (!isLoopback(url.hostname)) return 'endpoint_https_demo';
  } else if (url.protocol !== 'https:') return mode === 'live' ? 'endpoint_https_live' : 'endpoint_https_demo';
  return { endpoint: `${url.protocol}//${url.host}` };
}

function keyField(format: Problem, weak: Problem) {
  return z
    .string()
    .transform((s) => plain(s).replace(/[\s:-]/g, '').toLowerCase())
    .superRefine((k, ctx) => {
      if (!/^[0-9a-f]{64}$/.test(k)) ctx.addIssue({ code: 'custom', message: format });
      else if (/^(.)\1*$/.test(k)) ctx.addIssue({ code: 'custom', message: weak });
    });
}

/** The profile's fields as checked and normalised (keys lower-case hex, ids trimmed). */
function profileSchema(mode: Mode) {
  return z
    .object({
      endpoint: z.string().transform((s, ctx) => {
        const r = endpointProblem(plain(s), mode);
        if (typeof r === 'string') {
          ctx.addIssue({ code: 'custom', message: r });
          return z.NEVER;
        }
        return r.endpoint;
      }),
      merchantId: z.string().transform(plain).pipe(z.string().regex(/^[A-Za-z0-9]{4,32}$/, { error: 'merchant_format' })),
      terminalId: z.string().transform((s) => plain(s).toUpperCase()).pipe(z.string().regex(/^[A-Z0-9]{4,16}$/, { error: 'terminal_format' })),
      signingKey: keyField('signing_key_format', 'signing_key_weak').optional(),
      offlineKey: keyField('offline_key_format', 'offline_key_weak').optional(),
      timings: z.record(z.string(), z.number()).optional(),
    })
    .strict();
}
export type CheckedProfile = z.output<ReturnType<typeof profileSchema>>;

/**
 * Checks every field for the counter's mode and returns them normalised, or throws
 * `acquirer.invalid` naming the first field refused, in both languages. The separation of
 * training and live starts here: a live counter reaches its acquirer over https only, a
 * training one may use plain http only to a simulator on this machine (the connection test then
 * asks the acquirer whether real money moves there, core/settings/acquirer-profile.ts).
 */
export function checkProfile(draft: ProfileDraft, mode: Mode): CheckedProfile {
  const r = profileSchema(mode).safeParse(draft);
  if (r.success) return r.data;
  const first = r.error.issues[0]?.message ?? 'endpoint_invalid';
  throw ProfileErrors.invalid((first in WORDS ? first : 'endpoint_invalid') as Problem);
}

// ---------------------------------------------------------------------------------------------
// The wallet kinds: Alipay 当面付 and WeChat Pay 付款码支付 (core/settings/wallet-profile.ts checks
// each value and says what is wrong with it; here, shape and size only). Secrets left out keep
// the saved ones; they are never in an answer (fingerprints are).

const Pem = z.string().max(16_384);
export const AlipayDraft = z
  .object({
    kind: z.literal('alipay'),
    /** The app id of the open platform (16 digits). */
    appId: z.string().max(64),
    /** Absent: Alipay's live gateway, https://openapi.alipay.com/gateway.do. */
    gateway: z.string().max(512).optional(),
    /** Public-key mode, or certificate mode (app certificate, Alipay public and root certificates). */
    keyMode: z.enum(['public_key', 'cert']),
    appPrivateKey: Pem.optional(),
    alipayPublicKey: Pem.optional(),
    appCert: Pem.optional(),
    alipayPublicCert: Pem.optional(),
    alipayRootCert: Pem.optional(),
  })
  .strict();
export const WechatDraft = z
  .object({
    kind: z.literal('wechat'),
    appId: z.string().max(64),
    /** The merchant id (商户号). */
    mchId: z.string().max(32),
    /** Absent: https://api.mch.weixin.qq.com. */
    baseUrl: z.string().max(512).optional(),
    signType: z.enum(['MD5', 'HMAC-SHA256']),
    /** The v2 API key (32 characters). */
    apiKey: z.string().max(64).optional(),
    /** apiclient_cert.pem and apiclient_key.pem (reverse and refund use mutual TLS). */
    clientCert: Pem.optional(),
    clientKey: Pem.optional(),
    /** The counter's IP address, which micropay requires. */
    terminalIp: z.string().max(45).optional(),
  })
  .strict();
export const WalletDraft = z.discriminatedUnion('kind', [AlipayDraft, WechatDraft]);
export type WalletDraft = z.infer<typeof WalletDraft>;
export const WalletsDraft = z
  .object({
    wallets: z.array(WalletDraft).min(1).max(2),
    /** The wallet that shows the merchant QR (only Alipay offers one), or none. */
    qrWallet: z.enum(['alipay', 'wechat']).nullable(),
  })
  .strict();
export type WalletsDraft = z.infer<typeof WalletsDraft>;
export const WalletsSave = WalletsDraft.extend(Approval).strict();
export type WalletsSave = z.infer<typeof WalletsSave>;
/** One kind's "test connection" (core/acquirer/wallet-connection-test.ts documents each outcome). */
export const WalletTestResult = z.object({
  kind: z.enum(['alipay', 'wechat']),
  outcome: z.enum(['ok', 'unreachable', 'timeout', 'tls', 'clock_skew', 'key_refused', 'platform_key_wrong', 'wrong_app', 'no_permission', 'client_cert_refused', 'not_acquirer', 'server_error']),
  rttMs: z.number().int().nonnegative().nullable(),
  detail: z.string().max(120),
  zh: z.string(),
  en: z.string(),
});
export type WalletTestResult = z.infer<typeof WalletTestResult>;
export const WalletsView = z.object({
  saved: z
    .object({
      wallets: z.array(z.object({ kind: z.enum(['alipay', 'wechat']), fields: z.record(z.string(), z.string()), fingerprints: z.record(z.string(), Fingerprint) })),
      qrWallet: z.enum(['alipay', 'wechat']).nullable(),
      savedAt: z.number().int(),
      savedBy: z.string(),
      approvedBy: z.string(),
    })
    .nullable(),
  /** `now`: the counter takes wallet payments already; `restart`: from the next start. */
  running: z.boolean(),
});
export type WalletsView = z.infer<typeof WalletsView>;

const PlainWords = z.object({ zh: z.string().min(1), en: z.string().min(1) });

/**
 * Which tenders this counter's acquirers allow, in plain words (core/settings/tenders.ts):
 * `null` means the tender works. The offline code needs an acquirer with PROTOCOL.md's offline
 * routes (the project's own protocol; Alipay and WeChat Pay have none); the merchant QR needs
 * one that shows it. `outage` is set while the link is down: what still works.
 */
export const Tenders = z.object({
  offlineCode: PlainWords.nullable(),
  merchantQr: PlainWords.nullable(),
  outage: PlainWords.nullable(),
});
export type Tenders = z.infer<typeof Tenders>;

export const acquirerEvents = {
  /** The tenders' availability changed: a connection was saved or applied, or the link went down or came back. */
  'acquirer:tendersChanged': Tenders,
} as const;

export const acquirerMethods = {
  /** Which tenders the counter's acquirers allow now, and in an outage what still works. */
  'acquirer:tenders': method({ input: Empty, output: Tenders, access: 'operator' }),
  /** The connection in use, the saved one (fingerprints, never keys), the timings' defaults and bounds. */
  'acquirer:profile': method({ input: Empty, output: ProfileView, access: 'operator' }),
  /**
   * Tries a connection without saving it: a signed ping with the signing key, a signed sync with
   * the offline-route key. Keys left out are the saved ones. Changes nothing.
   */
  'acquirer:test': method({ input: ProfileDraft, output: ConnectionTestResult, access: ['admin'] }),
  /**
   * Saves a connection: checked, tested (it must pass), approved by a different supervisor or
   * admin, then keys to the secret store and the rest with its audit row in one transaction.
   * Applied at once unless a payment, a refund or a forwarded batch is open (then refused,
   * nothing written) or the change needs a restart (`applied: 'restart'`).
   */
  'acquirer:save': method({ input: ProfileSave, output: SaveResult, access: ['admin'] }),
  /** Training mode only: forget the saved connection and use the built-in simulator again (dual control). */
  'acquirer:useBuiltIn': method({ input: BuiltInRestore, output: SaveResult.pick({ view: true, applied: true }), access: ['admin'] }),
  /** The saved wallet connections (Alipay, WeChat Pay): ids and fingerprints, never a secret. */
  'acquirer:wallets': method({ input: Empty, output: WalletsView, access: 'operator' }),
  /** Tests each wallet kind: a signed query of an order that cannot exist. Secrets left out are the saved ones. Changes nothing. */
  'acquirer:walletsTest': method({ input: WalletsDraft, output: z.object({ results: z.array(WalletTestResult) }), access: ['admin'] }),
  /**
   * Saves the wallet connections: every field checked, every kind's test passed, a different
   * supervisor or admin approved; secrets to the secret store, the rest and its audit row in one
   * transaction. Used at once by a live counter with nothing open, else from the next start.
   */
  'acquirer:walletsSave': method({ input: WalletsSave, output: z.object({ view: WalletsView, applied: z.enum(['now', 'restart']) }), access: ['admin'] }),
} as const;
