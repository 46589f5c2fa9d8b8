/**
 * The terminal's HTTP client for the acquirer's offline endpoints (/offline/v1/*): sync, batch
 * forwarding, day statement, and wallet issuance (demo phone side). Every reply is validated
 * before use; anything unexpected is a TransportError, so callers treat it like a lost reply
 * (retry later, idempotently) rather than trusting a half-understood answer.
 *
 * Every request is signed with the terminal's key (the online routes' HMAC scheme over a
 * digest of the body; PROTOCOL.md), with a fresh nonce and timestamp per attempt, so a resent
 * batch is a new request to the transport and the same items to the acquirer (idempotent on
 * terminal + order number).
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { bodyDigest } from './wire';
import { signedHeaders } from '../acquirer/signing';

export class TransportError extends Error {
  /** The acquirer's error code from a refusal's body (`auth_failed`, `stale_request` …), when it gave one. */
  readonly code: string | null;
  /** The acquirer's clock minus ours, from its reply's Date header (for a clock-skew refusal). */
  readonly skewMs: number | null;

  constructor(readonly why: 'timeout' | 'reset' | 'refused' | 'http' | 'bad_reply', readonly detail = '', extra: { code?: string | null; skewMs?: number | null } = {}) {
    super(`${why}${detail ? `: ${detail}` : ''}`);
    this.name = 'TransportError';
    this.code = extra.code ?? null;
    this.skewMs = extra.skewMs ?? null;
  }
}

/** The `refused` detail when the terminal has no key to sign with (core/forward/failures.ts reads it). */
export const NO_TERMINAL_KEY = 'no terminal key';

interface Reply {
  status: number;
  body: Buffer;
  /** The journal head the acquirer held before this exchange (`x-journal-anchor`), when it sent one. */
  anchor: string | null;
  rttMs: number;
  /** The reply's Date header parsed (ms), and our clock at the exchange's midpoint. */
  serverDate: number | null;
  midpoint: number;
}

/**
 * A refusal as a TransportError, keeping what the acquirer said: its error code (a short
 * identifier in a small JSON body; anything else is ignored, never echoed) and, from its Date
 * header, how far our clock is from its (1 s resolution: enough to tell the installer "about
 * N minutes").
 */
function httpError(r: Reply): TransportError {
  let code: string | null = null;
  if (r.body.length <= 1024) {
    try {
      const e = (JSON.parse(r.body.toString('utf8')) as { error?: unknown }).error;
      if (typeof e === 'string' && /^[a-z_]{1,40}$/.test(e)) code = e;
    } catch {
      // Not JSON: no code.
    }
  }
  const skewMs = r.serverDate === null ? null : r.serverDate - r.midpoint;
  return new TransportError('http', String(r.status), { code, skewMs });
}

const IssuerKeyWire = z.object({
  keyId: z.number().int().min(0).max(0xffffffff),
  publicKey: z.string().regex(/^(04[0-9a-f]{128}|0[23][0-9a-f]{64})$/),
  validFrom: z.number().int().min(0),
  validTo: z.number().int().min(0),
});

export const SyncReply = z.object({
  serverTime: z.number().int().positive(),
  issuerKeys: z.array(IssuerKeyWire).max(64),
  revoked: z.array(z.string().regex(/^[0-9A-F]{16}$/)).max(1_000_000),
  // Parsed leniently here: a policy the terminal cannot read keeps the previous one (never falls open).
  policy: z.unknown(),
});
export type SyncReply = z.infer<typeof SyncReply>;

export const StatementReply = z.object({
  terminalId: z.string(),
  date: z.string(),
  lines: z.array(z.object({ orderNo: z.string().max(40), amountFen: z.number().int().min(0).max(100_000_000), at: z.number().int() })).max(200_000),
});
export type StatementReply = z.infer<typeof StatementReply>;

export const WalletReply = z.object({ walletId: z.string().regex(/^[0-9A-F]{16}$/), certificate: z.string().regex(/^[A-Z2-7]+$/), grade: z.enum(['S', 'A', 'B', 'C']) });

/**
 * The journal head every sync, forwarded batch and statement carries to the acquirer (PROTOCOL.md,
 * "Journal anchors"), and what is done with the head the acquirer says it held (core/ledger/check.ts).
 */
export interface JournalAnchorPort {
  /** `<keyId>.<seq>.<hash>`, or null when there is nothing to anchor. */
  head(): Promise<string | null>;
  acquirerAnswered(sent: string | null, held: string | null): Promise<void>;
}

export interface ClientOptions {
  baseUrl: string;
  terminalId: string;
  /** The terminal's HMAC key (hex), or where to read it (live mode: the platform's secret store). */
  key: string | (() => Promise<string | null>);
  /** Minimum time allowed for any exchange. */
  minTimeoutMs?: number;
  /** Tests only: certificates to trust for HTTPS instead of the system's (PEM). */
  ca?: string;
  /** The journal's anchor (absent: no head sent, as before). */
  anchor?: JournalAnchorPort;
}

/** What the forwarder and the offline service use of a client (core/forward/switchable-client.ts swaps one). */
export type OfflineLink = Pick<OfflineClient, 'sync' | 'statement' | 'forward' | 'probe' | 'close'>;

export class OfflineClient {
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly minTimeout: number;
  /** A live acquirer is reached over HTTPS (the simulator in demo mode over plain HTTP on 127.0.0.1). */
  private readonly lib: typeof http | typeof https;

