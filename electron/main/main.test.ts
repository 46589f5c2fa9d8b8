import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { methodNames } from '../../core/api/names';
import { makeFakeElectron, type FakeDisplay } from './fake-electron';
import { runMain, type ElectronModule, type MainHandle } from './main';

const outDir = '/opt/cashier/out/main';
const appUrl = 'file:///opt/cashier/out/renderer/index.html';
let handle: MainHandle | null = null;
let dir = '';

async function start(displays?: FakeDisplay[]) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-main-'));
  const fake = makeFakeElectron({ displays, userData: dir });
  handle = await runMain(fake.electron as unknown as ElectronModule, { outDir, mode: 'demo' });
  return fake;
}

afterEach(async () => {
  await handle?.backend.close();
  handle = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

const appFrame = { url: `${appUrl}#/checkout`, parent: null };
const invoke = (fake: Awaited<ReturnType<typeof start>>, ch: string, frame: unknown, input: unknown) =>
  fake.handlers.get(ch)!({ senderFrame: frame }, input);

describe('Electron main process', () => {
  it('enables the sandbox before the app is ready', async () => {
    const fake = await start();
    expect(fake.calls.indexOf('enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(fake.calls.indexOf('enableSandbox')).toBeLessThan(fake.calls.indexOf('ready'));
    expect(fake.calls).not.toContain('enableSandbox:after-ready');
  });

  it('creates windows isolated, sandboxed and without Node, with the bundled preload', async () => {
    const fake = await start();
    expect(fake.windows.length).toBe(1);
    for (const w of fake.windows) {
      expect(w.options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
        preload: path.join(outDir, '..', 'preload', 'index.cjs'),
      });
    }
    expect(fake.windows[0].loaded.file).toBe(path.join(outDir, '..', 'renderer', 'index.html'));
  });

  it('puts the customer display on the second screen when there is one', async () => {
    const fake = await start([
      { id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 } },
      { id: 2, bounds: { x: 1366, y: 0, width: 800, height: 600 } },
    ]);
    expect(fake.windows.length).toBe(2);
    expect(fake.windows[1].options).toMatchObject({ x: 1366, y: 0, fullscreen: true });
    expect(fake.windows[1].loaded.hash).toBe('/customer');
    expect(fake.windows[1].options.webPreferences.sandbox).toBe(true);
  });

  it('registers one IPC handler per contract method and nothing else', async () => {
    const fake = await start();
    expect([...fake.handlers.keys()].sort()).toEqual([...methodNames].sort());
  });

  it('refuses calls from a foreign or sub-frame sender before parsing', async () => {
    const fake = await start();
    const foreign = [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///tmp/evil.html', parent: null },
      { url: `${appUrl}`, parent: { url: appUrl } },
    ];
    for (const frame of foreign) {
      const r = await invoke(fake, 'session:login', frame, { operatorId: 'cashier1', pin: '1111' });
      expect(r).toMatchObject({ ok: false, error: { code: 'rpc.forbidden' } });
    }
    expect(handle!.backend.operators.state().operator).toBeNull();
  });

  it('refuses an invalid payload from the app page and accepts a valid one', async () => {
    const fake = await start();
    const bad = await invoke(fake, 'session:login', appFrame, { operatorId: 'cashier1', pin: 'abcd' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    const good = await invoke(fake, 'session:login', appFrame, { operatorId: 'cashier1', pin: '1111' });
    expect(good).toMatchObject({ ok: true, value: { operator: { id: 'cashier1' } } });
  });

  it('pushes core events to the windows', async () => {
    const fake = await start();
    await invoke(fake, 'session:login', appFrame, { operatorId: 'cashier1', pin: '1111' });
    expect(fake.windows[0].webContents.sent.some((a) => a[0] === 'cashier:event' && a[1] === 'session:changed')).toBe(true);
  });

  it('denies navigation away from the app and every window.open; only https goes to the OS', async () => {
    const fake = await start();
    const wc = fake.windows[0].webContents;
    const nav = (url: string) => {
      let prevented = false;
      wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav(`${appUrl}#/login`)).toBe(false);
    let webview = false;
    wc.emit('will-attach-webview', { preventDefault: () => (webview = true) });
    expect(webview).toBe(true);
    for (const url of ['https://help.example/', 'http://x.example/', 'file:///C:/x.exe', 'smb://h/s', appUrl, `${appUrl}#/checkout`, 'https://evil.example/#/phone']) {
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    // Plain https links (whatever their fragment) go to the OS browser, never into the app.
    expect(fake.opened).toEqual(['https://help.example/', 'https://evil.example/#/phone']);
    // Demo mode's customer phone is the app's own page, opened with the same hardened settings.
    const phone = wc.windowOpenHandler!({ url: `${appUrl}#/phone` });
    expect(phone.action).toBe('allow');
    expect(phone.overrideBrowserWindowOptions.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });

  it('grants only the camera, only to the app page; sets the CSP header', async () => {
    const fake = await start();
    const ask = (permission: string, requestingUrl: string, mediaTypes: string[] = []) =>
      new Promise<boolean>((resolve) =>
        fake.sessionState.permissionRequest!({ getURL: () => requestingUrl }, permission, resolve, { requestingUrl, mediaTypes }),
      );
    expect(await ask('media', appUrl, ['video'])).toBe(true);
    expect(await ask('media', appUrl, ['audio'])).toBe(false);
    expect(await ask('geolocation', appUrl)).toBe(false);
    expect(await ask('notifications', appUrl)).toBe(false);
    expect(await ask('media', 'https://evil.example/', ['video'])).toBe(false);
    const headers = await new Promise<Record<string, string[]>>((resolve) =>
      fake.sessionState.headers!({ responseHeaders: {} }, (r: { responseHeaders: Record<string, string[]> }) => resolve(r.responseHeaders)),
    );
    expect(headers['Content-Security-Policy'][0]).toContain("script-src 'self'");
    // 'wasm-unsafe-eval' (WebAssembly for the face model) is allowed; eval and inline script never.
    expect(headers['Content-Security-Policy'][0]).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
  });
});
