/**
 * Issue 13's attacks on the PINs and the session: guesses in bursts (login and approvals, one
 * process and two), the cost and pepper of stored hashes and their upgrade at next login, and an
 * idle lock that a customer display's calls must not hold off.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDLE_DISPLAY } from '../api/display';
import { createBackend, type Backend } from '../app';
import { EventBus } from '../events';
import { MemorySecretStore } from '../platform';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { FAILURE_DELAY_MS, LOCK_MS, MAX_FAILURES, OperatorService, type OperatorServiceOptions } from './operators';
import { DEMO_PIN_COST, hashPin, LIVE_PIN_COST, PEPPER_SECRET, pepperFrom, verifyPin } from './pin';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const f of cleanup.splice(0).reverse()) await f();
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-auth-hard-'));
  cleanup.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function openDb(file: string): Promise<Db> {
  const db = await Db.open({ filename: file });
  cleanup.push(() => db.close());
  await migrate(db, migrations);
  return db;
}

const NOW = 1_800_000_000_000;
const noDelay: OperatorServiceOptions = { failureDelayMs: () => 0 };

async function counter(opts: OperatorServiceOptions = noDelay) {
  const file = path.join(tmp(), 't.sqlite');
  const db = await openDb(file);
  const ops = new OperatorService(db, new EventBus(), 10 * 60_000, () => NOW, opts);
  await ops.create({ id: 'c1', name: 'Cashier', role: 'cashier' }, '1111');
  await ops.create({ id: 's1', name: 'Super', role: 'supervisor' }, '2222');
  await ops.create({ id: 's2', name: 'Super 2', role: 'supervisor' }, '3333');
  return { file, db, ops };
}

/** Every wrong PIN that was evaluated leaves exactly one audit row (bad PIN, or the one that locked). */
const evaluatedFailures = async (db: Db, id: string) =>
  (await db.all<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE operator_id = ? AND action IN ('auth.bad_pin', 'auth.locked')", [id]))[0]!.n;

/** 400 guesses at once, the right one among them after the fifth. */
function burst(right: string, n = 400): string[] {
  return Array.from({ length: n }, (_, i) => (i === 200 ? right : String(100000 + i)));
}

describe('guessing a PIN in a burst (item 1)', () => {
  it('evaluates at most MAX_FAILURES of 400 simultaneous login guesses, and the right PIN among them never logs in', async () => {
    const { db, ops } = await counter();
    const results = await Promise.allSettled(burst('2222').map((pin) => ops.login('s1', pin)));
    expect(results.filter((r) => r.status === 'fulfilled')).toEqual([]);
    const codes = results.map((r) => (r as PromiseRejectedResult).reason.code);
    expect(codes.filter((c) => c === 'auth.bad_pin')).toHaveLength(MAX_FAILURES - 1);
    expect(codes.filter((c) => c === 'auth.locked')).toHaveLength(400 - (MAX_FAILURES - 1));
    expect(await evaluatedFailures(db, 's1')).toBe(MAX_FAILURES);
    // The right PIN afterwards: still locked, and not evaluated either.
    await expect(ops.login('s1', '2222')).rejects.toMatchObject({ code: 'auth.locked' });
    expect(ops.state().operator).toBeNull();
    expect(await evaluatedFailures(db, 's1')).toBe(MAX_FAILURES);
  });

  it('evaluates at most MAX_FAILURES of 400 simultaneous approval PINs (dual control), and the right one is refused', async () => {
    const { db, ops } = await counter();
    await ops.login('c1', '1111');
    const results = await Promise.allSettled(burst('3333').map((pin) => ops.approve('s2', pin)));
    expect(results.filter((r) => r.status === 'fulfilled')).toEqual([]);
    expect(await evaluatedFailures(db, 's2')).toBe(MAX_FAILURES);
    await expect(ops.approve('s2', '3333')).rejects.toMatchObject({ code: 'auth.locked' });
  });

  it('holds across two processes on the same database: the count is in the file, taken before the hash', async () => {
    const { file, db, ops } = await counter();
    const other = new OperatorService(await openDb(file), new EventBus(), 10 * 60_000, () => NOW, noDelay);
    const guesses = burst('2222', 300);
    const results = await Promise.allSettled(guesses.map((pin, i) => (i % 2 ? ops : other).login('s1', pin)));
    expect(results.filter((r) => r.status === 'fulfilled')).toEqual([]);
    expect(await evaluatedFailures(db, 's1')).toBe(MAX_FAILURES);
  });

  it('answers each wrong PIN of a window after a longer wait, one guess at a time', async () => {
    const defaults = new OperatorService(null as never, new EventBus(), 1);
    const delay = (defaults as unknown as { failureDelayMs: (k: number) => number }).failureDelayMs;
    expect([1, 2, 3, 4, 5].map(delay)).toEqual([1, 2, 4, 8, 16].map((x) => x * FAILURE_DELAY_MS));
    const waits: number[] = [];
    const { ops } = await counter({ failureDelayMs: (k) => (waits.push(k), 60) });
    const t0 = Date.now();
    const answered: number[] = [];
    await Promise.allSettled(['0', '1', '2'].map((d) => ops.login('c1', `90000${d}`).catch((e) => (answered.push(Date.now() - t0), Promise.reject(e)))));
    expect(waits).toEqual([1, 2, 3]);
    // Sent together, answered in turn: the third waited out the two delays before it.
    expect(Math.max(...answered)).toBeGreaterThanOrEqual(3 * 60 - 5);
  });

  it('opens a new window once the lock has run out, and a right PIN ends the window', async () => {
    let now = NOW;
    const file = path.join(tmp(), 't.sqlite');
    const db = await openDb(file);
    const ops = new OperatorService(db, new EventBus(), 10 * 60_000, () => now, noDelay);
    await ops.create({ id: 'c1', name: 'Cashier', role: 'cashier' }, '1111');
    await Promise.allSettled(burst('1111', 20).map((pin) => ops.login('c1', pin)));
    await expect(ops.login('c1', '1111')).rejects.toMatchObject({ code: 'auth.locked' });
    now += LOCK_MS + 1;
    await expect(ops.login('c1', '0000')).rejects.toMatchObject({ code: 'auth.bad_pin', detail: { left: MAX_FAILURES - 1 } });
    await expect(ops.login('c1', '1111')).resolves.toMatchObject({ operator: { id: 'c1' } });
    expect(await db.get('SELECT failed_attempts, locked_until FROM operators WHERE id = ?', ['c1'])).toEqual({ failed_attempts: 0, locked_until: null });
  });
});

describe('stored PIN hashes (item 9)', () => {
  // These hash at the live cost for real (128 MiB, a few tenths of a second each; many seconds on a busy machine).
  const LIVE_HASHING = { timeout: 120_000 };

  it('a live counter stores PINs at OWASP’s scrypt cost, keyed with a pepper from the OS secret store: the database alone cannot check a guess', LIVE_HASHING, async () => {
    const dir = tmp();
    const secrets = new MemorySecretStore();
    const b = await createBackend({ dataDir: dir, mode: 'live', shell: 'browser' }, { secrets });
    cleanup.push(() => b.close());
    expect((await b.dispatcher.dispatch('session:setup', { id: 'boss', name: '刘店长', pin: '482619', pinAgain: '482619' })).ok).toBe(true);
    const { pin_hash: stored } = (await b.db.get<{ pin_hash: string }>("SELECT pin_hash FROM operators WHERE id = 'boss'"))!;
    const pepper = pepperFrom(Buffer.from((await secrets.get(PEPPER_SECRET))!, 'base64'));
    expect(stored.startsWith(`scryptp$${pepper.id}$${LIVE_PIN_COST.N}$8$1$`)).toBe(true);
    expect(LIVE_PIN_COST).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(await verifyPin('482619', stored, pepper)).toBe(true);
    // Without the pepper, or with another one, no guess can even be tried.
    await expect(verifyPin('482619', stored)).rejects.toMatchObject({ code: 'auth.pepper_missing' });
    await expect(verifyPin('482619', stored, pepperFrom(Buffer.alloc(32, 7)))).rejects.toMatchObject({ code: 'auth.pepper_missing' });
  });

  it('upgrades a hash written before (2^14, no pepper) at the operator’s next correct login, and never on a wrong one', LIVE_HASHING, async () => {
    const file = path.join(tmp(), 't.sqlite');
    const db = await openDb(file);
    const old = await hashPin('482619', { cost: DEMO_PIN_COST, pepper: null });
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    await db.run("INSERT INTO operators (id, name, role, pin_hash) VALUES ('boss', 'B', 'admin', ?)", [old]);
    const pepper = pepperFrom(Buffer.alloc(32, 1));
    const ops = new OperatorService(db, new EventBus(), 60_000, () => NOW, { ...noDelay, hashing: { cost: LIVE_PIN_COST, pepper } });
    await expect(ops.login('boss', '000000')).rejects.toMatchObject({ code: 'auth.bad_pin' });
    expect((await db.get<{ pin_hash: string }>('SELECT pin_hash FROM operators'))!.pin_hash).toBe(old);
    await expect(ops.login('boss', '482619')).resolves.toMatchObject({ operator: { id: 'boss' } });
    const now = (await db.get<{ pin_hash: string }>('SELECT pin_hash FROM operators'))!.pin_hash;
    expect(now.startsWith(`scryptp$${pepper.id}$131072$8$1$`)).toBe(true);
    expect(await db.all("SELECT action FROM audit_log WHERE action = 'auth.pin_rehashed'")).toHaveLength(1);
    // The upgraded hash works, and is not upgraded again.
    await ops.logout();
    await expect(ops.login('boss', '482619')).resolves.toMatchObject({ operator: { id: 'boss' } });
    expect((await db.get<{ pin_hash: string }>('SELECT pin_hash FROM operators'))!.pin_hash).toBe(now);
  });

  it('says plainly when the pepper is gone, and counts no wrong PIN for it', async () => {
    const file = path.join(tmp(), 't.sqlite');
    const db = await openDb(file);
    const hash = await hashPin('482619', { cost: DEMO_PIN_COST, pepper: pepperFrom(Buffer.alloc(32, 2)) });
    await db.run("INSERT INTO operators (id, name, role, pin_hash) VALUES ('boss', 'B', 'admin', ?)", [hash]);
    const ops = new OperatorService(db, new EventBus(), 60_000, () => NOW, noDelay);
    for (let i = 0; i < MAX_FAILURES + 1; i++) {
      await expect(ops.login('boss', '482619')).rejects.toMatchObject({ code: 'auth.pepper_missing', zh: expect.stringContaining('密钥'), en: expect.stringContaining('keychain') });
    }
    expect(await db.get("SELECT failed_attempts, locked_until FROM operators WHERE id = 'boss'")).toEqual({ failed_attempts: 0, locked_until: null });
  });
});

describe('the idle lock (item 10)', () => {
  async function demoBackend(): Promise<Backend> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const b = await createBackend({ dataDir: tmp(), mode: 'demo', shell: 'browser', idleLockMinutes: 10 } as never, { secrets: new MemorySecretStore() });
    cleanup.push(() => b.close());
    expect((await b.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' })).ok).toBe(true);
    return b;
  }
  // What a customer display and the other windows call by themselves while nobody touches the till.
  const polls = ['display:get', 'session:current', 'system:info', 'connectivity:get', 'training:state'];

  it('locks after the idle time while a customer display keeps calling', async () => {
    const b = await demoBackend();
    for (let s = 0; s <= 11 * 60; s += 15) {
      vi.setSystemTime(NOW + s * 1000);
      for (const m of polls) expect((await b.dispatcher.dispatch(m, {})).ok, m).toBe(true);
    }
    const state = await b.dispatcher.dispatch('session:current', {});
    expect(state).toMatchObject({ ok: true, value: { operator: null } });
    expect(await b.dispatcher.dispatch('display:set', IDLE_DISPLAY)).toMatchObject({ ok: false, error: { code: 'auth.not_logged_in' } });
  });

  it('stays awake while the operator acts', async () => {
    const b = await demoBackend();
    for (let s = 0; s <= 11 * 60; s += 60) {
      vi.setSystemTime(NOW + s * 1000);
      expect((await b.dispatcher.dispatch('payments:list', {})).ok).toBe(true);
    }
    expect(await b.dispatcher.dispatch('session:current', {})).toMatchObject({ ok: true, value: { operator: { id: 'cashier1' } } });
  });

  it('says why a session ended: the idle lock, or a logout (never one for the other)', async () => {
    const b = await demoBackend();
    const ended: unknown[] = [];
    b.bus.subscribe((name, payload) => {
      if (name === 'session:changed' && (payload as { operator: unknown }).operator === null) ended.push((payload as { ended?: string }).ended);
    });
    vi.setSystemTime(NOW + 11 * 60_000);
    await b.dispatcher.dispatch('session:current', {});
    expect(ended).toEqual(['idle']);
    expect((await b.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '1111' })).ok).toBe(true);
    await b.dispatcher.dispatch('session:logout', {});
    expect(ended).toEqual(['idle', 'logout']);
  });
});
