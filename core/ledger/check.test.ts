import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend } from '../app';
import { databasePath } from '../config';
import type { Handlers } from '../api/contract';
import { MemorySecretStore } from '../platform';
import { MONEY_INTAKE } from '../ops/service';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { m001Operators } from '../store/migrations/001-operators';
import { m002Journal } from '../store/migrations/002-journal';
import { journalKeySecret, JournalGuard, verifyJournalAtStart } from './check';
import { appendJournal, GENESIS, journalHead, rowHash, verifyJournal, type JournalRow } from './journal';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-jcheck-'));
  dirs.push(d);
  return path.join(d, 'terminal.sqlite');
}

async function open(file: string): Promise<Db> {
  const db = await Db.open({ filename: file });
  await migrate(db, [m001Operators, m002Journal]);
  return db;
}

async function add(db: Db, n: number, from = 1): Promise<void> {
  for (let i = from; i < from + n; i += 1) {
    await db.tx((q) => appendJournal(q, { kind: 'payment.succeeded', ref: `O${i}`, amountFen: i * 100, body: { tender: 'cash' } }, 1_000 + i));
  }
}

/** Someone with the file and an SQLite tool: the append-only triggers are no obstacle. */
async function tamper(file: string, fn: (db: Db) => Promise<void>): Promise<void> {
  const evil = await Db.open({ filename: file });
  await evil.exec('DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete;');
  await fn(evil);
  await evil.close();
}

/** A start of the app: open, check (binding the key), optionally write, close. */
async function start(file: string, secrets: MemorySecretStore, then?: (db: Db) => Promise<void>) {
  const db = await open(file);
  const c = await verifyJournalAtStart(db, secrets, { mode: 'live' });
  if (then) await then(db);
  const full = await verifyJournalAtStart(db, secrets, { mode: 'live', full: true });
  await db.close();
  return { c, full };
}

describe('the keyed journal at start-up', () => {
  it('keys a new journal from its first row, marks it, and verifies only what is new at the next start', async () => {
    const file = tmpFile();
    const secrets = new MemorySecretStore();
    const first = await start(file, secrets, (db) => add(db, 5));
    expect(first.c).toMatchObject({ ok: true, keyedFrom: 1, head: { seq: 1 } });
    expect(first.full).toMatchObject({ ok: true, rows: 6, head: { seq: 6 } });
    expect(await secrets.get(journalKeySecret('live'))).toMatch(/"fromSeq":1/);
    const db = await open(file);
    const marker = await db.get<{ kind: string; amount_fen: number }>('SELECT kind, amount_fen FROM journal WHERE seq = 1');
    expect(marker).toEqual({ kind: 'journal.keyed', amount_fen: 0 });
    // Without the key the keyed rows do not verify as plain SHA-256: they are HMACs.
    expect(await verifyJournal(db, { key: null })).toMatchObject({ ok: false, firstBroken: 1 });
    await db.close();
    // The full check left its check point at row 6: the next start walks nothing old.
    const again = await start(file, secrets, (d) => add(d, 2, 7));
    expect(again.c).toMatchObject({ ok: true, rows: 1, head: { seq: 6 } });
    expect(again.full).toMatchObject({ ok: true, rows: 8 });
  });

  it('keeps verifying an older plain SHA-256 journal as it was and keys it from a marked row on', async () => {
    const file = tmpFile();
    const old = await open(file);
    await add(old, 4); // an older version: no key bound, plain rows
    await old.close();
    const secrets = new MemorySecretStore();
    const first = await start(file, secrets, (db) => add(db, 2, 5));
    expect(first.c).toMatchObject({ ok: true, keyedFrom: 5, rows: 5 });
    expect(first.full).toMatchObject({ ok: true, rows: 7 });
    const db = await open(file);
    expect(await db.get('SELECT kind FROM journal WHERE seq = 5')).toEqual({ kind: 'journal.keyed' });
    await db.close();
  });

  it('catches the plain rows rewritten and recomputed under the keyed part (their link to the first keyed row)', async () => {
    const file = tmpFile();
    const old = await open(file);
    await add(old, 4);
    await old.close();
    const secrets = new MemorySecretStore();
    await start(file, secrets, (db) => add(db, 2, 5));
    await tamper(file, async (db) => {
      const rows = await db.all<JournalRow>('SELECT * FROM journal WHERE seq <= 4 ORDER BY seq');
      let prev = GENESIS;
      for (const r of rows) {
        const amount = r.seq === 2 ? 1 : r.amount_fen;
        const hash = rowHash(prev, { seq: r.seq, at: r.at, kind: r.kind, ref: r.ref, amount_fen: amount, body: r.body });
        await db.run('UPDATE journal SET amount_fen = ?, prev_hash = ?, hash = ? WHERE seq = ?', [amount, prev, hash, r.seq]);
        prev = hash;
      }
    });
    const { c } = await start(file, secrets);
    expect(c).toMatchObject({ ok: false, problem: 'row_missing', seq: 5 });
  });
});

