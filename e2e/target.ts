/**
 * Which targets the specs can run against on this machine, and a fixture that opens the app
 * on either: `app` is a Page showing the renderer, logged out, whatever the shell.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { test as base, _electron, type ElectronApplication, type Page } from '@playwright/test';

export const E2E_PORT = Number(process.env.E2E_PORT ?? 5199);
export const E2E_TOKEN = 'e2e-token-not-secret';
export const APP_URL = `http://127.0.0.1:${E2E_PORT}/?token=${E2E_TOKEN}`;

export function electronBinary(): { path: string | null; why: string } {
  // Requiring 'electron' would try to download a missing binary, so look for it directly.
  const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const rel = fs.existsSync(path.join(dir, 'path.txt')) ? fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim() : '';
  const bin = rel ? path.join(dir, 'dist', rel) : '';
  if (!bin || !fs.existsSync(bin)) {
    return { path: null, why: 'no Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1)' };
  }
  if (!fs.existsSync('out/main/index.js')) return { path: null, why: 'the Electron app is not built (run `npm run build`)' };
  return { path: bin, why: '' };
}

/**
 * The terminal keeps one operator session in its core, shared by every window: a spec that
 * ended logged in would leave the next one on the checkout. Each spec starts logged out, by
 * calling `session:logout` through whichever transport the page has.
 */
async function logOut(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const w = window as unknown as { cashier?: { call: Record<string, (i: unknown) => Promise<unknown>> } };
        if (w.cashier) {
          void w.cashier.call['session:logout']({}).then(() => resolve(), reject);
          return;
        }
        // The shell's token, presented as the page does (core/api/browser-token.ts).
        const ws = new WebSocket(`ws://${location.host}/rpc`, ['vc-rpc', `vc-token.${new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('vc_token')}`]);
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'session:logout', input: {} }));
        ws.onmessage = () => {
          ws.close();
          resolve();
        };
        ws.onerror = () => reject(new Error('could not reach the back end to log out'));
      }),
  );
}

/**
 * The Electron app's data folder for this run of the specs: fresh, under the system's temp
 * folder, shared by every launch of the run (the specs build on each other's data, as they do on
 * the browser shell's one back end), removed when the run ends. The app is told it by
 * `CASHIER_USER_DATA_DIR` (read by electron/main/index.ts, checked by main.ts), so an e2e run
 * never opens the real user-data folder, its Chromium profile included.
 */
let electronData: string | null = null;
function electronDataDir(): string {
  if (electronData === null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-e2e-electron-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    electronData = dir;
  }
  return electronData;
}

/**
 * Starts the built Electron app (out/main/index.js) in demo mode, logged out, on this run's own
 * data folder. Its windows load the renderer from `app://cashier/index.html`
 * (electron/main/app-protocol.ts), as an installed app does. `chromiumArgs` go before the app's
 * path, where Electron hands them to Chromium (the face spec's fake camera).
 */
export async function launchElectron(chromiumArgs: string[] = []): Promise<{ electron: ElectronApplication; win: Page }> {
  const electron = await _electron.launch({
    executablePath: electronBinary().path ?? undefined,
    args: [...chromiumArgs, 'out/main/index.js'],
    env: { ...process.env, CASHIER_MODE: 'demo', CASHIER_USER_DATA_DIR: electronDataDir() },
  });
  const win = await electron.firstWindow();
  // The window exists before its page: wait for the app:// page, never a file:// one.
  await win.waitForURL(/^app:\/\/cashier\/index\.html(#.*)?$/, { timeout: 30_000 });
  await logOut(win);
  await win.reload();
  return { electron, win };
}

/**
 * Another window of the app showing `hash`, following the same back end: on the browser shell a
 * new tab of the same browser; under Electron the app's own window, opened by its page as a
 * trainer would (demo mode allows exactly these two: electron/main/security.ts), so it has the
 * app's preload and is one of the app's windows, not a browser tab Electron knows nothing of.
 */
export async function openAppWindow(app: Page, hash: '#/customer' | '#/phone'): Promise<Page> {
  const url = app.url().replace(/#.*$/, '') + hash;
  if (test.info().project.name === 'electron') {
    const [win] = await Promise.all([
      app.context().waitForEvent('page'),
      app.evaluate((u) => void window.open(u), url),
    ]);
    await win.waitForLoadState();
    return win;
  }
  const page = await app.context().newPage();
  await page.goto(url);
  return page;
}

export const test = base.extend<{ app: Page }>({
  app: async ({ page }, use, info) => {
    if (info.project.name === 'electron') {
      const { electron, win } = await launchElectron();
      await use(win);
      await electron.close();
      return;
    }
    await page.goto(APP_URL);
    await logOut(page);
    await page.goto(APP_URL);
    await use(page);
  },
});
export { expect } from '@playwright/test';
