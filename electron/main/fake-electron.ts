/**
 * A fake of the parts of the `electron` module the shell uses, recording every call, so the
 * main process's hardening and IPC are tested in plain Node (main.test.ts).
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';

type Handler = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeDisplay {
  id: number;
  bounds: { x: number; y: number; width: number; height: number };
}

export function makeFakeElectron(opts: { displays?: FakeDisplay[]; userData?: string; documents?: string; isPackaged?: boolean } = {}) {
  const calls: string[] = [];
  const displays = opts.displays ?? [{ id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 } }];
  const paths = new Map<string, string>([['userData', opts.userData ?? os.tmpdir()]]);
  const app = Object.assign(new EventEmitter(), {
    ready: false,
    /** An installed build (electron-builder) when true; a development run by default, as under `electron-vite dev`. */
    isPackaged: opts.isPackaged ?? false,
    enableSandbox: () => {
      calls.push(app.ready ? 'enableSandbox:after-ready' : 'enableSandbox');
    },
    whenReady: async () => {
      app.ready = true;
      calls.push('ready');
    },
    getPath: (name: string) => paths.get(name) ?? (name === 'documents' ? (opts.documents ?? path.join(paths.get('userData')!, 'Documents')) : paths.get('userData')!),
    setPath: (name: string, value: string) => {
      calls.push(app.ready ? `setPath:${name}:after-ready` : `setPath:${name}`);
      paths.set(name, value);
    },
    getVersion: () => '0.1.0',
    quit: () => calls.push('quit'),
    exit: () => calls.push('exit'),
    relaunch: () => calls.push('relaunch'),
  });

  /** Every application menu set: null removes it (and its DevTools accelerators). */
  const Menu = {
    set: [] as unknown[],
    setApplicationMenu: (menu: unknown) => {
      calls.push(`setApplicationMenu:${menu === null ? 'null' : 'menu'}`);
      Menu.set.push(menu);
    },
  };

  /** What the shell asked of the crash reporter (main.test.ts: dumps stay local). */
  const crashReporter = {
    started: [] as unknown[],
    start: (options: unknown) => {
      calls.push(app.ready ? 'crashReporter.start:after-ready' : 'crashReporter.start');
      crashReporter.started.push(options);
    },
  };

  const windows: FakeWindow[] = [];
  let nextId = 1;
  class FakeWebContents extends EventEmitter {
    readonly id = nextId++;
    sent: unknown[][] = [];
    windowOpenHandler: Handler | null = null;
    /** Options of every printToPDF call; set `pdfFails` to make the next ones throw. */
    printed: unknown[] = [];
    pdfFails = false;
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    setWindowOpenHandler(h: Handler) {
      this.windowOpenHandler = h;
    }
    getURL() {
      return '';
    }
    async printToPDF(options: unknown) {
      this.printed.push(options);
      if (this.pdfFails) throw new Error('Failed to generate PDF');
      return Buffer.from(`%PDF-1.7 fake page of web contents ${this.id}\n%%EOF\n`);
    }
  }
  class FakeWindow extends EventEmitter {
    static getAllWindows() {
      return windows;
    }
    static fromWebContents(wc: unknown) {
      return windows.find((w) => w.webContents === wc) ?? null;
    }
    webContents = new FakeWebContents();
    loaded: { url?: string } = {};
    constructor(readonly options: Record<string, any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
      super();
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    async loadURL(url: string) {
      this.loaded = { url };
    }
    isDestroyed() {
      return false;
    }
    show() {}
  }

  /**
   * What Electron does when a page calls window.open(url): ask the opener's window-open handler;
   * if it allows, create the window with its options, load the URL and tell the opener.
   */
  function openFromPage(opener: FakeWindow, url: string): FakeWindow | null {
    const answer = opener.webContents.windowOpenHandler!({ url });
    if (answer.action !== 'allow') return null;
    const child = new FakeWindow(answer.overrideBrowserWindowOptions ?? {});
    child.loaded = { url };
    opener.webContents.emit('did-create-window', child, { url });
    return child;
  }
  /** Web contents in no window of the app (a devtools page, a webview, a stray view). */
  const strayContents = () => new FakeWebContents();

  const handlers = new Map<string, Handler>();
  const ipcMain = { handle: (ch: string, h: Handler) => handlers.set(ch, h) };
  const protocolState = { privileged: [] as unknown[], handlers: new Map<string, Handler>() };
  const protocol = {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      calls.push(app.ready ? 'registerSchemesAsPrivileged:after-ready' : 'registerSchemesAsPrivileged');
      protocolState.privileged.push(...schemes);
    },
    handle: (scheme: string, h: Handler) => {
      calls.push(`protocol.handle:${scheme}`);
      protocolState.handlers.set(scheme, h);
    },
  };
  /** The save dialog answers with `dialogState.answer`; every call's window and options are kept. */
  const dialogState = {
    answer: { canceled: true, filePath: '' } as { canceled: boolean; filePath: string },
    /** The button index a message box answers (the updater's "after hours" is 0). */
    messageAnswer: 0,
    messages: [] as Array<Record<string, any>>, // eslint-disable-line @typescript-eslint/no-explicit-any
    asked: [] as Array<{ window: unknown; options: Record<string, any> }>, // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const dialog = {
    showSaveDialog: async (window: unknown, options: Record<string, unknown>) => {
      dialogState.asked.push({ window, options });
      return dialogState.answer;
    },
    showErrorBox: (title: string, content: string) => calls.push(`errorBox:${title}:${content}`),
    /** Electron takes (window, options) or (options): answers `dialogState.messageAnswer`. */
    showMessageBox: async (windowOrOptions: unknown, maybeOptions?: Record<string, unknown>) => {
      const options = maybeOptions ?? (windowOrOptions as Record<string, unknown>);
      calls.push(`messageBox:${String(options.title)}`);
      dialogState.messages.push(options);
      return { response: dialogState.messageAnswer };
    },
  };
  const sessionState = {
    permissionRequest: null as Handler | null,
    permissionCheck: null as Handler | null,
    headers: null as Handler | null,
  };
  const session = {
    defaultSession: {
      setPermissionRequestHandler: (h: Handler) => (sessionState.permissionRequest = h),
      setPermissionCheckHandler: (h: Handler) => (sessionState.permissionCheck = h),
      webRequest: { onHeadersReceived: (h: Handler) => (sessionState.headers = h) },
    },
  };
  const opened: string[] = [];
  const shell = { openExternal: async (u: string) => void opened.push(u) };
  const screen = { getAllDisplays: () => displays, getPrimaryDisplay: () => displays[0] };
  const safeStorage = {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (s: string) => Buffer.from(`enc:${s}`),
    decryptString: (b: Buffer) => b.toString().replace(/^enc:/, ''),
  };
  return {
    electron: { app, BrowserWindow: FakeWindow, ipcMain, protocol, dialog, session, shell, screen, safeStorage, crashReporter, Menu },
    calls,
    windows,
    handlers,
    protocolState,
    dialogState,
    sessionState,
    opened,
    openFromPage,
    strayContents,
  };
}