describe('tampering, each caught and named', () => {
  async function journalOf(n: number) {
    const file = tmpFile();
    const secrets = new MemorySecretStore();
    // First start keys it; rows written while it runs; the next start checkpoints all of it.
    await start(file, secrets, (db) => add(db, n));
    return { file, secrets };
  }

  it('an edited row (after the check point at start, anywhere in a full check)', async () => {
    const file = tmpFile();
    const secrets = new MemorySecretStore();
    const db = await open(file);
    await verifyJournalAtStart(db, secrets, { mode: 'live' });
    await add(db, 5);
    await db.close();
    await tamper(file, (d) => d.run('UPDATE journal SET amount_fen = 1 WHERE seq = 3').then(() => undefined));
    const { c, full } = await start(file, secrets);
    expect(c).toMatchObject({ ok: false, problem: 'row_edited', seq: 3 });
    expect(full).toMatchObject({ ok: false, problem: 'row_edited', seq: 3 });
  });

  it('an edited row before the check point: the supervisor’s full check finds it', async () => {
    const { file, secrets } = await journalOf(5);
    await tamper(file, (d) => d.run('UPDATE journal SET ref = ? WHERE seq = 2', ['FAKE']).then(() => undefined));
    const { full } = await start(file, secrets);
    expect(full).toMatchObject({ ok: false, problem: 'row_edited', seq: 2 });
  });

  it('a row edited and every later hash recomputed without the key', async () => {
    const { file, secrets } = await journalOf(5);
    await tamper(file, async (d) => {
      const rows = await d.all<JournalRow>('SELECT * FROM journal ORDER BY seq');
      let prev = GENESIS;
      for (const r of rows) {
        if (r.seq < 3) {
          prev = r.hash;
          continue;
        }
        const amount = r.seq === 3 ? 1 : r.amount_fen;
        const hash = rowHash(prev, { seq: r.seq, at: r.at, kind: r.kind, ref: r.ref, amount_fen: amount, body: r.body });
        await d.run('UPDATE journal SET amount_fen = ?, prev_hash = ?, hash = ? WHERE seq = ?', [amount, prev, hash, r.seq]);
        prev = hash;
      }
      // …and the check point moved to the new head, as a careful tamperer would.
      await d.run("DELETE FROM settings WHERE key = 'journal.checkpoint'");
    });
    const { c, full } = await start(file, secrets);
    expect(c.ok).toBe(false);
    expect(['checkpoint_forged', 'rewritten_before_check', 'rewritten_without_key']).toContain(c.problem);
    expect(full).toMatchObject({ ok: false, problem: 'rewritten_without_key', seq: 3 });
  });

  it('the last rows deleted (truncated)', async () => {
    const { file, secrets } = await journalOf(6);
    await tamper(file, (d) => d.run('DELETE FROM journal WHERE seq > 4').then(() => undefined));
    const { c, full } = await start(file, secrets);
    expect(c).toMatchObject({ ok: false, problem: 'truncated', seq: 7 });
    expect(full).toMatchObject({ ok: false, problem: 'truncated', seq: 7 });
  });

  it('the file’s tail cut off: the app does not start on it, and says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-jcheck-'));
    dirs.push(dir);
    const secrets = new MemorySecretStore();
    const cfg = { dataDir: dir, mode: 'demo', shell: 'browser' } as const;
    const b = await createBackend(cfg, { secrets });
    await b.db.tx(async (q) => {
      for (let i = 1; i <= 300; i += 1) await appendJournal(q, { kind: 'payment.succeeded', ref: `O${i}`, amountFen: i, body: { note: 'x'.repeat(200) } }, i);
    });
    await b.close();
    const file = databasePath(cfg);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    const refused = await createBackend(cfg, { secrets }).then((x) => x.close().then(() => null), (e: unknown) => e);
    expect(refused).toMatchObject({ code: expect.stringMatching(/^(store\.corrupt|journal\.broken)$/), zh: expect.stringMatching(/停止收款/) });
  });

  it('the chain key gone from the secret store', async () => {
    const { file, secrets } = await journalOf(2);
    await secrets.delete(journalKeySecret('live'));
    const { c } = await start(file, secrets);
    expect(c).toMatchObject({ ok: false, problem: 'key_missing' });
  });
});

