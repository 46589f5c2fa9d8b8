/**
 * The names of the contract's methods and events, as plain strings. The sandboxed preload and
 * the Electron main process use these lists to register one channel per method without
 * bundling zod; contract.ts checks at compile time that they match the schemas exactly.
 */
export const methodNames = [
  'session:operators',
  'session:login',
  'session:logout',
  'session:current',
  'system:info',
  'connectivity:get',
  'payments:charge',
  'payments:precreate',
  'payments:cancel',
  'payments:query',
  'payments:cash',
  'payments:credit',
  'payments:get',
  'payments:list',
  'payments:refund',
] as const;

export const eventNames = [
  'session:changed',
  'connectivity:changed',
  'payments:changed',
  'refunds:changed',
] as const;

export type MethodName = (typeof methodNames)[number];
export type EventName = (typeof eventNames)[number];

export function isMethodName(v: unknown): v is MethodName {
  return typeof v === 'string' && (methodNames as readonly string[]).includes(v);
}
export function isEventName(v: unknown): v is EventName {
  return typeof v === 'string' && (eventNames as readonly string[]).includes(v);
}

/** Largest payload either shell accepts for one call, in bytes of JSON. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
