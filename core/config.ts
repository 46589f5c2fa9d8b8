/**
 * The configuration the composition root is built from. Parsed with zod, since it comes from a
 * file or the command line. Training safety is enforced here first: demo mode can only talk to
 * the embedded simulator and keeps its data in its own file; live mode can never open it.
 * The acquirer's protocol timings are here too, bounded so that no setting can make the
 * terminal wait on a payment code longer than the code lives (see `acquirerTimings`).
 */
import path from 'node:path';
import { z } from 'zod';
import type { AcquirerTimings } from './acquirer/types';
import { Mode } from './api/system';

/**
 * How long a customer's online payment code is good for (../../shared/DOMAIN.md: public pages
 * put it near 1 min; WeChat closes an unpaid barcode order 45 s after creation). The terminal
 * may bridge a lost answer only within it, then the cashier must switch tender.
 */
export const PAYMENT_CODE_LIFE_MS = 60_000;

/**
 * The acquirer's timings by default: the published figures of docs/DOMAIN.md (WeChat and Alipay).
 * Each field is documented on `AcquirerTimings` (core/acquirer/types.ts).
 */
export const DOMAIN_TIMINGS: Readonly<AcquirerTimings> = {
  requestTimeoutMs: 15_000,
  userpayingPollMs: 5_000, // Alipay: query every 3–5 s
  userpayingMaxWaitMs: 60_000, // Alipay's suggested cashier timeout
  unknownFirstQueryMs: 5_000, // WeChat: 5 s after a system error
  unknownQueryEveryMs: 5_000,
  unknownQueries: 5, // Alipay's demo: 5 × 5 s, then cancel
  cancelNotBeforeMs: 15_000, // WeChat: reverse no earlier than 15 s after the charge
  cancelAttempts: 3, // Alipay: up to 3 × 2 s
  cancelEveryMs: 2_000,
  refundAttempts: 3,
  refundEveryMs: 5_000,
  qrExpiryMs: 120_000,
  qrPollMs: 3_000,
  sweepEveryMs: 15 * 60_000, // Alipay: check stuck orders every 15 min
};

/**
 * Demo mode on the embedded simulator: the same rules with shorter waits, so a lesson on an
 * unknown outcome takes seconds, not the 45 s a real acquirer's rules would.
 */
export const DEMO_TIMINGS: Readonly<AcquirerTimings> = {
  ...DOMAIN_TIMINGS,
  requestTimeoutMs: 5_000,
  userpayingPollMs: 1_000,
  unknownFirstQueryMs: 1_000,
  unknownQueryEveryMs: 1_000,
  unknownQueries: 3,
  cancelNotBeforeMs: 0,
  cancelEveryMs: 1_000,
  refundEveryMs: 1_000,
  qrPollMs: 1_000,
  sweepEveryMs: 60_000,
};

/** One bounded timing: whole milliseconds (or a count) within [min, max], refused in both languages otherwise. */
function bounded(name: string, min: number, max: number, unit: 'ms' | 'times' = 'ms') {
  const range = unit === 'ms' ? `${min}–${max} ms` : `${min}–${max}`;
  const msg = `收单时序 ${name} 须为 ${range} 之间的整数 / acquirer timing ${name} must be a whole number within ${range}`;
  return z.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).max(max, { error: msg }).optional();
}

/**
 * Overrides of the acquirer's timings, each within bounds that keep the terminal safe:
 * - requests time out after 1–30 s (below 1 s a 2G link's round trip alone fails every request;
 *   above 30 s one request eats half a payment code's life);
 * - nothing polls or retries more often than once a second (acquirers ask for 3–5 s);
 * - the USERPAYING wait never outlives a payment code (checked with the poll below);
 * - at least one query and one cancel attempt: an unknown outcome is never given up blind;
 * - a cancel is sent no later than a code's life after the charge began: the till takes no
 *   other charge while one is being cancelled;
 * - a merchant QR lives 30 s–10 min (long enough to scan, short enough to be a dynamic code) and
 *   is polled every 1–10 s (so always several times in its life);
 * - the sweeper looks at stuck orders at least hourly.
 */
export const AcquirerTimingsInput = z
  .object({
    requestTimeoutMs: bounded('requestTimeoutMs', 1_000, 30_000),
    userpayingPollMs: bounded('userpayingPollMs', 1_000, 30_000),
    userpayingMaxWaitMs: bounded('userpayingMaxWaitMs', 5_000, PAYMENT_CODE_LIFE_MS),
    unknownFirstQueryMs: bounded('unknownFirstQueryMs', 0, 30_000),
    unknownQueryEveryMs: bounded('unknownQueryEveryMs', 1_000, 30_000),
    unknownQueries: bounded('unknownQueries', 1, 10, 'times'),
    cancelNotBeforeMs: bounded('cancelNotBeforeMs', 0, PAYMENT_CODE_LIFE_MS),
    cancelAttempts: bounded('cancelAttempts', 1, 10, 'times'),
    cancelEveryMs: bounded('cancelEveryMs', 1_000, 30_000),
    refundAttempts: bounded('refundAttempts', 1, 10, 'times'),
    refundEveryMs: bounded('refundEveryMs', 1_000, 60_000),
    qrExpiryMs: bounded('qrExpiryMs', 30_000, 600_000),
    qrPollMs: bounded('qrPollMs', 1_000, 10_000),
    sweepEveryMs: bounded('sweepEveryMs', 10_000, 3_600_000),
  })
  .strict();
export type AcquirerTimingsInput = z.infer<typeof AcquirerTimingsInput>;

