/**
 * Updates for a counter hundreds of kilometres from support: electron-updater against a
 * self-hosted generic server (the acquirer's or installer's), with this app's rules on top.
 *
 * - Where from: `CASHIER_UPDATE_URL` or the `update.url` setting, https only (http only to the
 *   loopback, for tests and an installer's laptop). No URL, no updates (demo counters, tests).
 * - What is trusted: electron-updater checks the downloaded file's sha512 against the signed-off
 *   `latest*.yml` the server publishes (and, on Windows, the installer's Authenticode publisher
 *   against the running app's); a file that does not match is thrown away and never installed.
 * - When: downloaded in the background; installed only when no payment, refund, forwarded batch
 *   or service-point transaction is open (the same question the acquirer switch asks), and never
 *   inside trading hours (default 07:00–21:00 China time) unless the operator agreed on screen.
 * - If it does not start: every start is counted in `updates/launch.json` until the app reports
 *   itself healthy; a version that failed to start twice is rolled back by running the kept
 *   installer of the version before it (`updates/kept/`), which electron-updater does not do.
 *
 * Only the Electron shell uses this; its decisions are plain functions of injected parts, so
 * they are tested in Node (updater.test.ts) against a local update server with electron-updater's
 * own download and checksum logic. Installing and restarting cannot run here (no Electron binary).
 */
import fs from 'node:fs';
import path from 'node:path';

/** The part of electron-updater's AppUpdater this controller drives. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-downloaded', l: (info: { version: string; downloadedFile: string }) => void): unknown;
  on(event: 'error', l: (e: Error) => void): unknown;
}

export interface OpenWork {
  payments: number;
  refunds: number;
  forwarding: number;
  serviceTx: number;
}

export interface UpdateDeps {
  updater: UpdaterLike;
  /** The running version. */
  version: string;
  /** Where `launch.json` and the kept installers live (userData/updates). */
  dir: string;
  openWork(): Promise<OpenWork>;
  /** Asks the operator on screen whether to install now, inside trading hours; resolves their answer. */
  askOperator(version: string): Promise<boolean>;
  /** Runs a kept installer (rollback), detached, then the app quits. */
  runInstaller(file: string): void;
  quit(): void;
  now?: () => number;
  /** Trading hours in China time, [from, to) in hours. */
  tradingHours?: [number, number];
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

export type UpdateDecision =
  | { action: 'install' }
  | { action: 'wait'; why: 'open_work' | 'trading_hours' | 'operator_declined' };

const CHINA_MS = 8 * 3_600_000;

/** Hour of the day in China time (the shop's clock, whatever zone the PC is set to). */
export function chinaHour(ms: number): number {
  return new Date(ms + CHINA_MS).getUTCHours();
}

/** Whether a downloaded update may be installed now. Pure: the tests drive every branch. */
export function decide(o: { open: OpenWork; hour: number; tradingHours: [number, number]; operatorAgreed: boolean }): UpdateDecision {
  const busy = o.open.payments + o.open.refunds + o.open.forwarding + o.open.serviceTx;
  if (busy > 0) return { action: 'wait', why: 'open_work' };
  const [from, to] = o.tradingHours;
  const trading = o.hour >= from && o.hour < to;
  if (trading && !o.operatorAgreed) return { action: 'wait', why: 'trading_hours' };
  return { action: 'install' };
}

interface LaunchState {
  version: string;
  attempts: number;
  /** The version that ran before this one, whose installer is kept for a rollback. */
  previous: string | null;
}

const launchFile = (dir: string) => path.join(dir, 'launch.json');
const keptDir = (dir: string) => path.join(dir, 'kept');

function readLaunch(dir: string): LaunchState | null {
  try {
    const s = JSON.parse(fs.readFileSync(launchFile(dir), 'utf8')) as LaunchState;
    return typeof s.version === 'string' && Number.isInteger(s.attempts) ? s : null;
  } catch {
    return null;
  }
}

function writeLaunch(dir: string, s: LaunchState): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${launchFile(dir)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
  fs.renameSync(tmp, launchFile(dir));
}

