import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { RequestOptions } from 'node:http';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import { afterAll, describe, expect, it } from 'vitest';
import { beginLaunch, decide, guardStart, keepInstaller, markHealthy, startUpdates, UpdateController, updateUrl, type OpenWork } from './updater';

const made: string[] = [];
const tmp = (tag: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `vc-upd-${tag}-`));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

const idle: OpenWork = { payments: 0, refunds: 0, forwarding: 0, serviceTx: 0 };

describe('when an update may be installed', () => {
  it('never with a payment, refund, forwarded batch or service-point transaction open', () => {
    for (const k of Object.keys(idle) as Array<keyof OpenWork>) {
      expect(decide({ open: { ...idle, [k]: 1 }, hour: 23, tradingHours: [7, 21], operatorAgreed: true })).toEqual({ action: 'wait', why: 'open_work' });
    }
  });
  it('not in trading hours unless the operator agreed; at night by itself', () => {
    expect(decide({ open: idle, hour: 10, tradingHours: [7, 21], operatorAgreed: false })).toEqual({ action: 'wait', why: 'trading_hours' });
    expect(decide({ open: idle, hour: 10, tradingHours: [7, 21], operatorAgreed: true })).toEqual({ action: 'install' });
    expect(decide({ open: idle, hour: 21, tradingHours: [7, 21], operatorAgreed: false })).toEqual({ action: 'install' });
    expect(decide({ open: idle, hour: 6, tradingHours: [7, 21], operatorAgreed: false })).toEqual({ action: 'install' });
  });
  it('takes only https, or http to this machine, from the update address', () => {
    expect(updateUrl('https://updates.example.cn/cashier/')).toBe('https://updates.example.cn/cashier/');
    expect(updateUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    for (const bad of ['http://updates.example.cn/', 'file:///etc/', 'https://u:p@x.cn/', 'javascript:alert(1)', 'not a url', '']) expect(updateUrl(bad)).toBeNull();
  });
});

describe('a version that does not start', () => {
  it('is rolled back to the kept installer of the version before it after two failed starts, and not when it starts well', () => {
    const dir = tmp('launch');
    const ran: string[] = [];
    const runInstaller = (f: string) => ran.push(f);
    // 1.0.0 ran well; 1.1.0 was downloaded (its installer kept) and 1.0.0's installer was kept when it came.
    const inst = path.join(tmp('inst'), 'VillageCashier-1.0.0.AppImage');
    fs.writeFileSync(inst, 'old');
    keepInstaller(dir, '1.0.0', inst);
    expect(guardStart({ version: '1.0.0', dir, runInstaller })).toBe('ok');
    markHealthy(dir, '1.0.0');
    // 1.1.0 crashes before it is healthy, twice.
    expect(guardStart({ version: '1.1.0', dir, runInstaller })).toBe('ok');
    expect(guardStart({ version: '1.1.0', dir, runInstaller })).toBe('ok');
    expect(ran).toEqual([]);
    expect(guardStart({ version: '1.1.0', dir, runInstaller })).toBe('rolling_back');
    expect(ran).toEqual([path.join(dir, 'kept', '1.0.0', 'VillageCashier-1.0.0.AppImage')]);

    // A version that starts well once is never rolled back by later crashes counted before it.
    const dir2 = tmp('launch2');
    keepInstaller(dir2, '1.0.0', inst);
    guardStart({ version: '1.0.0', dir: dir2, runInstaller });
    guardStart({ version: '1.1.0', dir: dir2, runInstaller });
    markHealthy(dir2, '1.1.0');
    guardStart({ version: '1.1.0', dir: dir2, runInstaller });
    expect(guardStart({ version: '1.1.0', dir: dir2, runInstaller })).toBe('ok');
    expect(ran).toHaveLength(1);
  });
});

/** electron-updater's downloads over Node's http (Electron's `net` is not here); the rest is the library's own code. */
class NodeHttpExecutor extends HttpExecutor<http.ClientRequest> {
  // As the library's Electron executor does: the base class's doDownload, which checks the sha512.
  async download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(requestOptions, { destination, options, onCancel, callback: (e) => (e ? reject(e) : resolve(destination)), responseHandler: null }, 0);
    });
  }

  createRequest(options: RequestOptions, callback: (response: http.IncomingMessage) => void): http.ClientRequest {
    const r = (options.protocol === 'https:' ? https : http).request(options as http.RequestOptions, callback);
    return r;
  }
}

