/**
 * One PIN per page load, enforced in the back end (the browser shell's; Electron's windows are
 * the app's own and its session lives as long as the app).
 *
 * The terminal has one operator session (operators.ts). Without this gate every page that can
 * reach the back end shares it: a new tab opened on the shell's printed address went straight to
 * the logged-in cashier, able to charge and refund without a PIN. The rule: the session belongs to
 * the page that entered the PIN. A page is known by its key (core/api/browser-token.ts: random,
 * kept per tab in sessionStorage, so the same tab's reload presents it again and a new tab or
 * window does not; a connection without one is a page of its own).
 *
 * Invariants:
 * - a call that needs an operator from a page that is not the session's is refused
 *   (`auth.page_locked`) before it reaches the handler; so is nothing else, except below;
 * - such a page sees no session: `session:current` and `session:changed` say nobody is logged in;
 * - a login, first-run setup or PIN change that succeeds makes its page the session's only page;
 *   a page that held the session before is told it ended `elsewhere`;
 * - when the session ends (logout, idle lock) no page holds it; the idle lock itself stays the
 *   core's (a reload after the idle time finds the session locked already).
 *
 * The customer's phone of demo mode (`#/phone`, its own tab) stands for the customer's device,
 * not the till: its calls (`CUSTOMER_PHONE_METHODS`) need an operator logged in at the terminal
 * but not on that tab. They move simulated money only and the core refuses them in live mode.
 */
import { methods } from '../api/contract';
import type { Dispatcher, RpcResult } from '../api/dispatcher';
import { AppError, RpcErrors } from '../api/errors';
import { isMethodName, type MethodName } from '../api/names';
import type { SessionState } from '../api/session';

export const PageErrors = {
  locked: () =>
    new AppError('auth.page_locked', '此窗口尚未登录：请在本窗口选择操作员并输入 PIN。',
      'This window is not logged in: choose your name and enter your PIN in this window.'),
};

/** The demo customer's phone (renderer/src/features/training/PhonePanel.vue), usable from its own tab. */
export const CUSTOMER_PHONE_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'demo:wallets', 'demo:paymentCode', 'demo:codeState', 'demo:offlineCode', 'demo:userPaying', 'demo:payQr',
]);

/** Methods whose success starts a session for the calling page. */
const STARTS_SESSION: ReadonlySet<string> = new Set(['session:login', 'session:setup', 'session:changePin']);

const NOBODY: SessionState = { operator: null, lockAt: null };

export interface PageGate {
  /** Dispatches a call made by the page `pageKey`. */
  dispatch(pageKey: string, method: unknown, input: unknown): Promise<RpcResult>;
  /** A `session:changed` payload as the page `pageKey` may see it. */
  view(pageKey: string, state: SessionState): SessionState;
  /**
   * Called after the session changed hands between pages, with the state each page should now
   * be told (`view` of the current state, `ended: 'elsewhere'` for a page that lost it).
   */
  onHandOver(listener: (tell: (pageKey: string) => SessionState) => void): () => void;
  /** Follows the core's session events: call for each `session:changed`. */
  sessionChanged(state: SessionState): void;
}

export function createPageGate(inner: Dispatcher): PageGate {
  /** The page that entered the PIN of the current session, or null when there is none. */
  let owner: string | null = null;
  /** Pages in the middle of a login (setup, PIN change): the session a start announces is theirs. */
  const claiming = new Map<string, number>();
  const listeners = new Set<(tell: (pageKey: string) => SessionState) => void>();

  const current = async (): Promise<SessionState> => {
    const r = await inner.dispatch('session:current', {});
    return r.ok ? (r.value as SessionState) : NOBODY;
  };

  return {
    async dispatch(pageKey, method, input) {
      const mine = owner !== null && owner === pageKey;
      if (!mine && isMethodName(method)) {
        if (method === 'session:current') {
          const r = await inner.dispatch(method, input);
          return r.ok ? { ok: true, value: NOBODY } : r;
        }
        if (methods[method].access !== 'public' && !CUSTOMER_PHONE_METHODS.has(method)) {
          // Nobody's session at all: the plain "log in first"; another page's: this page's PIN.
          return { ok: false, error: (owner === null ? RpcErrors.notLoggedIn() : PageErrors.locked()).toShape() };
        }
      }
      const starts = typeof method === 'string' && STARTS_SESSION.has(method);
      if (starts) claiming.set(pageKey, (claiming.get(pageKey) ?? 0) + 1);
      let result: RpcResult;
      try {
        result = await inner.dispatch(method, input);
      } finally {
        if (starts) {
          const n = (claiming.get(pageKey) ?? 1) - 1;
          if (n > 0) claiming.set(pageKey, n);
          else claiming.delete(pageKey);
        }
      }
      if (result.ok && starts) {
        const before = owner;
        owner = pageKey;
        const state = await current();
        const tell = (key: string): SessionState =>
          key === owner ? state : key === before ? { ...NOBODY, ended: 'elsewhere' } : NOBODY;
        for (const l of listeners) l(tell);
      }
      return result;
    },
    view(pageKey, state) {
      // A session that ended is news for everyone; a live one only for its page.
      if (state.operator === null) return state;
      // Only a login (setup, PIN change) announces a live session: it is the logging-in page's.
      // The page that held the session until now hears why it lost it.
      if (claiming.size > 0) return claiming.has(pageKey) ? state : owner === pageKey ? { ...NOBODY, ended: 'elsewhere' } : NOBODY;
      return owner === pageKey ? state : NOBODY;
    },
    onHandOver(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sessionChanged(state) {
      if (state.operator === null) owner = null;
    },
  };
}
