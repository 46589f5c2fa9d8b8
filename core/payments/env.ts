/** What every payment operation module receives: the store, the bus, the acquirer, the clock. */
import type { Payment } from '../api/payments';
import type { Acquirer, OfflineRefunds } from '../acquirer/types';
import type { EventBus } from '../events';
import type { Db } from '../store/db';

export interface EngineEnv {
  db: Db;
  bus: EventBus;
  acquirer: Acquirer;
  terminalId: string;
  /** Demo mode: every payment is marked as training. */
  training: boolean;
  /** Shown to the customer in the wallet app. */
  subject: string;
  now(): number;
  /** Internal failures only (never a payment code). */
  log(msg: string, e?: unknown): void;
  /**
   * Offline-code payments (core/offline's outbox, read-only here) with this engine's refunds
   * counted in `refundedFen` (refund.ts `withOfflineRefunds`): what their refunds check against.
   */
  offlinePayments?: { findPayment(orderNo: string): Promise<Payment | null> } | null;
  /** Where refunds of confirmed offline payments go: the acquirer's offline routes. */
  offlineRefunds?: OfflineRefunds | null;
  /** An operator's name for a message (the supervisor holding an offline payment); null when unknown. */
  operatorName?: (id: string) => Promise<string | null>;
}

/** Waits `ms`, or less when the signal aborts (the cashier cancelled): never throws. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
