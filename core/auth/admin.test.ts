import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract';
import { EventBus } from '../events';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { OperatorAdmin } from './admin';
import { OperatorService } from './operators';
import { pinProblem } from './pin';

let dir: string;
let db: Db;
const now = 1_800_000_000_000;
let ops: OperatorService;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-admin-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
  ops = new OperatorService(db, new EventBus(), 10 * 60_000, () => now);
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const snapshot = async () => ({
  operators: await db.all('SELECT id, name, role, pin_hash, active, failed_attempts, locked_until, must_change_pin FROM operators ORDER BY id'),
  audit: await db.all('SELECT * FROM audit_log ORDER BY seq'),
});
const auditRows = () => db.all<{ operator_id: string; approver_id: string | null; action: string; detail: string }>('SELECT operator_id, approver_id, action, detail FROM audit_log ORDER BY seq');

describe('rules for a newly chosen PIN', () => {
  it.each([
    ['12345', 'length'], ['123456789', 'length'], ['12a456', 'length'], ['１２３４５６', 'length'],
    ['000000', 'same_digit'], ['77777777', 'same_digit'],
    ['123456', 'run'], ['987654', 'run'], ['890123', 'run'], ['34567890', 'run'],
  ])('refuses %s (%s)', (pin, problem) => {
    expect(pinProblem(pin)).toBe(problem);
  });
  it.each(['135790', '202611', '4826193', '11223344'])('accepts %s', (pin) => {
    expect(pinProblem(pin)).toBeNull();
  });
});

