/**
 * The Electron shell. Everything Electron-specific lives here and stays thin: build the back
 * end through the composition root, harden the app, serve the renderer over `app://cashier/`
 * (app-protocol.ts), register IPC, open the windows, forward events. `runMain` takes the
 * electron module as a parameter so the hardening is unit-tested against a fake (main.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as Electron from 'electron';
import { createBackend, type Backend } from '../../core/app';
import { EVENT_CHANNEL } from '../../core/api/bridge';
import { CONTENT_SECURITY_POLICY } from '../../core/api/csp';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-protocol';
import { isTrustedSender, registerIpc, type SenderEvent } from './ipc';
import { registerShellIpc } from './report-pdf';
import { KeychainSecretStore } from './secrets';
import { demoChildWindow, isAppOrigin, isAppUrl, isPermissionAllowed, isSafeExternalUrl, secureWebPreferences } from './security';

export type ElectronModule = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'dialog' | 'session' | 'shell' | 'screen' | 'safeStorage'
>;

export interface MainOptions {
  /** Folder holding index.js (main); the preload and renderer folders are found beside it. */
  outDir: string;
  /** electron-vite's dev server URL in development, else undefined. */
  devServerUrl?: string;
  mode?: 'demo' | 'live';
  /** The bundled SM2 verification worker (electron-vite `?modulePath`, see index.ts). */
  verifyWorkerPath?: string;
  /**
   * A folder to hold all of the app's data instead of the OS user-data folder: Chromium's
   * profile and the back end's `data/`. From `CASHIER_USER_DATA_DIR`, read by index.ts only;
   * checked by `userDataFolder` (demo mode only). The end-to-end specs give each run a fresh one.
   */
  userDataDir?: string;
}

/**
 * The folder `CASHIER_USER_DATA_DIR` names, checked, or a bilingual refusal (thrown; the entry
 * point shows it and quits): demo mode only — a live terminal's payments are looked for only
 * where they were written, the OS user-data folder, so a stray variable can never make them seem
 * lost; an absolute path without control characters; an existing folder, not a symbolic link.
 */
export function userDataFolder(value: string, mode: 'demo' | 'live'): string {
  const refuse = (zh: string, en: string) => new Error(`CASHIER_USER_DATA_DIR: ${zh}\n${en}`);
  if (mode !== 'demo') throw refuse('只有培训模式可以另选数据文件夹；正式营业的数据只保存在系统的用户数据文件夹。', 'Only training (demo) mode may keep its data elsewhere; a live terminal keeps its data in the system’s user-data folder.');
  if (!path.isAbsolute(value) || /\p{Cc}/u.test(value)) throw refuse('须为完整的文件夹路径。', 'It must be a full (absolute) folder path.');
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(value);
  } catch {
    throw refuse('这个文件夹不存在。', 'That folder does not exist.');
  }
  if (!stat.isDirectory()) throw refuse('这不是一个文件夹（符号链接也不行）。', 'That is not a folder (a symbolic link is not accepted).');
  return path.resolve(value);
}

export interface MainHandle {
  backend: Backend;
  mainWindow: Electron.BrowserWindow;
  customerWindow: Electron.BrowserWindow | null;
  appUrl: string;
}

