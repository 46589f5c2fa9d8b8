/** The settings methods through the real composition root and dispatcher (demo mode). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';

let backend: Backend;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-settings-app-'));
  backend = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
});
afterAll(async () => {
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('settings through the dispatcher', () => {
  it('refuses a caller who is not logged in', async () => {
    const r = await backend.dispatcher.dispatch('settings:update', { perPaymentCapFen: 5_000, approverId: 'super1', approverPin: '2222', requestId: 'settings-req-0000000001' });
    expect(r).toMatchObject({ ok: false, error: { code: 'auth.not_logged_in' } });
  });

  it('refuses extra fields as a bad payload', async () => {
    await backend.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' });
    const r = await backend.dispatcher.dispatch('settings:update', { perPaymentCapFen: 5_000, approverId: 'super1', approverPin: '2222', requestId: 'settings-req-0000000002', sneaky: 1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
  });

  it('tightens the per-payment cap with a supervisor, and the next offline accept above it is refused by that rule', async () => {
    await backend.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' });
    const r = await backend.dispatcher.dispatch('settings:update', { perPaymentCapFen: 5_000, refundApprovalFen: 20_00, approverId: 'super1', approverPin: '2222', requestId: 'settings-req-0000000003' });
    expect(r).toMatchObject({ ok: true, value: { offline: { perPaymentCapFen: 5_000 }, refundApprovalFen: 20_00 } });
    expect(backend.payments.engine.refundApprovalFen).toBe(20_00);
    const code = await backend.dispatcher.dispatch('demo:offlineCode', { wallet: 0 });
    expect(code.ok).toBe(true);
    const a = await backend.dispatcher.dispatch('offline:accept', { amountFen: 5_001, code: (code as { value: { code: string } }).value.code });
    expect(a).toMatchObject({ ok: false, error: { code: 'offline.risk.per_payment_cap' } });
    const g = await backend.dispatcher.dispatch('settings:get', {});
    expect(g).toMatchObject({ ok: true, value: { offline: { perPaymentCapFen: 5_000 }, acquirer: { kind: 'embedded', host: null, editable: false } } });
  });

  it('a repeat of the same request (double press, retry, reload) is applied once and never asks for a second approval', async () => {
    await backend.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' });
    const updates = async () => (await backend.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settings.update'"))!.n;
    const pinFailures = async () => (await backend.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('auth.bad_pin', 'auth.locked')"))!.n;
    const before = await updates();
    const requestId = 'settings-repeat-000000000001';
    const change = { perPaymentCapFen: 4_000, requestId };
    // Refused for want of an approver: nothing kept, so the approved try with the same id is the first.
    expect(await backend.dispatcher.dispatch('settings:update', change)).toMatchObject({ ok: false, error: { code: 'auth.approval_required' } });
    // A double press: both sends in flight at once, one change, one answer.
    const [a, b] = await Promise.all([
      backend.dispatcher.dispatch('settings:update', { ...change, approverId: 'super1', approverPin: '2222' }),
      backend.dispatcher.dispatch('settings:update', { ...change, approverId: 'super1', approverPin: '2222' }),
    ]);
    expect(a).toMatchObject({ ok: true, value: { offline: { perPaymentCapFen: 4_000 } } });
    expect(b).toEqual(a);
    expect(await updates()).toBe(before + 1);
    const failed = await pinFailures();
    // A retry after a reconnect or a reload: no PIN (the screen forgot it), even a wrong one — the
    // first answer, no second approval asked, no PIN attempt counted, nothing written again.
    expect(await backend.dispatcher.dispatch('settings:update', change)).toMatchObject({ ok: true, value: { offline: { perPaymentCapFen: 4_000 } } });
    expect(await backend.dispatcher.dispatch('settings:update', { ...change, approverId: 'super1', approverPin: '9999' })).toMatchObject({ ok: true });
    expect(await updates()).toBe(before + 1);
    expect(await pinFailures()).toBe(failed);
    // The same id for another change is refused with nothing changed.
    expect(await backend.dispatcher.dispatch('settings:update', { perPaymentCapFen: 3_000, requestId, approverId: 'super1', approverPin: '2222' }))
      .toMatchObject({ ok: false, error: { code: 'request.mismatch' } });
    expect(await backend.dispatcher.dispatch('settings:get', {})).toMatchObject({ ok: true, value: { offline: { perPaymentCapFen: 4_000 } } });
    // A settings change without a request id is refused as a bad payload: every screen sends one.
    expect(await backend.dispatcher.dispatch('settings:update', { perPaymentCapFen: 3_000, approverId: 'super1', approverPin: '2222' }))
      .toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
  });

  it('the training reset puts the limits and the refund threshold back with the rest of the demo data', async () => {
    await backend.dispatcher.dispatch('session:login', { operatorId: 'trainer1', pin: '4444' });
    expect(await backend.dispatcher.dispatch('demo:reset', { confirm: true })).toMatchObject({ ok: true });
    await backend.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' });
    const g = await backend.dispatcher.dispatch('settings:get', {});
    expect(g).toMatchObject({ ok: true, value: { offline: { perPaymentCapFen: 20_000 }, localOverrides: [], refundApprovalFen: 100_00 } });
    expect(backend.payments.engine.refundApprovalFen).toBe(100_00);
  });
});

describe('wedge scanner profiles through the dispatcher', () => {
  const mine = { id: 'p1', name: '左边扫码枪', model: 'custom', active: true, prefix: '~]', suffix: 'Tab', maxGapMs: 20, endTimeoutMs: 50, minLength: 8, maxLength: 64, layout: 'os' };

  it('are readable before anyone logs in (every window’s scanner listener loads them), and only a supervisor or admin changes them', async () => {
    await backend.dispatcher.dispatch('session:logout', {});
    expect(await backend.dispatcher.dispatch('settings:wedgeProfiles', {})).toMatchObject({ ok: true, value: { profiles: [{ id: 'default', suffix: 'Enter' }] } });
    await backend.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' });
    expect(await backend.dispatcher.dispatch('settings:setWedgeProfiles', { profiles: [mine] })).toMatchObject({ ok: false, error: { code: 'auth.role_required' } });
    await backend.dispatcher.dispatch('session:login', { operatorId: 'super1', pin: '2222' });
    expect(await backend.dispatcher.dispatch('settings:setWedgeProfiles', { profiles: [{ ...mine, extra: 1 }] })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    const seen: unknown[] = [];
    const stop = backend.bus.subscribe((name, payload) => {
      if (name === 'settings:wedgeProfilesChanged') seen.push(payload);
    });
    expect(await backend.dispatcher.dispatch('settings:setWedgeProfiles', { profiles: [mine] })).toMatchObject({ ok: true, value: { profiles: [mine] } });
    stop();
    expect(seen).toEqual([{ profiles: [mine] }]);
    expect(await backend.dispatcher.dispatch('settings:wedgeProfiles', {})).toMatchObject({ ok: true, value: { profiles: [mine] } });
  });

  it('the training reset puts the factory profile back and tells every window', async () => {
    await backend.dispatcher.dispatch('session:login', { operatorId: 'trainer1', pin: '4444' });
    const seen: unknown[] = [];
    const stop = backend.bus.subscribe((name, payload) => {
      if (name === 'settings:wedgeProfilesChanged') seen.push(payload);
    });
    expect(await backend.dispatcher.dispatch('demo:reset', { confirm: true })).toMatchObject({ ok: true });
    stop();
    expect(seen).toMatchObject([{ profiles: [{ id: 'default' }] }]);
    expect(await backend.dispatcher.dispatch('settings:wedgeProfiles', {})).toMatchObject({ ok: true, value: { profiles: [{ id: 'default' }] } });
  });
});
