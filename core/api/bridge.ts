/**
 * The shape of `window.cashier`, the only thing the Electron preload exposes. Its functions are
 * named, one per contract method (plus the Electron shell's few features of its own, `shell`),
 * so the renderer can reach nothing else of Electron. The browser shell's client offers the
 * same shape over a WebSocket, without `shell` (renderer/src/api/transport.ts).
 */
import type { RpcResult } from './dispatcher';
import type { EventName, MethodName } from './names';
import type { ShellBridge } from './shell';

export interface CashierBridge {
  call: { readonly [K in MethodName]: (input: unknown) => Promise<RpcResult> };
  /** Subscribe to one event; returns the unsubscribe function. */
  on(event: EventName, listener: (payload: unknown) => void): () => void;
  /** The Electron shell's own features (core/api/shell.ts); absent in the browser shell. */
  shell?: ShellBridge;
}

/** The IPC channel on which main pushes events: `(name, payload)`. */
export const EVENT_CHANNEL = 'cashier:event';
