/**
 * Tests only: calls into a whole back end as the screens make them. Adds the screen's
 * idempotency key where the method's schema has one (the contract is growing them method by
 * method), so traffic written here follows the contract as it is.
 */
import { methods } from '../api/contract';
import type { RpcResult } from '../api/dispatcher';
import type { Backend } from '../app';
import { demoOperators } from '../demo/seed';

let n = 0;

export function withRequestId(method: string, input: Record<string, unknown>): Record<string, unknown> {
  const shape = (methods as unknown as Record<string, { input: { shape?: Record<string, unknown> } }>)[method]?.input.shape;
  return shape && 'requestId' in shape ? { ...input, requestId: `req-ops-${process.pid}-${String(++n).padStart(8, '0')}` } : input;
}

export function rpc(backend: () => Backend) {
  async function call<T>(method: string, input: Record<string, unknown> = {}): Promise<T> {
    const r: RpcResult = await backend().dispatcher.dispatch(method, withRequestId(method, input));
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.en}`), { code: r.error.code, zh: r.error.zh, en: r.error.en });
    return r.value as T;
  }
  /** The refusal's code instead of a throw: traffic that may be refused. */
  const attempt = (method: string, input: Record<string, unknown> = {}) => call(method, input).catch((e: { code?: string }) => e.code ?? 'error');
  async function as(operatorId: string): Promise<void> {
    await call('session:logout');
    await call('session:login', { operatorId, pin: demoOperators.find((o) => o.id === operatorId)!.pin });
  }
  return { call, attempt, as };
}
