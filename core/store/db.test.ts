import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Db } from './db';
import { migrate } from './migrate';
import { migrations } from './migrations';

const dirs: string[] = [];
async function open(): Promise<Db> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-db-'));
  dirs.push(dir);
  return Db.open({ filename: path.join(dir, 't.sqlite') });
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('Db', () => {
  it('opens in WAL mode with synchronous=FULL', async () => {
    const db = await open();
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA synchronous')).toEqual({ synchronous: 2 });
    await db.close();
  });

  it('rolls a transaction back whole when its callback throws', async () => {
    const db = await open();
    await db.exec('CREATE TABLE t (v INTEGER)');
    await expect(
      db.tx(async (q) => {
        await q.run('INSERT INTO t VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.get('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 0 });
    await db.close();
  });

  it('does not interleave concurrent transactions', async () => {
    const db = await open();
    await db.exec('CREATE TABLE c (n INTEGER)');
    await db.run('INSERT INTO c VALUES (0)');
    // Read-modify-write in 50 concurrent transactions: any interleaving would lose increments.
    await Promise.all(
      Array.from({ length: 50 }, () =>
        db.tx(async (q) => {
          const { n } = (await q.get<{ n: number }>('SELECT n FROM c'))!;
          await new Promise((r) => setTimeout(r, 0));
          await q.run('UPDATE c SET n = ?', [n + 1]);
        }),
      ),
    );
    expect(await db.get('SELECT n FROM c')).toEqual({ n: 50 });
    await db.close();
  });

  it('refuses to nest transactions or use the Db handle inside one', async () => {
    const db = await open();
    await expect(db.tx(() => db.tx(async () => 1))).rejects.toThrow('nested');
    await expect(db.tx(() => db.get('SELECT 1'))).rejects.toThrow('transaction handle');
    expect(await db.get('SELECT 1 AS one')).toEqual({ one: 1 });
    await db.close();
  });

  it('keeps working after a failed transaction', async () => {
    const db = await open();
    await expect(db.tx((q) => q.run('INSERT INTO missing VALUES (1)'))).rejects.toThrow();
    expect(await db.tx((q) => q.get('SELECT 2 AS two'))).toEqual({ two: 2 });
    await db.close();
  });
});

describe('migrations', () => {
  it('are numbered uniquely and apply once', async () => {
    const db = await open();
    const first = await migrate(db, migrations);
    expect(first).toEqual([...migrations].map((m) => m.id).sort((a, b) => a - b));
    expect(await migrate(db, migrations)).toEqual([]);
    await db.close();
  });

  it('001 creates operators with a role check, the audit log and settings', async () => {
    const db = await open();
    await migrate(db, migrations.filter((m) => m.id === 1));
    await db.run("INSERT INTO operators (id, name, role, pin_hash) VALUES ('a', 'A', 'cashier', 'h')");
    await expect(db.run("INSERT INTO operators (id, name, role, pin_hash) VALUES ('b', 'B', 'root', 'h')")).rejects.toThrow(/CHECK/);
    await db.run("INSERT INTO audit_log (at, action) VALUES (1, 'x')");
    await db.run("INSERT INTO settings (key, value) VALUES ('k', 'v')");
    expect(await db.get('SELECT COUNT(*) AS n FROM audit_log')).toEqual({ n: 1 });
    await db.close();
  });

  it('002 creates a journal that refuses UPDATE and DELETE', async () => {
    const db = await open();
    await migrate(db, migrations.filter((m) => m.id <= 2));
    await db.run("INSERT INTO journal (seq, at, kind, ref, amount_fen, body, prev_hash, hash) VALUES (1, 1, 'k', 'r', 100, '{}', 'p', 'h')");
    await expect(db.run('UPDATE journal SET amount_fen = 1')).rejects.toThrow(/append-only/);
    await expect(db.run('DELETE FROM journal')).rejects.toThrow(/append-only/);
    await db.close();
  });

  it('a failing migration leaves the schema at the previous version', async () => {
    const db = await open();
    const broken = [
      { id: 1, name: 'ok', up: (q: { exec(s: string): Promise<void> }) => q.exec('CREATE TABLE a (x)') },
      { id: 2, name: 'bad', up: async (q: { exec(s: string): Promise<void> }) => { await q.exec('CREATE TABLE b (x)'); throw new Error('bad'); } },
    ];
    await expect(migrate(db, broken)).rejects.toThrow('bad');
    expect(await db.all('SELECT id FROM schema_migrations')).toEqual([{ id: 1 }]);
    expect(await db.get("SELECT name FROM sqlite_master WHERE name = 'b'")).toBeUndefined();
    await db.close();
  });
});