/** Each timing's bounds, read from the schema above (the settings screen shows them). */
export const TIMING_BOUNDS = Object.fromEntries(
  Object.entries(AcquirerTimingsInput.shape).map(([k, v]) => [k, { min: v.unwrap().minValue ?? 0, max: v.unwrap().maxValue ?? 0 }]),
) as Record<keyof AcquirerTimings, { min: number; max: number }>;

/**
 * Rules between timings, on the values in force (defaults of the acquirer's kind plus the
 * overrides); each broken rule is one bilingual message naming the fields.
 */
export function timingProblems(t: AcquirerTimings): Array<{ field: keyof AcquirerTimings; message: string }> {
  const out: Array<{ field: keyof AcquirerTimings; message: string }> = [];
  if (t.userpayingPollMs > t.userpayingMaxWaitMs) {
    out.push({ field: 'userpayingPollMs', message: 'USERPAYING 查询间隔不能长于等待时间 / userpayingPollMs cannot be longer than userpayingMaxWaitMs' });
  }
  // The last query of an unknown outcome, then the cancel: all while the customer's code still lives.
  const unknownWindow = t.unknownFirstQueryMs + (t.unknownQueries - 1) * t.unknownQueryEveryMs;
  if (unknownWindow > PAYMENT_CODE_LIFE_MS) {
    out.push({
      field: 'unknownQueries',
      message: `结果未知时的查询（${unknownWindow} ms）须在付款码有效期 ${PAYMENT_CODE_LIFE_MS} ms 内结束 / the queries of an unknown outcome (${unknownWindow} ms) must end within a payment code's life (${PAYMENT_CODE_LIFE_MS} ms)`,
    });
  }
  return out;
}

export const AcquirerConfig = z.discriminatedUnion('kind', [
  /** The in-process acquirer simulator (demo mode only). */
  z.object({ kind: z.literal('embedded') }),
  /** A remote acquirer speaking the documented protocol over HTTPS (or the simulator over HTTP). */
  z.object({
    kind: z.literal('http'),
    baseUrl: z.string().url(),
    /** Set by tests and `npm run acquirer` only: the remote is the simulator, not real money. */
    simulator: z.boolean().default(false),
  }),
  /**
   * A live counter whose installer has not saved a connection yet (core/settings/acquirer-profile.ts):
   * it starts, cash and credit work, every online payment is refused as never sent.
   */
  z.object({ kind: z.literal('none') }),
]);
export type AcquirerConfig = z.infer<typeof AcquirerConfig>;

export const AppConfig = z
  .object({
    dataDir: z.string().min(1),
    mode: Mode,
    shell: z.enum(['electron', 'browser']),
    terminalId: z.string().regex(/^[A-Z0-9]{4,16}$/).default('T0001'),
    merchantName: z.string().min(1).max(40).default('示范村便民店'),
    acquirer: AcquirerConfig.default({ kind: 'embedded' }),
    /**
     * The acquirer's protocol timings (ms). Any left out take the defaults of the acquirer's
     * kind: docs/DOMAIN.md's published figures (`DOMAIN_TIMINGS`), or the shorter demo ones on the
     * embedded simulator (`DEMO_TIMINGS`). After parsing this holds every timing in force.
     */
    acquirerTimings: AcquirerTimingsInput.default({}),
    /** Minutes of inactivity before the session locks. */
    idleLockMinutes: z.number().int().min(1).max(240).default(10),
    version: z.string().default('0.1.0'),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'live' && c.acquirer.kind === 'embedded') {
      ctx.addIssue({ code: 'custom', message: 'live mode cannot use the embedded simulator', path: ['acquirer'] });
    }
    if (c.mode === 'live' && c.acquirer.kind === 'http' && c.acquirer.simulator) {
      ctx.addIssue({ code: 'custom', message: 'live mode cannot use a simulator', path: ['acquirer'] });
    }
    if (c.mode === 'demo' && c.acquirer.kind === 'http' && !c.acquirer.simulator) {
      ctx.addIssue({ code: 'custom', message: 'demo mode cannot be pointed at a live acquirer', path: ['acquirer'] });
    }
    if (c.mode === 'demo' && c.acquirer.kind === 'none') {
      ctx.addIssue({ code: 'custom', message: 'demo mode always has a simulator', path: ['acquirer'] });
    }
    for (const p of timingProblems(timingsInForce(c.acquirer, c.acquirerTimings))) {
      ctx.addIssue({ code: 'custom', message: p.message, path: ['acquirerTimings', p.field] });
    }
  })
  .transform((c) => ({ ...c, acquirerTimings: timingsInForce(c.acquirer, c.acquirerTimings) }));
export type AppConfig = z.infer<typeof AppConfig>;
export type AppConfigInput = z.input<typeof AppConfig>;

/**
 * Training and live data never share a file: the file name is derived from the mode, and each
 * database records its mode on creation (checked on every open by the composition root).
 */
export function databasePath(c: Pick<AppConfig, 'dataDir' | 'mode'>): string {
  return path.join(c.dataDir, c.mode === 'demo' ? 'training.sqlite' : 'terminal.sqlite');
}

/** The timings in force: the defaults of the acquirer's kind, then the configured overrides. */
export function timingsInForce(acquirer: AcquirerConfig, overrides: AcquirerTimingsInput): AcquirerTimings {
  const base = acquirer.kind === 'embedded' ? DEMO_TIMINGS : DOMAIN_TIMINGS;
  const set = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...base, ...set };
}
