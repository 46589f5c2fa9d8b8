/**
 * An installed (packaged) build against a development run, on the fake electron (issue 13):
 * only a development run may load ELECTRON_RENDERER_URL's page as the app's own (item 3); a
 * packaged one has no application menu and no DevTools (item 5); both keep their data folder
 * owner-only (item 8); a live counter's PIN pepper is in the keychain store (item 9).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPepper, PEPPER_SECRET } from '../../core/auth/pin';
import { makeFakeElectron } from './fake-electron';
import { runMain, type ElectronModule, type MainHandle } from './main';
import { KeychainSecretStore } from './secrets';

const APP = 'app://cashier/index.html';
const EVIL = 'http://evil.example:8080/';
let handle: MainHandle | null = null;
let dir = '';

async function start(isPackaged: boolean, devServerUrl?: string) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-packaged-'));
  const fake = makeFakeElectron({ isPackaged, userData: path.join(dir, 'userData') });
  handle = await runMain(fake.electron as unknown as ElectronModule, { outDir: path.join(dir, 'out', 'main'), mode: 'demo', devServerUrl });
  return fake;
}

afterEach(async () => {
  await handle?.backend.close();
  handle = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A call from the top frame of the cashier window showing `url`. */
const callFrom = (fake: Awaited<ReturnType<typeof start>>, url: string) =>
  fake.handlers.get('system:info')!({ sender: fake.windows[0]!.webContents, senderFrame: { url, parent: null } }, {});

describe('a packaged build (items 3 and 5)', () => {
  it('never loads ELECTRON_RENDERER_URL’s page, nor trusts its calls: the app page only', async () => {
    const fake = await start(true, EVIL);
    expect(handle!.appUrl).toBe(APP);
    expect(fake.windows[0]!.loaded.url).toBe(APP);
    expect(await callFrom(fake, `${EVIL}#/checkout`)).toMatchObject({ ok: false, error: { code: 'rpc.forbidden' } });
    expect(await callFrom(fake, `${APP}#/checkout`)).toMatchObject({ ok: true });
    // The camera is not granted to it either.
    const granted: boolean[] = [];
    fake.sessionState.permissionRequest!(fake.windows[0]!.webContents, 'media', (ok: boolean) => granted.push(ok), { requestingUrl: EVIL, mediaTypes: ['video'] });
    expect(granted).toEqual([false]);
  });

  it('removes the application menu (its DevTools accelerators) and turns DevTools off in every window, demo windows too', async () => {
    const fake = await start(true);
    expect(fake.calls).toContain('setApplicationMenu:null');
    expect(fake.windows[0]!.options.webPreferences.devTools).toBe(false);
    const child = fake.openFromPage(fake.windows[0]!, `${APP}#/customer`);
    expect(child!.options.webPreferences.devTools).toBe(false);
  });

  it('a development run loads the dev server and keeps DevTools and the menu', async () => {
    const dev = 'http://localhost:5173/';
    const fake = await start(false, dev);
    expect(fake.windows[0]!.loaded.url).toBe(dev);
    expect(fake.windows[0]!.options.webPreferences.devTools).toBe(true);
    expect(fake.calls).not.toContain('setApplicationMenu:null');
  });
});

describe.runIf(process.platform !== 'win32')('the data folder (item 8)', () => {
  it('is owner-only (0700) with its databases and secrets file 0600', async () => {
    await start(true);
    const data = path.join(dir, 'userData', 'data');
    expect(fs.statSync(data).mode & 0o777).toBe(0o700);
    await handle!.backend.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' });
    const files = fs.readdirSync(data).filter((n) => /\.sqlite(-wal|-shm)?$|secrets\.json$/.test(n));
    expect(files.some((f) => f.endsWith('.sqlite'))).toBe(true);
    for (const f of files) expect(fs.statSync(path.join(data, f)).mode & 0o777, f).toBe(0o600);
  });
});

describe('the PIN pepper under Electron (item 9)', () => {
  async function live() {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-packaged-'));
    const fake = makeFakeElectron({ isPackaged: true, userData: path.join(dir, 'userData') });
    handle = await runMain(fake.electron as unknown as ElectronModule, { outDir: path.join(dir, 'out', 'main'), mode: 'live' });
    return path.join(dir, 'userData', 'data', 'secrets.json');
  }

  it('keeps it in the keychain store, as safeStorage ciphertext only', async () => {
    const file = await live();
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'))[PEPPER_SECRET] as string;
    // The fake's safeStorage marks what it encrypted with `enc:`: the pepper went through it.
    expect(Buffer.from(stored, 'base64').toString().startsWith('enc:')).toBe(true);
    expect(Buffer.from(Buffer.from(stored, 'base64').toString().slice(4), 'base64')).toHaveLength(32);
  });

  it('stores none without a keychain (Linux basic_text), and says so: PINs are then hashed without it', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-packaged-'));
    const file = path.join(dir, 'secrets.json');
    const noKeychain = {
      isEncryptionAvailable: () => false,
      getSelectedStorageBackend: () => 'basic_text' as const,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
    };
    const warned: string[] = [];
    expect(await loadPepper(new KeychainSecretStore(noKeychain, file), (m) => warned.push(m))).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
    expect(warned.join()).toContain('not peppered');
  });
});
