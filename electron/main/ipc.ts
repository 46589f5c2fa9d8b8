/**
 * One handler per contract method. The sender is checked first: only the top frame of one of
 * the app's own windows (the cashier window, the customer display, demo mode's phone), showing
 * the app's own page, may call. Then the dispatcher checks size, schema and access exactly as
 * it does for the browser shell.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Dispatcher, RpcResult } from '../../core/api/dispatcher';
import { RpcErrors } from '../../core/api/errors';
import { methodNames } from '../../core/api/names';
import { isAppUrl } from './security';

export type SenderEvent = Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>;

/**
 * The frame URL alone is not enough: any web contents showing `app://cashier/index.html` would
 * pass. `isOwnContents` says whether the sender is one of the windows the shell created (or the
 * phone window one of them opened), so a page in some other web contents is refused.
 */
export function isTrustedSender(event: SenderEvent, appUrl: string, isOwnContents: (wc: WebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed
  if (frame.parent !== null) return false; // never a sub-frame
  if (!event.sender || !isOwnContents(event.sender)) return false;
  return isAppUrl(frame.url, appUrl);
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, dispatcher: Dispatcher, trusted: (event: SenderEvent) => boolean): void {
  for (const name of methodNames) {
    ipcMain.handle(name, async (event, input: unknown): Promise<RpcResult> => {
      if (!trusted(event)) return { ok: false, error: RpcErrors.forbidden().toShape() };
      return dispatcher.dispatch(name, input);
    });
  }
}
