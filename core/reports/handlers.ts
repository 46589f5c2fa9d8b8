/** The contract's report methods. */
import type { Handlers } from '../api/contract';
import type { Db } from '../store/db';
import { closeDay, zReport, type ZReportDeps } from './z';

export function reportHandlers(deps: ZReportDeps & { db: Db }): Pick<Handlers, 'reports:z' | 'reports:close'> {
  return {
    'reports:z': ({ day }, ctx) => zReport(deps, day, ctx),
    'reports:close': ({ day }, ctx) => closeDay(deps, day, ctx),
  };
}
