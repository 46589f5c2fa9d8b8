import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { m001Operators } from '../store/migrations/001-operators';
import { m002Journal } from '../store/migrations/002-journal';
import { appendJournal, GENESIS, verifyJournal } from './journal';

async function journalDb(file = ':memory:') {
  const db = await Db.open({ filename: file });
  await migrate(db, [m001Operators, m002Journal]);
  return db;
}

describe('the hash-chained journal', () => {
  it('chains each row to the previous one and verifies whole', async () => {
    const db = await journalDb();
    const a = await db.tx((q) => appendJournal(q, { kind: 'payment.succeeded', ref: 'A', amountFen: 100 }, 1));
    const b = await db.tx((q) => appendJournal(q, { kind: 'refund.succeeded', ref: 'AR01', amountFen: -40 }, 2));
    expect(a.prev_hash).toBe(GENESIS);
    expect(b.prev_hash).toBe(a.hash);
    expect(await verifyJournal(db)).toMatchObject({ ok: true, rows: 2, firstBroken: null, problem: null, head: { seq: 2, hash: b.hash } });
    await db.close();
  });

  it('refuses UPDATE and DELETE through its triggers', async () => {
    const db = await journalDb();
    await db.tx((q) => appendJournal(q, { kind: 'k', ref: 'A', amountFen: 1 }));
    await expect(db.run('UPDATE journal SET amount_fen = 2')).rejects.toThrow(/append-only/);
    await expect(db.run('DELETE FROM journal')).rejects.toThrow(/append-only/);
    await db.close();
  });

  it('refuses a fractional amount', async () => {
    const db = await journalDb();
    await expect(db.tx((q) => appendJournal(q, { kind: 'k', ref: 'A', amountFen: 1.5 }))).rejects.toThrow(/integer fen/);
    await db.close();
  });

  it('reports the first broken link after the file is edited behind its back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-journal-'));
    const file = path.join(dir, 'j.sqlite');
    const db = await journalDb(file);
    for (let i = 1; i <= 5; i += 1) await db.tx((q) => appendJournal(q, { kind: 'payment.succeeded', ref: `O${i}`, amountFen: i * 100 }, i));
    await db.close();
    // A tamperer with the file: drops the trigger, edits row 3's amount.
    const evil = await Db.open({ filename: file });
    await evil.exec('DROP TRIGGER journal_no_update');
    await evil.run('UPDATE journal SET amount_fen = 1 WHERE seq = 3');
    await evil.close();
    const again = await Db.open({ filename: file });
    expect(await verifyJournal(again)).toMatchObject({ ok: false, firstBroken: 3, problem: 'row_edited' });
    await again.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports a deleted row as the first broken link', async () => {
    const db = await journalDb();
    for (let i = 1; i <= 4; i += 1) await db.tx((q) => appendJournal(q, { kind: 'k', ref: `O${i}`, amountFen: i }, i));
    await db.exec('DROP TRIGGER journal_no_delete');
    await db.run('DELETE FROM journal WHERE seq = 2');
    expect(await verifyJournal(db)).toMatchObject({ ok: false, firstBroken: 3, problem: 'row_missing' });
    await db.close();
  });
});
