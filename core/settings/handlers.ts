/** The contract's settings methods, served by SettingsService, WedgeSettings and AcquirerProfileService. */
import type { Handlers } from '../api/contract';
import { RpcErrors } from '../api/errors';
import type { AcquirerProfileService } from './acquirer-profile';
import type { WalletProfileService } from './wallet-profile';
import type { SettingsService } from './service';
import type { WedgeSettings } from './wedge';

export function settingsHandlers(s: SettingsService): Pick<Handlers, 'settings:get' | 'settings:update'> {
  return {
    'settings:get': () => s.get(),
    'settings:update': (input, ctx) => s.update(input, ctx),
  };
}

export function wedgeSettingsHandlers(w: WedgeSettings): Pick<Handlers, 'settings:wedgeProfiles' | 'settings:setWedgeProfiles'> {
  return {
    'settings:wedgeProfiles': async () => ({ profiles: await w.get() }),
    'settings:setWedgeProfiles': async ({ profiles }, ctx) => ({ profiles: await w.set(profiles, ctx) }),
  };
}

export function acquirerProfileHandlers(p: AcquirerProfileService): Pick<Handlers, 'acquirer:profile' | 'acquirer:test' | 'acquirer:save' | 'acquirer:useBuiltIn'> {
  return {
    'acquirer:profile': async () => p.view(),
    'acquirer:test': (draft) => p.test(draft),
    'acquirer:save': (input, ctx) => p.save(input, ctx),
    'acquirer:useBuiltIn': (input, ctx) => p.useBuiltIn(input, ctx),
  };
}

export function walletProfileHandlers(w: WalletProfileService): Pick<Handlers, 'acquirer:wallets' | 'acquirer:walletsTest' | 'acquirer:walletsSave'> {
  return {
    'acquirer:wallets': async () => ({ saved: w.view(), running: w.inUse }),
    'acquirer:walletsTest': async (draft) => ({ results: await w.test(draft) }),
    'acquirer:walletsSave': async ({ approverId, approverPin, ...draft }, ctx) => {
      if (!ctx.operator) throw RpcErrors.notLoggedIn();
      const r = await w.saveAndApply(draft, { approverId, approverPin }, ctx.operator.id);
      return { view: { saved: r.view, running: w.inUse }, applied: r.applied };
    },
  };
}
