/**
 * Refunds of confirmed offline-code payments over the sandbox protocol's offline routes
 * (simulator/PROTOCOL.md, "Offline routes": `POST /offline/v1/refund`, `GET /offline/v1/refund`).
 * Signed like every offline route (the HMAC over the body's SHA-256); the outcomes follow the
 * rules of ../types.ts, mapped in mapping.ts. Demo mode points it at the embedded offline
 * acquirer through the link emulator, so a refund meets the same network as forwarding does.
 */
import { SignedHttpClient, type HttpClientOptions } from '../http-client';
import type { OfflineRefunds, Probe, RefundOutcome, RefundQueryOutcome, RefundRequest } from '../types';
import { mapOfflineRefund, mapOfflineRefundQuery } from './mapping';
import type { WireOfflineRefundRequest } from './wire';

export interface SandboxOfflineRefundsOptions {
  baseUrl: string;
  terminalId: string;
  key: HttpClientOptions['key'];
  /** One exchange; after this the outcome is unknown (the configured `requestTimeoutMs`). */
  timeoutMs: number;
  probe?: Probe;
  /** Tests only: certificates to trust for HTTPS (http-client.ts). */
  ca?: string;
}

export class SandboxOfflineRefunds implements OfflineRefunds {
  private readonly http: SignedHttpClient;

  constructor(opts: SandboxOfflineRefundsOptions) {
    this.http = new SignedHttpClient({ ...opts, signs: 'body_digest' });
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    const body: WireOfflineRefundRequest = { orderNo: req.orderNo, refundNo: req.refundNo, amountFen: req.amountFen, totalFen: req.totalFen, reason: req.reason };
    // Named `refund` like the online route, so the crash points of a refund request apply to both.
    return mapOfflineRefund(await this.http.request('refund', 'POST', '/offline/v1/refund', body));
  }

  async queryRefund(refundNo: string): Promise<RefundQueryOutcome> {
    return mapOfflineRefundQuery(await this.http.request('refund_query', 'GET', `/offline/v1/refund?refundNo=${encodeURIComponent(refundNo)}`));
  }

  close(): void {
    this.http.close();
  }
}
