/**
 * WeChat Pay v2 付款码支付 (code payment) behind the `Acquirer` interface: `pay/micropay`,
 * `pay/orderquery`, `secapi/pay/reverse` and `secapi/pay/refund` (mutual TLS with the merchant's
 * API client certificate), `pay/refundquery`, `pay/downloadbill`. XML bodies and MD5 or
 * HMAC-SHA256 signatures come from `wechatpay-axios-plugin` (`Hash.sign`, `Transformer`); the
 * HTTPS exchange is Node's own, so the adapter knows whether a failed request can have arrived.
 *
 * Invariants:
 * - Every reply's signature is checked with the API key before a field is read; a reply that
 *   does not verify (or carries none) is `unknown`, never a success or a decline.
 * - The order number and refund number are sent as they are: WeChat deduplicates on them.
 * - WeChat v2 code payment has no merchant QR here: `precreate` is refused in plain words, and
 *   the routing acquirer sends a counter's QR to another wallet.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Hash, Transformer } from 'wechatpay-axios-plugin';
import type { Acquirer, AcquirerInfo, AcquirerTimings, CancelOutcome, PayOutcome, PayRequest, PrecreateOutcome, Probe, QueryOutcome, RefundOutcome, RefundQueryOutcome, RefundRequest, Statement } from '../types';
import { walletDecline } from '../wallet-words';
import { parseWechatBill } from './bill';
import { mapCancel, mapPay, mapQuery, mapRefund, mapRefundQuery, type WechatReply } from './mapping';

export type WechatSignType = 'MD5' | 'HMAC-SHA256';

export interface WechatOptions {
  appId: string;
  mchId: string;
  /** The v2 API key (32 characters) set in the merchant platform. */
  apiKey: string;
  signType: WechatSignType;
  /** The merchant API client certificate and its key (apiclient_cert.pem, apiclient_key.pem). */
  clientCert: { cert: string; key: string };
  /** `https://api.mch.weixin.qq.com` live; a fake gateway in tests. */
  baseUrl: string;
  /** The counter's IP address, which micropay requires (`spbill_create_ip`). */
  terminalIp?: string;
  timings: AcquirerTimings;
  probe?: Probe;
  /** Tests only: certificates to trust for HTTPS. */
  ca?: string;
}

export const WECHAT_BASE_URL = 'https://api.mch.weixin.qq.com';

const NEVER_CONNECTED = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'];

type Raw = { kind: 'answer'; status: number; text: string } | { kind: 'transport'; why: string; maybeDelivered: boolean };

/** `20261206` from `2026-12-06`. */
const billDate = (d: string) => d.replaceAll('-', '');

export class WechatAcquirer implements Acquirer {
  private readonly info: AcquirerInfo;
  private readonly plain: https.Agent;
  private readonly mutual: https.Agent;

  constructor(private readonly opts: WechatOptions) {
    if (opts.apiKey.length !== 32) throw new Error('wechat: the v2 API key has 32 characters');
    if (!opts.clientCert.cert || !opts.clientCert.key) throw new Error('wechat: the API client certificate and key are required (reverse, refund)');
    this.plain = new https.Agent({ keepAlive: true, maxSockets: 4, ca: opts.ca });
    this.mutual = new https.Agent({ keepAlive: true, maxSockets: 2, ca: opts.ca, cert: opts.clientCert.cert, key: opts.clientCert.key });
    this.info = {
      name: 'wechat',
      timings: { ...opts.timings },
      // WeChat: refunds within 1 year, at most 50 partial refunds per payment.
      refundWindowMs: 365 * 24 * 3600_000,
      maxRefundsPerPayment: 50,
      training: false,
    };
  }

  config(): AcquirerInfo {
    return this.info;
  }

  /** Signs `fields` (with appid, mch_id, nonce_str, sign_type) as WeChat v2 asks. */
  signedXml(fields: Record<string, string>): string {
    const data: Record<string, string> = { appid: this.opts.appId, mch_id: this.opts.mchId, nonce_str: crypto.randomBytes(16).toString('hex'), sign_type: this.opts.signType, ...fields };
    data.sign = Hash.sign(this.opts.signType, data, this.opts.apiKey);
    return Transformer.toXml(data);
  }

