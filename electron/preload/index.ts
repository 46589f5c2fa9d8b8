/**
 * The preload runs sandboxed (no Node), so it is one bundled file that needs only `electron`.
 * It exposes named functions, one per contract method, an event subscription limited to the
 * contract's events, and the shell's own named features (core/api/shell.ts): the renderer never
 * holds ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, type CashierBridge } from '../../core/api/bridge';
import type { RpcResult } from '../../core/api/dispatcher';
import { eventNames, isEventName, methodNames, type MethodName } from '../../core/api/names';
import { shellChannels, type ShellBridge } from '../../core/api/shell';

const call = Object.fromEntries(
  methodNames.map((name) => [name, (input: unknown): Promise<RpcResult> => ipcRenderer.invoke(name, input)]),
) as { [K in MethodName]: (input: unknown) => Promise<RpcResult> };

const listeners = new Map<string, Set<(payload: unknown) => void>>(eventNames.map((n) => [n, new Set()]));

ipcRenderer.on(EVENT_CHANNEL, (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (!isEventName(name)) return;
  for (const l of listeners.get(name) ?? []) l(payload);
});

const bridge = {
  call,
  on(event, listener) {
    const set = listeners.get(event);
    if (!set || typeof listener !== 'function') return () => undefined;
    set.add(listener);
    return () => set.delete(listener);
  },
} satisfies CashierBridge;

const shell = {
  saveZReportPdf: (input: unknown): Promise<RpcResult> => ipcRenderer.invoke(shellChannels.saveZReportPdf, input),
} satisfies ShellBridge;

contextBridge.exposeInMainWorld('cashier', Object.freeze({ call: Object.freeze(call), on: bridge.on, shell: Object.freeze(shell) }));