/** The kept installer of a version, if any. */
export function keptInstaller(dir: string, version: string): string | null {
  const d = path.join(keptDir(dir), version);
  try {
    const f = fs.readdirSync(d).find((n) => !n.startsWith('.'));
    return f ? path.join(d, f) : null;
  } catch {
    return null;
  }
}

export const MAX_FAILED_STARTS = 2;

/**
 * Called first thing at every start, before any window: counts this start; when this version
 * has already failed to start twice and the one before it left its installer, runs it and
 * answers 'rolling_back' (the caller quits). Answers 'ok' otherwise.
 */
export function guardStart(d: Pick<UpdateDeps, 'version' | 'dir' | 'runInstaller' | 'log'>): 'ok' | 'rolling_back' {
  const s = readLaunch(d.dir);
  if (!s || s.version !== d.version) {
    // A new version's first start (or the first ever): remember the one it replaced.
    writeLaunch(d.dir, { version: d.version, attempts: 1, previous: s?.version ?? null });
    return 'ok';
  }
  if (s.attempts >= MAX_FAILED_STARTS && s.previous) {
    const installer = keptInstaller(d.dir, s.previous);
    if (installer) {
      d.log?.('update.rollback', { from: d.version, to: s.previous, failedStarts: s.attempts });
      // The rolled-back version's first start begins its own count.
      writeLaunch(d.dir, { version: s.previous, attempts: 0, previous: null });
      d.runInstaller(installer);
      return 'rolling_back';
    }
    d.log?.('update.rollback_impossible', { version: d.version, previous: s.previous });
  }
  writeLaunch(d.dir, { ...s, attempts: s.attempts + 1 });
  return 'ok';
}

/** The app started well (back end open, the page loaded): this version's count starts again. */
export function markHealthy(dir: string, version: string): void {
  const s = readLaunch(dir);
  if (s && s.version === version) writeLaunch(dir, { ...s, attempts: 0 });
}

/** Keeps a downloaded installer (for the rollback of the version after it), only the last two. */
export function keepInstaller(dir: string, version: string, file: string): void {
  const d = path.join(keptDir(dir), version);
  fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  fs.copyFileSync(file, path.join(d, path.basename(file)));
  const versions = fs.readdirSync(keptDir(dir)).map((v) => ({ v, at: fs.statSync(path.join(keptDir(dir), v)).mtimeMs })).sort((a, b) => b.at - a.at);
  for (const old of versions.slice(2)) fs.rmSync(path.join(keptDir(dir), old.v), { recursive: true, force: true });
}

/** Checks and downloads in the background; installs when `decide` allows, checking again every few minutes. */
export class UpdateController {
  private downloaded: { version: string; file: string } | null = null;
  private agreed = false;
  private asked = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private installing = false;

  constructor(private readonly d: UpdateDeps) {
    d.updater.autoDownload = true;
    // Never on a plain quit: the install must pass `decide` (a quit mid-payment must not update).
    d.updater.autoInstallOnAppQuit = false;
    d.updater.on('update-downloaded', (info) => {
      this.downloaded = { version: info.version, file: info.downloadedFile };
      keepInstaller(d.dir, info.version, info.downloadedFile);
      d.log?.('update.downloaded', { version: info.version });
      void this.tryInstall();
    });
    d.updater.on('error', (e) => d.log?.('update.error', { message: e.message }));
  }

