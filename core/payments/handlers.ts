/**
 * Contract handlers of the payments domain: thin adapters from parsed input and the caller's
 * operator to the engine (engine.ts). No rule lives here; the engine validates again, since
 * it is also called from places other than the UI.
 */
import type { Handlers } from '../api/contract';
import type { PaymentEngine } from './engine';

type PaymentHandlers = Pick<Handlers, Extract<keyof Handlers, `payments:${string}`>>;

export function paymentHandlers(engine: PaymentEngine): PaymentHandlers {
  return {
    'payments:charge': (input, ctx) => engine.charge(input, ctx.operator?.id ?? null),
    'payments:precreate': (input, ctx) => engine.precreate(input, ctx.operator?.id ?? null),
    'payments:cancel': ({ orderNo }) => engine.cancel(orderNo),
    'payments:query': ({ orderNo }) => engine.query(orderNo),
    'payments:open': () => engine.openSale(),
    'payments:cash': (input, ctx) => engine.cash(input, ctx.operator?.id ?? null),
    'payments:credit': (input, ctx) => engine.credit(input, ctx.operator?.id ?? null),
    'payments:get': ({ orderNo }) => engine.get(orderNo),
    'payments:list': (input) => engine.list(input),
    'payments:refund': (input, ctx) => engine.refund(input, ctx.operator?.id ?? null),
    'payments:refundApproval': ({ orderNo, amountFen }, ctx) => engine.refundApproval(orderNo, amountFen, ctx.operator?.id ?? null),
    'payments:followUps': () => engine.followUps(),
    'payments:refundsToSettle': () => engine.refundsToSettle(),
  };
}
