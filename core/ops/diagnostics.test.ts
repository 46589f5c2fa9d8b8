/**
 * The administrator's diagnostics bundle, opened as support would: it holds versions, OS, the
 * configuration, devices, recent logs, the integrity and journal checks and the open-work
 * counts — and no PIN, key, name, phone number or payment code.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticsResult } from '../api/ops';
import { createBackend, type Backend } from '../app';
import { demoOperators } from '../demo/seed';
import { MemorySecretStore } from '../platform';
import { openFileLog, type FileLog } from './log';
import { rpc } from './test-kit';

let dir: string;
let backend: Backend;
let log: FileLog;

const { call, as } = rpc(() => backend);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-diag-'));
  log = await openFileLog({ dir: path.join(dir, 'logs') });
  const secrets = new MemorySecretStore();
  await secrets.set('acquirer.signingKey', 'diag-secret-key-0123456789abcdef');
  backend = await createBackend({ dataDir: path.join(dir, 'data'), mode: 'demo', shell: 'browser' }, { secrets, log, logDir: log.dir, backups: { everyMs: 3600_000 } });
}, 60_000);
afterAll(async () => {
  await backend.close();
  await log.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the diagnostics bundle', () => {
  it('is an administrator’s action only', async () => {
    await as('cashier1');
    await expect(call('ops:diagnostics')).rejects.toMatchObject({ code: 'auth.role_required' });
    await call('session:logout');
    await expect(call('ops:diagnostics')).rejects.toMatchObject({ code: 'auth.not_logged_in' });
  });

  it('holds what support asks for and no personal data', async () => {
    await as('cashier1');
    await call('payments:credit', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 800, customerName: '李秀兰' });
    await call('demo:network', { preset: 'offline' });
    const oc = await call<{ code: string }>('demo:offlineCode', { wallet: 0 });
    await call('offline:accept', { amountFen: 700, code: oc.code, contact: '13912345678' });
    await call('log:renderer', { level: 'error', source: 'vue', message: 'boom for 13912345678' });
    await backend.ops.backups!.runOnce();
    await as('admin1');
    const r = await call<DiagnosticsResult>('ops:diagnostics');
    expect(path.dirname(r.path)).toBe(path.join(dir, 'data', 'diagnostics'));

    const zip = unzipSync(new Uint8Array(fs.readFileSync(r.path)));
    const names = Object.keys(zip);
    expect(names).toEqual(expect.arrayContaining(['system.json', 'config.json', 'devices.json', 'integrity.json', 'counts.json']));
    expect(names.some((n) => /^logs\/cashier\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(n))).toBe(true);
    const json = (n: string) => JSON.parse(strFromU8(zip[n]!)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(json('system.json')).toMatchObject({ mode: 'demo', terminalId: 'T0001', versions: { node: process.versions.node, sqlite: expect.any(String) }, os: { platform: os.platform() } });
    expect(json('integrity.json')).toMatchObject({ quickCheck: { ok: true }, journal: { ok: true }, storage: { storage: expect.any(String) } });
    expect(json('integrity.json').backups).toHaveLength(1);
    expect(json('counts.json')).toMatchObject({ payments: expect.any(Number), outbox: { pending: 1 }, followUps: 0 });
    expect(json('devices.json').devices.length).toBeGreaterThan(0);
    expect(json('config.json')).toMatchObject({ mode: 'demo', terminalId: 'T0001' });

    const all = names.map((n) => strFromU8(zip[n]!)).join('\n');
    expect(all).toContain('renderer.error');
    for (const leak of [oc.code, '13912345678', '李秀兰', 'diag-secret-key-0123456789abcdef', ...demoOperators.map((o) => o.name.replace(/（.*$/, ''))]) {
      expect(all, leak).not.toContain(leak);
    }
    for (const o of demoOperators) expect(all).not.toContain(`"${o.pin}"`);
  }, 60_000);
});
