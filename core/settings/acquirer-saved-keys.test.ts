/**
 * The saved acquirer keys are never signed toward an address an admin just typed (issue 13,
 * item 6): "Test connection" (and a save, whose test runs before its approval) with the keys left
 * out is refused for a new address, before any request leaves; the saved address still tests
 * with them.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createBackend } from '../app';
import { MemorySecretStore } from '../platform';
import { saveConnection, trainingAcquirer } from './acquirer-test-kit';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

it('refuses to sign with the saved keys toward a new address, test or save, and sends nothing there', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-saved-keys-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = await trainingAcquirer(dir);
  cleanup.push(() => a.sim.close());
  // Another server on the machine, recording whatever reaches it.
  const seen: string[] = [];
  const rogue = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => rogue.close(() => resolve())));
  const rogueUrl = `http://127.0.0.1:${(rogue.address() as { port: number }).port}`;

  const b = await createBackend({ dataDir: path.join(dir, 'data'), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  cleanup.push(() => b.close());
  await saveConnection(b.dispatcher, a, {});
  expect((await b.dispatcher.dispatch('session:login', { operatorId: 'admin1', pin: '5555' })).ok).toBe(true);
  const ids = { merchantId: 'M0001', terminalId: 'T0001' };

  const test = await b.dispatcher.dispatch('acquirer:test', { endpoint: rogueUrl, ...ids });
  expect(test).toMatchObject({ ok: false, error: { code: 'acquirer.keys_for_new_address', zh: expect.stringContaining('重新填写'), en: expect.stringContaining('enter both keys') } });
  const save = await b.dispatcher.dispatch('acquirer:save', { endpoint: rogueUrl, ...ids, approverId: 'super1', approverPin: '2222' });
  expect(save).toMatchObject({ ok: false, error: { code: 'acquirer.keys_for_new_address' } });
  // One key typed, the other left out: the saved one would still go.
  const half = await b.dispatcher.dispatch('acquirer:test', { endpoint: rogueUrl, ...ids, signingKey: a.key });
  expect(half).toMatchObject({ ok: false, error: { code: 'acquirer.keys_for_new_address' } });
  expect(seen).toEqual([]);

  // The saved address tests with the saved keys as before.
  expect(await b.dispatcher.dispatch('acquirer:test', { endpoint: a.sim.url, ...ids })).toMatchObject({ ok: true, value: { outcome: 'ok' } });
});
