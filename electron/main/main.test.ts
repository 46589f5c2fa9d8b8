import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../core/api/csp';
import { methodNames } from '../../core/api/names';
import { shellChannels } from '../../core/api/shell';
import { makeFakeElectron, type FakeDisplay } from './fake-electron';
import { runMain, userDataFolder, type ElectronModule, type MainHandle } from './main';

const appUrl = 'app://cashier/index.html';
const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
let handle: MainHandle | null = null;
let dir = '';
let outDir = '';

/** Runs main on the fake, with a built renderer folder (out/renderer) beside out/main. */
async function start(opts: { displays?: FakeDisplay[] } = {}) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-main-'));
  outDir = path.join(dir, 'out', 'main');
  const renderer = path.join(dir, 'out', 'renderer');
  fs.mkdirSync(path.join(renderer, 'face-models', 'wasm'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>村店收银台</title>');
  fs.writeFileSync(path.join(renderer, 'face-models', 'wasm', 'tfjs-backend-wasm.wasm'), WASM);
  fs.writeFileSync(path.join(dir, 'out', 'secret.txt'), 'not for the page');
  const fake = makeFakeElectron({ displays: opts.displays, userData: path.join(dir, 'userData'), documents: path.join(dir, 'Documents') });
  handle = await runMain(fake.electron as unknown as ElectronModule, { outDir, mode: 'demo' });
  return fake;
}
type Fake = Awaited<ReturnType<typeof start>>;

afterEach(async () => {
  await handle?.backend.close();
  handle = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

const appFrame = { url: `${appUrl}#/checkout`, parent: null };
const invoke = (fake: Fake, ch: string, event: { sender?: unknown; senderFrame: unknown }, input: unknown) =>
  fake.handlers.get(ch)!(event, input);
/** A call from the cashier window's page. */
const fromMain = (fake: Fake) => ({ sender: fake.windows[0]!.webContents, senderFrame: appFrame });
const login = (fake: Fake) => invoke(fake, 'session:login', fromMain(fake), { operatorId: 'cashier1', pin: '1111' });
const serve = (fake: Fake, url: string) => fake.protocolState.handlers.get('app')!(new Request(url)) as Promise<Response>;

describe('Electron main process', () => {
  it('enables the sandbox and registers app:// as privileged before the app is ready', async () => {
    const fake = await start();
    const ready = fake.calls.indexOf('ready');
    expect(fake.calls.indexOf('enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(fake.calls.indexOf('enableSandbox')).toBeLessThan(ready);
    expect(fake.calls.indexOf('registerSchemesAsPrivileged')).toBeGreaterThanOrEqual(0);
    expect(fake.calls.indexOf('registerSchemesAsPrivileged')).toBeLessThan(ready);
    expect(fake.calls.filter((c) => c.endsWith(':after-ready'))).toEqual([]);
    // Exactly these privileges: no CSP bypass, no cross-origin reads, no service workers.
    expect(fake.protocolState.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(fake.calls.indexOf('protocol.handle:app')).toBeGreaterThan(ready);
  });

  it('creates windows isolated, sandboxed and without Node, with the bundled preload, on app://', async () => {
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
    expect(fake.windows[0]!.loaded.url).toBe(appUrl);
    expect(handle!.appUrl).toBe(appUrl);
  });

  it('puts the customer display on the second screen when there is one, on app://', async () => {
    const fake = await start({
      displays: [
        { id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 } },
        { id: 2, bounds: { x: 1366, y: 0, width: 800, height: 600 } },
      ],
    });
    expect(fake.windows.length).toBe(2);
    expect(fake.windows[1]!.options).toMatchObject({ x: 1366, y: 0, fullscreen: true });
    expect(fake.windows[1]!.loaded.url).toBe(`${appUrl}#/customer`);
    expect(fake.windows[1]!.options.webPreferences.sandbox).toBe(true);
  });

  it('serves the renderer folder over app://: a wasm kernel as application/wasm with the CSP', async () => {
    const fake = await start();
    const wasm = await serve(fake, 'app://cashier/face-models/wasm/tfjs-backend-wasm.wasm');
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(Buffer.from(await wasm.arrayBuffer())).toEqual(WASM);
    const page = await serve(fake, appUrl);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it.each([
    'app://cashier/../secret.txt',
    'app://cashier/%2e%2e/secret.txt',
    'app://cashier/face-models/..%2f..%2fsecret.txt',
    'app://cashier/..%5csecret.txt',
    'app://cashier/..\\secret.txt',
    'app://cashier/%2Fetc%2Fpasswd',
    'app://evil/index.html',
    'app://cashier/missing.js',
  ])('the app:// handler refuses %s with 404', async (url) => {
    const fake = await start();
    const r = await serve(fake, url);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await r.text()).toBe('');
  });

  it('registers one IPC handler per contract method, the shell channel, and nothing else', async () => {
    const fake = await start();
    expect([...fake.handlers.keys()].sort()).toEqual([...methodNames, ...Object.values(shellChannels)].sort());
    for (const ch of Object.values(shellChannels)) expect((methodNames as readonly string[]).includes(ch)).toBe(false);
  });

  it('refuses calls from a foreign or sub-frame sender before parsing', async () => {
    const fake = await start();
    const main = fake.windows[0]!.webContents;
    const foreign = [
      { sender: main, senderFrame: null },
      { sender: main, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: main, senderFrame: { url: 'file:///tmp/evil.html', parent: null } },
      // The old file:// page of the app is foreign now.
      { sender: main, senderFrame: { url: `file://${path.join(outDir, '..', 'renderer', 'index.html')}`, parent: null } },
      { sender: main, senderFrame: { url: 'app://evil/index.html', parent: null } },
      { sender: main, senderFrame: { url: appUrl, parent: { url: appUrl } } },
      // The app's own page, but in web contents that are not one of the app's windows.
      { sender: fake.strayContents(), senderFrame: appFrame },
      { senderFrame: appFrame },
    ];
    for (const event of foreign) {
      const r = await invoke(fake, 'session:login', event, { operatorId: 'cashier1', pin: '1111' });
      expect(r).toMatchObject({ ok: false, error: { code: 'rpc.forbidden' } });
    }
    expect(handle!.backend.operators.state().operator).toBeNull();
  });

  it('accepts app:// frames from the app’s own windows: cashier, customer display, the demo phone it opened', async () => {
    const fake = await start({
      displays: [
        { id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 } },
        { id: 2, bounds: { x: 1366, y: 0, width: 800, height: 600 } },
      ],
    });
    const phone = fake.openFromPage(fake.windows[0]!, `${appUrl}#/phone`);
    expect(phone).not.toBeNull();
    expect(phone!.loaded.url).toBe(`${appUrl}#/phone`);
    for (const w of [fake.windows[0]!, fake.windows[1]!, phone!]) {
      const r = await invoke(fake, 'session:current', { sender: w.webContents, senderFrame: { url: w.loaded.url, parent: null } }, {});
      expect(r).toMatchObject({ ok: true });
    }
  });

  it('refuses an invalid payload from the app page and accepts a valid one', async () => {
    const fake = await start();
    const bad = await invoke(fake, 'session:login', fromMain(fake), { operatorId: 'cashier1', pin: 'abcd' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    const good = await login(fake);
    expect(good).toMatchObject({ ok: true, value: { operator: { id: 'cashier1' } } });
  });

  it('pushes core events to the windows', async () => {
    const fake = await start();
    await login(fake);
    expect(fake.windows[0]!.webContents.sent.some((a) => a[0] === 'cashier:event' && a[1] === 'session:changed')).toBe(true);
  });

  it('denies navigation away from the app and every window.open; only https goes to the OS', async () => {
    const fake = await start();
    const wc = fake.windows[0]!.webContents;
    const nav = (url: string) => {
      let prevented = false;
      wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav(`file://${path.join(outDir, '..', 'renderer', 'index.html')}`)).toBe(true);
    expect(nav('app://evil/index.html')).toBe(true);
    expect(nav('app://cashier/face-models/faceres.json')).toBe(true);
    expect(nav(`${appUrl}#/login`)).toBe(false);
    let redirected = false;
    wc.emit('will-redirect', { preventDefault: () => (redirected = true) }, 'file:///etc/passwd');
    expect(redirected).toBe(true);
    let webview = false;
    wc.emit('will-attach-webview', { preventDefault: () => (webview = true) });
    expect(webview).toBe(true);
    for (const url of ['https://help.example/', 'http://x.example/', 'file:///C:/x.exe', 'smb://h/s', appUrl, `${appUrl}#/checkout`, 'https://evil.example/#/phone', 'file:///x/index.html#/phone', 'app://evil/index.html#/phone']) {
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    // Plain https links (whatever their fragment) go to the OS browser, never into the app.
    expect(fake.opened).toEqual(['https://help.example/', 'https://evil.example/#/phone']);
    // Demo mode's customer phone and customer display are the app's own page, opened with the same hardened settings.
    const phone = wc.windowOpenHandler!({ url: `${appUrl}#/phone` });
    expect(phone.action).toBe('allow');
    expect(phone.overrideBrowserWindowOptions.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    const display = wc.windowOpenHandler!({ url: `${appUrl}#/customer` });
    expect(display.overrideBrowserWindowOptions).toMatchObject({ title: '顾客显示屏（培训）', webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } });
  });

  it('keeps all its data in the folder CASHIER_USER_DATA_DIR names, set before ready, in demo mode', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-userdata-'));
    try {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-main-'));
      outDir = path.join(dir, 'out', 'main');
      fs.mkdirSync(path.join(dir, 'out', 'renderer'), { recursive: true });
      const fake = makeFakeElectron({ userData: path.join(dir, 'userData') });
      handle = await runMain(fake.electron as unknown as ElectronModule, { outDir, mode: 'demo', userDataDir: elsewhere });
      expect(fake.calls.indexOf('setPath:userData')).toBeGreaterThanOrEqual(0);
      expect(fake.calls.indexOf('setPath:userData')).toBeLessThan(fake.calls.indexOf('ready'));
      expect(handle.backend.config.dataDir).toBe(path.join(elsewhere, 'data'));
      expect(fs.existsSync(path.join(elsewhere, 'data'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'userData'))).toBe(false);
    } finally {
      await handle?.backend.close();
      handle = null;
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('grants only the camera, only to the app page; sets the CSP header on the dev server’s pages', async () => {
    const fake = await start();
    const ask = (permission: string, requestingUrl: string, mediaTypes: string[] = []) =>
      new Promise<boolean>((resolve) =>
        fake.sessionState.permissionRequest!({ getURL: () => requestingUrl }, permission, resolve, { requestingUrl, mediaTypes }),
      );
    expect(await ask('media', `${appUrl}#/face`, ['video'])).toBe(true);
    expect(await ask('media', appUrl, ['audio'])).toBe(false);
    expect(await ask('geolocation', appUrl)).toBe(false);
    expect(await ask('notifications', appUrl)).toBe(false);
    expect(await ask('media', 'https://evil.example/', ['video'])).toBe(false);
    expect(await ask('media', 'file:///tmp/x.html', ['video'])).toBe(false);
    // The check handler is given an origin, without a path.
    const check = fake.sessionState.permissionCheck!;
    expect(check(null, 'media', 'app://cashier')).toBe(true);
    expect(check(null, 'media', 'app://evil')).toBe(false);
    expect(check(null, 'media', 'file:///')).toBe(false);
    expect(check(null, 'geolocation', 'app://cashier')).toBe(false);
    const headers = await new Promise<Record<string, string[]>>((resolve) =>
      fake.sessionState.headers!({ responseHeaders: {} }, (r: { responseHeaders: Record<string, string[]> }) => resolve(r.responseHeaders)),
    );
    expect(headers['Content-Security-Policy']![0]).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('Z report to PDF (Electron shell)', () => {
  const save = (fake: Fake, event: { sender?: unknown; senderFrame: unknown }, input: unknown) =>
    invoke(fake, shellChannels.saveZReportPdf, event, input);
  const filesUnder = (d: string): string[] =>
    fs.existsSync(d) ? fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(d, f)).isFile()) : [];

  it('prints the sender’s page to A4 and writes it where the save dialog said', async () => {
    const fake = await start();
    await login(fake);
    const target = path.join(dir, 'chosen', 'my-z.pdf');
    fs.mkdirSync(path.dirname(target));
    fake.dialogState.answer = { canceled: false, filePath: target };
    const r = await save(fake, fromMain(fake), { day: '2026-11-28' });
    expect(r).toEqual({ ok: true, value: { saved: true, path: target } });
    const main = fake.windows[0]!;
    expect(main.webContents.printed).toEqual([{ pageSize: 'A4' }]);
    expect(fs.readFileSync(target, 'utf8')).toBe(`%PDF-1.7 fake page of web contents ${main.webContents.id}\n%%EOF\n`);
    expect(filesUnder(path.dirname(target))).toEqual(['my-z.pdf']); // no temporary file left
    // The dialog is the cashier window's, and suggests Z-report-YYYYMMDD.pdf in the documents folder.
    expect(fake.dialogState.asked).toHaveLength(1);
    expect(fake.dialogState.asked[0]!.window).toBe(main);
    expect(fake.dialogState.asked[0]!.options.defaultPath).toBe(path.join(dir, 'Documents', 'Z-report-20261128.pdf'));
    expect(fake.dialogState.asked[0]!.options.filters).toEqual([{ name: 'PDF', extensions: ['pdf'] }]);
  });

  it('writes nothing when the dialog is cancelled', async () => {
    const fake = await start();
    await login(fake);
    fake.dialogState.answer = { canceled: true, filePath: '' };
    const r = await save(fake, fromMain(fake), { day: '2026-11-28' });
    expect(r).toEqual({ ok: true, value: { saved: false } });
    expect(filesUnder(path.join(dir, 'Documents'))).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual(['out', 'userData']);
  });

  it('refuses a foreign sender before printing or asking anything', async () => {
    const fake = await start();
    await login(fake);
    fake.dialogState.answer = { canceled: false, filePath: path.join(dir, 'x.pdf') };
    const stray = fake.strayContents();
    for (const event of [
      { sender: stray, senderFrame: appFrame },
      { sender: fake.windows[0]!.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: fake.windows[0]!.webContents, senderFrame: { url: appUrl, parent: { url: appUrl } } },
      { sender: fake.windows[0]!.webContents, senderFrame: null },
    ]) {
      expect(await save(fake, event, { day: '2026-11-28' })).toMatchObject({ ok: false, error: { code: 'rpc.forbidden' } });
    }
    expect(stray.printed).toEqual([]);
    expect(fake.windows[0]!.webContents.printed).toEqual([]);
    expect(fake.dialogState.asked).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'x.pdf'))).toBe(false);
  });

  it('refuses a bad day and a caller who is not logged in, printing nothing', async () => {
    const fake = await start();
    expect(await save(fake, fromMain(fake), { day: '2026-11-28' })).toMatchObject({ ok: false, error: { code: 'auth.not_logged_in' } });
    await login(fake);
    for (const input of [{ day: '2026/11/28' }, { day: '../../etc/x' }, { day: '2026-11-28', path: '/tmp/x.pdf' }, {}, null, 'x']) {
      expect(await save(fake, fromMain(fake), input)).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    }
    expect(fake.windows[0]!.webContents.printed).toEqual([]);
    expect(fake.dialogState.asked).toEqual([]);
  });

  it('says so, in both languages, when the PDF cannot be made or written; leaves no partial file', async () => {
    const fake = await start();
    await login(fake);
    const target = path.join(dir, 'no-such-folder', 'z.pdf');
    fake.dialogState.answer = { canceled: false, filePath: target };
    const unwritable = await save(fake, fromMain(fake), { day: '2026-11-28' });
    expect(unwritable).toMatchObject({ ok: false, error: { code: 'report.pdf_write_failed', zh: expect.stringMatching(/没有保存/), en: expect.stringMatching(/not saved/), detail: { code: 'ENOENT' } } });
    expect(fs.existsSync(path.dirname(target))).toBe(false);

    fake.windows[0]!.webContents.pdfFails = true;
    fake.dialogState.asked.length = 0;
    const failed = await save(fake, fromMain(fake), { day: '2026-11-28' });
    expect(failed).toMatchObject({ ok: false, error: { code: 'report.pdf_failed', zh: expect.any(String), en: expect.any(String) } });
    expect(fake.dialogState.asked).toEqual([]);
  });
});

describe('CASHIER_USER_DATA_DIR', () => {
  it('refuses, in both languages, live mode, a relative path, a missing folder, a file and a symbolic link', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-userdata-'));
    try {
      fs.writeFileSync(path.join(top, 'file'), '');
      fs.symlinkSync(top, path.join(top, 'link'));
      expect(userDataFolder(top, 'demo')).toBe(top);
      expect(() => userDataFolder(top, 'live')).toThrow(/培训模式[\s\S]*training \(demo\) mode/);
      for (const bad of ['data', './data', '', path.join(top, 'missing'), path.join(top, 'file'), path.join(top, 'link'), `${top}\u0000x`]) {
        expect(() => userDataFolder(bad, 'demo'), JSON.stringify(bad)).toThrow(/CASHIER_USER_DATA_DIR: .*\n.+/);
      }
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });
});

describe('logs and crash dumps (core/ops)', () => {
  it('starts the crash reporter before ready with uploads off, and logs to userData/logs, renderer deaths included', async () => {
    const fake = await start();
    expect(fake.calls.indexOf('crashReporter.start')).toBeGreaterThanOrEqual(0);
    expect(fake.calls.indexOf('crashReporter.start')).toBeLessThan(fake.calls.indexOf('ready'));
    expect(fake.electron.crashReporter.started).toEqual([expect.objectContaining({ uploadToServer: false, submitURL: '' })]);
    fake.windows[0]!.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    const logs = path.join(dir, 'userData', 'logs');
    await handle!.backend.close();
    handle = null;
    const text = fs.readdirSync(logs).map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('');
    expect(text).toContain('"msg":"start"');
    expect(text).toContain('"msg":"renderer.gone"');
    expect(text).toContain('"reason":"crashed"');
  });
});