  /** A reply the mapping can trust, or why there is none. */
  readReply(raw: Raw): WechatReply {
    if (raw.kind === 'transport') return raw;
    // A 4xx is WeChat refusing THIS request unread; any other non-200 may follow the work.
    if (raw.status >= 400 && raw.status < 500) return { kind: 'rejected', httpStatus: raw.status };
    if (raw.status !== 200) return { kind: 'unverified', why: `http ${raw.status}` };
    let obj: unknown;
    try {
      obj = Transformer.toObject(raw.text);
    } catch {
      return { kind: 'unverified', why: 'unreadable XML' };
    }
    if (typeof obj !== 'object' || obj === null) return { kind: 'unverified', why: 'unreadable XML' };
    const body = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]));
    if (!body.sign) {
      // WeChat's own refusal of a request is unsigned (return_code FAIL): only that, and only
      // its two fields, is read from an unsigned reply; it can say "not processed", nothing more.
      if (body.return_code === 'FAIL') return { kind: 'answer', body: { return_code: 'FAIL', return_msg: (body.return_msg ?? '').slice(0, 120) } };
      return { kind: 'unverified', why: 'unsigned reply' };
    }
    if (!Hash.equals(Hash.sign(this.opts.signType, body, this.opts.apiKey), body.sign)) return { kind: 'unverified', why: 'reply signature does not verify' };
    if (body.mch_id && body.mch_id !== this.opts.mchId) return { kind: 'unverified', why: 'reply names another merchant' };
    return { kind: 'answer', body };
  }

  async call(path: string, op: string, fields: Record<string, string>, mutual = false, onSent?: () => void): Promise<WechatReply> {
    return this.readReply(await this.post(path, op, this.signedXml(fields), mutual, onSent));
  }

  private post(path: string, op: string, xml: string, mutual: boolean, onSent?: () => void): Promise<Raw> {
    const url = new URL(path, this.opts.baseUrl);
    const probe = this.opts.probe;
    const started = performance.now();
    return new Promise<Raw>((resolve) => {
      let connected = false;
      let settled = false;
      const done = (x: Raw) => {
        if (settled) return;
        settled = true;
        probe?.(x.kind === 'answer' && x.status < 500 ? 'round_trip' : 'transport_failed', op, performance.now() - started);
        resolve(x);
      };
      let req: http.ClientRequest;
      try {
        req = https.request(url, {
          method: 'POST',
          agent: mutual ? this.mutual : this.plain,
          timeout: this.opts.timings.requestTimeoutMs,
          headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(Buffer.byteLength(xml)) },
        }, (res: http.IncomingMessage) => {
          probe?.('response_headers', op);
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('aborted', () => done({ kind: 'transport', why: 'response aborted', maybeDelivered: true }));
          res.on('error', () => done({ kind: 'transport', why: 'response aborted', maybeDelivered: true }));
          res.on('end', () => done({ kind: 'answer', status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        });
      } catch (e) {
        // An unusable client certificate or key fails before anything is sent.
        done({ kind: 'transport', why: e instanceof Error ? e.message.slice(0, 120) : 'request not built', maybeDelivered: false });
        return;
      }
      req.on('socket', (s) => {
        if (!s.connecting) connected = true;
        else s.once('connect', () => (connected = true));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A TLS handshake that failed never carried the request either.
        const neverSent = (!connected && NEVER_CONNECTED.includes(e.code ?? '')) || /certificate|self.signed|handshake/i.test(`${e.code} ${e.message}`);
        done({ kind: 'transport', why: e.code ?? e.message, maybeDelivered: !neverSent });
      });
      req.end(xml, () => {
        probe?.('request_sent', op);
        onSent?.();
      });
    });
  }

  async pay(req: PayRequest): Promise<PayOutcome> {
    return mapPay(await this.call('/pay/micropay', 'pay', {
      body: req.subject.slice(0, 40),
      out_trade_no: req.orderNo,
      total_fee: String(req.amountFen),
      spbill_create_ip: this.opts.terminalIp ?? '127.0.0.1',
      auth_code: req.code,
    }, false, req.onSent));
  }

  async query(orderNo: string): Promise<QueryOutcome> {
    return mapQuery(await this.call('/pay/orderquery', 'query', { out_trade_no: orderNo }));
  }

  async cancel(orderNo: string): Promise<CancelOutcome> {
    return mapCancel(await this.call('/secapi/pay/reverse', 'cancel', { out_trade_no: orderNo }, true));
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    const o = mapRefund(await this.call('/secapi/pay/refund', 'refund', {
      out_trade_no: req.orderNo,
      out_refund_no: req.refundNo,
      total_fee: String(req.totalFen),
      refund_fee: String(req.amountFen),
      refund_desc: req.reason.slice(0, 80),
    }, true));
    if (o.status !== 'unknown') return o;
    // Unknown: WeChat's refund query says whether this refund number was taken.
    const q = await this.queryRefund(req.orderNo, req.refundNo);
    return q.status === 'succeeded' || q.status === 'failed' ? q : o;
  }

  /** What WeChat knows of one refund number (`pay/refundquery`). */
  async queryRefund(_orderNo: string, refundNo: string): Promise<RefundQueryOutcome> {
    return mapRefundQuery(await this.call('/pay/refundquery', 'refund_query', { out_refund_no: refundNo }));
  }

  async precreate(): Promise<PrecreateOutcome> {
    return { status: 'failed', ...walletDecline('NOT_OFFERED', 'NOT_OFFERED') };
  }

  /** `pay/downloadbill` (ALL): a text bill, or an XML refusal ("No Bill Exist": a day with none). */
  async statement(date: string): Promise<Statement> {
    const raw = await this.post('/pay/downloadbill', 'statement', this.signedXml({ bill_date: billDate(date), bill_type: 'ALL' }), false);
    if (raw.kind !== 'answer' || raw.status !== 200) throw new Error(`wechat statement unavailable (${raw.kind === 'answer' ? raw.status : raw.why})`);
    if (raw.text.trimStart().startsWith('<xml')) {
      const r = Transformer.toObject(raw.text) as Record<string, string> | null;
      if (r?.return_msg === 'No Bill Exist') return { date, lines: [], totalFen: 0 };
      throw new Error(`wechat statement refused (${r?.return_code ?? '?'}: ${r?.return_msg ?? r?.error_code ?? ''})`);
    }
    return parseWechatBill(date, raw.text);
  }

  close(): void {
    this.plain.destroy();
    this.mutual.destroy();
  }
}
