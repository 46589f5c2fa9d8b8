/** The contract's `receipts:*` handlers (wired in core/app.ts). */
import type { Handlers } from '../api/contract';
import type { ReceiptService } from './service';

type ReceiptHandlers = Pick<Handlers, 'receipts:getSettings' | 'receipts:setSettings' | 'receipts:print' | 'receipts:printBill' | 'receipts:stats'>;

/** The e-receipt link is printed as a QR customers trust: only these roles may change it. */
const URL_ROLES: readonly string[] = ['supervisor', 'admin'];

export function receiptHandlers(receipts: ReceiptService): ReceiptHandlers {
  return {
    'receipts:getSettings': () => receipts.getSettings(),
    'receipts:setSettings': (input, ctx) => receipts.setSettings(input, !!ctx.operator && URL_ROLES.includes(ctx.operator.role)),
    'receipts:print': ({ orderNo }) => receipts.print(orderNo),
    'receipts:printBill': ({ id, copy }) => receipts.printBill(id, copy),
    'receipts:stats': ({ day }) => receipts.stats(day),
  };
}
