/**
 * The acquirer connection end to end through the contract (dispatcher → service → secrets,
 * SQLite, the link gate, the payment engine and the forwarder), against real simulators on
 * 127.0.0.1: an HTTPS one standing in for a live acquirer (`training: false`, its self-signed
 * certificate trusted through Platform.acquirerCa), and plain-HTTP ones for training mode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../browser-shell/secrets';
import { createBackend, type Backend } from '../app';
import { DEMO_PIN_COST, PEPPER_SECRET } from '../auth/pin';
import { SimulatorControl } from '../acquirer/simulator/control-client';
import { startSimulator } from '../acquirer/simulator/server';
import { newTerminalKey } from '../acquirer/signing';
import { testCertificate } from '../acquirer/test-cert';
import { DOMAIN_TIMINGS, databasePath } from '../config';
import { MemorySecretStore, type SecretStore } from '../platform';
import { LinkGate } from '../acquirer/switchable';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { AcquirerProfileService, PROFILE_KEY, fingerprint } from './acquirer-profile';

const dirs: string[] = [];
const open: Array<{ close(): Promise<void> }> = [];
let cert: { key: string; cert: string };

beforeAll(async () => {
  cert = await testCertificate();
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});
afterAll(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-acqp-'));
  dirs.push(d);
  return d;
}

/** A simulator with terminal T0001 of merchant M0001; `live`: HTTPS and saying real money moves. */
async function acquirer(kind: 'live' | 'training', terminalId = 'T0001') {
  const sim = await startSimulator({ file: path.join(tmp(), 'sim.sqlite'), ...(kind === 'live' ? { tls: cert, training: false } : {}) });
  open.push(sim);
  const key = await sim.provisionTerminal(terminalId);
  const offlineKey = await sim.provisionOfflineKey(terminalId);
  return { sim, key, offlineKey, url: sim.url };
}

async function start(mode: 'demo' | 'live', dataDir: string, secrets: SecretStore): Promise<Backend> {
  // A light PIN cost (tests only): the live one is core/auth/hardening.test.ts's subject, not this file's.
  const b = await createBackend({ dataDir, mode, shell: 'browser' }, { secrets, acquirerCa: cert.cert, livePinCost: DEMO_PIN_COST });
  open.push(b);
  if (mode === 'live' && (await b.operators.list()).length === 0) {
    // A live counter's operators are created at install; these stand in for them.
    await b.operators.create({ id: 'admin1', name: '赵敏', role: 'admin' }, '5555');
    await b.operators.create({ id: 'super1', name: '李强', role: 'supervisor' }, '2222');
    await b.operators.create({ id: 'cashier1', name: '王芳', role: 'cashier' }, '1111');
  }
  return b;
}

/** Closes a back end before the test ends (a restart), so afterEach does not close it again. */
async function stop(b: Backend): Promise<void> {
  open.splice(open.indexOf(b), 1);
  await b.close();
}

async function call<T = unknown>(b: Backend, method: string, input: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; zh: string; en: string; detail?: Record<string, unknown> } }> {
  return (await b.dispatcher.dispatch(method, input)) as never;
}
async function as(b: Backend, id: string, pin: string) {
  expect((await call(b, 'session:login', { operatorId: id, pin })).ok).toBe(true);
}

const approval = { approverId: 'super1', approverPin: '2222' };
const draft = (a: { url: string; key: string; offlineKey: string }, more: Record<string, unknown> = {}) => ({
  endpoint: a.url, merchantId: 'M0001', terminalId: 'T0001', signingKey: a.key, offlineKey: a.offlineKey, ...more,
});

/** Every byte of the mode's SQLite files (with the WAL): where a key must never be. */
function databaseBytes(dataDir: string): Buffer {
  return Buffer.concat(fs.readdirSync(dataDir).filter((f) => /\.sqlite(-wal|-shm)?$/.test(f)).map((f) => fs.readFileSync(path.join(dataDir, f))));
}
function expectNoKey(haystack: Buffer | string, key: string) {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  expect(text.includes(key)).toBe(false);
  expect(text.includes(key.toUpperCase())).toBe(false);
  if (Buffer.isBuffer(haystack)) expect(haystack.includes(Buffer.from(key, 'hex'))).toBe(false);
}

