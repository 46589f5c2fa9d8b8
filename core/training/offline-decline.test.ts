import { describe, expect, it } from 'vitest';
import type { OfflineService } from '../offline/service';
import { offlineFault } from './offline-decline';

/** The simulator's side as the fault uses it: demo wallets by number, and setBalance. */
function fakeOffline() {
  const balances = new Map<string, number>([['WALLET5', 1_000_000]]);
  const demo = {
    wallets: new Map([[5, { wallet: { walletId: 'WALLET5' }, lastCode: null }]]),
    acquirer: { setBalance: async (id: string, fen: number) => void balances.set(id, fen) },
  };
  return { offline: { demo } as unknown as Pick<OfflineService, 'demo'>, balances };
}

describe('the declined-after-forwarding fault', () => {
  it('empties only the named demo customer\'s wallet, and the reset gives it its issued balance back', async () => {
    const { offline, balances } = fakeOffline();
    const f = offlineFault(offline);
    await f.decline(5);
    expect(balances.get('WALLET5')).toBe(0);
    await f.restore();
    expect(balances.get('WALLET5')).toBe(1_000_000);
  });

  it('refuses a customer who has shown no offline code yet, and a terminal without the simulator', async () => {
    const { offline } = fakeOffline();
    await expect(offlineFault(offline).decline(2)).rejects.toMatchObject({ code: 'training.no_offline_code' });
    await expect(offlineFault({ demo: null }).decline(5)).rejects.toMatchObject({ code: 'feature.unavailable' });
    await expect(offlineFault({ demo: null }).restore()).resolves.toBeUndefined();
  });
});
