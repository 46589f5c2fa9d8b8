/**
 * Alipay 当面付 (Face-to-Face) behind the `Acquirer` interface, through the official `alipay-sdk`:
 * it builds and RSA2-signs each request (public-key mode, or certificate mode with the app
 * certificate, Alipay's public certificate and root certificate) and verifies each answer's
 * signature. Nothing here signs or verifies by hand.
 *
 * Invariants:
 * - Every `exec` asks the SDK to verify (`validateSign: true`), and the adapter refuses to be
 *   built without Alipay's public key or certificate (without one the SDK skips verification with
 *   a warning): an answer that does not verify is `unknown`, never a success.
 * - The order number and refund number (`out_request_no`) are sent as they are: Alipay
 *   deduplicates on them, so a re-sent pay or refund never charges or refunds twice.
 */
import https from 'node:https';
import { AlipaySdk, type AlipaySdkConfig } from 'alipay-sdk';
// urllib is alipay-sdk's own HTTP client; its Agent is how the SDK is told which CA to trust.
import { Agent, type Dispatcher } from 'urllib';
import { formatFen } from '../../money';
import type { Acquirer, AcquirerInfo, AcquirerTimings, CancelOutcome, PayOutcome, PayRequest, PrecreateOutcome, PrecreateRequest, Probe, QueryOutcome, RefundOutcome, RefundQueryOutcome, RefundRequest, Statement } from '../types';
import { parseTradeBillZip } from './bill';
import { mapCancel, mapPay, mapPrecreate, mapQuery, mapRefund, mapRefundQuery, type AlipayBody, type AlipayReply } from './mapping';

/** The two key modes Alipay's open platform offers an app. */
export type AlipayKeys =
  | { mode: 'public_key'; appPrivateKey: string; alipayPublicKey: string }
  | { mode: 'cert'; appPrivateKey: string; appCert: string; alipayPublicCert: string; alipayRootCert: string };

export interface AlipayOptions {
  appId: string;
  keys: AlipayKeys;
  /** `https://openapi.alipay.com/gateway.do` live; a fake gateway's address in tests. */
  gateway: string;
  timings: AcquirerTimings;
  probe?: Probe;
  /** Tests only: certificates to trust for HTTPS (a live counter trusts the system's). */
  ca?: string;
}

export const ALIPAY_GATEWAY = 'https://openapi.alipay.com/gateway.do';

/** Connection codes that prove the request never left (nobody can have been charged). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CONNECT']);

function keyConfig(k: AlipayKeys): Pick<AlipaySdkConfig, 'privateKey' | 'keyType' | 'alipayPublicKey' | 'appCertContent' | 'alipayPublicCertContent' | 'alipayRootCertContent'> {
  const keyType = k.appPrivateKey.includes('BEGIN RSA PRIVATE KEY') ? 'PKCS1' : 'PKCS8';
  if (k.mode === 'public_key') {
    if (!k.alipayPublicKey.trim()) throw new Error('alipay: the Alipay public key is required to verify answers');
    return { privateKey: k.appPrivateKey, keyType, alipayPublicKey: k.alipayPublicKey };
  }
  if (!k.appCert.trim() || !k.alipayPublicCert.trim() || !k.alipayRootCert.trim()) throw new Error('alipay: certificate mode needs all three certificates');
  return { privateKey: k.appPrivateKey, keyType, appCertContent: k.appCert, alipayPublicCertContent: k.alipayPublicCert, alipayRootCertContent: k.alipayRootCert };
}

/**
 * urllib silently sends a request again, once, when the socket fails after connecting
 * (`UND_ERR_SOCKET`, `ECONNRESET`: its `socketErrorRetry`, not settable through the SDK). For a
 * pay or refund that may have landed, that second copy's answer would be read as the first's:
 * a refused copy (stale timestamp, 4xx) would fail a payment whose money was taken. Renaming
 * those codes on their way out of the dispatcher turns the retry off; the adapter then reports
 * `unknown` and the engine alone decides what is sent again.
 */