async function updateServer(files: Record<string, Buffer | string>): Promise<{ url: string; close(): Promise<void>; hits: string[] }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
    hits.push(name);
    const body = files[name];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

function adapter(dir: string, version: string): AppAdapter {
  const cfg = path.join(dir, 'app-update.yml');
  return {
    version, name: 'VillageCashier', isPackaged: true, appUpdateConfigPath: cfg, userDataPath: path.join(dir, 'user'), baseCachePath: path.join(dir, 'cache'),
    whenReady: async () => undefined, relaunch: () => undefined, quit: () => undefined, onQuit: () => undefined,
  };
}

/** The library's Linux updater with Node's http in place of Electron's net (set before the feed, which takes the executor). */
function nodeUpdater(dir: string, url: string): AppImageUpdater {
  const updater = new AppImageUpdater(null, adapter(dir, '0.1.0'));
  (updater as unknown as { httpExecutor: HttpExecutor<http.ClientRequest> }).httpExecutor = new NodeHttpExecutor();
  updater.logger = null;
  updater.setFeedURL({ provider: 'generic', url });
  return updater;
}

function latestYml(version: string, file: string, bytes: Buffer): string {
  const sha512 = createHash('sha512').update(bytes).digest('base64');
  return `version: ${version}\nfiles:\n  - url: ${file}\n    sha512: ${sha512}\n    size: ${bytes.length}\npath: ${file}\nsha512: ${sha512}\nreleaseDate: '2026-12-01T00:00:00.000Z'\n`;
}

async function downloadWith(files: Record<string, Buffer | string>, open: OpenWork, hourUtc: number) {
  const dir = tmp('dl');
  const server = await updateServer(files);
  fs.writeFileSync(path.join(dir, 'app-update.yml'), `provider: generic\nurl: ${server.url}\nupdaterCacheDirName: vc-updater-test\n`);
  const old = path.join(dir, 'VillageCashier-0.1.0.AppImage');
  fs.writeFileSync(old, 'the running version');
  const prevAppImage = process.env.APPIMAGE;
  process.env.APPIMAGE = old;
  const updater = nodeUpdater(dir, server.url);
  const installs: Array<[boolean | undefined, boolean | undefined]> = [];
  (updater as unknown as { quitAndInstall: (a?: boolean, b?: boolean) => void }).quitAndInstall = (a, b) => installs.push([a, b]);
  const errors: string[] = [];
  const asked: string[] = [];
  const ctl = new UpdateController({
    updater, version: '0.1.0', dir: path.join(dir, 'updates'), openWork: async () => open,
    askOperator: async (v) => {
      asked.push(v);
      return false;
    },
    runInstaller: () => undefined, quit: () => undefined, now: () => Date.UTC(2026, 11, 6, hourUtc), log: (e, f) => e === 'update.error' && errors.push(String(f?.message)),
  });
  const downloaded = new Promise<string>((resolve, reject) => {
    updater.on('update-downloaded', (i) => resolve(i.downloadedFile));
    updater.on('error', reject);
  });
  await ctl.check();
  const file = await downloaded.finally(() => {
    process.env.APPIMAGE = prevAppImage;
  });
  // Let the controller's own 'update-downloaded' handler run its decision.
  await new Promise((r) => setTimeout(r, 50));
  await server.close();
  return { file, installs, asked, errors, dir, ctl, hits: server.hits };
}

