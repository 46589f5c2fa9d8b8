import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startOfflineAcquirerServer } from '../acquirer/simulator/offline-routes';
import { EventBus } from '../events';
import { OfflineClient } from '../forward/client';
import { Forwarder } from '../forward/forwarder';
import { cleanTempDirs, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from '../offline/test-kit';
import { formatRecoveryCode, parseRecoveryCode } from './format';
import { restoreFromMirror } from './restore';
import { MIRROR_COUNT_KEY, mirrorFile, MirrorWriter, newMirrorSecret, nodeFileOps, readMirror, type FileOps } from './writer';

afterAll(cleanTempDirs);

describe('the recovery code', () => {
  it('reads back what was written on paper, forgiving dashes, spaces, case and look-alikes', () => {
    const { code, secret } = newMirrorSecret();
    const typed = formatRecoveryCode(code).toLowerCase().replace(/0/g, 'o').replace(/-/g, ' ');
    expect(parseRecoveryCode(typed)).toEqual(secret);
    expect(parseRecoveryCode(code.slice(1))).toBeNull();
    expect(parseRecoveryCode(`${code.slice(1)}U`)).toBeNull();
  });
});

describe('the mirror of unforwarded payments', () => {
  it('brings every accepted offline payment back on a new PC after the disk is lost, and the acquirer takes each exactly once', async () => {
    const dir = tempDir('mirror');
    const stick = tempDir('stick');
    const db = await openTerminalDb(dir);
    const { acq, db: acqDb } = await openAcquirer(dir);
    const bus = new EventBus();
    const store = await openSyncedStore(db, acq, { bus });
    const { code, secret } = newMirrorSecret();
    const mirror = await MirrorWriter.start({ db, bus, terminalId: 'T0001', secret, dir: stick, everyMs: 0 });
    const wallets = [await newWallet(acq), await newWallet(acq), await newWallet(acq)];
    const orders: string[] = [];
    for (let i = 0; i < 12; i++) orders.push((await store.accept({ amountFen: 500 + i, code: wallets[i % 3]!.nextCode(), operatorId: 'c1' })).orderNo);
    await mirror.sync();
    expect(mirror.status()).toMatchObject({ state: 'ok', records: 12 });

    // They are forwarded, and the PC dies before the mirror hears the acquirer's answers: the
    // mirror still says "not forwarded" for every one (the worst case for paying twice).
    await mirror.close();
    const server = await startOfflineAcquirerServer(acq);
    const key = await acq.provisionTerminal('T0001');
    const client = new OfflineClient({ baseUrl: `http://127.0.0.1:${server.port}`, terminalId: 'T0001', key, minTimeoutMs: 2_000 });
    await new Forwarder(store, client, null, { terminalId: 'T0001', baseBackoffMs: 10, maxBackoffMs: 50, initialBatch: 6, maxBatch: 6 }).drain();
    expect(await store.counts()).toMatchObject({ accepted: 12 });
    await db.close();
    fs.rmSync(path.join(dir, 'terminal.sqlite'), { force: true });
    fs.rmSync(path.join(dir, 'terminal.sqlite-wal'), { force: true });

    // The mirror on the stick holds no full code in clear and nothing a reader could use.
    const onStick = fs.readFileSync(mirrorFile(stick, 'T0001'), 'utf8');
    for (const o of orders) expect(onStick).not.toContain(o);

    // A replacement PC: a fresh database, the same terminal; the administrator types the code from paper.
    const dir2 = tempDir('mirror-new');
    const db2 = await openTerminalDb(dir2);
    await expect(restoreFromMirror(db2, { text: onStick, recoveryCode: newMirrorSecret().code, terminalId: 'T0001', operatorId: 'admin1', approverId: 'super1' })).rejects.toMatchObject({ code: 'mirror.wrong_code' });
    await expect(restoreFromMirror(db2, { text: onStick, recoveryCode: code, terminalId: 'T0002', operatorId: 'admin1', approverId: 'super1' })).rejects.toMatchObject({ code: 'mirror.other_terminal' });
    expect((await db2.get<{ n: number }>('SELECT COUNT(*) AS n FROM offline_items'))!.n).toBe(0);
    const result = await restoreFromMirror(db2, { text: onStick, recoveryCode: formatRecoveryCode(code), terminalId: 'T0001', operatorId: 'admin1', approverId: 'super1' });
    expect(result).toMatchObject({ items: { count: 12, fen: orders.length * 500 + 66 }, problem: null });
    // Restoring twice puts nothing back twice.
    expect((await restoreFromMirror(db2, { text: onStick, recoveryCode: code, terminalId: 'T0001', operatorId: 'admin1', approverId: 'super1' })).alreadyHere).toBe(12);

    const store2 = await openSyncedStore(db2, acq, { bus: new EventBus() });
    await new Forwarder(store2, client, null, { terminalId: 'T0001', baseBackoffMs: 10, maxBackoffMs: 50, initialBatch: 5, maxBatch: 5 }).drain();
    const counts = await acq.applyCounts('T0001');
    for (const o of orders) expect(counts.get(o), o).toBe(1);
    expect(await store2.counts()).toMatchObject({ accepted: 12, pending: 0, sending: 0 });
    const audit = await db2.get<{ action: string; approver_id: string }>("SELECT action, approver_id FROM audit_log WHERE action = 'mirror.restore'");
    expect(audit).toMatchObject({ approver_id: 'super1' });

    client.close();
    await server.close();
    await db2.close();
    await acqDb.close();
  }, 60_000);

  it('notices a mirror file edited, cut short or swapped, sets it aside and begins a complete one', async () => {
    const dir = tempDir('mirror-tamper');
    const stick = tempDir('stick-tamper');
    const db = await openTerminalDb(dir);
    const { acq, db: acqDb } = await openAcquirer(dir);
    const bus = new EventBus();
    const store = await openSyncedStore(db, acq, { bus });
    const { secret } = newMirrorSecret();
    let mirror = await MirrorWriter.start({ db, bus, terminalId: 'T0001', secret, dir: stick, everyMs: 0 });
    const w = await newWallet(acq);
    for (let i = 0; i < 4; i++) await store.accept({ amountFen: 100 + i, code: w.nextCode(), operatorId: 'c1' });
    await mirror.sync();
    await mirror.close();
    const file = mirrorFile(stick, 'T0001');

    // Cut short: the last two records deleted.
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    fs.writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
    mirror = await MirrorWriter.start({ db, bus, terminalId: 'T0001', secret, dir: stick, everyMs: 0 });
    expect(mirror.status()).toMatchObject({ state: 'damaged', records: 4 });
    expect(mirror.status().problem).toContain('2 of 4');
    expect(fs.readdirSync(stick).filter((f) => f.includes('.damaged-'))).toHaveLength(1);
    const fresh = readMirror(fs.readFileSync(file, 'utf8'), secret);
    expect(fresh.problem).toBeNull();
    expect(fresh.records).toHaveLength(4);
    await mirror.close();

    // One byte of a record changed: the record no longer opens.
    const text = fs.readFileSync(file, 'utf8').split('\n');
    const rec = JSON.parse(text[2]!) as { ct: string };
    rec.ct = `${rec.ct[0] === 'A' ? 'B' : 'A'}${rec.ct.slice(1)}`;
    text[2] = JSON.stringify({ ...JSON.parse(text[2]!), ct: rec.ct });
    expect(readMirror(text.join('\n'), secret).problem).toMatch(/chain_broken|tampered/);
    expect(readMirror(text.join('\n'), secret).records).toHaveLength(1);

    expect((await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [MIRROR_COUNT_KEY]))!.value).toBe('4');
    await db.close();
    await acqDb.close();
  });

  it('says the medium is missing while the stick is out, and catches up when it is back', async () => {
    const dir = tempDir('mirror-out');
    const stick = path.join(tempDir('stick-out'), 'usb');
    const db = await openTerminalDb(dir);
    const { acq, db: acqDb } = await openAcquirer(dir);
    const bus = new EventBus();
    const store = await openSyncedStore(db, acq, { bus });
    const { secret } = newMirrorSecret();
    const mirror = await MirrorWriter.start({ db, bus, terminalId: 'T0001', secret, dir: stick, everyMs: 0 });
    expect(mirror.status().state).toBe('missing');
    const w = await newWallet(acq);
    await store.accept({ amountFen: 321, code: w.nextCode(), operatorId: 'c1' });
    fs.mkdirSync(stick);
    await mirror.sync();
    expect(mirror.status()).toMatchObject({ state: 'ok', records: 1 });
    await mirror.close();
    await db.close();
    await acqDb.close();
  });
});

