/**
 * The Electron shell. Everything Electron-specific lives here and stays thin: build the back
 * end through the composition root, harden the app, serve the renderer over `app://cashier/`
 * (app-protocol.ts), register IPC, open the windows, forward events. `runMain` takes the
 * electron module as a parameter so the hardening is unit-tested against a fake (main.test.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type * as Electron from 'electron';
import { createBackend, type Backend } from '../../core/app';
import { databasePath } from '../../core/config';
import { offerRestore } from './restore-offer';
import { EVENT_CHANNEL } from '../../core/api/bridge';
import { CONTENT_SECURITY_POLICY } from '../../core/api/csp';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-protocol';
import { isTrustedSender, registerIpc, type SenderEvent } from './ipc';
import { registerShellIpc } from './report-pdf';
import { KeychainSecretStore } from './secrets';
import { crashReporterOptions } from './crash';
import { beginLaunch, startUpdates } from './updater';
import { openFileLog, parseLogLevel, watchProcess } from '../../core/ops/log';
import { demoChildWindow, isAppOrigin, isAppUrl, isPermissionAllowed, isSafeExternalUrl, secureWebPreferences } from './security';

export type ElectronModule = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'dialog' | 'session' | 'shell' | 'screen' | 'safeStorage' | 'crashReporter' | 'Menu'
>;

export interface MainOptions {
  /** Folder holding index.js (main); the preload and renderer folders are found beside it. */
  outDir: string;
  /**
   * electron-vite's dev server URL in development, else undefined. Ignored by a packaged
   * (installed) app: the page it names would be trusted as the app's own (IPC bridge, camera),
   * so only a development run may load one.
   */
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
  /** `CASHIER_CRASH_UPLOAD_URL`: where crash dumps are uploaded (https); unset, none leave the PC. */
  crashUploadUrl?: string;
  /** `LOG_LEVEL`: debug, info (default), warn or error. */
  logLevel?: string;
  /** `CASHIER_UPDATE_URL`: the self-hosted update server (https); unset, the app never updates itself. */
  updateUrl?: string;
}

/** Thrown by runMain when a backup was put in place of a damaged database and the app was asked to start again. */
export class RestartingAfterRestore extends Error {
  constructor() {
    super('restored a backup; starting again');
  }
}

/** Thrown by runMain when this start hands over to a rollback installer: the entry point exits quietly. */
export class RollingBack extends Error {
  constructor() {
    super('rolling back to the previous version');
  }
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
  const { app, BrowserWindow, ipcMain, protocol, dialog, session, shell, screen, safeStorage, crashReporter, Menu } = electron;
  // An installed build: no dev server page, no DevTools, no menu (whose default holds their accelerators).
  const packaged = app.isPackaged;

  // Every renderer runs in Chromium's OS-level sandbox, including any created later by a
  // library: a compromised page (a malicious QR payload rendered somewhere, say) then cannot
  // reach the file system or spawn processes even if it escapes the JS isolate.
  app.enableSandbox();
  // Electron accepts this only before ready. The renderer is served over app://, never file://.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  const appUrl = (!packaged && opts.devServerUrl) || APP_INDEX_URL;
  const webPreferences = (preload: string) => secureWebPreferences(preload, { devTools: !packaged });
  const mode = opts.mode ?? 'demo';
  // Before ready too, so Chromium's profile (sessionData follows userData) goes there as well.
  if (opts.userDataDir !== undefined) app.setPath('userData', userDataFolder(opts.userDataDir, mode));
  // Crash dumps kept locally (crash.ts); started early so a crash during start-up is caught too.
  crashReporter.start(crashReporterOptions(opts.crashUploadUrl));
  // The log beside the data (userData/logs), open before anything that could fail.
  const log = await openFileLog({ dir: path.join(app.getPath('userData'), 'logs'), level: parseLogLevel(opts.logLevel) });
  const unwatch = watchProcess(log);
  log.info('start', { shell: 'electron', mode, crashDumps: app.getPath('crashDumps') });
  // Counted before the back end or any window (updater.ts): an installed version that failed to
  // start twice is rolled back to the one before it, by its kept installer, and this start ends.
  const spawnDetached = (cmd: string, args: string[]) => spawn(cmd, args, { detached: true, stdio: 'ignore' }).unref();
  if (beginLaunch({ packaged, version: app.getVersion(), userData: app.getPath('userData'), spawnDetached, log: (e, f) => log.warn(e, f) }) === 'rolling_back') {
    await log.close();
    unwatch();
    throw new RollingBack();
  }
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
    // A renderer that dies (crash, out of memory) says so in the log; its dump is in crashDumps.
    contents.on('render-process-gone', (_ev, details: { reason: string; exitCode: number }) => {
      log.error('renderer.gone', { reason: details.reason, exitCode: details.exitCode });
    });
    contents.setWindowOpenHandler(({ url }) => {
      // The page opens no windows but demo mode's customer phone and customer display (the app's
      // own page, with the same hardened preferences); a safe https link goes to the OS browser;
      // all else is denied.
      const child = demoChildWindow(url, appUrl, mode);
      if (child) {
        return { action: 'allow', overrideBrowserWindowOptions: { ...child, webPreferences: webPreferences(preload) } };
      }
      // Reviewed, as Electronegativity asks: https only, no credentials (isSafeExternalUrl, security.test.ts).
      if (isSafeExternalUrl(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
      return { action: 'deny' };
    });
    contents.on('did-create-window', (child) => {
      if (ownContents.has(contents)) ownContents.add(child.webContents);
    });
  });