describe('updates from a self-hosted server, through electron-updater', () => {
  const bytes = Buffer.from('the new version, 0.2.0');

  it('downloads a newer version in the background, checks its sha512, keeps its installer, and installs at night with nothing open', async () => {
    const r = await downloadWith({ 'latest-linux.yml': latestYml('0.2.0', 'VillageCashier-0.2.0.AppImage', bytes), 'VillageCashier-0.2.0.AppImage': bytes }, idle, 16 /* 00:00 China */);
    expect(fs.readFileSync(r.file)).toEqual(bytes);
    expect(fs.readFileSync(path.join(r.dir, 'updates', 'kept', '0.2.0', path.basename(r.file)))).toEqual(bytes);
    expect(r.installs).toEqual([[true, true]]);
    expect(r.asked).toEqual([]);
  });

  it('waits while a payment is open, and asks the operator in trading hours (declined: waits)', async () => {
    const busy = await downloadWith({ 'latest-linux.yml': latestYml('0.2.0', 'VillageCashier-0.2.0.AppImage', bytes), 'VillageCashier-0.2.0.AppImage': bytes }, { ...idle, payments: 1 }, 16);
    expect(busy.installs).toEqual([]);
    const day = await downloadWith({ 'latest-linux.yml': latestYml('0.2.0', 'VillageCashier-0.2.0.AppImage', bytes), 'VillageCashier-0.2.0.AppImage': bytes }, idle, 2 /* 10:00 China */);
    expect(day.asked).toEqual(['0.2.0']);
    expect(day.installs).toEqual([]);
    expect(await day.ctl.tryInstall()).toEqual({ action: 'wait', why: 'trading_hours' });
  });

  it('refuses a file whose sha512 does not match the published one: nothing kept, nothing installed', async () => {
    const dir = tmp('bad');
    const server = await updateServer({ 'latest-linux.yml': latestYml('0.2.0', 'VillageCashier-0.2.0.AppImage', bytes), 'VillageCashier-0.2.0.AppImage': Buffer.from('tampered in transit!!') });
    fs.writeFileSync(path.join(dir, 'app-update.yml'), `provider: generic\nurl: ${server.url}\nupdaterCacheDirName: vc-updater-test-bad\n`);
    const prev = process.env.APPIMAGE;
    process.env.APPIMAGE = path.join(dir, 'old.AppImage');
    fs.writeFileSync(process.env.APPIMAGE, 'old');
    const updater = nodeUpdater(dir, server.url);
    const installs: unknown[] = [];
    (updater as unknown as { quitAndInstall: () => void }).quitAndInstall = () => installs.push(1);
    new UpdateController({ updater, version: '0.1.0', dir: path.join(dir, 'updates'), openWork: async () => idle, askOperator: async () => true, runInstaller: () => undefined, quit: () => undefined });
    const failed = new Promise<Error>((resolve) => updater.on('error', resolve));
    const check = await updater.checkForUpdates();
    await expect(check?.downloadPromise).rejects.toThrow(/sha512/i);
    expect((await failed).message).toMatch(/sha512/i);
    process.env.APPIMAGE = prev;
    expect(installs).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'updates', 'kept'))).toBe(false);
    await server.close();
  });
});

describe('the shell’s wiring', () => {
  it('never updates a development run, refuses a plain-http address, and rolls back before any window when a version keeps failing', async () => {
    const base = {
      version: '1.1.0', openWork: async () => idle, ask: async () => 0, quit: () => undefined,
      loadUpdater: async () => {
        throw new Error('must not load');
      },
    };
    const spawned: Array<[string, string[]]> = [];
    const spawnDetached = (c: string, a: string[]) => spawned.push([c, a]);
    const dev = await startUpdates({ ...base, packaged: false, userData: tmp('dev'), url: 'https://u.example.cn/', spawnDetached });
    expect(dev.state).toBe('off');
    const logs: string[] = [];
    const plain = await startUpdates({ ...base, packaged: true, userData: tmp('plain'), url: 'http://u.example.cn/', spawnDetached, log: (e) => logs.push(e) });
    expect(plain.state).toBe('off');
    expect(logs).toContain('update.url_refused');

    const userData = tmp('rollback');
    const inst = path.join(tmp('exe'), 'VillageCashier-Setup-1.0.0.exe');
    fs.writeFileSync(inst, 'MZ');
    keepInstaller(path.join(userData, 'updates'), '1.0.0', inst);
    const launch = () => beginLaunch({ packaged: true, version: '1.1.0', userData, spawnDetached });
    expect(beginLaunch({ packaged: false, version: '1.1.0', userData, spawnDetached })).toBe('ok');
    expect(launch()).toBe('ok');
    // 1.1.0 has failed to start twice since it replaced 1.0.0; a healthy start would have reset it.
    fs.writeFileSync(path.join(userData, 'updates', 'launch.json'), JSON.stringify({ version: '1.1.0', attempts: 2, previous: '1.0.0' }));
    expect(launch()).toBe('rolling_back');
    expect(spawned).toEqual([[path.join(userData, 'updates', 'kept', '1.0.0', 'VillageCashier-Setup-1.0.0.exe'), ['/S']]]);
  });
});
