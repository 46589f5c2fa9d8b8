/** The browser shell starts with the saved acquirer connection and its timings in its configuration. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { DOMAIN_TIMINGS } from '../core/config';
import { saveConnection, trainingAcquirer } from '../core/settings/acquirer-test-kit';
import { browserBackend } from './backend';

const here = path.dirname(fileURLToPath(import.meta.url));

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

it('a saved connection’s timing overrides reach AppConfig.acquirerTimings at the next start', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-bshell-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = await trainingAcquirer(dir);
  cleanup.push(() => a.sim.close());
  const dataDir = path.join(dir, 'data');
  const first = await browserBackend(dataDir, 'demo');
  try {
    await saveConnection(first.dispatcher, a, { requestTimeoutMs: 9_000, qrPollMs: 2_000 });
  } finally {
    await first.close();
  }
  const again = await browserBackend(dataDir, 'demo');
  cleanup.push(() => again.close());
  expect(again.config.acquirer).toEqual({ kind: 'http', baseUrl: a.sim.url, simulator: true });
  expect(again.config.acquirerTimings).toEqual({ ...DOMAIN_TIMINGS, requestTimeoutMs: 9_000, qrPollMs: 2_000 });
  // The keys came from the shell's secret file, never from the database.
  expect(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).toContain(a.key);
});

it('refuses live mode before touching a file: keys would be plain text here (issue 13, item 4)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-bshell-live-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  await expect(browserBackend(dataDir, 'live')).rejects.toMatchObject({ code: 'shell.live_refused', zh: expect.stringContaining('密钥'), en: expect.stringContaining('keychain') });
  expect(fs.existsSync(dataDir)).toBe(false);
  // `MODE=live npm run start:browser` says so in both languages and exits.
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'main.ts')], {
    env: { ...process.env, MODE: 'live', DATA_DIR: dataDir, PORT: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('浏览器版只能用于培训演示');
  expect(run.stderr).toContain('The browser shell is for demo and training only');
  expect(fs.existsSync(dataDir)).toBe(false);
});

it.runIf(process.platform !== 'win32')('keeps the data folder owner-only (0700) and its databases 0600, tightening ones from before (issue 13, item 8)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-bshell-modes-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fresh = path.join(dir, 'fresh');
  const old = path.join(dir, 'old');
  // A folder and database made before the rule, readable by everyone.
  fs.mkdirSync(old, { mode: 0o755 });
  fs.chmodSync(old, 0o755);
  const first = await browserBackend(old, 'demo');
  await first.close();
  for (const f of fs.readdirSync(old).filter((n) => n.endsWith('.sqlite'))) fs.chmodSync(path.join(old, f), 0o644);
  fs.chmodSync(old, 0o755);
  for (const dataDir of [fresh, old]) {
    const b = await browserBackend(dataDir, 'demo');
    cleanup.push(() => b.close());
    expect(fs.statSync(dataDir).mode & 0o777, dataDir).toBe(0o700);
    const files = fs.readdirSync(dataDir).filter((n) => /\.sqlite(-wal|-shm)?$/.test(n));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(fs.statSync(path.join(dataDir, f)).mode & 0o777, f).toBe(0o600);
  }
});
