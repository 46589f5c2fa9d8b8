/** The contract's handlers of the online reconciliation (core/api/reconcile.ts). */
import type { Handlers } from '../api/contract';
import { RpcErrors } from '../api/errors';
import type { OnlineReconciler } from './online-service';

type Names = 'reconcile:online' | 'reconcile:report' | 'reconcile:resolve' | 'reconcile:onlineCsv';

export function reconcileHandlers(r: OnlineReconciler): Pick<Handlers, Names> {
  return {
    'reconcile:online': ({ day }, ctx) => r.run(day, 'manual', ctx.operator?.id ?? null),
    'reconcile:report': ({ day }) => r.report(day),
    'reconcile:resolve': (input, ctx) => {
      // The dispatcher admits supervisors and administrators only; a resolution always names one.
      if (!ctx.operator) throw RpcErrors.notLoggedIn();
      return r.resolve(input, ctx.operator.id);
    },
    'reconcile:onlineCsv': ({ day }) => r.csv(day),
  };
}
