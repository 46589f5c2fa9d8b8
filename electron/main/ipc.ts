/**
 * One IPC handler per contract method. The sender is checked first: only the top frame of one
 * of the app's own windows, showing the app's own page, may call. Then the dispatcher checks
 * size, schema and access exactly as it does for the browser shell.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Dispatcher, RpcResult } from '../../core/api/dispatcher';
import { RpcErrors } from '../../core/api/errors';
import { methodNames } from '../../core/api/names';
import { isAppUrl } from './security';

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, appUrl: string): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed
  if (frame.parent !== null) return false; // never a sub-frame
  return isAppUrl(frame.url, appUrl);
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, dispatcher: Dispatcher, appUrl: () => string): void {
  for (const name of methodNames) {
    ipcMain.handle(name, async (event, input: unknown): Promise<RpcResult> => {
      if (!isTrustedSender(event, appUrl())) return { ok: false, error: RpcErrors.forbidden().toShape() };
      return dispatcher.dispatch(name, input);
    });
  }
}
