/**
 * "Test connection": what an installer runs before saving an acquirer connection. Two signed,
 * harmless requests (PROTOCOL.md, "Connection check"): `POST /v1/ping` with the signing key (it
 * moves nothing), then `GET /offline/v1/sync` with the offline-route key (it only reads the
 * trust material every terminal syncs). Each failure is told apart, because each has a
 * different person to fix it: the network (cannot reach, timeout), the certificate (TLS), the
 * terminal's clock, the keys, or the ids the acquirer issued.
 *
 * Invariants: the keys are used to sign and for nothing else — never in a result, an error or
 * a log line; `detail` carries only an error code or an HTTP status.
 */
import { SignedHttpClient, type Exchange } from './http-client';

export type ConnectionOutcome =
  /** Both keys accepted; the acquirer knows this terminal under this merchant. */
  | 'ok'
  /** No connection: refused, no route, name not found, connection dropped. */
  | 'unreachable'
  /** Connected (or trying) but no answer within the request timeout. */
  | 'timeout'
  /** The TLS handshake failed: a certificate not trusted, expired or for another name, or not HTTPS at all. */
  | 'tls'
  /** The acquirer refused the request's timestamp: the terminal's clock is off. */
  | 'clock_skew'
  /** The signing key was refused (401/403). */
  | 'key_refused'
  /** The signing key was accepted, the offline-route key refused. */
  | 'offline_key_refused'
  /** The acquirer does not know this terminal id. */
  | 'wrong_terminal'
  /** The terminal exists, under another merchant id. */
  | 'wrong_merchant'
  /** Something answered, but not the acquirer protocol (a web page, a missing route). */
  | 'not_acquirer'
  /** The acquirer answered 5xx. */
  | 'server_error';

export interface ConnectionCheck {
  outcome: ConnectionOutcome;
  /** Round trip of the signed ping in ms, when it was answered. */
  rttMs: number | null;
  /** The acquirer's clock minus the terminal's (ms), when it told its time. */
  clockOffsetMs: number | null;
  /** What the acquirer says of itself: true when no real money moves there; null before an OK answer. */
  training: boolean | null;
  /** For support: an error code or an HTTP status, never a key, a body or a header. */
  detail: string;
}

export interface ConnectionTestInput {
  baseUrl: string;
  merchantId: string;
  terminalId: string;
  signingKey: string;
  offlineKey: string;
  timeoutMs: number;
  /** Tests only: certificates to trust instead of the system's (http-client.ts). */
  ca?: string;
}

/** A transport failure by its Node error code. */
function transportOutcome(why: string): ConnectionOutcome {
  if (why === 'timeout') return 'timeout';
  // OpenSSL's and Node's TLS codes: certificate checks, a handshake with something that is not TLS.
  if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_|HOSTNAME/.test(why)) return 'tls';
  // Refused, no route, name not found, dropped: the link, whatever the exact code.
  return 'unreachable';
}

/** A short code from an answer's body (`err_code` on /v1, `error` on /offline/v1), or ''. */
function codeOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const b = body as { err_code?: unknown; error?: unknown };
  const c = typeof b.err_code === 'string' ? b.err_code : typeof b.error === 'string' ? b.error : '';
  return /^[A-Za-z_]{1,40}$/.test(c) ? c : '';
}

