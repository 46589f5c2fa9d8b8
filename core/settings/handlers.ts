/** The contract's settings methods, served by SettingsService, WedgeSettings and AcquirerProfileService. */
import type { Handlers } from '../api/contract';
import { RpcErrors } from '../api/errors';
import type { AcquirerProfileService } from './acquirer-profile';
import type { WalletProfileService } from './wallet-profile';
import type { SettingsService } from './service';
import type { TenderStatus } from './tenders';
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

/** Awaits `fn`, then says the tenders may have changed (a connection saved or applied). */
async function thenRefresh<T>(fn: Promise<T>, changed?: () => void): Promise<T> {
  const out = await fn;
  changed?.();
  return out;
}

export function acquirerProfileHandlers(p: AcquirerProfileService, changed?: () => void): Pick<Handlers, 'acquirer:profile' | 'acquirer:test' | 'acquirer:save' | 'acquirer:useBuiltIn'> {
  return {
    'acquirer:profile': async () => p.view(),
    'acquirer:test': (draft) => p.test(draft),
    'acquirer:save': (input, ctx) => thenRefresh(p.save(input, ctx), changed),
    'acquirer:useBuiltIn': (input, ctx) => thenRefresh(p.useBuiltIn(input, ctx), changed),
  };
}

/** Which tenders the counter's acquirers allow (core/settings/tenders.ts). */
export function tenderHandlers(t: TenderStatus): Pick<Handlers, 'acquirer:tenders'> {
  return { 'acquirer:tenders': async () => t.get() };
}

export function walletProfileHandlers(w: WalletProfileService, changed?: () => void): Pick<Handlers, 'acquirer:wallets' | 'acquirer:walletsTest' | 'acquirer:walletsSave'> {
  return {
    'acquirer:wallets': async () => ({ saved: w.view(), running: w.inUse }),
    'acquirer:walletsTest': async (draft) => ({ results: await w.test(draft) }),
    'acquirer:walletsSave': async ({ approverId, approverPin, ...draft }, ctx) => {
      if (!ctx.operator) throw RpcErrors.notLoggedIn();
      const r = await thenRefresh(w.saveAndApply(draft, { approverId, approverPin }, ctx.operator.id), changed);
      return { view: { saved: r.view, running: w.inUse }, applied: r.applied };
    },
  };
}
