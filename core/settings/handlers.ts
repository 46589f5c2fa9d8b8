/** The contract's settings methods, served by SettingsService. */
import type { Handlers } from '../api/contract';
import type { SettingsService } from './service';

export function settingsHandlers(s: SettingsService): Pick<Handlers, 'settings:get' | 'settings:update'> {
  return {
    'settings:get': () => s.get(),
    'settings:update': (input, ctx) => s.update(input, ctx),
  };
}