function numberField(body: unknown, name: string): number | null {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Runs the check. Never throws for anything the network or the acquirer does. */
export async function testConnection(input: ConnectionTestInput): Promise<ConnectionCheck> {
  const common = { baseUrl: input.baseUrl, terminalId: input.terminalId, timeoutMs: input.timeoutMs, ca: input.ca };
  const online = new SignedHttpClient({ ...common, key: input.signingKey });
  const offline = new SignedHttpClient({ ...common, key: input.offlineKey, signs: 'body_digest' });
  try {
    const sentAt = Date.now();
    const t0 = performance.now();
    const x = await online.request('ping', 'POST', '/v1/ping', { merchant_id: input.merchantId });
    const rttMs = Math.round(performance.now() - t0);
    const offset = (serverTime: number | null) => (serverTime === null ? null : Math.round(serverTime - (sentAt + rttMs / 2)));
    const first = pingOutcome(x);
    if (first.outcome !== 'ok') {
      const answered = x.kind === 'answer';
      return { outcome: first.outcome, rttMs: answered ? rttMs : null, clockOffsetMs: answered ? offset(numberField(x.body, 'server_time')) : null, training: null, detail: first.detail };
    }
    const body = (x as Extract<Exchange, { kind: 'answer' }>).body as { training?: unknown; server_time?: unknown };
    const training = body.training === true;
    const clockOffsetMs = offset(numberField(body, 'server_time'));
    const y = await offline.request('offline_sync', 'GET', '/offline/v1/sync');
    const second = offlineOutcome(y);
    return { outcome: second.outcome, rttMs, clockOffsetMs, training, detail: second.detail };
  } finally {
    online.close();
    offline.close();
  }
}

/**
 * What a configuration that names its own acquirer in demo mode must show before the counter
 * starts on it (core/app.ts): the answer to a ping signed with the terminal's key says training
 * (`training: true`), as a saved connection's test requires. No merchant id is sent: the
 * configuration has none, and the question is only whether real money moves there.
 */
export async function provesTraining(input: Omit<ConnectionTestInput, 'merchantId' | 'offlineKey'>): Promise<{ training: boolean; outcome: ConnectionOutcome; detail: string }> {
  const client = new SignedHttpClient({ baseUrl: input.baseUrl, terminalId: input.terminalId, timeoutMs: input.timeoutMs, ca: input.ca, key: input.signingKey });
  try {
    const x = await client.request('ping', 'POST', '/v1/ping', {});
    const r = pingOutcome(x);
    const training = r.outcome === 'ok' && (x as Extract<Exchange, { kind: 'answer' }>).body !== null && ((x as Extract<Exchange, { kind: 'answer' }>).body as { training?: unknown }).training === true;
    return { training, ...r };
  } finally {
    client.close();
  }
}

function pingOutcome(x: Exchange): { outcome: ConnectionOutcome; detail: string } {
  if (x.kind === 'transport') return { outcome: transportOutcome(x.why), detail: x.why.slice(0, 60) };
  const code = codeOf(x.body);
  const detail = `ping ${x.status}${code ? ` ${code}` : ''}`;
  if (x.status >= 500) return { outcome: 'server_error', detail };
  if (x.status === 401 || x.status === 403) {
    if (code === 'TERMINAL_UNKNOWN') return { outcome: 'wrong_terminal', detail };
    if (code === 'STALE_REQUEST') return { outcome: 'clock_skew', detail };
    return { outcome: 'key_refused', detail };
  }
  const b = x.body as { result?: unknown } | null;
  if (x.status === 200 && b && b.result === 'FAIL' && code === 'MERCHANT_MISMATCH') return { outcome: 'wrong_merchant', detail };
  if (x.status === 200 && b && b.result === 'OK') return { outcome: 'ok', detail };
  return { outcome: 'not_acquirer', detail };
}

function offlineOutcome(x: Exchange): { outcome: ConnectionOutcome; detail: string } {
  if (x.kind === 'transport') return { outcome: transportOutcome(x.why), detail: `offline ${x.why.slice(0, 60)}` };
  const code = codeOf(x.body);
  const detail = `offline ${x.status}${code ? ` ${code}` : ''}`;
  if (x.status >= 500) return { outcome: 'server_error', detail };
  if (x.status === 401 || x.status === 403) return { outcome: code === 'stale_request' ? 'clock_skew' : 'offline_key_refused', detail };
  if (x.status === 200 && numberField(x.body, 'serverTime') !== null) return { outcome: 'ok', detail: 'ok' };
  return { outcome: 'not_acquirer', detail };
}
