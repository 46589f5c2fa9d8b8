/**
 * The renderer's one client of the back end, typed by the contract: `send` a method, `listen`
 * to an event. Errors arrive as ClientError carrying the bilingual error shape.
 */
import type { EventPayload, Events, Input, Methods, Output } from '../../../core/api/contract';
import type { RpcResult } from '../../../core/api/dispatcher';
import type { AppErrorShape } from '../../../core/api/errors';
import { isEventName, isMethodName } from '../../../core/api/names';
import type { ShellBridge } from '../../../core/api/shell';
import { getBridge } from './transport';

export class ClientError extends Error {
  constructor(readonly shape: AppErrorShape) {
    super(shape.en);
    this.name = 'ClientError';
  }
  get code(): string {
    return this.shape.code;
  }
}

function unwrap<T>(r: RpcResult): T {
  if (!r.ok) throw new ClientError(r.error);
  return r.value as T;
}

export async function send<K extends keyof Methods>(method: K, input: Input<K>): Promise<Output<K>> {
  return unwrap<Output<K>>(await getBridge().call[method](input));
}

/**
 * The Electron shell's own features (core/api/shell.ts), or null in the browser shell, where
 * the screen uses what the browser offers instead. Their results unwrap as `send`'s do.
 */
export function shellFeatures(): ShellBridge | null {
  return getBridge().shell ?? null;
}
export async function fromShell<T>(call: Promise<RpcResult>): Promise<T> {
  return unwrap<T>(await call);
}

export function listen<K extends keyof Events>(event: K, listener: (payload: EventPayload<K>) => void): () => void {
  return getBridge().on(event, (p) => listener(p as EventPayload<K>));
}

/** The message of any error in the user's language: never a stack trace. */
export function errorText(e: unknown, locale: string): string {
  const shape: AppErrorShape =
    e instanceof ClientError
      ? e.shape
      : { code: 'internal', zh: '操作未完成，请重试。', en: 'The operation did not complete. Try again.' };
  return locale.startsWith('zh') ? shape.zh : shape.en;
}

/**
 * Calls a method that another engineer's module adds to the contract later (offline:*,
 * outbox:*, devices:*). While the method is not in the contract the answer is the same plain
 * "not available yet" error the core gives for a feature that is not wired: never a fake result.
 */
export async function sendIfPresent<T>(method: string, input: unknown): Promise<T> {
  if (!isMethodName(method)) {
    throw new ClientError({ code: 'feature.unavailable', zh: '此功能尚未启用。', en: 'This feature is not available yet.' });
  }
  return (await send(method, input as never)) as T;
}

/** Listens to an event that may not be in the contract yet; a no-op until it is. */
export function listenIfPresent<T>(event: string, listener: (payload: T) => void): () => void {
  if (!isEventName(event)) return () => undefined;
  return getBridge().on(event, (p) => listener(p as T));
}

/** True when the contract has the method (its module has landed). */
export const hasMethod = (method: string) => isMethodName(method);
