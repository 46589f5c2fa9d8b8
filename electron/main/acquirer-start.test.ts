/**
 * The Electron shell starts with the saved acquirer connection and its timings in its
 * configuration, the keys read back from the OS keychain (safeStorage, faked here as in
 * main.test.ts) and never from the database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DOMAIN_TIMINGS } from '../../core/config';
import { saveConnection, trainingAcquirer } from '../../core/settings/acquirer-test-kit';
import { makeFakeElectron } from './fake-electron';
import { runMain, type ElectronModule } from './main';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

it('a saved connection’s timing overrides reach AppConfig.acquirerTimings at the next start', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-eshell-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'out', 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'out', 'renderer', 'index.html'), '<!doctype html><title>t</title>');
  const a = await trainingAcquirer(dir);
  cleanup.push(() => a.sim.close());
  const userData = path.join(dir, 'userData');
  const run = () => runMain(makeFakeElectron({ userData }).electron as unknown as ElectronModule, { outDir: path.join(dir, 'out', 'main'), mode: 'demo' });

  const first = await run();
  try {
    await saveConnection(first.backend.dispatcher, a, { requestTimeoutMs: 9_000, userpayingPollMs: 4_000 });
  } finally {
    await first.backend.close();
  }
  const again = await run();
  cleanup.push(() => again.backend.close());
  expect(again.backend.config.acquirer).toEqual({ kind: 'http', baseUrl: a.sim.url, simulator: true });
  expect(again.backend.config.acquirerTimings).toEqual({ ...DOMAIN_TIMINGS, requestTimeoutMs: 9_000, userpayingPollMs: 4_000 });
  expect(again.backend.payments.engine.env.acquirer.config().timings.requestTimeoutMs).toBe(9_000);
  // Only the keychain's ciphertext holds the key.
  const secrets = fs.readFileSync(path.join(userData, 'data', 'secrets.json'), 'utf8');
  expect(secrets).not.toContain(a.key);
  // (The file holds other secrets too — the journal's chain key, the PIN pepper — each its own entry.)
  const stored = Object.values(JSON.parse(secrets) as Record<string, string>).map((v) => Buffer.from(v, 'base64').toString());
  expect(stored).toContain(`enc:${a.key}`);
});
