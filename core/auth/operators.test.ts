import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { LOCK_MS, MAX_FAILURES, OperatorService } from './operators';
import { hashPin, verifyPin } from './pin';

let dir: string;
let db: Db;
let now = 1_800_000_000_000;
let ops: OperatorService;
const events: string[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-ops-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
  const bus = new EventBus();
  bus.subscribe((name) => events.push(name));
  // Wrong PINs are answered at once here; hardening.test.ts checks the growing delay.
  ops = new OperatorService(db, bus, 10 * 60_000, () => now, { failureDelayMs: () => 0 });
  await ops.create({ id: 'c1', name: 'Cashier', role: 'cashier' }, '1111');
  await ops.create({ id: 's1', name: 'Super', role: 'supervisor' }, '2222');
  await ops.create({ id: 's2', name: 'Super 2', role: 'supervisor' }, '3333');
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('PIN hashing', () => {
  it('verifies the right PIN and refuses others and malformed hashes', async () => {
    const h = await hashPin('2468');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPin('2468', h)).toBe(true);
    expect(await verifyPin('2469', h)).toBe(false);
    expect(await verifyPin('2468', 'plain')).toBe(false);
    expect(await verifyPin('2468', 'scrypt$x$8$1$a$b')).toBe(false);
  });
  it('salts each hash', async () => {
    expect(await hashPin('1234')).not.toBe(await hashPin('1234'));
  });
});

describe('OperatorService', () => {
  it('never stores a PIN in clear', async () => {
    const rows = await db.all<{ pin_hash: string }>('SELECT pin_hash FROM operators');
    for (const r of rows) expect(r.pin_hash).not.toMatch(/^(1111|2222|3333)$/);
  });

  it('locks an operator after repeated wrong PINs, across restarts, until the lock expires', async () => {
    for (let i = 1; i < MAX_FAILURES; i++) {
      await expect(ops.login('c1', '0000')).rejects.toMatchObject({ code: 'auth.bad_pin', detail: { left: MAX_FAILURES - i } });
    }
    await expect(ops.login('c1', '0000')).rejects.toMatchObject({ code: 'auth.locked' });
    // A new service over the same file (a restart) keeps the lock; the right PIN is refused too.
    const again = new OperatorService(db, new EventBus(), 60_000, () => now);
    await expect(again.login('c1', '1111')).rejects.toMatchObject({ code: 'auth.locked' });
    now += LOCK_MS + 1;
    await expect(again.login('c1', '1111')).resolves.toMatchObject({ operator: { id: 'c1' } });
    const audit = await db.all<{ action: string }>('SELECT action FROM audit_log');
    expect(audit.map((a) => a.action)).toContain('auth.locked');
  });

  it('locks the session after the idle time and says so', async () => {
    await ops.login('c1', '1111');
    expect(ops.operatorForCall()?.id).toBe('c1');
    now += 10 * 60_000 + 1;
    events.length = 0;
    expect(ops.operatorForCall()).toBeNull();
    expect(events).toContain('session:changed');
  });

  it('accepts a different supervisor as approver and refuses self-approval, cashiers and wrong PINs', async () => {
    await ops.login('s1', '2222');
    await expect(ops.approve('s2', '3333')).resolves.toBe('s2');
    await expect(ops.approve('s1', '2222')).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    await expect(ops.approve('c1', '1111')).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    await expect(ops.approve('s2', '9999')).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    await expect(ops.approve(undefined, undefined)).rejects.toMatchObject({ code: 'auth.approval_required' });
  });
});
