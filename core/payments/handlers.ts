/**
 * Contract handlers of the payments domain. Until the payment engine is wired in, every call
 * answers with a plain "not available yet" error instead of pretending to charge.
 */
import type { Handlers } from '../api/contract';
import { AppError } from '../api/errors';

type PaymentHandlers = Pick<Handlers, Extract<keyof Handlers, `payments:${string}`>>;

const unavailable = async (): Promise<never> => {
  throw new AppError('feature.unavailable', '此功能尚未启用。', 'This feature is not available yet.');
};

export function paymentHandlers(): PaymentHandlers {
  return {
    'payments:charge': unavailable,
    'payments:precreate': unavailable,
    'payments:cancel': unavailable,
    'payments:query': unavailable,
    'payments:cash': unavailable,
    'payments:credit': unavailable,
    'payments:get': unavailable,
    'payments:list': unavailable,
    'payments:refund': unavailable,
  };
}
