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
  'demo:wallets',
  'demo:paymentCode',
  'demo:userPaying',
  'demo:payQr',
  'demo:fault',
  'agent:float',
  'agent:floatOpen',
  'agent:floatMove',
  'agent:floatClose',
  'agent:withdraw',
  'agent:withdrawal',
  'agent:billers',
  'agent:billLookup',
  'agent:billPay',
  'agent:balance',
  'agent:remit',
  'display:set',
  'display:get',
  'offline:accept',
  'offline:budget',
  'outbox:list',
  'outbox:sendNow',
  'outbox:followUps',
  'outbox:review',
  'reconcile:run',
  'reconcile:export',
  'demo:offlineCode',
  'demo:network',
  'training:lessons',
  'training:start',
  'training:state',
  'training:answer',
  'training:abort',
  'demo:reset',
  'demo:offlineDecline',
  'devices:list',
  'devices:select',
  'devices:testPrint',
  'devices:kickDrawer',
  'devices:reprint',
  'devices:simulate',
  'receipts:getSettings',
  'receipts:setSettings',
  'receipts:print',
  'receipts:stats',
  'face:identify',
  'face:confirm',
  'demo:faceEnrol',
  'settings:get',
  'settings:update',
  'settings:wedgeProfiles',
  'settings:setWedgeProfiles',
  'reports:z',
  'acquirer:profile',
  'acquirer:test',
  'acquirer:save',
  'acquirer:useBuiltIn',
] as const;

export const eventNames = [
  'session:changed',
  'connectivity:changed',
  'payments:changed',
  'refunds:changed',
  'agent:floatChanged',
  'agent:withdrawalChanged',
  'display:changed',
  'outbox:changed',
  'risk:budget',
  'forwarder:changed',
  'training:changed',
  'demo:resetDone',
  'devices:changed',
  'scanner:scanned',
  'scanner:refused',
  'printer:printed',
  'settings:wedgeProfilesChanged',
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
