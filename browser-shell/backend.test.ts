/** The browser shell starts with the saved acquirer connection and its timings in its configuration. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DOMAIN_TIMINGS } from '../core/config';
import { saveConnection, trainingAcquirer } from '../core/settings/acquirer-test-kit';
import { browserBackend } from './backend';

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
