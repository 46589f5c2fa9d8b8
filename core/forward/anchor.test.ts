/**
 * The journal anchored outside the PC: every sync, forwarded batch and statement request carries
 * the journal head (signed with the request), the acquirer keeps it and answers with the head it
 * held before, and the terminal checks that head is still a row of its journal.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOfflineAcquirerServer, type OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { JournalGuard } from '../ledger/check';
import { appendJournal } from '../ledger/journal';
import { MemorySecretStore } from '../platform';
import type { Db } from '../store/db';
import { cleanTempDirs, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from '../offline/test-kit';
import type { OfflineStore } from '../offline/store';
import { OfflineClient } from './client';
import { Forwarder } from './forwarder';

afterAll(cleanTempDirs);

describe('journal heads at the acquirer', () => {
  let termDb: Db;
  let acqDb: Db;
  let acq: OfflineAcquirer;
  let store: OfflineStore;
  let server: { port: number; close(): Promise<void> };
  let guard: JournalGuard;
  let client: OfflineClient;

  beforeEach(async () => {
    const dir = tempDir('anchor');
    termDb = await openTerminalDb(dir);
    guard = await JournalGuard.start({ db: termDb, secrets: new MemorySecretStore(), mode: 'live' });
    ({ acq, db: acqDb } = await openAcquirer(dir));
    store = await openSyncedStore(termDb, acq);
    server = await startOfflineAcquirerServer(acq);
    const key = await acq.provisionTerminal('T0001');
    client = new OfflineClient({ baseUrl: `http://127.0.0.1:${server.port}`, terminalId: 'T0001', key, minTimeoutMs: 2_000, anchor: guard });
  });
  afterEach(async () => {
    client.close();
    await server.close();
    await termDb.close();
    await acqDb.close();
  });

  it('sends the head with a sync, a forwarded batch and a statement; the acquirer keeps each', async () => {
    await client.sync();
    const w = await newWallet(acq);
    await store.accept({ amountFen: 250, code: w.nextCode(), operatorId: 'c1' });
    await new Forwarder(store, client, null, { terminalId: 'T0001' }).drain();
    await client.statement('T0001', '2026-01-01');
    const heads = await acq.anchors.list('T0001');
    expect(heads.map((h) => h.route)).toEqual(expect.arrayContaining(['sync', 'forward', 'statement']));
    const last = heads.at(-1)!;
    expect(last).toMatchObject({ keyId: guard.last().keyId });
    // The terminal keeps the last head the acquirer acknowledged.
    expect(guard.last()).toMatchObject({ ok: true, anchor: { seq: last.seq, hash: last.hash } });
  });

  it('catches the journal cut back before the last anchor at the next exchange, and stops trading', async () => {
    for (let i = 1; i <= 4; i += 1) await termDb.tx((q) => appendJournal(q, { kind: 'payment.succeeded', ref: `O${i}`, amountFen: 100 }));
    await client.sync();
    expect(guard.last().ok).toBe(true);
    // Someone deletes the last rows (and the local anchor with them) in the file.
    await termDb.exec('DROP TRIGGER journal_no_delete');
    await termDb.run('DELETE FROM journal WHERE seq > 2');
    await termDb.run("DELETE FROM settings WHERE key IN ('journal.anchor', 'journal.checkpoint')");
    await client.sync();
    expect(guard.last()).toMatchObject({ ok: false, problem: 'truncated', seq: 5, scope: 'acquirer' });
    expect(() => guard.assertTrading()).toThrow(expect.objectContaining({ code: 'journal.broken' }));
  });

  it('catches a row rewritten before the last anchor', async () => {
    for (let i = 1; i <= 3; i += 1) await termDb.tx((q) => appendJournal(q, { kind: 'payment.succeeded', ref: `O${i}`, amountFen: 100 }));
    await client.sync();
    await termDb.exec('DROP TRIGGER journal_no_update');
    await termDb.run("UPDATE journal SET hash = ? WHERE seq = 4", ['c'.repeat(64)]);
    await client.sync();
    expect(guard.last()).toMatchObject({ ok: false, problem: 'anchor_mismatch', seq: 4 });
  });
});
