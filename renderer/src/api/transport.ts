/**
 * How the renderer reaches the back end: `window.cashier` under Electron (the preload's named
 * functions), or the browser shell's WebSocket, which offers the same CashierBridge shape. The
 * rest of the renderer never knows which.
 */
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { offeredProtocols } from '../../../core/api/browser-token';
import { methodNames, type EventName, type MethodName } from '../../../core/api/names';

declare global {
  interface Window {
    cashier?: CashierBridge;
  }
}

const disconnected = (): RpcResult => ({
  ok: false,
  error: {
    code: 'rpc.disconnected',
    zh: '与收银服务的连接中断，正在重连，请稍后重试。',
    en: 'The connection to the cashier service dropped; reconnecting. Try again in a moment.',
  },
});

/** A CashierBridge over the browser shell's WebSocket, reconnecting with backoff; `protocols` carry the shell's token. */
export function webSocketBridge(url: string, protocols: string[] = []): CashierBridge {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let backoff = 250;
  const pending = new Map<number, (r: RpcResult) => void>();
  const waiting: Array<() => void> = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  const connect = () => {
    const sock = new WebSocket(url, protocols);
    ws = sock;
    sock.onopen = () => {
      backoff = 250;
      for (const go of waiting.splice(0)) go();
      // Tell listeners of state that may have changed while we were away.
      for (const l of listeners.get('transport:reconnected') ?? []) l(null);
    };
    sock.onmessage = (m) => {
      let msg: { id?: number | null; ok?: boolean; event?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(m.data));
      } catch {
        return;
      }
      if (typeof msg.event === 'string') {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        return;
      }
      if (typeof msg.id === 'number') {
        const resolve = pending.get(msg.id);
        pending.delete(msg.id);
        resolve?.(msg as RpcResult);
      }
    };
    sock.onclose = () => {
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve(disconnected());
      }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  };
  connect();

  const invoke = (method: MethodName, input: unknown): Promise<RpcResult> =>
    new Promise((resolve) => {
      const sendNow = () => {
        const id = nextId++;
        pending.set(id, resolve);
        ws!.send(JSON.stringify({ id, method, input }));
      };
      if (ws && ws.readyState === WebSocket.OPEN) sendNow();
      else waiting.push(sendNow);
    });

  const call = Object.fromEntries(methodNames.map((n) => [n, (input: unknown) => invoke(n, input)])) as CashierBridge['call'];
  return {
    call,
    on(event: EventName | 'transport:reconnected', listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set!.delete(listener);
    },
  } as CashierBridge;
}

let bridge: CashierBridge | null = null;

const TOKEN_KEY = 'vc_token';

/**
 * The browser shell's token (core/api/browser-token.ts): from the address the shell printed
 * (`/?token=…`), kept for this tab so a reload without it still connects; never a cookie.
 */
export function shellToken(): string | null {
  const fromUrl = new URLSearchParams(location.search).get('token');
  try {
    if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl ?? sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return fromUrl; // storage refused (a locked-down profile): the address alone
  }
}

const PAGE_KEY = 'vc_page';
const PAGE_LOCK_AT = 'vc_page_lock_at';
/** A reload this long after the session's last known lock time is a new page (timers may fire late). */
const PAGE_LOCK_GRACE_MS = 5_000;

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * This page's key for the browser shell's page gate (core/auth/page-gate.ts): made once per tab
 * and kept in sessionStorage, which a reload of the same tab keeps and a new tab or window does
 * not — so only the same tab's reload finds its session unlocked. A reload after the session's
 * idle lock time takes a new key too (the core has locked the session by then anyway; this also
 * covers a page whose clock says so first). Storage refused: a key for this load only (locked
 * after every reload, never unlocked by mistake).
 */
export function pageKey(): string {
  try {
    let key = sessionStorage.getItem(PAGE_KEY);
    const lockAt = Number(sessionStorage.getItem(PAGE_LOCK_AT) ?? Number.NaN);
    if (key && Number.isFinite(lockAt) && Date.now() > lockAt + PAGE_LOCK_GRACE_MS) key = null;
    if (!key) {
      key = randomKey();
      sessionStorage.setItem(PAGE_KEY, key);
      sessionStorage.removeItem(PAGE_LOCK_AT);
    }
    return key;
  } catch {
    return randomKey();
  }
}

/** The session's lock time as this page last heard it (null: no session), for `pageKey` after a reload. */
export function notePageLockAt(lockAt: number | null): void {
  try {
    if (lockAt === null) sessionStorage.removeItem(PAGE_LOCK_AT);
    else sessionStorage.setItem(PAGE_LOCK_AT, String(lockAt));
  } catch {
    // storage refused: every reload is a new page already
  }
}

export function getBridge(): CashierBridge {
  if (bridge) return bridge;
  if (window.cashier) bridge = window.cashier;
  else {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    bridge = webSocketBridge(`${proto}//${location.host}/rpc`, offeredProtocols(shellToken(), pageKey()));
  }
  return bridge;
}

/**
 * Runs `fn` each time the browser shell's WebSocket is back after a drop (events sent while it
 * was down were missed, so a screen asks again). Electron's IPC does not drop: never called there.
 */
export function onReconnected(fn: () => void): () => void {
  return getBridge().on('transport:reconnected' as EventName, fn);
}

/** Tests install a fake bridge. */
export function setBridge(b: CashierBridge | null): void {
  bridge = b;
}
