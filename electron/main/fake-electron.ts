/**
 * A fake of the parts of the `electron` module the shell uses, recording every call, so the
 * main process's hardening and IPC are tested in plain Node (main.test.ts).
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';

type Handler = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeDisplay {
  id: number;
  bounds: { x: number; y: number; width: number; height: number };
}

export function makeFakeElectron(opts: { displays?: FakeDisplay[]; userData?: string } = {}) {
  const calls: string[] = [];
  const displays = opts.displays ?? [{ id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 } }];
  const app = Object.assign(new EventEmitter(), {
    ready: false,
    enableSandbox: () => {
      calls.push(app.ready ? 'enableSandbox:after-ready' : 'enableSandbox');
    },
    whenReady: async () => {
      app.ready = true;
      calls.push('ready');
    },
    getPath: (_n: string) => opts.userData ?? os.tmpdir(),
    quit: () => calls.push('quit'),
    exit: () => calls.push('exit'),
  });

  const windows: FakeWindow[] = [];
  class FakeWebContents extends EventEmitter {
    sent: unknown[][] = [];
    windowOpenHandler: Handler | null = null;
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    setWindowOpenHandler(h: Handler) {
      this.windowOpenHandler = h;
    }
    getURL() {
      return '';
    }
  }
  class FakeWindow extends EventEmitter {
    static getAllWindows() {
      return windows;
    }
    webContents = new FakeWebContents();
    loaded: { file?: string; url?: string; hash?: string } = {};
    constructor(readonly options: Record<string, any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
      super();
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    async loadFile(file: string, o?: { hash?: string }) {
      this.loaded = { file, hash: o?.hash };
    }
    async loadURL(url: string) {
      this.loaded = { url };
    }
    isDestroyed() {
      return false;
    }
    show() {}
  }

  const handlers = new Map<string, Handler>();
  const ipcMain = { handle: (ch: string, h: Handler) => handlers.set(ch, h) };
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
  return { electron: { app, BrowserWindow: FakeWindow, ipcMain, session, shell, screen, safeStorage }, calls, windows, handlers, sessionState, opened };
}