describe('first run', () => {
  const first = { id: 'boss', name: ' 刘店长 ', pin: '482619', pinAgain: '482619' };

  it('creates the first admin once, logs them in and audits it; then it is gone for good', async () => {
    expect(await ops.setupNeeded('live')).toBe(true);
    const s = await ops.setup('live', first);
    expect(s.operator).toEqual({ id: 'boss', name: '刘店长', role: 'admin' });
    expect(await ops.setupNeeded('live')).toBe(false);
    await expect(ops.setup('live', { ...first, id: 'boss2' })).rejects.toMatchObject({ code: 'auth.setup_done' });
    expect(await db.all('SELECT id, role, must_change_pin FROM operators')).toEqual([{ id: 'boss', role: 'admin', must_change_pin: 0 }]);
    expect((await auditRows()).filter((a) => a.action === 'auth.first_admin')).toEqual([
      { operator_id: 'boss', approver_id: null, action: 'auth.first_admin', detail: JSON.stringify({ id: 'boss', name: '刘店长' }) },
    ]);
  });

  it('of two windows racing, exactly one wins and the other is refused with nothing of its own written', async () => {
    const other = new OperatorService(db, new EventBus(), 60_000, () => now);
    const results = await Promise.allSettled([
      ops.setup('live', first),
      other.setup('live', { id: 'intruder', name: 'X', pin: '135790', pinAgain: '135790' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'auth.setup_done' });
    expect(await db.all('SELECT COUNT(*) AS n FROM operators')).toEqual([{ n: 1 }]);
    expect((await auditRows()).filter((a) => a.action === 'auth.first_admin')).toHaveLength(1);
  });

  it('refuses bad PINs, a mismatch and a blank name, writing nothing', async () => {
    const before = await snapshot();
    await expect(ops.setup('live', { ...first, pin: '123456', pinAgain: '123456' })).rejects.toMatchObject({ code: 'auth.pin_rule', detail: { problem: 'run' } });
    await expect(ops.setup('live', { ...first, pin: '1111', pinAgain: '1111' })).rejects.toMatchObject({ code: 'auth.pin_rule', detail: { problem: 'length' } });
    await expect(ops.setup('live', { ...first, pinAgain: '482610' })).rejects.toMatchObject({ code: 'auth.pin_mismatch' });
    await expect(ops.setup('live', { ...first, name: '   ' })).rejects.toMatchObject({ code: 'auth.blank_name' });
    expect(await snapshot()).toEqual(before);
    expect(await ops.setupNeeded('live')).toBe(true);
  });

  it('never exists in demo mode, even with an empty table', async () => {
    expect(await ops.setupNeeded('demo')).toBe(false);
    await expect(ops.setup('demo', first)).rejects.toMatchObject({ code: 'auth.setup_demo' });
    expect(await db.all('SELECT id FROM operators')).toEqual([]);
  });
});

describe('operator administration', () => {
  let admin: OperatorAdmin;
  const asAdmin: CallContext = { operator: { id: 'a1', name: 'Admin', role: 'admin' } };
  const approval = { approverId: 's1', approverPin: '2222' };
  const newCashier = { id: 'c9', name: '新收银员', role: 'cashier' as const, pin: '246813', pinAgain: '246813' };

  beforeEach(async () => {
    await ops.create({ id: 'a1', name: 'Admin', role: 'admin' }, '5555');
    await ops.create({ id: 's1', name: 'Super', role: 'supervisor' }, '2222');
    await ops.create({ id: 'c1', name: 'Cashier', role: 'cashier' }, '1111');
    await ops.login('a1', '5555');
    admin = new OperatorAdmin(db, ops, 'live', () => now);
  });

  it('adds a cashier with a supervisor’s approval, audited with both ids; they must choose a new PIN at first login', async () => {
    await expect(admin.add(newCashier, asAdmin)).rejects.toMatchObject({ code: 'auth.approval_required' });
    const list = await admin.add({ ...newCashier, ...approval }, asAdmin);
    expect(list.find((o) => o.id === 'c9')).toEqual({ id: 'c9', name: '新收银员', role: 'cashier', active: true, lockedUntil: null, mustChangePin: true });
    expect((await auditRows()).at(-1)).toMatchObject({ operator_id: 'a1', approver_id: 's1', action: 'operators.add' });
    await expect(ops.login('c9', '246813')).rejects.toMatchObject({ code: 'auth.must_change_pin' });
    await expect(ops.changePin('c9', '246813', '246813', '246813')).rejects.toMatchObject({ code: 'auth.pin_unchanged' });
    await expect(ops.changePin('c9', '246813', '654321', '654321')).rejects.toMatchObject({ code: 'auth.pin_rule' });
    expect((await ops.changePin('c9', '246813', '918273', '918273')).operator?.id).toBe('c9');
    expect((await ops.login('c9', '918273')).operator?.id).toBe('c9');
    expect((await auditRows()).map((a) => a.action)).toContain('auth.pin_changed');
  });

  it('refuses bad input, a taken id, a trainer on a live counter and a wrong approver, changing nothing', async () => {
    const before = await snapshot();
    await expect(admin.add({ ...newCashier, pin: '111111', pinAgain: '111111', ...approval }, asAdmin)).rejects.toMatchObject({ code: 'auth.pin_rule' });
    await expect(admin.add({ ...newCashier, pinAgain: '246810', ...approval }, asAdmin)).rejects.toMatchObject({ code: 'auth.pin_mismatch' });
    await expect(admin.add({ ...newCashier, id: 'c1', ...approval }, asAdmin)).rejects.toMatchObject({ code: 'auth.id_taken' });
    await expect(admin.add({ ...newCashier, role: 'trainer', ...approval }, asAdmin)).rejects.toMatchObject({ code: 'auth.trainer_demo_only' });
    await expect(admin.add({ ...newCashier, approverId: 'c1', approverPin: '1111' }, asAdmin)).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    await expect(admin.add({ ...newCashier, approverId: 'a1', approverPin: '5555' }, asAdmin)).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    await expect(admin.add({ ...newCashier, ...approval }, { operator: { id: 's1', name: 'Super', role: 'supervisor' } })).rejects.toMatchObject({ code: 'auth.role_required' });
    expect(await snapshot()).toEqual(before);
  });

  it('a trainer may be added in demo mode', async () => {
    const demo = new OperatorAdmin(db, ops, 'demo', () => now);
    const list = await demo.add({ ...newCashier, id: 't9', role: 'trainer', ...approval }, asAdmin);
    expect(list.find((o) => o.id === 't9')?.role).toBe('trainer');
  });

  it('disables without approval and the operator’s login is refused; enabling again needs approval', async () => {
    await admin.setActive({ operatorId: 'c1', active: false }, asAdmin);
    await expect(ops.login('c1', '1111')).rejects.toMatchObject({ code: 'auth.disabled' });
    expect((await ops.list()).map((o) => o.id)).not.toContain('c1');
    await expect(admin.setActive({ operatorId: 'c1', active: true }, asAdmin)).rejects.toMatchObject({ code: 'auth.approval_required' });
    await admin.setActive({ operatorId: 'c1', active: true, ...approval }, asAdmin);
    expect((await ops.login('c1', '1111')).operator?.id).toBe('c1');
    expect((await auditRows()).filter((a) => a.action.startsWith('operators.')).map((a) => [a.action, a.operator_id, a.approver_id])).toEqual([
      ['operators.disable', 'a1', null],
      ['operators.enable', 'a1', 's1'],
    ]);
  });

  it('never disables yourself nor the last active admin', async () => {
    const before = await snapshot();
    await expect(admin.setActive({ operatorId: 'a1', active: false }, asAdmin)).rejects.toMatchObject({ code: 'auth.not_yourself' });
    expect(await snapshot()).toEqual(before);
    // Two admins disabling each other at the same moment (two windows): one is refused, one admin stays.
    await ops.create({ id: 'a2', name: 'Admin 2', role: 'admin' }, '6666');
    const asA2: CallContext = { operator: { id: 'a2', name: 'Admin 2', role: 'admin' } };
    const results = await Promise.allSettled([
      admin.setActive({ operatorId: 'a2', active: false }, asAdmin),
      admin.setActive({ operatorId: 'a1', active: false }, asA2),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'auth.last_admin' });
    expect(await db.all("SELECT COUNT(*) AS n FROM operators WHERE role = 'admin' AND active = 1")).toEqual([{ n: 1 }]);
    // A session that outlived its operator's disabling can do nothing more.
    const disabled = (await admin.list()).find((o) => o.role === 'admin' && !o.active)!;
    const stale: CallContext = { operator: { id: disabled.id, name: disabled.name, role: 'admin' } };
    await expect(admin.unlock({ operatorId: 'c1' }, stale)).rejects.toMatchObject({ code: 'auth.role_required' });
  });

  it('resets a PIN under approval (not by the operator concerned, not your own); a reset PIN approves nothing', async () => {
    await expect(admin.resetPin({ operatorId: 'a1', pin: '864209', pinAgain: '864209', ...approval }, asAdmin)).rejects.toMatchObject({ code: 'auth.not_yourself' });
    await expect(admin.resetPin({ operatorId: 's1', pin: '864209', pinAgain: '864209', ...approval }, asAdmin)).rejects.toMatchObject({ code: 'auth.approver_is_subject' });
    await db.run("UPDATE operators SET role = 'supervisor' WHERE id = 'c1'");
    await admin.resetPin({ operatorId: 'c1', pin: '864209', pinAgain: '864209', ...approval }, asAdmin);
    await expect(ops.login('c1', '1111')).rejects.toMatchObject({ code: 'auth.bad_pin' });
    await expect(ops.login('c1', '864209')).rejects.toMatchObject({ code: 'auth.must_change_pin' });
    // The admin knows that PIN: it cannot stand in as the second operator.
    await expect(admin.add({ ...newCashier, approverId: 'c1', approverPin: '864209' }, asAdmin)).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    expect((await auditRows()).filter((a) => a.action === 'operators.reset_pin')).toEqual([
      { operator_id: 'a1', approver_id: 's1', action: 'operators.reset_pin', detail: JSON.stringify({ id: 'c1' }) },
    ]);
  });

  it('a counter that never had a second supervisor or admin adds its first one without approval, once', async () => {
    const fresh = await Db.open({ filename: path.join(dir, 'fresh.sqlite') });
    try {
      await migrate(fresh, migrations);
      const o = new OperatorService(fresh, new EventBus(), 60_000, () => now);
      await o.setup('live', { id: 'boss', name: 'Boss', pin: '482619', pinAgain: '482619' });
      const a = new OperatorAdmin(fresh, o, 'live', () => now);
      const boss: CallContext = { operator: { id: 'boss', name: 'Boss', role: 'admin' } };
      await a.add({ ...newCashier, id: 's9', role: 'supervisor' }, boss);
      // Disabling that supervisor does not reopen the exception.
      await a.setActive({ operatorId: 's9', active: false }, boss);
      await expect(a.add(newCashier, boss)).rejects.toMatchObject({ code: 'auth.approval_required' });
      const rows = await fresh.all<{ action: string; detail: string }>("SELECT action, detail FROM audit_log WHERE action LIKE 'operators.%' ORDER BY seq");
      expect(rows.map((r) => [r.action, JSON.parse(r.detail).soleAdmin ?? false])).toEqual([['operators.add', true], ['operators.disable', false]]);
    } finally {
      await fresh.close();
    }
  });

  it('unlocks a locked-out operator, audited', async () => {
    for (let i = 0; i < 5; i++) await ops.checkPin('c1', '0000').catch(() => undefined);
    expect((await admin.list()).find((o) => o.id === 'c1')?.lockedUntil).toBeGreaterThan(now);
    await expect(ops.login('c1', '1111')).rejects.toMatchObject({ code: 'auth.locked' });
    const list = await admin.unlock({ operatorId: 'c1' }, asAdmin);
    expect(list.find((o) => o.id === 'c1')?.lockedUntil).toBeNull();
    expect((await ops.login('c1', '1111')).operator?.id).toBe('c1');
    expect((await auditRows()).filter((a) => a.action === 'operators.unlock')).toEqual([
      { operator_id: 'a1', approver_id: null, action: 'operators.unlock', detail: JSON.stringify({ id: 'c1' }) },
    ]);
  });
});
