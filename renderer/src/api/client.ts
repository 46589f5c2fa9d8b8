/**
 * The renderer's one client of the back end, typed by the contract: `send` a method, `listen`
 * to an event. Errors arrive as ClientError carrying the bilingual error shape.
 */
import type { EventPayload, Events, Input, Methods, Output } from '../../../core/api/contract';
import type { AppErrorShape } from '../../../core/api/errors';
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

export async function send<K extends keyof Methods>(method: K, input: Input<K>): Promise<Output<K>> {
  const r = await getBridge().call[method](input);
  if (!r.ok) throw new ClientError(r.error);
  return r.value as Output<K>;
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
