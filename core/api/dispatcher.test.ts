import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';
import { MAX_PAYLOAD_BYTES } from './names';

let backend: Backend;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-dispatch-'));
  backend = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
});
afterAll(async () => {
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function snapshot() {
  const tables = await backend.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name");
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const row = await backend.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t.name}"`);
    counts[t.name] = row!.n;
  }
  const ops = await backend.db.all('SELECT id, failed_attempts, locked_until FROM operators ORDER BY id');
  return { counts, ops, session: backend.operators.state() };
}

const huge = 'x'.repeat(MAX_PAYLOAD_BYTES + 10);
const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

/** [method, input, expected error code] — each must be refused and change nothing. */
const hostile: Array<[unknown, unknown, string]> = [
  // unknown or malformed method names
  ['nope', {}, 'rpc.unknown_method'],
  ['', {}, 'rpc.unknown_method'],
  [null, {}, 'rpc.unknown_method'],
  [undefined, {}, 'rpc.unknown_method'],
  [42, {}, 'rpc.unknown_method'],
  [{}, {}, 'rpc.unknown_method'],
  [['session:login'], {}, 'rpc.unknown_method'],
  ['SESSION:LOGIN', {}, 'rpc.unknown_method'],
  ['session:login ', {}, 'rpc.unknown_method'],
  ['__proto__', {}, 'rpc.unknown_method'],
  ['constructor', {}, 'rpc.unknown_method'],
  ['toString', {}, 'rpc.unknown_method'],
  ['session:login\u0000', {}, 'rpc.unknown_method'],
  ['hasOwnProperty', {}, 'rpc.unknown_method'],
  // oversized
  ['session:login', { operatorId: 'cashier1', pin: huge }, 'rpc.too_large'],
  ['session:operators', { pad: huge }, 'rpc.too_large'],
  ['session:login', cyclic, 'rpc.too_large'],
  ['session:login', { operatorId: 'cashier1', pin: 10n }, 'rpc.too_large'],
  // schema violations on login
  ['session:login', {}, 'rpc.bad_payload'],
  ['session:login', null, 'rpc.bad_payload'],
  ['session:login', 'cashier1:1111', 'rpc.bad_payload'],
  ['session:login', 1111, 'rpc.bad_payload'],
  ['session:login', [], 'rpc.bad_payload'],
  ['session:login', ['cashier1', '1111'], 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1' }, 'rpc.bad_payload'],
  ['session:login', { pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: 1111 }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: '111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: '123456789' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: '11a1' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: '１１１１' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: ' 1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: '1111\n' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: null }, 'rpc.bad_payload'],
  ['session:login', { operatorId: '', pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'x'.repeat(65), pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: "cashier1' OR 1=1 --", pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: '../../etc/passwd', pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1\u0000', pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: '1111', role: 'admin' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: { $ne: null }, pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: ['cashier1'], pin: '1111' }, 'rpc.bad_payload'],
  ['session:login', { operatorId: 'cashier1', pin: { length: 4 } }, 'rpc.bad_payload'],
  ['session:login', { operatorId: true, pin: '1111' }, 'rpc.bad_payload'],
  // strict empty inputs refuse extra fields
  ['session:operators', { admin: true }, 'rpc.bad_payload'],
  ['session:current', { operator: 'admin1' }, 'rpc.bad_payload'],
  ['session:logout', 'now', 'rpc.bad_payload'],
  ['system:info', [1, 2, 3], 'rpc.bad_payload'],
  ['connectivity:get', { state: 'online' }, 'rpc.bad_payload'],
  ['session:operators', 0, 'rpc.bad_payload'],
  // methods that need an operator, called while logged out
  ['payments:list', {}, 'auth.not_logged_in'],
  ['payments:get', { orderNo: 'T0001202611280001' }, 'auth.not_logged_in'],
  ['payments:refund', { requestId: crypto.randomUUID().replace(/-/g, ''), orderNo: 'T0001202611280001', amountFen: 100, reason: 'x' }, 'auth.not_logged_in'],
  // schema violations on money
  ['payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 0, code: '134567890123456789' }, 'rpc.bad_payload'],
  ['payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: -100, code: '134567890123456789' }, 'rpc.bad_payload'],
  ['payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 12.5, code: '134567890123456789' }, 'rpc.bad_payload'],
  ['payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: Number.NaN, code: '134567890123456789' }, 'rpc.bad_payload'],
  ['payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: '100', code: '134567890123456789' }, 'rpc.bad_payload'],
  ['payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 1e20, code: '134567890123456789' }, 'rpc.bad_payload'],
  ['payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, code: '' }, 'rpc.bad_payload'],
];

describe('dispatcher', () => {
  it(`refuses ${hostile.length} malformed calls with a bilingual error and changes nothing`, async () => {
    expect(hostile.length).toBeGreaterThanOrEqual(50);
    const before = await snapshot();
    for (const [method, input, code] of hostile) {
      const r = await backend.dispatcher.dispatch(method, input);
      expect(r.ok, `${String(method)} should be refused`).toBe(false);
      if (r.ok) continue;
      expect(r.error.code, `${String(method)} #${hostile.findIndex((h) => h[1] === input)}`).toBe(code);
      expect(r.error.zh.length).toBeGreaterThan(0);
      expect(r.error.en.length).toBeGreaterThan(0);
      // Never echo the payload: it may hold a PIN or a payment code.
      expect(JSON.stringify(r.error)).not.toContain('1111');
      expect(JSON.stringify(r.error)).not.toContain('134567890123456789');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers a well-formed public call', async () => {
    const r = await backend.dispatcher.dispatch('system:info', {});
    expect(r).toMatchObject({ ok: true, value: { mode: 'demo', shell: 'browser' } });
  });

  it('logs in with the right PIN and refuses a role the operator lacks', async () => {
    const r = await backend.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' });
    expect(r).toMatchObject({ ok: true, value: { operator: { id: 'cashier1', role: 'cashier' } } });
    await backend.dispatcher.dispatch('session:logout', {});
  });
});
