/**
 * The sandbox acquirer adapter: the Acquirer interface over the documented JSON protocol of
 * simulator/PROTOCOL.md. Demo mode points it at the embedded simulator over real HTTP, so the
 * engine is exercised exactly as it would be against a remote acquirer.
 */
import { SignedHttpClient, type HttpClientOptions } from '../http-client';
import {
  type Acquirer,
  type AcquirerInfo,
  type AcquirerTimings,
  type CancelOutcome,
  type PayOutcome,
  type PayRequest,
  type PrecreateOutcome,
  type PrecreateRequest,
  type Probe,
  type QueryOutcome,
  type RefundOutcome,
  type RefundQueryOutcome,
  type RefundRequest,
  type Statement,
} from '../types';
import { mapCancel, mapPay, mapPrecreate, mapQuery, mapRefund, mapRefundQuery } from './mapping';
import type { WirePayRequest, WirePrecreateRequest, WireRefundQueryRequest, WireRefundRequest, WireStatement } from './wire';

export interface SandboxOptions {
  baseUrl: string;
  terminalId: string;
  key: HttpClientOptions['key'];
  /** From the validated configuration (core/config.ts); the adapter has no defaults of its own. */
  timings: AcquirerTimings;
  training: boolean;
  probe?: Probe;
  /** Tests only: certificates to trust for HTTPS (http-client.ts). */
  ca?: string;
}

export class SandboxAcquirer implements Acquirer {
  private readonly http: SignedHttpClient;
  private readonly info: AcquirerInfo;

  constructor(opts: SandboxOptions) {
    const timings = { ...opts.timings };
    this.info = {
      name: 'sandbox',
      timings,
      refundWindowMs: 90 * 24 * 3600_000,
      maxRefundsPerPayment: 50,
      training: opts.training,
    };
    this.http = new SignedHttpClient({ baseUrl: opts.baseUrl, terminalId: opts.terminalId, key: opts.key, timeoutMs: timings.requestTimeoutMs, probe: opts.probe, ca: opts.ca });
  }

  config(): AcquirerInfo {
    return this.info;
  }

  async pay(req: PayRequest): Promise<PayOutcome> {
    const body: WirePayRequest = { out_trade_no: req.orderNo, auth_code: req.code, total_fen: req.amountFen, subject: req.subject };
    return mapPay(await this.http.request('pay', 'POST', '/v1/pay', body, req.onSent));
  }

  async query(orderNo: string): Promise<QueryOutcome> {
    return mapQuery(await this.http.request('query', 'POST', '/v1/query', { out_trade_no: orderNo }));
  }

  async cancel(orderNo: string): Promise<CancelOutcome> {
    return mapCancel(await this.http.request('cancel', 'POST', '/v1/cancel', { out_trade_no: orderNo }));
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    const body: WireRefundRequest = {
      out_trade_no: req.orderNo,
      out_refund_no: req.refundNo,
      refund_fen: req.amountFen,
      total_fen: req.totalFen,
      reason: req.reason,
    };
    return mapRefund(await this.http.request('refund', 'POST', '/v1/refund', body));
  }

  async queryRefund(orderNo: string, refundNo: string): Promise<RefundQueryOutcome> {
    const body: WireRefundQueryRequest = { out_trade_no: orderNo, out_refund_no: refundNo };
    return mapRefundQuery(await this.http.request('refund_query', 'POST', '/v1/refund/query', body));
  }

  async precreate(req: PrecreateRequest): Promise<PrecreateOutcome> {
    const body: WirePrecreateRequest = {
      out_trade_no: req.orderNo,
      total_fen: req.amountFen,
      subject: req.subject,
      expires_in_s: Math.max(1, Math.round(req.expiresInMs / 1000)),
    };
    return mapPrecreate(await this.http.request('precreate', 'POST', '/v1/precreate', body));
  }

  async statement(date: string): Promise<Statement> {
    const x = await this.http.request('statement', 'GET', `/v1/statement?date=${encodeURIComponent(date)}`);
    if (x.kind !== 'answer' || x.status !== 200 || typeof x.body !== 'object' || x.body === null) {
      throw new Error(`statement unavailable (${x.kind === 'answer' ? x.status : x.why})`);
    }
    const s = x.body as WireStatement;
    return {
      date: s.date,
      totalFen: s.total_fen,
      lines: s.lines.map((l) => ({ kind: l.kind, orderNo: l.out_trade_no, refNo: l.ref_no, amountFen: l.amount_fen, at: l.at })),
    };
  }

  close(): void {
    this.http.close();
  }
}
