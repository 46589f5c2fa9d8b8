/**
 * The "declined after forwarding" fault: a demo customer's wallet is found empty at the
 * simulated offline acquirer, so an offline payment accepted at the till (within the risk
 * budget, correctly) is declined when it is forwarded — the case the follow-up list exists for.
 *
 * It goes through the simulator's own admin operation (`setBalance`), never the terminal's data:
 * the terminal learns of the decline the only way it can in the field, by forwarding. The
 * training reset gives every emptied wallet its issued balance back, so the next class starts
 * with the same customers.
 */
import { IssueWalletBody } from '../acquirer/simulator/offline-routes';
import type { OfflineService } from '../offline/service';
import { TrainingErrors } from './errors';

export interface OfflineFault {
  decline(wallet: number): Promise<void>;
  restore(): Promise<void>;
}

/** The balance the simulator issues a demo wallet with (its schema's default), read rather than copied. */
const ISSUED_BALANCE_FEN = IssueWalletBody.parse({ publicKey: `02${'0'.repeat(64)}` }).balanceFen;

export function offlineFault(offline: Pick<OfflineService, 'demo'>): OfflineFault {
  const emptied = new Set<string>();
  return {
    async decline(wallet) {
      const demo = offline.demo;
      if (!demo) throw TrainingErrors.noOfflineDemo();
      const w = demo.wallets.get(wallet);
      if (!w) throw TrainingErrors.noOfflineCode();
      await demo.acquirer.setBalance(w.wallet.walletId, 0);
      emptied.add(w.wallet.walletId);
    },
    async restore() {
      const demo = offline.demo;
      if (!demo) return;
      for (const id of emptied) await demo.acquirer.setBalance(id, ISSUED_BALANCE_FEN);
      emptied.clear();
    },
  };
}
