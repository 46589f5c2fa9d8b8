/**
 * A live counter's first run and the operators methods through the real composition root and
 * dispatcher: a live backend on a fresh data folder, restarted on the same folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';
import { DEMO_PIN_COST } from './pin';

let dir: string;
let backend: Backend;
// One secret store across restarts, as the OS keychain is: it holds the PIN pepper (core/auth/pin.ts).
const secrets = new MemorySecretStore();
// A light PIN cost: this file is about who may do what; hardening.test.ts checks the live cost itself.
const start = () => createBackend({ dataDir: dir, mode: 'live', shell: 'browser' }, { secrets, livePinCost: DEMO_PIN_COST });
const call = (m: string, input: unknown) => backend.dispatcher.dispatch(m, input);
const operatorsTable = () => backend.db.all('SELECT id, role, active, must_change_pin FROM operators ORDER BY id');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-first-run-'));
  backend = await start();
});
afterAll(async () => {
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('first run of a live counter, through the contract', () => {
  it('has nobody to log in as, and says the setup step is needed', async () => {
    expect(await call('session:operators', {})).toEqual({ ok: true, value: [] });
    expect(await call('session:setupNeeded', {})).toEqual({ ok: true, value: { needed: true } });
  });

  it('refuses a malformed or badly chosen first admin, writing nothing', async () => {
    expect(await call('session:setup', { id: 'boss', name: '刘店长', pin: '482619', pinAgain: '482619', role: 'admin' })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    expect(await call('session:setup', { id: 'bo ss', name: '刘店长', pin: '482619', pinAgain: '482619' })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    const weak = await call('session:setup', { id: 'boss', name: '刘店长', pin: '666666', pinAgain: '666666' });
    expect(weak).toMatchObject({ ok: false, error: { code: 'auth.pin_rule', zh: expect.stringContaining('同一个数字'), en: expect.stringContaining('one digit repeated') } });
    expect(await operatorsTable()).toEqual([]);
  });

  it('two windows racing: one becomes the first admin and is logged in, the other is refused', async () => {
    const [a, b] = await Promise.all([
      call('session:setup', { id: 'boss', name: '刘店长', pin: '482619', pinAgain: '482619' }),
      call('session:setup', { id: 'other', name: '别人', pin: '135790', pinAgain: '135790' }),
    ]);
    const results = [a, b];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ error: { code: 'auth.setup_done' } });
    expect(await operatorsTable()).toHaveLength(1);
    expect(await call('session:current', {})).toMatchObject({ ok: true, value: { operator: { role: 'admin' } } });
    expect(await call('session:setupNeeded', {})).toEqual({ ok: true, value: { needed: false } });
  });

  it('the admin adds a cashier under approval only; a cashier may not manage operators and nothing changes', async () => {
    const winner = ((await operatorsTable()) as { id: string }[])[0].id;
    await call('session:logout', {});
    const pin = winner === 'boss' ? '482619' : '135790';
    expect(await call('session:login', { operatorId: winner, pin })).toMatchObject({ ok: true });
    expect(await call('operators:add', { id: 'c1', name: '王芳', role: 'trainer', pin: '246813', pinAgain: '246813' })).toMatchObject({ ok: false, error: { code: 'auth.trainer_demo_only' } });
    // Alone on a new counter nobody could approve: the first supervisor is added without one, marked so in the audit.
    expect(await call('operators:add', { id: 's1', name: '李强', role: 'supervisor', pin: '246801', pinAgain: '246801' })).toMatchObject({ ok: true });
    // From then on approval is needed, and the new supervisor approves only once they have chosen their own PIN.
    expect(await call('operators:add', { id: 'c1', name: '王芳', role: 'cashier', pin: '246813', pinAgain: '246813' })).toMatchObject({ ok: false, error: { code: 'auth.approval_required' } });
    expect(await call('operators:add', { id: 'c1', name: '王芳', role: 'cashier', pin: '246813', pinAgain: '246813', approverId: 's1', approverPin: '246801' })).toMatchObject({ ok: false, error: { code: 'auth.approver_invalid' } });
    await call('session:logout', {});
    expect(await call('session:changePin', { operatorId: 's1', pin: '246801', newPin: '357911', newPinAgain: '357911' })).toMatchObject({ ok: true });
    await call('session:logout', {});
    expect(await call('session:login', { operatorId: winner, pin })).toMatchObject({ ok: true });
    const added = await call('operators:add', { id: 'c1', name: '王芳', role: 'cashier', pin: '246813', pinAgain: '246813', approverId: 's1', approverPin: '357911' });
    expect(added).toMatchObject({ ok: true });
    await call('session:logout', {});
    expect(await call('session:login', { operatorId: 'c1', pin: '246813' })).toMatchObject({ ok: false, error: { code: 'auth.must_change_pin' } });
    expect(await call('session:changePin', { operatorId: 'c1', pin: '246813', newPin: '918273', newPinAgain: '918273' })).toMatchObject({ ok: true, value: { operator: { id: 'c1' } } });
    const before = await operatorsTable();
    for (const [m, input] of [
      ['operators:list', {}],
      ['operators:add', { id: 'c2', name: 'X', role: 'admin', pin: '246813', pinAgain: '246813', approverId: 's1', approverPin: '357911' }],
      ['operators:setActive', { operatorId: winner, active: false }],
      ['operators:resetPin', { operatorId: winner, pin: '246813', pinAgain: '246813', approverId: 's1', approverPin: '357911' }],
      ['operators:unlock', { operatorId: winner }],
    ] as const) {
      expect(await call(m, input)).toMatchObject({ ok: false, error: { code: 'auth.role_required' } });
    }
    expect(await operatorsTable()).toEqual(before);
  });

  it('after a restart on the same folder, the setup step stays gone', async () => {
    await backend.close();
    backend = await start();
    expect(await call('session:setupNeeded', {})).toEqual({ ok: true, value: { needed: false } });
    expect(await call('session:setup', { id: 'late', name: '迟到', pin: '482619', pinAgain: '482619' })).toMatchObject({ ok: false, error: { code: 'auth.setup_done' } });
    const audit = await backend.db.all<{ action: string; approver_id: string | null; detail: string }>(
      "SELECT action, approver_id, detail FROM audit_log WHERE action = 'auth.first_admin' OR action LIKE 'operators.%' ORDER BY seq",
    );
    expect(audit.map((a) => [a.action, a.approver_id, JSON.parse(a.detail).soleAdmin ?? false])).toEqual([
      ['auth.first_admin', null, false],
      ['operators.add', null, true],
      ['operators.add', 's1', false],
    ]);
  });
});

describe('demo mode', () => {
  it('never offers the setup step', async () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-first-run-demo-'));
    const demo = await createBackend({ dataDir: demoDir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    try {
      expect(await demo.dispatcher.dispatch('session:setupNeeded', {})).toEqual({ ok: true, value: { needed: false } });
      expect(await demo.dispatcher.dispatch('session:setup', { id: 'x', name: 'X', pin: '482619', pinAgain: '482619' })).toMatchObject({ ok: false, error: { code: 'auth.setup_demo' } });
    } finally {
      await demo.close();
      fs.rmSync(demoDir, { recursive: true, force: true });
    }
  });
});