const SOCKET_LOST = 'ACQ_SOCKET_LOST';
function noSilentResend(e: unknown): unknown {
  const err = e as { code?: unknown } | null;
  if (err && typeof err === 'object' && (err.code === 'UND_ERR_SOCKET' || err.code === 'ECONNRESET')) err.code = SOCKET_LOST;
  return e;
}
const withoutSilentResend: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
  dispatch(opts, new Proxy(handler, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (prop === 'onError') return (err: Error) => (v as (e: Error) => void).call(target, noSilentResend(err) as Error);
      if (prop === 'onResponseError') return (c: unknown, err: Error) => (v as (c: unknown, e: Error) => void).call(target, c, noSilentResend(err) as Error);
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  }));

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i += 1) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export class AlipayAcquirer implements Acquirer {
  private readonly sdk: AlipaySdk;
  private readonly info: AcquirerInfo;
  private readonly agent: Agent;

  constructor(private readonly opts: AlipayOptions) {
    this.agent = new Agent(opts.ca ? { connect: { ca: opts.ca } } : {});
    this.sdk = new AlipaySdk({
      appId: opts.appId,
      ...keyConfig(opts.keys),
      gateway: opts.gateway,
      timeout: opts.timings.requestTimeoutMs,
      camelcase: false,
      // The SDK passes this to its HTTP client as the dispatcher.
      proxyAgent: this.agent.compose(withoutSilentResend) as unknown as AlipaySdkConfig['proxyAgent'],
    });
    if (!this.sdk.config.alipayPublicKey) throw new Error('alipay: no Alipay public key: answers could not be verified');
    this.info = {
      name: 'alipay',
      timings: { ...opts.timings },
      // Alipay: refunds within about 3 months of the payment.
      refundWindowMs: 90 * 24 * 3600_000,
      // Alipay documents no count limit for partial refunds; the engine still needs a bound.
      maxRefundsPerPayment: 50,
      training: false,
    };
  }

  config(): AcquirerInfo {
    return this.info;
  }

  /** One signed call; whatever happens, a reply the mapping can read (never a throw). */
  async call(method: string, op: string, bizContent: Record<string, unknown>): Promise<AlipayReply> {
    const started = performance.now();
    this.opts.probe?.('request_sent', op);
    try {
      const body = (await this.sdk.exec(method, { bizContent }, { validateSign: true })) as AlipayBody;
      // The SDK gives no earlier sign of an answer: Alipay has done the work by now.
      this.opts.probe?.('response_headers', op);
      this.opts.probe?.('round_trip', op, performance.now() - started);
      if (typeof body !== 'object' || body === null) return { kind: 'unverified', why: 'empty answer' };
      return { kind: 'answer', body };
    } catch (e) {
      this.opts.probe?.('transport_failed', op, performance.now() - started);
      const msg = e instanceof Error ? e.message : String(e);
      if (/^HttpClient Request error/.test(msg)) {
        const code = errCode((e as { cause?: unknown }).cause);
        // A refused connection or a failed TLS handshake never carried the request.
        const neverSent = NEVER_CONNECTED.has(code ?? '') || /CERT|SELF_SIGNED|TLS|SSL/.test(code ?? '');
        return { kind: 'transport', why: code ?? msg.slice(0, 120), maybeDelivered: !neverSent };
      }
      // The SDK throws on any non-200, its status only in the message. A 4xx is the gateway
      // refusing THIS request unread; should the wording change, it falls back to unknown (safe).
      const http4xx = /^HTTP 请求错误, status: (4\d\d)$/.exec(msg);
      if (http4xx) return { kind: 'rejected', httpStatus: Number(http4xx[1]) };
      // A bad signature, a 5xx, an unreadable body: something answered, nothing to trust.
      return { kind: 'unverified', why: msg.slice(0, 160) };
    }
  }

  async pay(req: PayRequest): Promise<PayOutcome> {
    return mapPay(await this.call('alipay.trade.pay', 'pay', {
      out_trade_no: req.orderNo,
      scene: 'bar_code',
      auth_code: req.code,
      subject: req.subject,
      total_amount: formatFen(req.amountFen),
    }));
  }

  async query(orderNo: string): Promise<QueryOutcome> {
    return mapQuery(await this.call('alipay.trade.query', 'query', { out_trade_no: orderNo }));
  }

  async cancel(orderNo: string): Promise<CancelOutcome> {
    return mapCancel(await this.call('alipay.trade.cancel', 'cancel', { out_trade_no: orderNo }));
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    const o = mapRefund(await this.call('alipay.trade.refund', 'refund', {
      out_trade_no: req.orderNo,
      out_request_no: req.refundNo,
      refund_amount: formatFen(req.amountFen),
      refund_reason: req.reason.slice(0, 256),
    }));
    if (o.status !== 'unknown') return o;
    // An unknown refund: Alipay's refund query says whether this refund number took effect.
    const q = await this.queryRefund(req.orderNo, req.refundNo);
    return q.status === 'succeeded' ? q : o;
  }

  /** What Alipay knows of one refund number (`alipay.trade.fastpay.refund.query`). */
  async queryRefund(orderNo: string, refundNo: string): Promise<RefundQueryOutcome> {
    return mapRefundQuery(await this.call('alipay.trade.fastpay.refund.query', 'refund_query', { out_trade_no: orderNo, out_request_no: refundNo, query_options: ['refund_status'] }));
  }

  async precreate(req: PrecreateRequest): Promise<PrecreateOutcome> {
    // Alipay counts the order's life in whole minutes (at least 1m); the engine closes it at
    // `expiresAt` itself, so rounding up never lets a code outlive what the screen shows.
    const minutes = Math.max(1, Math.ceil(req.expiresInMs / 60_000));
    const expiresAt = Date.now() + req.expiresInMs;
    return mapPrecreate(await this.call('alipay.trade.precreate', 'precreate', {
      out_trade_no: req.orderNo,
      total_amount: formatFen(req.amountFen),
      subject: req.subject,
      timeout_express: `${minutes}m`,
    }), expiresAt);
  }

  /** The bill download address, then the zip it names (GBK CSV inside). Throws when unavailable. */
  async statement(date: string): Promise<Statement> {
    const r = await this.call('alipay.data.dataservice.bill.downloadurl.query', 'statement', { bill_type: 'trade', bill_date: date });
    if (r.kind !== 'answer' || r.body.code !== '10000' || typeof r.body.bill_download_url !== 'string') {
      throw new Error(`alipay statement unavailable (${r.kind === 'answer' ? `${String(r.body.code)} ${String(r.body.sub_code ?? '')}` : r.kind === 'rejected' ? `http ${r.httpStatus}` : r.why})`);
    }
    return parseTradeBillZip(date, await this.download(r.body.bill_download_url));
  }

  private download(url: string): Promise<Uint8Array> {
    const u = new URL(url);
    if (u.protocol !== 'https:') return Promise.reject(new Error('alipay statement: the bill address is not https'));
    return new Promise((resolve, reject) => {
      const req = https.get(u, { ca: this.opts.ca, timeout: this.opts.timings.requestTimeoutMs * 4 }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`alipay statement: bill download answered ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('alipay statement: bill download timed out')));
      req.on('error', reject);
    });
  }

  close(): void {
    void this.agent.close();
  }
}
