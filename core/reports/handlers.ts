/** The contract's report methods. */
import type { Handlers } from '../api/contract';
import { zReport, type ZReportDeps } from './z';

export function reportHandlers(deps: ZReportDeps): Pick<Handlers, 'reports:z'> {
  return { 'reports:z': ({ day }, ctx) => zReport(deps, day, ctx) };
}