  constructor(private readonly opts: ClientOptions) {
    this.url = new URL(opts.baseUrl);
    this.minTimeout = opts.minTimeoutMs ?? 10_000;
    const tls = this.url.protocol === 'https:';
    this.lib = tls ? https : http;
    this.agent = tls ? new https.Agent({ keepAlive: true, maxSockets: 2, ca: opts.ca }) : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  private async keyHex(): Promise<string> {
    const k = typeof this.opts.key === 'string' ? this.opts.key : await this.opts.key();
    // No key yet (live terminal not provisioned): nothing can be sent; retried like a dead link.
    if (!k || !/^[0-9a-f]{64}$/.test(k)) throw new TransportError('refused', NO_TERMINAL_KEY);
    return k;
  }

  /** One signed exchange. `timeoutMs` is the idle timeout (no byte moved for that long). */
  async request(method: 'GET' | 'POST', path: string, body: Buffer | null, contentType: string, timeoutMs = this.minTimeout): Promise<Reply> {
    const auth = signedHeaders(this.opts.terminalId, await this.keyHex(), method, path, bodyDigest(body));
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const sentAt = Date.now();
      const req = this.lib.request(
        {
          host: this.url.hostname, port: this.url.port, method, path, agent: this.agent,
          headers: body ? { ...auth, 'content-type': contentType, 'content-length': body.length } : auth,
        },
        (res) => {
          const parts: Buffer[] = [];
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
            if (n > 32 * 1024 * 1024) req.destroy(new TransportError('bad_reply', 'too large'));
            else parts.push(c);
          });
          res.on('end', () => {
            const rttMs = performance.now() - t0;
            const date = typeof res.headers.date === 'string' ? Date.parse(res.headers.date) : NaN;
            const held = res.headers['x-journal-anchor'];
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), anchor: typeof held === 'string' ? held : null, rttMs, serverDate: Number.isFinite(date) ? date : null, midpoint: sentAt + rttMs / 2 });
          });
          res.on('error', (e) => reject(e instanceof TransportError ? e : new TransportError('reset', e.message)));
        },
      );
      req.setTimeout(Math.max(timeoutMs, this.minTimeout), () => req.destroy(new TransportError('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof TransportError) reject(e);
        else reject(new TransportError(e.code === 'ECONNREFUSED' ? 'refused' : 'reset', e.code ?? e.message));
      });
      if (body) req.end(body);
      else req.end();
    });
  }

  /**
   * An exchange that carries the journal head (sync, forward, statement): the head goes in the
   * query string, so the request signature covers it; an answered exchange hands the acquirer's
   * previous head to the journal's check. The journal never blocks the exchange itself.
   */
  private async anchored(method: 'GET' | 'POST', path: string, body: Buffer | null, contentType: string, timeoutMs?: number): Promise<Reply> {
    const a = this.opts.anchor;
    const sent = a ? await a.head().catch(() => null) : null;
    const r = await this.request(method, sent ? `${path}${path.includes('?') ? '&' : '?'}head=${sent}` : path, body, contentType, timeoutMs);
    if (a && r.status === 200) await a.acquirerAnswered(sent, r.anchor).catch(() => undefined);
    return r;
  }

  private async getJson<T>(path: string, schema: z.ZodType<T>): Promise<{ value: T; rttMs: number; sentAt: number }> {
    const sentAt = Date.now();
    const r = await this.anchored('GET', path, null, '');
    if (r.status !== 200) throw httpError(r);
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body.toString('utf8'));
    } catch {
      throw new TransportError('bad_reply', 'not json');
    }
    const v = schema.safeParse(parsed);
    if (!v.success) throw new TransportError('bad_reply', 'schema');
    return { value: v.data, rttMs: r.rttMs, sentAt };
  }

  /** Sync, with the clock offset estimated from the reply's midpoint (NTP-style). */
  async sync(): Promise<{ reply: SyncReply; offsetMs: number; rttMs: number }> {
    const { value, rttMs, sentAt } = await this.getJson('/offline/v1/sync', SyncReply);
    return { reply: value, offsetMs: value.serverTime - (sentAt + rttMs / 2), rttMs };
  }

  async statement(terminalId: string, date: string): Promise<StatementReply> {
    const q = new URLSearchParams({ terminalId, date });
    return (await this.getJson(`/offline/v1/statement?${q}`, StatementReply)).value;
  }

  /** Sends a batch body; resolves with the raw (still compressed) answer. */
  async forward(body: Buffer, timeoutMs: number): Promise<{ body: Buffer; rttMs: number }> {
    const r = await this.anchored('POST', '/offline/v1/forward', body, 'application/octet-stream', timeoutMs);
    if (r.status === 409) throw new TransportError('http', 'need_full_certs');
    if (r.status !== 200) throw httpError(r);
    return { body: r.body, rttMs: r.rttMs };
  }

  async issueWallet(input: { publicKey: string; grade?: string; balanceFen?: number }): Promise<z.infer<typeof WalletReply>> {
    const r = await this.request('POST', '/offline/v1/wallets', Buffer.from(JSON.stringify(input)), 'application/json');
    if (r.status !== 200) throw httpError(r);
    const v = WalletReply.safeParse(JSON.parse(r.body.toString('utf8')));
    if (!v.success) throw new TransportError('bad_reply', 'schema');
    return v.data;
  }

  /**
   * A cheap probe of the link (the sync endpoint's headers would do; sync is small). A refused
   * signature (401/403) still proves the link is up: the acquirer answered. Whether it accepts
   * this terminal is the forwarder's to report (core/forward/failures.ts), not the link's.
   */
  async probe(): Promise<number> {
    const r = await this.request('GET', '/offline/v1/sync', null, '', 5_000);
    if (r.status !== 200 && r.status !== 401 && r.status !== 403) throw httpError(r);
    return r.rttMs;
  }

  close(): void {
    this.agent.destroy();
  }
}