describe('the refusal while broken', () => {
  it('wraps every call that starts new money and leaves the others alone', async () => {
    const file = tmpFile();
    const db = await open(file);
    const guard = await JournalGuard.start({ db, secrets: new MemorySecretStore(), mode: 'live' });
    const ran: string[] = [];
    const handlers = Object.fromEntries([...MONEY_INTAKE, 'payments:list'].map((m) => [m, async () => void ran.push(m)])) as unknown as Handlers;
    guard.guard(handlers, MONEY_INTAKE);
    await guard.acquirerAnswered(null, `${guard.last().keyId}.99.${'a'.repeat(64)}`);
    for (const m of MONEY_INTAKE) {
      await expect((handlers[m] as unknown as () => Promise<void>)()).rejects.toMatchObject({ code: 'journal.broken' });
    }
    await (handlers['payments:list'] as unknown as () => Promise<void>)();
    expect(ran).toEqual(['payments:list']);
    await db.close();
  });
});

/** A started journal (live mode) with `rows` money rows after its marker. */
async function guarded(rows: number) {
  const file = tmpFile();
  const secrets = new MemorySecretStore();
  const db = await open(file);
  const guard = await JournalGuard.start({ db, secrets, mode: 'live' });
  await add(db, rows);
  return { file, db, guard, secrets };
}

describe('the anchor at the acquirer', () => {
  it('keeps the head the acquirer acknowledged, and catches rows removed back past it', async () => {
    const { file, db, guard, secrets } = await guarded(5);
    const sent = await guard.head();
    expect(sent).toMatch(/^[0-9a-f]{16}\.6\.[0-9a-f]{64}$/);
    await guard.acquirerAnswered(sent, null);
    await db.close();
    // Rows removed after the anchor, and the check point with them.
    await tamper(file, async (d) => {
      await d.run('DELETE FROM journal WHERE seq > 3');
      await d.run("DELETE FROM settings WHERE key = 'journal.checkpoint'");
    });
    const again = await open(file);
    const c = await verifyJournalAtStart(again, secrets, { mode: 'live' });
    await again.close();
    expect(c.ok).toBe(false);
    expect(['truncated', 'checkpoint_forged']).toContain(c.problem);
  });

  it('stops trading when the acquirer holds a head this journal does not have', async () => {
    const { db, guard } = await guarded(3);
    const keyId = guard.last().keyId!;
    expect(() => guard.assertTrading()).not.toThrow();
    // The acquirer holds row 9: this journal was cut back to 4 rows since.
    await guard.acquirerAnswered(await guard.head(), `${keyId}.9.${'a'.repeat(64)}`);
    expect(guard.last()).toMatchObject({ ok: false, problem: 'truncated', seq: 9, scope: 'acquirer' });
    expect(() => guard.assertTrading()).toThrow(expect.objectContaining({ code: 'journal.broken', zh: expect.stringMatching(/已停止收款/), en: expect.stringMatching(/call your supervisor/) }));
    // A local full check finds the rows it has whole, and cannot clear what the acquirer showed.
    expect(await guard.verify()).toMatchObject({ ok: false, problem: 'truncated', scope: 'acquirer' });
    await db.close();
  });

  it('names a head of the same row with another hash a mismatch, and another journal a replaced one (live)', async () => {
    const { db, guard, secrets } = await guarded(3);
    const keyId = guard.last().keyId!;
    await guard.acquirerAnswered(null, `${keyId}.2.${'b'.repeat(64)}`);
    expect(guard.last()).toMatchObject({ ok: false, problem: 'anchor_mismatch', seq: 2 });
    const other = await JournalGuard.start({ db, secrets, mode: 'live' });
    await other.acquirerAnswered(null, `${'0'.repeat(16)}.2.${(await journalHead(db)).hash}`);
    expect(other.last()).toMatchObject({ ok: false, problem: 'journal_replaced' });
    await db.close();
  });
});