  start(everyMs = 5 * 60_000, checkEveryMs = 6 * 3_600_000): void {
    void this.check();
    let sinceCheck = 0;
    this.timer = setInterval(() => {
      sinceCheck += everyMs;
      if (sinceCheck >= checkEveryMs) {
        sinceCheck = 0;
        void this.check();
      }
      void this.tryInstall();
    }, everyMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async check(): Promise<void> {
    try {
      await this.d.updater.checkForUpdates();
    } catch (e) {
      this.d.log?.('update.check_failed', { message: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Installs now if allowed; asks the operator once per version when only trading hours stand in the way. */
  async tryInstall(): Promise<UpdateDecision | null> {
    if (!this.downloaded || this.installing) return null;
    const now = (this.d.now ?? Date.now)();
    let decision = decide({ open: await this.d.openWork(), hour: chinaHour(now), tradingHours: this.d.tradingHours ?? [7, 21], operatorAgreed: this.agreed });
    if (decision.action === 'wait' && decision.why === 'trading_hours' && !this.asked) {
      this.asked = true;
      this.agreed = await this.d.askOperator(this.downloaded.version);
      decision = decide({ open: await this.d.openWork(), hour: chinaHour(now), tradingHours: this.d.tradingHours ?? [7, 21], operatorAgreed: this.agreed });
      if (decision.action === 'wait' && decision.why === 'trading_hours') decision = { action: 'wait', why: 'operator_declined' };
    }
    if (decision.action === 'install') {
      this.installing = true;
      this.d.log?.('update.install', { from: this.d.version, to: this.downloaded.version });
      // Silent, and run the new version after: the counter comes back by itself.
      this.d.updater.quitAndInstall(true, true);
    }
    return decision;
  }
}

/** The update server's address: https, or http to the loopback only; anything else is refused. */
export function updateUrl(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.username || u.password) return null;
  if (u.protocol === 'https:') return u.toString();
  if (u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]')) return u.toString();
  return null;
}

/** How a kept installer is run for a rollback, by its kind: NSIS silently, an AppImage as itself, a deb through the package manager. */
export function installerCommand(file: string): [string, string[]] {
  if (/\.exe$/i.test(file)) return [file, ['/S']];
  if (/\.deb$/i.test(file)) return ['pkexec', ['dpkg', '-i', file]];
  return [file, []];
}

export interface UpdateWiring {
  packaged: boolean;
  version: string;
  /** userData: `updates/` goes inside it. */
  userData: string;
  /** `CASHIER_UPDATE_URL` (checked by updateUrl). */
  url: string | undefined;
  openWork(): Promise<OpenWork>;
  /** Electron's dialog.showMessageBox on the main window. */
  ask(message: { title: string; message: string; detail: string; buttons: string[] }): Promise<number>;
  quit(): void;
  spawnDetached(cmd: string, args: string[]): void;
  /** electron-updater's autoUpdater, loaded only when updates are on. */
  loadUpdater(): Promise<UpdaterLike & { setFeedURL(o: { provider: 'generic'; url: string }): void }>;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

/**
 * The shell's first call, before the back end or any window: counts this start of an installed
 * build, and rolls back a version that failed to start twice (answering 'rolling_back': the
 * shell quits and the kept installer puts the version before it back).
 */
export function beginLaunch(w: Pick<UpdateWiring, 'packaged' | 'version' | 'userData' | 'spawnDetached' | 'log'>): 'ok' | 'rolling_back' {
  if (!w.packaged) return 'ok';
  return guardStart({ version: w.version, dir: path.join(w.userData, 'updates'), log: w.log, runInstaller: (f) => w.spawnDetached(...installerCommand(f)) });
}

/**
 * After the page has loaded: this start was healthy (its count starts again), then, for an
 * installed build with an update address, the background checks begin. A development run
 * never updates itself.
 */
export async function startUpdates(w: UpdateWiring): Promise<{ state: 'off' | 'on'; stop(): void }> {
  const dir = path.join(w.userData, 'updates');
  if (w.packaged) markHealthy(dir, w.version);
  const url = updateUrl(w.url);
  if (!w.packaged || !url) {
    if (w.url && !url) w.log?.('update.url_refused', { reason: 'https only (http to this machine for tests)' });
    return { state: 'off', stop: () => undefined };
  }
  const updater = await w.loadUpdater();
  updater.setFeedURL({ provider: 'generic', url });
  const ctl = new UpdateController({
    version: w.version, dir, log: w.log, runInstaller: (f) => w.spawnDetached(...installerCommand(f)), updater, openWork: w.openWork, quit: w.quit,
    askOperator: async (version) =>
      (await w.ask({
        title: '软件更新 / Software update',
        message: `新版本 ${version} 已下载。现在安装吗？安装时收银台会重启约一分钟。\nVersion ${version} is downloaded. Install it now? The counter restarts for about a minute.`,
        detail: '选“下班后再装”，会在营业时间以外、没有未完成的收款时自动安装。\nChoose “After hours” and it installs by itself outside trading hours with nothing open.',
        buttons: ['下班后再装 / After hours', '现在安装 / Install now'],
      })) === 1,
  });
  ctl.start();
  return { state: 'on', stop: () => ctl.stop() };
}