async function waitFor<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const stateOf = async (b: Backend, orderNo: string) => ((await call<{ payment: { state: string; error?: { code: string } } }>(b, 'payments:get', { orderNo })).value!).payment;

describe('a live counter goes live', () => {
  it('starts unconnected: online payments are refused as never sent, with a plain reason', async () => {
    const b = await start('live', tmp(), new MemorySecretStore());
    await as(b, 'cashier1', '1111');
    const v = (await call<{ running: { kind: string }; saved: unknown }>(b, 'acquirer:profile', {})).value!;
    expect(v).toMatchObject({ running: { kind: 'none' }, saved: null });
    const charged = await call<{ orderNo: string }>(b, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, code: '134567890123456789' });
    const p = await waitFor(() => stateOf(b, charged.value!.orderNo), (x) => x.state === 'failed');
    expect(p).toMatchObject({ state: 'failed', error: { code: 'acquirer.not_connected' } });
    expect(JSON.stringify(p)).toContain('本机尚未连接收单机构，未扣款');
  });

  it('saves under dual control, applies at once (payments and forwarding use it), and keeps every key out of SQLite, audit, logs and answers', async () => {
    const dataDir = tmp();
    const secretsFile = path.join(tmp(), 'secrets.json');
    const b = await start('live', dataDir, new FileSecretStore(secretsFile));
    const a = await acquirer('live');
    const logged: string[] = [];
    const spies = (['log', 'warn', 'error'] as const).map((m) => {
      const orig = console[m];
      console[m] = (...args: unknown[]) => {
        logged.push(args.map(String).join(' '));
        orig(...args);
      };
      return () => (console[m] = orig);
    });
    try {
      await as(b, 'admin1', '5555');
      const answers: unknown[] = [];
      // Test first, as the screen does: OK, with its round trip.
      const t = await call<{ outcome: string; rttMs: number; zh: string; en: string }>(b, 'acquirer:test', draft(a));
      answers.push(t);
      expect(t.value).toMatchObject({ outcome: 'ok' });
      expect(t.value!.zh).toMatch(/连接正常.*往返 \d+ 毫秒/);
      // No approver yet: refused with its own reason, nothing written.
      const noApprover = await call(b, 'acquirer:save', draft(a));
      answers.push(noApprover);
      expect(noApprover.error).toMatchObject({ code: 'auth.approval_required' });
      expect(await b.db.get('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY])).toBeUndefined();
      // Nothing of the connection (the file holds the PIN pepper from the first operator on: core/auth/pin.ts).
      expect(fs.existsSync(secretsFile) ? fs.readFileSync(secretsFile, 'utf8') : '').not.toMatch(/acquirer\./);
      // Approved by the supervisor.
      const saved = await call<{ applied: string; view: { running: Record<string, unknown>; saved: Record<string, unknown> } }>(b, 'acquirer:save', { ...draft(a), ...approval });
      answers.push(saved);
      expect(saved.ok).toBe(true);
      expect(saved.value!.applied).toBe('now');
      expect(saved.value!.view.saved).toMatchObject({ endpoint: a.url, merchantId: 'M0001', terminalId: 'T0001', signingKeyFingerprint: fingerprint(a.key), offlineKeyFingerprint: fingerprint(a.offlineKey), savedBy: 'admin1', approvedBy: 'super1' });
      expect(saved.value!.view.running).toMatchObject({ kind: 'http', endpoint: a.url, signingKeyFingerprint: fingerprint(a.key) });

      // The payment engine charges through the new connection at once…
      const control = new SimulatorControl({ baseUrl: a.url, terminalId: 'T0001', key: a.key, ca: cert.cert });
      open.push({ close: async () => control.close() });
      const { code } = await control.issueCode('W01');
      await as(b, 'cashier1', '1111');
      const charged = await call<{ orderNo: string }>(b, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 250, code });
      expect((await waitFor(() => stateOf(b, charged.value!.orderNo), (x) => x.state === 'succeeded')).state).toBe('succeeded');
      // …and store-and-forward reaches it with the offline-route key (its statement is signed with it).
      await as(b, 'super1', '2222');
      const rec = await call(b, 'reconcile:run', { date: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10) });
      expect(rec.ok).toBe(true);

      // Both operators and what changed, as fingerprints.
      const rows = await b.db.all<{ operator_id: string; approver_id: string; detail: string }>("SELECT operator_id, approver_id, detail FROM audit_log WHERE action = 'acquirer.profile_saved'");
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ operator_id: 'admin1', approver_id: 'super1' });
      expect(JSON.parse(rows[0]!.detail)).toMatchObject({ applied: 'now', changes: { endpoint: { from: null, to: a.url }, signingKey: { from: null, to: fingerprint(a.key) }, offlineKey: { to: fingerprint(a.offlineKey) } } });

      // Nowhere but the secret store: not in any byte of the database files, the answers or the logs.
      await b.db.run('PRAGMA wal_checkpoint(PASSIVE)');
      const bytes = databaseBytes(dataDir);
      for (const k of [a.key, a.offlineKey]) {
        expectNoKey(bytes, k);
        expectNoKey(JSON.stringify(answers), k);
        expectNoKey(logged.join('\n'), k);
        expect(fs.readFileSync(secretsFile, 'utf8')).toContain(k);
      }
    } finally {
      spies.forEach((undo) => undo());
    }
  });

  it('refuses, writing nothing: plain http, a simulator, a wrong key, self-approval, a cashier', async () => {
    const dataDir = tmp();
    const secrets = new MemorySecretStore();
    const b = await start('live', dataDir, secrets);
    const live = await acquirer('live');
    const training = await startSimulator({ file: path.join(tmp(), 'train.sqlite'), tls: cert });
    open.push(training);
    const tKey = await training.provisionTerminal('T0001');
    await as(b, 'admin1', '5555');
    const refusals: Array<[unknown, string, RegExp?]> = [
      [draft(live, { endpoint: live.url.replace('https:', 'http:') }), 'acquirer.invalid', /https/],
      [draft(live, { endpoint: `${live.url}/api` }), 'acquirer.invalid', /路径/],
      [draft({ url: training.url, key: tKey, offlineKey: tKey }), 'acquirer.test_failed', /模拟收单.*正式模式不能连接模拟器/],
      [draft(live, { signingKey: newTerminalKey() }), 'acquirer.test_failed', /拒绝了签名密钥/],
      [draft(live, { timings: { userpayingMaxWaitMs: 90_000 } }), 'acquirer.invalid', /userpayingMaxWaitMs/],
    ];
    for (const [input, code, zh] of refusals) {
      const r = await call(b, 'acquirer:save', { ...(input as object), ...approval });
      expect(r.error?.code, JSON.stringify(input)).toBe(code);
      if (zh) expect(r.error!.zh).toMatch(zh);
      expect(r.error!.zh).toMatch(/未做任何更改|未保存/);
      expect(r.error!.en).toMatch(/[Nn]othing was (changed|saved)/);
    }
    expect((await call(b, 'acquirer:save', { ...draft(live), approverId: 'admin1', approverPin: '5555' })).error).toMatchObject({ code: 'auth.approver_invalid' });
    expect((await call(b, 'acquirer:save', { ...draft(live), approverId: 'super1', approverPin: '9999' })).error).toMatchObject({ code: 'auth.approver_invalid' });
    await as(b, 'cashier1', '1111');
    expect((await call(b, 'acquirer:save', { ...draft(live), ...approval })).error).toMatchObject({ code: 'auth.role_required' });
    expect((await call(b, 'acquirer:test', draft(live))).error).toMatchObject({ code: 'auth.role_required' });
    // Nothing was written anywhere.
    expect(await b.db.get('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY])).toBeUndefined();
    expect(await b.db.all("SELECT * FROM audit_log WHERE action LIKE 'acquirer.%'")).toEqual([]);
    expect((await call<{ running: { kind: string } }>(b, 'acquirer:profile', {})).value!.running.kind).toBe('none');
  });

  it('refuses to switch while a payment is open on the present connection, then switches once it is done', async () => {
    const dataDir = tmp();
    const secrets = new MemorySecretStore();
    const b = await start('live', dataDir, secrets);
    const a = await acquirer('live');
    await as(b, 'admin1', '5555');
    expect((await call(b, 'acquirer:save', { ...draft(a), ...approval })).ok).toBe(true);
    const before = await b.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY]);

    // A customer whose wallet asks for a password: the payment waits in USERPAYING.
    const control = new SimulatorControl({ baseUrl: a.url, terminalId: 'T0001', key: a.key, ca: cert.cert });
    open.push({ close: async () => control.close() });
    const { code } = await control.issueCode('W04');
    await as(b, 'cashier1', '1111');
    const orderNo = (await call<{ orderNo: string }>(b, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 300, code })).value!.orderNo;
    await waitFor(() => stateOf(b, orderNo), (p) => p.state === 'userpaying');

    // The installer rotates the signing key meanwhile: refused plainly (before any network
    // call or PIN), nothing changed.
    await as(b, 'admin1', '5555');
    const rotated = newTerminalKey();
    const refused = await call(b, 'acquirer:save', { ...draft(a, { signingKey: rotated }), ...approval });
    expect(refused.error).toMatchObject({ code: 'acquirer.busy', detail: { payments: 1 } });
    expect(refused.error!.zh).toMatch(/1 笔付款未完成/);
    expect(await b.db.get('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY])).toEqual(before);
    expect(await b.db.all("SELECT * FROM audit_log WHERE action = 'acquirer.profile_saved'")).toHaveLength(1);
    expect(await secrets.get(`acquirer.signing.${fingerprint(rotated).replace(/ /g, '')}`)).toBeNull();

    // The customer confirms; the payment finishes on the connection it began on…
    await control.userPaying(orderNo, true);
    await b.payments.engine.settled(orderNo);
    expect((await stateOf(b, orderNo)).state).toBe('succeeded');
    // …and now the switch goes through, at once (the acquirer has issued the new key).
    await a.sim.provisionTerminal('T0001', rotated);
    const ok = await call<{ applied: string; view: { running: { signingKeyFingerprint: string } } }>(b, 'acquirer:save', { ...draft(a, { signingKey: rotated }), ...approval });
    expect(ok.value).toMatchObject({ applied: 'now', view: { running: { signingKeyFingerprint: fingerprint(rotated) } } });
    // The old signing key is gone from the secret store; the offline key, unchanged, stays.
    expect(await secrets.get(`acquirer.signing.${fingerprint(a.key).replace(/ /g, '')}`)).toBeNull();
    expect(await secrets.get(`acquirer.offline.${fingerprint(a.offlineKey).replace(/ /g, '')}`)).toBe(a.offlineKey);
    // The engine signs with the new key: a charge succeeds where the old key would now be refused.
    const next = await control.issueCode('W01').catch(() => null);
    expect(next).toBeNull(); // the control client still signs with the old, now refused key
    const control2 = new SimulatorControl({ baseUrl: a.url, terminalId: 'T0001', key: rotated, ca: cert.cert });
    open.push({ close: async () => control2.close() });
    await as(b, 'cashier1', '1111');
    const o2 = (await call<{ orderNo: string }>(b, 'payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 120, code: (await control2.issueCode('W01')).code })).value!.orderNo;
    expect((await waitFor(() => stateOf(b, o2), (p) => p.state === 'succeeded')).state).toBe('succeeded');
  });

  it('applies timing overrides at once and at every start; a new terminal id waits for the restart', async () => {
    const dataDir = tmp();
    const secrets = new MemorySecretStore();
    let b = await start('live', dataDir, secrets);
    const a = await acquirer('live');
    await as(b, 'admin1', '5555');
    const timings = { requestTimeoutMs: 8_000, userpayingPollMs: 3_000 };
    expect((await call(b, 'acquirer:save', { ...draft(a, { timings }), ...approval })).ok).toBe(true);
    expect(b.payments.engine.env.acquirer.config().timings).toEqual({ ...DOMAIN_TIMINGS, ...timings });
    // Keys left out: the saved ones are kept, only the terminal id changes → from the next start.
    await a.sim.provisionTerminal('T0002', a.key);
    await a.sim.provisionOfflineKey('T0002', a.offlineKey);
    const moved = await call<{ applied: string; view: { restartRequired: boolean; running: { terminalId: string } } }>(b, 'acquirer:save', { endpoint: a.url, merchantId: 'M0001', terminalId: 'T0002', timings, ...approval });
    expect(moved.value).toMatchObject({ applied: 'restart', view: { restartRequired: true, running: { terminalId: 'T0001' } } });
    await stop(b);

    b = await start('live', dataDir, secrets);
    expect(b.config.terminalId).toBe('T0002');
    expect(b.config.acquirer).toEqual({ kind: 'http', baseUrl: a.url, simulator: false });
    expect(b.config.acquirerTimings).toEqual({ ...DOMAIN_TIMINGS, ...timings });
    expect(b.payments.engine.env.acquirer.config().timings).toEqual({ ...DOMAIN_TIMINGS, ...timings });
    await as(b, 'cashier1', '1111');
    expect((await call(b, 'acquirer:profile', {})).value).toMatchObject({ restartRequired: false, problem: null, running: { kind: 'http', terminalId: 'T0002', signingKeyFingerprint: fingerprint(a.key) } });
  });

  it('starts unconnected, and says why, when the keychain lost the keys or the saved row was tampered with', async () => {
    const dataDir = tmp();
    const secrets = new MemorySecretStore();
    let b = await start('live', dataDir, secrets);
    const a = await acquirer('live');
    await as(b, 'admin1', '5555');
    expect((await call(b, 'acquirer:save', { ...draft(a), ...approval })).ok).toBe(true);
    await stop(b);

    // The keychain lost the connection's keys; the PIN pepper kept beside them (core/auth/pin.ts) is kept, or no PIN could be checked.
    const lost = new MemorySecretStore();
    await lost.set(PEPPER_SECRET, (await secrets.get(PEPPER_SECRET))!);
    b = await start('live', dataDir, lost);
    await as(b, 'cashier1', '1111');
    expect((await call(b, 'acquirer:profile', {})).value).toMatchObject({ running: { kind: 'none' }, problem: 'keys_missing', saved: { endpoint: a.url } });
    const row = (await b.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY]))!;
    // Someone edits the live file to point at plain http.
    await b.db.run('UPDATE settings SET value = ? WHERE key = ?', [row.value.replace('https://', 'http://'), PROFILE_KEY]);
    await stop(b);
    b = await start('live', dataDir, secrets);
    await as(b, 'cashier1', '1111');
    expect((await call(b, 'acquirer:profile', {})).value).toMatchObject({ running: { kind: 'none' }, problem: 'unreadable', saved: null });
  });
});

