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

export function getBridge(): CashierBridge {
  if (bridge) return bridge;
  if (window.cashier) bridge = window.cashier;
  else {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    bridge = webSocketBridge(`${proto}//${location.host}/rpc`, offeredProtocols(shellToken()));
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
