/**
 * A typed client of the simulator's control routes (`/sim/…`), signed with a terminal key like
 * any other request. Used by the demo handlers (trainers, the customer-phone panel), the tests
 * and the crash worker.
 */
import { SignedHttpClient } from '../http-client';
import type { FaultRuleInput } from './faults';
import type { WalletRow } from './payment-routes';

type ControlLink = { baseUrl: string; terminalId: string; key: string | (() => Promise<string | null>); ca?: string };

export class SimulatorControl {
  private http: SignedHttpClient;

  constructor(opts: ControlLink) {
    this.http = new SignedHttpClient({ ...opts, timeoutMs: 10_000 });
  }

  /** Another simulator (a trainer saved a new connection in training mode). */
  relink(opts: ControlLink): void {
    const old = this.http;
    this.http = new SignedHttpClient({ ...opts, timeoutMs: 10_000 });
    old.close();
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const x = await this.http.request('control', method, path, body);
    if (x.kind !== 'answer') throw new Error(`simulator unreachable: ${x.why}`);
    if (x.status !== 200) {
      const b = (x.body ?? {}) as { err_code?: string; err_en?: string };
      throw Object.assign(new Error(`simulator refused ${path}: ${b.err_code ?? x.status} ${b.err_en ?? ''}`), { simCode: b.err_code ?? String(x.status) });
    }
    return x.body as T;
  }

  async wallets(): Promise<WalletRow[]> {
    return (await this.call<{ wallets: WalletRow[] }>('GET', '/sim/wallets')).wallets;
  }
  async issueCode(walletId: string): Promise<{ code: string; expiresAt: number }> {
    const r = await this.call<{ code: string; expires_at: number }>('POST', '/sim/codes', { wallet_id: walletId });
    return { code: r.code, expiresAt: r.expires_at };
  }
  /** Whether a code it issued is still good, used by a charge, or expired (`unknown`: never issued). */
  async codeState(code: string): Promise<'fresh' | 'used' | 'expired' | 'unknown'> {
    return (await this.call<{ state: 'fresh' | 'used' | 'expired' | 'unknown' }>('POST', '/sim/codes/state', { code })).state;
  }
  async userPaying(orderNo: string, confirm: boolean): Promise<string> {
    return (await this.call<{ trade_status: string }>('POST', '/sim/userpaying', { out_trade_no: orderNo, confirm })).trade_status;
  }
  async payQr(orderNo: string, walletId: string): Promise<string> {
    return (await this.call<{ trade_status: string }>('POST', '/sim/qr/pay', { out_trade_no: orderNo, wallet_id: walletId })).trade_status;
  }
  async setFaults(rules: FaultRuleInput[], append = false): Promise<void> {
    await this.call('POST', '/sim/faults', { rules, append });
  }
  async clearFaults(): Promise<void> {
    await this.call('POST', '/sim/faults/clear', {});
  }
  async orders(): Promise<{ orders: Array<{ out_trade_no: string; status: string; amount_fen: number; wallet_id: string | null; refunded_fen: number; kind: string }>; ledger: Array<{ out_trade_no: string; ref_no: string; kind: string; amount_fen: number; wallet_id: string }> }> {
    return this.call('GET', '/sim/orders');
  }
  close(): void {
    this.http.close();
  }
}
