import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from './app';
import { AppConfig, databasePath } from './config';
import { MemorySecretStore } from './platform';

describe('training and live data never mix', () => {
  it('demo mode cannot be pointed at a live acquirer', () => {
    const r = AppConfig.safeParse({ dataDir: '/d', mode: 'demo', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'https://acq.example/' } });
    expect(r.success).toBe(false);
  });
  it('live mode cannot use the embedded or any simulator', () => {
    expect(AppConfig.safeParse({ dataDir: '/d', mode: 'live', shell: 'electron' }).success).toBe(false);
    expect(
      AppConfig.safeParse({ dataDir: '/d', mode: 'live', shell: 'electron', acquirer: { kind: 'http', baseUrl: 'http://127.0.0.1:1/', simulator: true } }).success,
    ).toBe(false);
  });
  it('keeps each mode in its own file', () => {
    expect(databasePath({ dataDir: '/d', mode: 'demo' })).not.toBe(databasePath({ dataDir: '/d', mode: 'live' }));
  });
  it('refuses to open a training database as live data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-cfg-'));
    const demo = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    await demo.close();
    // Someone copies the training file over the live one.
    fs.copyFileSync(databasePath({ dataDir: dir, mode: 'demo' }), databasePath({ dataDir: dir, mode: 'live' }));
    await expect(
      createBackend(
        { dataDir: dir, mode: 'live', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'https://acq.example/' } },
        { secrets: new MemorySecretStore() },
      ),
    ).rejects.toMatchObject({ code: 'config.mode_mismatch' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