describe('compacting the mirror', () => {
  /** Six accepted and forwarded (answered), then two accepted: all but two of the records (fourteen or more) are spent. */
  async function busyCounter(tag: string, files?: FileOps) {
    const dir = tempDir(`mirror-${tag}`);
    const stick = tempDir(`stick-${tag}`);
    const db = await openTerminalDb(dir);
    const { acq, db: acqDb } = await openAcquirer(dir);
    const bus = new EventBus();
    const store = await openSyncedStore(db, acq, { bus });
    const { code, secret } = newMirrorSecret();
    const mirror = await MirrorWriter.start({ db, bus, terminalId: 'T0001', secret, dir: stick, everyMs: 0, compactAt: 10, files });
    const w = await newWallet(acq);
    for (let i = 0; i < 6; i++) await store.accept({ amountFen: 100 + i, code: w.nextCode(), operatorId: 'c1' });
    await mirror.sync();
    const server = await startOfflineAcquirerServer(acq);
    const key = await acq.provisionTerminal('T0001');
    const client = new OfflineClient({ baseUrl: `http://127.0.0.1:${server.port}`, terminalId: 'T0001', key, minTimeoutMs: 2_000 });
    await new Forwarder(store, client, null, { terminalId: 'T0001', baseBackoffMs: 10, maxBackoffMs: 50, initialBatch: 6, maxBatch: 6 }).drain();
    const open = [
      (await store.accept({ amountFen: 700, code: w.nextCode(), operatorId: 'c1' })).orderNo,
      (await store.accept({ amountFen: 800, code: w.nextCode(), operatorId: 'c1' })).orderNo,
    ];
    const done = async () => {
      await mirror.close();
      client.close();
      await server.close();
      await db.close();
      await acqDb.close();
    };
    return { db, bus, stick, code, secret, mirror, open, w, store, done };
  }

  it('rewrites a file of mostly answered items holding only the open ones, which restore still brings back', async () => {
    const c = await busyCounter('compact');
    await c.mirror.sync();
    const file = mirrorFile(c.stick, 'T0001');
    const m = readMirror(fs.readFileSync(file, 'utf8'), c.secret);
    expect(m.problem).toBeNull();
    expect(m.records.map((r) => (r.payload.t === 'offline_item' ? r.payload.orderNo : '')).sort()).toEqual([...c.open].sort());
    expect(c.mirror.status()).toMatchObject({ state: 'ok', records: 2 });
    expect((await c.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [MIRROR_COUNT_KEY]))!.value).toBe('2');
    expect(fs.readdirSync(c.stick).filter((f) => f.includes('.compact-'))).toEqual([]);

    // A restart takes the compacted file as it is and goes on appending to it.
    await c.mirror.close();
    const again = await MirrorWriter.start({ db: c.db, bus: c.bus, terminalId: 'T0001', secret: c.secret, dir: c.stick, everyMs: 0, compactAt: 10 });
    expect(again.status()).toMatchObject({ state: 'ok', records: 2 });
    await c.store.accept({ amountFen: 900, code: c.w.nextCode(), operatorId: 'c1' });
    await again.sync();
    expect(again.status()).toMatchObject({ state: 'ok', records: 3 });
    await again.close();

    const db2 = await openTerminalDb(tempDir('mirror-compact-new'));
    const result = await restoreFromMirror(db2, { text: fs.readFileSync(file, 'utf8'), recoveryCode: c.code, terminalId: 'T0001', operatorId: 'admin1', approverId: 'super1' });
    expect(result).toMatchObject({ items: { count: 3, fen: 700 + 800 + 900 }, problem: null });
    await db2.close();
    await c.done();
  }, 60_000);

  it('keeps the old file whole when the power goes between writing the compacted one and putting it in place', async () => {
    let failRename = true;
    const files: FileOps = {
      ...nodeFileOps,
      rename(from, to) {
        if (failRename && from.includes('.compact-')) throw new Error('power cut');
        nodeFileOps.rename(from, to);
      },
    };
    const c = await busyCounter('compact-cut', files);
    await c.mirror.sync();
    const file = mirrorFile(c.stick, 'T0001');
    // The count was lowered, the old file (every record) is still the mirror and opens whole.
    const old = readMirror(fs.readFileSync(file, 'utf8'), c.secret);
    expect(old.problem).toBeNull();
    expect(old.records.length).toBeGreaterThanOrEqual(14);
    failRename = false;
    await c.mirror.sync();
    expect(c.mirror.status().state).toBe('ok');
    expect(fs.readdirSync(c.stick).filter((f) => f.includes('.damaged-'))).toEqual([]);
    expect(readMirror(fs.readFileSync(file, 'utf8'), c.secret)).toMatchObject({ problem: null, records: { length: 2 } });
    await c.done();
  }, 60_000);
});

