/**
 * The one place a call from the UI enters the back end, used unchanged by both shells.
 * Order matters: the method name is checked, then the size, then the schema, then access —
 * so a handler only runs on parsed input from an allowed operator. A refused call changes
 * nothing and returns an error object (code + zh-CN + en); it never echoes the payload, since
 * a payload may hold a PIN or a payment code.
 */
import { methods, type CallContext, type Handlers } from './contract';
import { isMethodName, MAX_PAYLOAD_BYTES } from './names';
import { AppErrorShape, RpcErrors, toErrorShape } from './errors';
import { payloadWords } from './payload-words';

export type RpcResult = { ok: true; value: unknown } | { ok: false; error: AppErrorShape };

export interface Dispatcher {
  dispatch(method: unknown, input: unknown): Promise<RpcResult>;
}

export interface DispatcherDeps {
  handlers: Handlers;
  /**
   * Reads the current operator at call time (sessions change between calls). `activity` is true
   * for a method that needs a logged-in operator — an operator's own action, which keeps the
   * session awake — and false for a public one (the customer display's reads, the login screen,
   * status polls), which must never hold the idle lock off (core/auth/operators.ts).
   */
  context: (activity: boolean) => CallContext;
  /** Called for internal failures only; receives the error, never the input. */
  onInternalError?: (method: string, e: unknown) => void;
  /**
   * Observes the outcome of every call that reached a known method (accepted or refused), after
   * it completed: the training engine grades a trainee's moves from it. Receives the result,
   * never the input (which may hold a PIN or a payment code). Must not throw; if it does, the
   * caller's result is returned unchanged all the same.
   */
  onResult?: (method: string, result: RpcResult) => void;
}

const utf8 = new TextEncoder();

/** Size of a value as JSON in UTF-8 bytes; unserialisable values count as infinitely large. */
export function jsonSize(value: unknown): number {
  try {
    const s = JSON.stringify(value);
    return s === undefined ? 0 : utf8.encode(s).length;
  } catch {
    return Number.POSITIVE_INFINITY; // cycles, BigInt: not a valid payload
  }
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const inner = createInnerDispatcher(deps);
  if (!deps.onResult) return inner;
  const observe = deps.onResult;
  return {
    async dispatch(method, input) {
      const result = await inner.dispatch(method, input);
      if (isMethodName(method)) {
        try {
          observe(method, result);
        } catch {
          // An observer's failure is its own: the call's outcome stands.
        }
      }
      return result;
    },
  };
}

function createInnerDispatcher(deps: DispatcherDeps): Dispatcher {
  return {
    async dispatch(method, input) {
      if (!isMethodName(method)) return { ok: false, error: RpcErrors.unknownMethod().toShape() };
      if (jsonSize(input) > MAX_PAYLOAD_BYTES) return { ok: false, error: RpcErrors.tooLarge().toShape() };
      const spec = methods[method];
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
          .join('; ');
        return { ok: false, error: RpcErrors.badPayload(issues, payloadWords(parsed.error.issues)).toShape() };
      }
      const ctx = deps.context(spec.access !== 'public');
      if (spec.access !== 'public') {
        if (!ctx.operator) return { ok: false, error: RpcErrors.notLoggedIn().toShape() };
        if (spec.access !== 'operator' && !spec.access.includes(ctx.operator.role)) {
          return { ok: false, error: RpcErrors.roleRequired(spec.access).toShape() };
        }
      }
      try {
        const handler = deps.handlers[method] as (i: unknown, c: CallContext) => Promise<unknown>;
        const out = await handler(parsed.data, ctx);
        // Outputs are checked too: a handler bug must not leak fields the UI was never promised.
        const checked = spec.output.safeParse(out);
        if (!checked.success) {
          deps.onInternalError?.(method, checked.error);
          return { ok: false, error: RpcErrors.internal().toShape() };
        }
        return { ok: true, value: checked.data };
      } catch (e) {
        const shape = toErrorShape(e);
        if (shape.code === 'internal') deps.onInternalError?.(method, e);
        return { ok: false, error: shape };
      }
    },
  };
}