  await app.whenReady();
  // The default application menu carries Toggle Developer Tools (Ctrl+Shift+I) and Reload: none at the counter.
  if (packaged) Menu.setApplicationMenu(null);

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
      // Electronegativity cannot read a CSP held in a constant (core/api/csp.ts, checked by csp.test.ts and main.test.ts):
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] }, // eng-disable CSP_GLOBAL_CHECK
    });
  });

  const dataDir = path.join(app.getPath('userData'), 'data');
  let core: Backend;
  try {
    core = await createBackend(
      { dataDir, mode, shell: 'electron' },
      { secrets: new KeychainSecretStore(safeStorage, path.join(dataDir, 'secrets.json')), verifyWorkerPath: opts.verifyWorkerPath, log, logDir: log.dir, backups: {} },
    );
  } catch (e) {
    log.error('start.failed', { err: e });
    // A damaged database: offer the newest good backup rather than only a support number (restore-offer.ts).
    const restored =
      (e as { code?: unknown }).code === 'store.corrupt' &&
      (await offerRestore({ dbFile: databasePath({ dataDir, mode }), ask: async (o) => (await dialog.showMessageBox(o)).response, log })) === 'restored';
    unwatch();
    await log.close();
    if (restored) {
      app.relaunch();
      throw new RestartingAfterRestore();
    }
    throw e;
  }
  // The log is closed after the back end, so its last lines are written.
  const backend: Backend = {
    ...core,
    async close() {
      await core.close();
      unwatch();
      await log.close();
    },
  };
  registerIpc(ipcMain, backend.dispatcher, trusted);
  registerShellIpc(ipcMain, {
    trusted,
    operator: () => backend.operators.operatorForCall(),
    windowOf: (wc) => BrowserWindow.fromWebContents(wc),
    showSaveDialog: (win, options) => (win ? dialog.showSaveDialog(win, options) : dialog.showSaveDialog(options)),
    documentsDir: () => app.getPath('documents'),
  });

  // Electronegativity reads only the literal, not webPreferences() (security.ts, asserted by security.test.ts and main.test.ts):
  // contextIsolation and sandbox are true there; a middle click (auxclick) opens nothing, every new window going through
  // the window-open handler above (demo's two app windows or the OS browser for https, all else denied).
  const mainWindow = new BrowserWindow({ // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 600,
    show: false,
    title: '村店收银台',
    webPreferences: webPreferences(preload),
  });
  ownContents.add(mainWindow.webContents);
  mainWindow.once('ready-to-show', () => mainWindow.show());

  // The customer-facing display goes on a second screen when one exists.
  const displays = screen.getAllDisplays();
  const primary = screen.getPrimaryDisplay();
  const second = displays.find((d) => d.id !== primary.id);
  let customerWindow: Electron.BrowserWindow | null = null;
  if (second) {
    // As the cashier window's: Electronegativity does not follow webPreferences() (security.ts).
    customerWindow = new BrowserWindow({ // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
      x: second.bounds.x,
      y: second.bounds.y,
      width: second.bounds.width,
      height: second.bounds.height,
      fullscreen: true,
      title: '顾客显示屏',
      webPreferences: webPreferences(preload),
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

  // The back end is open and the page loaded: this start was healthy. Then, for an installed
  // build with an update address, updates in the background, installed only when nothing is
  // open and outside trading hours unless the operator agrees (updater.ts).
  const updates = await startUpdates({
    packaged, version: app.getVersion(), userData: app.getPath('userData'), url: opts.updateUrl,
    openWork: () => backend.openWork(),
    ask: async (m) => (await dialog.showMessageBox(mainWindow, { type: 'question', ...m, defaultId: 0, cancelId: 0 })).response,
    quit: () => app.quit(),
    spawnDetached,
    loadUpdater: async () => (await import('electron-updater')).autoUpdater,
    log: (e, f) => log.info(e, f),
  });

  app.on('window-all-closed', () => {
    updates.stop();
    unsubscribe();
    void backend.close().finally(() => app.quit());
  });

  return { backend, mainWindow, customerWindow, appUrl };
}
