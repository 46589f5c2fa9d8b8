/**
 * One request id per intended money-moving action (core/api/define.ts `RequestId`): made when
 * the action is first tried and kept for every send of that same action — a double Enter or
 * double click (refused here while the first call is in flight), a retry after the connection
 * dropped (`rpc.disconnected`: the core may have done it; the same id gets the first answer),
 * a retry after an answer that never said what happened (`internal`). It is let go once the
 * core has answered (done, or refused: nothing happened, so the next try is a new action), or
 * when the action's parameters change (a different action).
 */
import { ref } from 'vue';
import { ClientError } from '../api/client';

/** 32 characters [0-9a-f]: within RequestId's 16–64 [A-Za-z0-9_-]. */
export function newRequestId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

/** The answer never came, so the action may or may not have happened: the retry keeps its id. */
export function outcomeUnknown(e: unknown): boolean {
  return !(e instanceof ClientError) || e.code === 'rpc.disconnected' || e.code === 'internal';
}

export function useRequestAction() {
  /** True while a call of this action is in flight: its buttons are disabled. */
  const inFlight = ref(false);
  let current: { key: string; id: string } | null = null;

  /**
   * Runs `call` with the action's request id, unless a call is already in flight (then it
   * answers `undefined` and sends nothing). `params` are what make it the same action.
   */
  async function run<T>(params: unknown, call: (requestId: string) => Promise<T>): Promise<T | undefined> {
    if (inFlight.value) return undefined;
    const key = JSON.stringify(params);
    if (!current || current.key !== key) current = { key, id: newRequestId() };
    const { id } = current;
    inFlight.value = true;
    try {
      const r = await call(id);
      if (current?.id === id) current = null;
      return r;
    } catch (e) {
      if (!outcomeUnknown(e) && current?.id === id) current = null;
      throw e;
    } finally {
      inFlight.value = false;
    }
  }
  /** Forget the pending id (the screen moved on to a new action). */
  function reset() {
    current = null;
  }
  return { inFlight, run, reset };
}