describe('turning the mirror on and restoring, under dual control', () => {
  it('needs a second person, shows the recovery code once, and a repeated request makes no second code', async () => {
    const { MirrorService } = await import('./service');
    const { MemorySecretStore } = await import('../platform');
    const dir = tempDir('mirror-svc');
    const stick = tempDir('stick-svc');
    const db = await openTerminalDb(dir);
    const secrets = new MemorySecretStore();
    const approvals: Array<[string | undefined, string | undefined]> = [];
    const svc = new MirrorService({
      db, bus: null, secrets, terminalId: 'T0001', everyMs: 0, afterRestore: async () => undefined,
      approve: async (id, pin) => {
        approvals.push([id, pin]);
        if (pin !== '2222') throw new Error('wrong pin');
        return id!;
      },
    });
    await svc.start();
    expect(svc.status().state).toBe('off');
    const h = svc.handlers();
    const ctx = { operator: { id: 'admin1', name: 'A', role: 'admin' as const } };
    const requestId = 'req-mirror-enable-0001';
    await expect(h['mirror:enable']({ dir: stick, approverId: 'admin1', approverPin: '2222', requestId }, ctx)).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    await expect(h['mirror:enable']({ dir: `${stick}/nope`, approverId: 'super1', approverPin: '2222', requestId }, ctx)).rejects.toMatchObject({ code: 'mirror.folder_missing' });
    await expect(h['mirror:enable']({ dir: stick, approverId: 'super1', approverPin: '9999', requestId }, ctx)).rejects.toThrow('wrong pin');
    expect(svc.status().state).toBe('off');
    expect(await secrets.get('mirror.secret')).toBeNull();

    const first = await h['mirror:enable']({ dir: stick, approverId: 'super1', approverPin: '2222', requestId }, ctx);
    expect(first.recoveryCode).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
    expect(first.status.state).toBe('ok');
    const again = await h['mirror:enable']({ dir: stick, approverId: 'super1', approverPin: '2222', requestId }, ctx);
    expect(again.recoveryCode).toBeNull();
    expect(parseRecoveryCode(first.recoveryCode!)!.toString('base64')).toBe(await secrets.get('mirror.secret'));
    const row = await db.get<{ approver_id: string }>("SELECT approver_id FROM audit_log WHERE action = 'mirror.enable'");
    expect(row).toMatchObject({ approver_id: 'super1' });

    // Restore with the wrong code changes nothing; with the right one it answers what it put back.
    await expect(h['mirror:restore']({ dir: stick, recoveryCode: newMirrorSecret().formatted, approverId: 'super1', approverPin: '2222', requestId: 'req-mirror-restore-01' }, ctx)).rejects.toMatchObject({ code: 'mirror.wrong_code' });
    expect(await h['mirror:restore']({ dir: stick, recoveryCode: first.recoveryCode!, approverId: 'super1', approverPin: '2222', requestId: 'req-mirror-restore-02' }, ctx)).toMatchObject({ items: { count: 0 }, problem: null });
    // Turning it off needs the second person too, and forgets the PC's copy of the code.
    await expect(h['mirror:disable']({ approverId: 'super1', approverPin: '1111' }, ctx)).rejects.toThrow('wrong pin');
    expect(svc.status().state).toBe('ok');
    expect((await h['mirror:disable']({ approverId: 'super1', approverPin: '2222' }, ctx)).state).toBe('off');
    expect(await secrets.get('mirror.secret')).toBeNull();
    await svc.close();
    await db.close();
  });

  it('is turned off by a training reset, its practice file set aside so a restore cannot bring training items back', async () => {
    const { MirrorService } = await import('./service');
    const { MemorySecretStore } = await import('../platform');
    const db = await openTerminalDb(tempDir('mirror-reset'));
    const stick = tempDir('stick-reset');
    const secrets = new MemorySecretStore();
    const svc = new MirrorService({ db, bus: null, secrets, terminalId: 'T0001', everyMs: 0, afterRestore: async () => undefined, approve: async (id) => id!, now: () => 1_000 });
    const ctx = { operator: { id: 'admin1', name: 'A', role: 'admin' as const } };
    await svc.handlers()['mirror:enable']({ dir: stick, approverId: 'super1', approverPin: '2222', requestId: 'req-mirror-enable-0002' }, ctx);
    expect(svc.status().state).toBe('ok');
    await svc.afterTrainingReset();
    expect(svc.status().state).toBe('off');
    expect(await secrets.get('mirror.secret')).toBeNull();
    expect(fs.readdirSync(stick)).toEqual(['vc-mirror-T0001.log.before-reset-1000']);
    await db.close();
  });
});
