import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { createDispatcher, type RpcResult } from '../api/dispatcher';
import type { Handlers } from '../api/contract';
import type { TrainingState } from '../api/training';
import { databasePath } from '../config';
import { MemorySecretStore } from '../platform';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { assertDemoDatabase, emptyDemoDatabase } from './reset';
import { resetSimulatorData } from './reset-simulator';
import type { FaultPlan } from '../acquirer/simulator/faults';

const dirs: string[] = [];
const open: Backend[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-training-'));
  dirs.push(d);
  return d;
}
async function demo(dataDir: string): Promise<Backend> {
  const b = await createBackend({ dataDir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  open.push(b);
  return b;
}
async function live(dataDir: string): Promise<Backend> {
  const b = await createBackend(
    { dataDir, mode: 'live', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'https://acq.example/' } },
    { secrets: new MemorySecretStore() },
  );
  open.push(b);
  return b;
}
async function login(b: Backend, operatorId: string, pin: string) {
  const r = await b.dispatcher.dispatch('session:login', { operatorId, pin });
  expect(r.ok).toBe(true);
}
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

afterEach(async () => {
  for (const b of open.splice(0)) await b.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('training in the composition root', () => {
  it('lists the lessons in demo mode to a logged-in trainer', async () => {
    const b = await demo(tmp());
    await login(b, 'trainer1', '4444');
    const r = await b.dispatcher.dispatch('training:lessons', {});
    expect(r.ok).toBe(true);
    expect((r as { value: Array<{ id: string }> }).value.map((l) => l.id)).toContain('withdrawal-limit');
  });

  it('refuses every training method and the reset in live mode, with a bilingual error', async () => {
    const b = await live(tmp());
    const methods = ['training:lessons', 'training:start', 'training:state', 'training:answer', 'training:abort', 'demo:reset', 'demo:offlineDecline'] as const;
    const inputs: Record<string, unknown> = {
      'training:start': { lessonId: 'normal-payment' },
      'training:answer': { stepId: 'a', choiceId: 'b' },
      'demo:reset': { confirm: true },
      'demo:offlineDecline': { wallet: 5 },
    };
    // Not even an admin gets past the live-mode refusal.
    await b.operators.create({ id: 'boss', name: 'Boss', role: 'admin' }, '9876');
    await login(b, 'boss', '9876');
    for (const m of methods) {
      const r = await b.dispatcher.dispatch(m, inputs[m] ?? {});
      expect(r).toMatchObject({ ok: false, error: { code: 'training.live_mode' } });
      if (!r.ok) expect(r.error.zh.length > 0 && r.error.en.length > 0).toBe(true);
    }
  });

  it('answers a quiz step in the core and explains a wrong answer', async () => {
    const b = await demo(tmp());
    await login(b, 'trainer1', '4444');
    expect((await b.dispatcher.dispatch('training:start', { lessonId: 'fake-static-qr' })).ok).toBe(true);
    // The trainer hands over: the trainee logs in as the lesson's cashier, which completes step one.
    await login(b, 'cashier1', '1111');
    const quiz = await b.dispatcher.dispatch('training:answer', { stepId: 'which-qr', choiceId: 'sticker' });
    expect(quiz.ok).toBe(true);
    const fb = (quiz as Extract<RpcResult, { ok: true }>).value as TrainingState;
    expect(fb.feedback.map((f) => [f.kind, f.stepId])).toEqual([['good', 'login'], ['wrong', 'which-qr']]);
    expect(fb.steps[fb.currentIndex ?? -1].id).toBe('which-qr');
  });

  it('grades moves made through the real dispatcher: a refused withdrawal is seen and explained', async () => {
    const b = await demo(tmp());
    await login(b, 'agent1', '3333');
    const started = (await b.dispatcher.dispatch('training:start', { lessonId: 'withdrawal-limit' })) as Extract<RpcResult, { ok: true }>;
    // Its clean-slate setup (network, faults, printer, scanner) ran through the real handlers.
    expect((started.value as TrainingState).feedback.filter((f) => f.kind === 'setup')).toEqual([]);
    const steps = (started.value as TrainingState).steps;
    expect(steps.slice(0, 2).map((x) => [x.id, x.status])).toEqual([['login', 'done'], ['open-float', 'current']]);
    expect((await b.dispatcher.dispatch('agent:floatOpen', { countedFen: 200_000, requestId: 'req-training-0001-aaaaaaaa' })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    // ¥805 is not a multiple of ¥10: the core refuses it, and the lesson says why.
    const refused = await b.dispatcher.dispatch('agent:withdraw', { amountFen: 80_500, code: '134567890123456789', customerPhone: '13800138000', requestId: 'req-training-0002-aaaaaaaa' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'agent.withdraw_step' } });
    const s = (await b.dispatcher.dispatch('training:state', {})) as Extract<RpcResult, { ok: true }>;
    const st = s.value as TrainingState;
    expect(st.currentIndex).toBe(2);
    expect(st.feedback.map((f) => [f.kind, f.stepId])).toEqual([['good', 'open-float'], ['wrong', 'withdraw-800']]);
  });
});

describe('the declined-after-forwarding fault', () => {
  it('asks for the customer\'s offline code first, then empties that wallet at the simulated acquirer only', async () => {
    const b = await demo(tmp());
    await login(b, 'trainer1', '4444');
    expect(await b.dispatcher.dispatch('demo:offlineDecline', { wallet: 5 })).toMatchObject({ ok: false, error: { code: 'training.no_offline_code' } });
    expect((await b.dispatcher.dispatch('demo:offlineCode', { wallet: 5 })).ok).toBe(true);
    expect(await b.dispatcher.dispatch('demo:offlineDecline', { wallet: 5 })).toEqual({ ok: true, value: { ok: true } });
    expect(await b.dispatcher.dispatch('demo:offlineDecline', { wallet: 12 })).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
  });
});

describe('reset to the seeded state', () => {
  it('empties the training data, keeps the seeded operators usable, and tells every window', async () => {
    const b = await demo(tmp());
    await login(b, 'agent1', '3333');
    expect((await b.dispatcher.dispatch('agent:floatOpen', { countedFen: 200_000, requestId: 'req-training-0003-aaaaaaaa' })).ok).toBe(true);
    expect((await b.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM journal'))?.n).toBeGreaterThan(0);
    await b.dispatcher.dispatch('session:logout', {});
    // Three wrong PINs leave a trace the reset must clear too.
    for (let i = 0; i < 3; i++) await b.dispatcher.dispatch('session:login', { operatorId: 'cashier1', pin: '0000' });
    await login(b, 'trainer1', '4444');
    const events: string[] = [];
    b.bus.subscribe((name) => events.push(name));

    const r = await b.dispatcher.dispatch('demo:reset', { confirm: true });
    expect(r).toEqual({ ok: true, value: { ok: true } });
    expect(events).toContain('demo:resetDone');
    // Nobody is logged in in the seeded state: every window goes back to the login screen.
    expect(b.operators.state().operator).toBeNull();
    expect(events.indexOf('session:changed')).toBeLessThan(events.indexOf('demo:resetDone'));
    await login(b, 'agent1', '3333');
    const float = (await b.dispatcher.dispatch('agent:float', {})) as Extract<RpcResult, { ok: true }>;
    expect(float.value).toMatchObject({ openingFen: null, movements: [] });
    const failed = await b.db.get<{ failed_attempts: number }>("SELECT failed_attempts FROM operators WHERE id = 'cashier1'");
    expect(failed?.failed_attempts).toBe(0);
    // Only this test's own login after the reset is in the fresh audit trail.
    expect((await b.db.all<{ action: string }>('SELECT action FROM audit_log')).map((r) => r.action)).toEqual(['auth.login']);
    expect((await b.db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'db.mode'"))?.value).toBe('demo');
    // The journal starts again from nothing but the row that marks where its new chain key
    // begins (core/ledger: a reset must not look like tampering), and its append-only guard is back in force.
    expect((await b.db.all<{ kind: string }>('SELECT kind FROM journal')).map((r) => r.kind)).toEqual(['journal.keyed']);
    const triggers = await b.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'journal'");
    expect(triggers.map((t) => t.name).sort()).toEqual(['journal_no_delete', 'journal_no_update']);
    // The seed is back: every demo operator logs in with the PIN on the login screen.
    await login(b, 'cashier1', '1111');
  });

  it('puts the simulator\'s wallets back to their seeded balances and forgets its orders', async () => {
    const b = await demo(tmp());
    await login(b, 'cashier1', '1111');
    const code = (await b.dispatcher.dispatch('demo:paymentCode', { walletId: 'W01' })) as Extract<RpcResult, { ok: true }>;
    expect(code.ok).toBe(true);
    const paid = new Promise<void>((resolve) =>
      b.bus.subscribe((name, p) => {
        if (name === 'payments:changed' && (p as { state: string }).state === 'succeeded') resolve();
      }),
    );
    expect((await b.dispatcher.dispatch('payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 12_34, code: (code.value as { code: string }).code })).ok).toBe(true);
    await paid;
    const balance = async () =>
      ((await b.dispatcher.dispatch('demo:wallets', {})) as Extract<RpcResult, { ok: true }>).value as Array<{ id: string; balanceFen: number }>;
    expect((await balance()).find((w) => w.id === 'W01')?.balanceFen).toBe(500_00 - 12_34);
    await login(b, 'trainer1', '4444');
    expect((await b.dispatcher.dispatch('demo:reset', { confirm: true })).ok).toBe(true);
    await login(b, 'trainer1', '4444');
    expect((await balance()).find((w) => w.id === 'W01')?.balanceFen).toBe(500_00);
    expect((await b.payments.simulator!.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM orders'))?.n).toBe(0);
    const list = (await b.dispatcher.dispatch('payments:list', {})) as Extract<RpcResult, { ok: true }>;
    expect(list.value).toEqual([]);
    // The terminal still talks to its simulator after the reset: a new payment goes through.
    await login(b, 'cashier1', '1111');
    const again = (await b.dispatcher.dispatch('demo:paymentCode', { walletId: 'W02' })) as Extract<RpcResult, { ok: true }>;
    expect((await b.dispatcher.dispatch('payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, code: (again.value as { code: string }).code })).ok).toBe(true);
  });

  it('keeps the demo faces a trainer enrolled, through the reset and a restart', async () => {
    const dir = tmp();
    const b = await demo(dir);
    // A face as the camera would describe it: 1024 float32 values, base64.
    const face = (wobble: number) => Buffer.from(Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i * 1.7) + wobble * Math.cos(i * 0.3)).buffer).toString('base64');
    const identify = async (back: Backend) => {
      const r = (await back.dispatcher.dispatch('face:identify', { embedding: face(0.05), amountFen: 5_00 })) as Extract<RpcResult, { ok: true }>;
      expect(r.ok).toBe(true);
      return (r.value as { match: string }).match;
    };
    await login(b, 'trainer1', '4444');
    expect((await b.dispatcher.dispatch('demo:faceEnrol', { walletId: 'W07', embedding: face(0) })).ok).toBe(true);
    expect((await b.dispatcher.dispatch('demo:reset', { confirm: true })).ok).toBe(true);
    await login(b, 'cashier1', '1111');
    expect(await identify(b)).toBe('matched');
    await b.close();
    open.splice(open.indexOf(b), 1);
    const again = await demo(dir);
    await login(again, 'cashier1', '1111');
    expect(await identify(again)).toBe('matched');
  });

  it('is refused without the explicit confirmation and to a cashier, changing nothing', async () => {
    const b = await demo(tmp());
    await login(b, 'cashier1', '1111');
    expect(await b.dispatcher.dispatch('demo:reset', { confirm: true })).toMatchObject({ ok: false, error: { code: 'auth.role_required' } });
    await login(b, 'trainer1', '4444');
    expect(await b.dispatcher.dispatch('demo:reset', {})).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    expect((await b.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log'))?.n).toBeGreaterThan(0);
  });

  it('never touches the live file next to the training file', async () => {
    const dir = tmp();
    const l = await live(dir);
    await l.operators.create({ id: 'realcashier', name: '真实收银员', role: 'cashier' }, '8642');
    await l.close();
    open.splice(open.indexOf(l), 1);
    const liveFile = databasePath({ dataDir: dir, mode: 'live' });
    const before = sha(liveFile);

    const b = await demo(dir);
    await login(b, 'trainer1', '4444');
    expect((await b.dispatcher.dispatch('demo:reset', { confirm: true })).ok).toBe(true);
    expect(sha(liveFile)).toBe(before);
    expect(fs.existsSync(`${liveFile}-wal`) ? fs.statSync(`${liveFile}-wal`).size : 0).toBe(0);
    // And live data never appears in training: the live operator is not a demo operator.
    const ops = (await b.dispatcher.dispatch('session:operators', {})) as Extract<RpcResult, { ok: true }>;
    expect((ops.value as Array<{ id: string }>).map((o) => o.id)).not.toContain('realcashier');
  });

  it('keeps every training file out of a live terminal: live mode opens no simulator and no training data', async () => {
    const dir = tmp();
    const l = await live(dir);
    const files = fs.readdirSync(dir).filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm'));
    expect(files).toContain('terminal.sqlite');
    expect(files.filter((f) => f !== 'terminal.sqlite')).toEqual([]);
    expect(l.payments.simulator).toBeNull();
  });

  it('refuses to empty a database that is not the demo file, even with a demo config', async () => {
    const dir = tmp();
    // A live file opened by mistake under a demo config: wrong name.
    const liveDb = await Db.open({ filename: databasePath({ dataDir: dir, mode: 'live' }) });
    await migrate(liveDb, migrations);
    await liveDb.run("INSERT INTO settings (key, value) VALUES ('db.mode', 'live')");
    await liveDb.run("INSERT INTO operators (id, name, role, pin_hash) VALUES ('x', 'x', 'cashier', 'h')");
    await expect(emptyDemoDatabase({ config: { mode: 'demo', dataDir: dir }, db: liveDb })).rejects.toMatchObject({ code: 'training.reset_refused' });
    await expect(emptyDemoDatabase({ config: { mode: 'live', dataDir: dir }, db: liveDb })).rejects.toMatchObject({ code: 'training.live_mode' });
    expect((await liveDb.get<{ n: number }>('SELECT COUNT(*) AS n FROM operators'))?.n).toBe(1);
    await liveDb.close();

    // A file with the demo name whose mark says live (a live file copied over it): refused too.
    const fake = await Db.open({ filename: databasePath({ dataDir: dir, mode: 'demo' }) });
    await migrate(fake, migrations);
    await fake.run("INSERT INTO settings (key, value) VALUES ('db.mode', 'live')");
    await expect(assertDemoDatabase({ config: { mode: 'demo', dataDir: dir }, db: fake })).rejects.toMatchObject({ code: 'training.reset_refused' });
    await fake.close();
  });
});

describe('the simulator\'s share of the reset', () => {
  it('refuses a simulator file outside the data folder or a terminal database, before writing', async () => {
    const dir = tmp();
    const elsewhere = await Db.open({ filename: path.join(tmp(), 'acquirer-sim.sqlite') });
    const faults = { clear: () => undefined } as unknown as FaultPlan;
    await expect(resetSimulatorData({ mode: 'demo', dataDir: dir }, { db: elsewhere, faults })).rejects.toMatchObject({ code: 'training.reset_refused' });
    const terminal = await Db.open({ filename: databasePath({ dataDir: dir, mode: 'live' }) });
    await expect(resetSimulatorData({ mode: 'demo', dataDir: dir }, { db: terminal, faults })).rejects.toMatchObject({ code: 'training.reset_refused' });
    await expect(resetSimulatorData({ mode: 'live', dataDir: dir }, { db: elsewhere, faults })).rejects.toMatchObject({ code: 'training.live_mode' });
    await elsewhere.close();
    await terminal.close();
  });
});

describe('the dispatcher result hook', () => {
  it('reports accepted and refused calls (result only) and an observer failure cannot change the outcome', async () => {
    const seen: Array<[string, RpcResult]> = [];
    const handlers = new Proxy({} as Handlers, {
      get: () => async () => ({ operator: null, lockAt: null }),
    });
    const d = createDispatcher({
      handlers,
      context: () => ({ operator: null }),
      onResult: (method, result) => {
        seen.push([method, result]);
        throw new Error('observer bug');
      },
    });
    expect(await d.dispatch('session:current', {})).toEqual({ ok: true, value: { operator: null, lockAt: null } });
    expect(await d.dispatch('payments:list', {})).toMatchObject({ ok: false, error: { code: 'auth.not_logged_in' } });
    expect(await d.dispatch('no:such', {})).toMatchObject({ ok: false, error: { code: 'rpc.unknown_method' } });
    expect(seen.map(([m, r]) => [m, r.ok])).toEqual([
      ['session:current', true],
      ['payments:list', false],
    ]);
  });
});