export async function runMain(electron: ElectronModule, opts: MainOptions): Promise<MainHandle> {
  const { app, BrowserWindow, ipcMain, protocol, dialog, session, shell, screen, safeStorage } = electron;

  // Every renderer runs in Chromium's OS-level sandbox, including any created later by a
  // library: a compromised page (a malicious QR payload rendered somewhere, say) then cannot
  // reach the file system or spawn processes even if it escapes the JS isolate.
  app.enableSandbox();
  // Electron accepts this only before ready. The renderer is served over app://, never file://.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  const appUrl = opts.devServerUrl ?? APP_INDEX_URL;
  const mode = opts.mode ?? 'demo';
  // Before ready too, so Chromium's profile (sessionData follows userData) goes there as well.
  if (opts.userDataDir !== undefined) app.setPath('userData', userDataFolder(opts.userDataDir, mode));
  const preload = path.join(opts.outDir, '..', 'preload', 'index.cjs');
  const rendererDir = path.join(opts.outDir, '..', 'renderer');

  // The web contents of the app's own windows: the ones created below and the demo phone or
  // customer display one of them opens. Only these may call the back end (ipc.ts), whatever URL another one shows.
  const ownContents = new WeakSet<Electron.WebContents>();
  const trusted = (event: SenderEvent) => isTrustedSender(event, appUrl, (wc) => ownContents.has(wc));

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev, url) => {
      if (!isAppUrl(url, appUrl)) ev.preventDefault();
    });
    contents.on('will-redirect', (ev, url) => {
      if (!isAppUrl(url, appUrl)) ev.preventDefault();
    });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // The page opens no windows but demo mode's customer phone and customer display (the app's
      // own page, with the same hardened preferences); a safe https link goes to the OS browser;
      // all else is denied.
      const child = demoChildWindow(url, appUrl, mode);
      if (child) {
        return { action: 'allow', overrideBrowserWindowOptions: { ...child, webPreferences: secureWebPreferences(preload) } };
      }
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('did-create-window', (child) => {
      if (ownContents.has(contents)) ownContents.add(child.webContents);
    });
  });

  await app.whenReady();

  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((wc, permission, callback, details) => {
    const media = (details as { mediaTypes?: string[] }).mediaTypes ?? [];
    callback(isPermissionAllowed(permission, details.requestingUrl ?? wc.getURL(), appUrl, media));
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    permission === 'media' && isAppOrigin(requestingOrigin, appUrl),
  );
  // app:// responses carry the CSP from their handler; this covers the dev server's pages.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  const dataDir = path.join(app.getPath('userData'), 'data');
  const backend = await createBackend(
    { dataDir, mode, shell: 'electron' },
    { secrets: new KeychainSecretStore(safeStorage, path.join(dataDir, 'secrets.json')), verifyWorkerPath: opts.verifyWorkerPath },
  );
  registerIpc(ipcMain, backend.dispatcher, trusted);
  registerShellIpc(ipcMain, {
    trusted,
    operator: () => backend.operators.operatorForCall(),
    windowOf: (wc) => BrowserWindow.fromWebContents(wc),
    showSaveDialog: (win, options) => (win ? dialog.showSaveDialog(win, options) : dialog.showSaveDialog(options)),
    documentsDir: () => app.getPath('documents'),
  });

  const mainWindow = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 600,
    show: false,
    title: '村店收银台',
    webPreferences: secureWebPreferences(preload),
  });
  ownContents.add(mainWindow.webContents);
  mainWindow.once('ready-to-show', () => mainWindow.show());

  // The customer-facing display goes on a second screen when one exists.
  const displays = screen.getAllDisplays();
  const primary = screen.getPrimaryDisplay();
  const second = displays.find((d) => d.id !== primary.id);
  let customerWindow: Electron.BrowserWindow | null = null;
  if (second) {
    customerWindow = new BrowserWindow({
      x: second.bounds.x,
      y: second.bounds.y,
      width: second.bounds.width,
      height: second.bounds.height,
      fullscreen: true,
      title: '顾客显示屏',
      webPreferences: secureWebPreferences(preload),
    });
    ownContents.add(customerWindow.webContents);
  }

  // Every window of the app (cashier, customer display, demo phone) follows the core's events.
  const unsubscribe = backend.bus.subscribe((name, payload) => {
    for (const w of BrowserWindow.getAllWindows()) {
      if (!w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, name, payload);
    }
  });

  await mainWindow.loadURL(appUrl);
  if (customerWindow) await customerWindow.loadURL(`${appUrl}#/customer`);

  app.on('window-all-closed', () => {
    unsubscribe();
    void backend.close().finally(() => app.quit());
  });

  return { backend, mainWindow, customerWindow, appUrl };
}
