/**
 * Which tenders the counter's acquirers allow (`acquirer:tenders`), from what the counter runs
 * on now: the project's own protocol (demo's embedded simulator, or a saved sandbox connection)
 * has PROTOCOL.md's offline routes, Alipay and WeChat Pay do not (core/acquirer/routing.ts
 * `tenderAvailability`); while the link is down, what still works (`outageWords`).
 *
 * `refresh()` is called when a connection is saved or applied and on every link change; it
 * emits `acquirer:tendersChanged` only when the answer changed, so a flapping RTT says nothing.
 */
import type { Tenders } from '../api/acquirer';
import type { LinkState } from '../api/system';
import { outageWords, tenderAvailability, type Wallet } from '../acquirer/routing';

export type RunningKind = 'sandbox' | 'alipay' | 'wechat';

export interface TenderDeps {
  /** The acquirer kinds the engine runs on now (empty: a live counter not connected yet) and the QR wallet. */
  running: () => { kinds: RunningKind[]; qrWallet: Wallet | null };
  link: () => LinkState;
  emit: (t: Tenders) => void;
}

export class TenderStatus {
  private last: string | null = null;

  constructor(private readonly deps: TenderDeps) {}

  get(): Tenders {
    const { kinds, qrWallet } = this.deps.running();
    const a = tenderAvailability(kinds, qrWallet);
    return {
      offlineCode: a.offlineCode,
      merchantQr: a.merchantQr,
      outage: this.deps.link() === 'offline' ? outageWords(a.offlineCode === null) : null,
    };
  }

  /** Emits the availability when it differs from the last one said (or none was said yet). */
  refresh(): void {
    const t = this.get();
    const key = JSON.stringify(t);
    if (key === this.last) return;
    this.last = key;
    this.deps.emit(t);
  }
}