describe('training and live stay apart', () => {
  it('a training counter saves a simulator only, and never a live acquirer; the live file never sees it', async () => {
    const dataDir = tmp();
    const secrets = new MemorySecretStore();
    const b = await start('demo', dataDir, secrets);
    const sim = await acquirer('training');
    const live = await acquirer('live');
    await as(b, 'admin1', '5555');
    const refused = await call(b, 'acquirer:save', { ...draft(live), ...approval });
    expect(refused.error).toMatchObject({ code: 'acquirer.test_failed', detail: { outcome: 'training_mismatch' } });
    expect(refused.error!.zh).toMatch(/培训模式永远不能连接真实收单机构/);
    const lan = await call(b, 'acquirer:test', draft(sim, { endpoint: 'http://192.168.1.20:5300' }));
    expect(lan.error).toMatchObject({ code: 'acquirer.invalid', detail: { field: 'endpoint', problem: 'endpoint_https_demo' } });

    const saved = await call<{ applied: string; view: { restartRequired: boolean; running: { kind: string } } }>(b, 'acquirer:save', { ...draft(sim), ...approval });
    // Demo mode leaves its built-in simulator only at the next start (its lessons are bound to it).
    expect(saved.value).toMatchObject({ applied: 'restart', view: { restartRequired: true, running: { kind: 'embedded' } } });
    await stop(b);

    // The same data folder in live mode: its own file, no profile, not connected.
    const l = await start('live', dataDir, secrets);
    expect(l.config.acquirer).toEqual({ kind: 'none' });
    expect(await l.db.get('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY])).toBeUndefined();
    expect(databasePath({ dataDir, mode: 'live' })).not.toBe(databasePath({ dataDir, mode: 'demo' }));
    await stop(l);

    // Demo again: on the saved simulator now, which it says moves no real money.
    const d = await start('demo', dataDir, secrets);
    expect(d.config.acquirer).toEqual({ kind: 'http', baseUrl: sim.url, simulator: true });
    await as(d, 'admin1', '5555');
    const back = await call<{ applied: string }>(d, 'acquirer:useBuiltIn', approval);
    expect(back.value).toMatchObject({ applied: 'restart' });
    expect(await d.db.get('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY])).toBeUndefined();
    const audit = await d.db.all<{ action: string; approver_id: string }>("SELECT action, approver_id FROM audit_log WHERE action LIKE 'acquirer.%' ORDER BY seq");
    expect(audit.map((r) => r.action)).toEqual(['acquirer.profile_saved', 'acquirer.use_built_in']);
  });
});

describe('what still belongs to the connection in use', () => {
  /** The service alone, on a training simulator, with the open work the test says. */
  /** `work` is read at each save, so a test can change it between saves. */
  async function service(work: { payments?: number; refunds?: number; forwarding?: number; waitingOffline?: number }) {
    const db = await Db.open({ filename: path.join(tmp(), 't.sqlite') });
    open.push(db);
    await migrate(db, migrations);
    const a = await acquirer('training');
    const relinked: string[] = [];
    const svc = new AcquirerProfileService({
      db, secrets: new MemorySecretStore(), startup: { stored: null, link: null, problem: null }, runningFromProfile: false,
      config: { mode: 'demo', terminalId: 'T0001', acquirer: { kind: 'http', baseUrl: a.url, simulator: true } },
      approve: async () => 'super1', gate: new LinkGate(),
      openWork: async () => ({ payments: 0, refunds: 0, forwarding: 0, waitingOffline: 0, ...work }),
      relink: (l) => void relinked.push(l.endpoint),
    });
    const ctx = { operator: { id: 'admin1', name: 'a', role: 'admin' as const } };
    return { svc, a, relinked, ctx, db };
  }

  it('refuses while offline items are being forwarded, naming them, and writes nothing', async () => {
    const { svc, a, relinked, ctx, db } = await service({ forwarding: 3 });
    await expect(svc.save({ ...draft(a, { merchantId: 'M0001' }), ...approval }, ctx)).rejects.toMatchObject({ code: 'acquirer.busy', zh: expect.stringMatching(/3 笔离线款正在上传/), en: expect.stringMatching(/3 offline payment\(s\) being forwarded/) });
    expect(relinked).toEqual([]);
    expect(await db.get('SELECT value FROM settings WHERE key = ?', [PROFILE_KEY])).toBeUndefined();
  });

  it('lets offline items waiting to be forwarded go to new keys of the same merchant and terminal, not to another identity', async () => {
    const work = { waitingOffline: 2 };
    const { svc, a, relinked, ctx } = await service(work);
    // The running connection came from the configuration: no merchant id known, so saving one is a new identity.
    await expect(svc.save({ ...draft(a), ...approval }, ctx)).rejects.toMatchObject({ code: 'acquirer.busy', detail: { waitingOffline: 2 } });
    expect(relinked).toEqual([]);
    work.waitingOffline = 0;
    expect(await svc.save({ ...draft(a), ...approval }, ctx)).toMatchObject({ applied: 'now' });
    // Items wait again; the acquirer rotates the keys of this same merchant and terminal: fine.
    work.waitingOffline = 2;
    const rotated = newTerminalKey();
    await a.sim.provisionTerminal('T0001', rotated);
    await a.sim.provisionOfflineKey('T0001', rotated);
    expect(await svc.save({ ...draft(a, { signingKey: rotated, offlineKey: rotated }), ...approval }, ctx)).toMatchObject({ applied: 'now' });
    expect(relinked).toEqual([a.url, a.url]);
  });
});
