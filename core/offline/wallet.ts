/**
 * The customer's phone side of the offline code, as a library (a panel in the demo UI later):
 * holds the wallet key, the issuer's certificate and a monotonic counter, and makes codes with
 * no network. The counter only ever increases, so a terminal can refuse a replayed code.
 */
import { randomBytes } from 'node:crypto';
import { signCode, type KeyPair } from './code';

export interface WalletState {
  walletId: string;
  keyPair: KeyPair;
  /** Issuer certificate bytes as issued (base32 over the wire). */
  certificate: Uint8Array;
  counter: number;
}

export class OfflineWallet {
  constructor(private readonly state: WalletState) {}

  get walletId(): string {
    return this.state.walletId;
  }

  get counter(): number {
    return this.state.counter;
  }

  /** A fresh code dated `nowMs` (the phone's clock). Each call uses the next counter. */
  nextCode(nowMs: number = Date.now()): string {
    this.state.counter += 1;
    return signCode(this.state.certificate, this.state.keyPair, {
      codeTime: Math.floor(nowMs / 1000),
      counter: this.state.counter,
      nonce: randomBytes(8),
    });
  }

  /** A code with chosen fields, for tests and demos of refusals (future-dated, stale, replayed). */
  codeWith(p: { codeTimeMs: number; counter: number }): string {
    return signCode(this.state.certificate, this.state.keyPair, {
      codeTime: Math.floor(p.codeTimeMs / 1000),
      counter: p.counter,
      nonce: randomBytes(8),
    });
  }
}
