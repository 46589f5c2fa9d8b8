import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { quickCheck } from '../store/integrity';
import { BackupService, listBackups, restoreBackup } from './backup';
import { memoryLogger } from './log';
import { restoreCommand } from './restore-cli';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(async () => {
  for (const d of dbs.splice(0)) await d.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function terminal(): Promise<{ dir: string; file: string; db: Db }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-backup-'));
  dirs.push(dir);
  const file = path.join(dir, 'terminal.sqlite');
  const db = await Db.open({ filename: file });
  dbs.push(db);
  await migrate(db, migrations);
  return { dir, file, db };
}
const put = (db: Db, k: string) => db.run('INSERT INTO settings (key, value) VALUES (?, ?)', [k, 'v']);
const keys = async (db: Db) => (await db.all<{ key: string }>("SELECT key FROM settings WHERE key LIKE 'k%' ORDER BY key")).map((r) => r.key);

describe('backups', () => {
  it('copies a committed state online, checks it, and keeps the newest few', async () => {
    const { file, db } = await terminal();
    const log = memoryLogger();
    let t = Date.UTC(2026, 11, 6, 8, 0, 0);
    const svc = new BackupService({ db, log, keep: 2, now: () => t });
    await put(db, 'k1');
    // A transaction open while the backup is asked for: the copy waits and holds all of it or none.
    const slow = db.tx(async (q) => {
      await q.run("INSERT INTO settings (key, value) VALUES ('k2', 'v')");
      await new Promise((r) => setTimeout(r, 50));
    });
    const first = await svc.runOnce();
    await slow;
    expect(first).not.toBeNull();
    const copy = await Db.open({ filename: first!.file, readonly: true });
    expect(await keys(copy)).toEqual(['k1', 'k2']);
    expect((await quickCheck(copy)).ok).toBe(true);
    await copy.close();
    for (let i = 0; i < 3; i++) {
      t += 3600_000;
      await svc.runOnce();
    }
    const kept = listBackups(file);
    expect(kept.map((b) => path.basename(b.file))).toEqual(['terminal-20261206T110000Z.sqlite', 'terminal-20261206T100000Z.sqlite']);
    expect(fs.readdirSync(path.dirname(kept[0]!.file)).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(log.lines.filter((l) => l.event === 'backup.done')).toHaveLength(4);
  });

  it.runIf(process.platform !== 'win32')('keeps the backups folder for this OS account only, tightening one made wider before', async () => {
    const { file, db } = await terminal();
    const dir = path.join(path.dirname(file), 'copies');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const info = await new BackupService({ db, log: memoryLogger(), dir }).runOnce();
    expect(info).not.toBeNull();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('takes one soon after start when the newest is older than the period, not when it is recent', async () => {
    const { file, db } = await terminal();
    const svc = new BackupService({ db, log: memoryLogger(), everyMs: 3600_000, firstAfterMs: 10 });
    svc.start();
    await new Promise((r) => setTimeout(r, 300));
    await svc.stop();
    expect(listBackups(file)).toHaveLength(1);
    const again = new BackupService({ db, log: memoryLogger(), everyMs: 3600_000, firstAfterMs: 10 });
    again.start();
    await new Promise((r) => setTimeout(r, 300));
    await again.stop();
    expect(listBackups(file)).toHaveLength(1);
  });

  it('logs a failed backup and keeps the older ones', async () => {
    const { file, db } = await terminal();
    const log = memoryLogger();
    const svc = new BackupService({ db, log, now: () => Date.UTC(2026, 11, 6) });
    expect(await svc.runOnce()).not.toBeNull();
    fs.writeFileSync(path.join(path.dirname(file), 'backups', 'blocker'), '');
    const broken = new BackupService({ db, log, dir: path.join(path.dirname(file), 'backups', 'blocker') });
    expect(await broken.runOnce()).toBeNull();
    expect(log.lines.some((l) => l.event === 'backup.failed')).toBe(true);
    expect(listBackups(file)).toHaveLength(1);
  });

  it('restores the newest good backup over a damaged file, moving the damaged one aside', async () => {
    const { file, db } = await terminal();
    await put(db, 'k1');
    const svc = new BackupService({ db, log: memoryLogger(), now: () => Date.UTC(2026, 11, 6) });
    await svc.runOnce();
    await put(db, 'k-after-backup');
    await db.close();
    dbs.length = 0;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 4096);
    fs.closeSync(fd);

    const msg = await restoreCommand([path.dirname(file), 'live']);
    expect(msg).toContain('Restored');
    const aside = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('terminal.sqlite.before-restore-'));
    expect(aside).toHaveLength(1);
    const back = await Db.open({ filename: file });
    dbs.push(back);
    expect((await quickCheck(back)).ok).toBe(true);
    expect(await keys(back)).toEqual(['k1']);
  });

  it('never leaves the counter without a database file when the power goes mid-restore', async () => {
    const { file, db } = await terminal();
    await put(db, 'k1');
    await new BackupService({ db, log: memoryLogger(), now: () => Date.UTC(2026, 11, 6) }).runOnce();
    await db.close();
    dbs.length = 0;
    const damaged = fs.readFileSync(file);
    // The last step, the rename into place, never happens: the damaged file must still be there
    // (an empty database made at the next start would begin counters and order numbers at zero).
    const rename = vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(from).endsWith('.restoring')) throw new Error('power cut');
      return fs.copyFileSync(from, to), fs.rmSync(from);
    });
    try {
      await expect(restoreBackup(file)).rejects.toThrow('power cut');
    } finally {
      rename.mockRestore();
    }
    expect(fs.readFileSync(file).equals(damaged)).toBe(true);
    // Once the power is back, the restore runs again and completes.
    await restoreBackup(file);
    const back = await Db.open({ filename: file });
    dbs.push(back);
    expect(await keys(back)).toEqual(['k1']);
  });

  it('refuses a named backup that is damaged and changes nothing', async () => {
    const { dir, file, db } = await terminal();
    await put(db, 'k1');
    await db.close();
    dbs.length = 0;
    const bad = path.join(dir, 'bad.sqlite');
    fs.writeFileSync(bad, 'not a database'.repeat(100));
    const before = fs.readFileSync(file);
    await expect(restoreBackup(file, bad)).rejects.toMatchObject({ code: 'backup.bad' });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    await expect(restoreBackup(path.join(dir, 'other.sqlite'))).rejects.toMatchObject({ code: 'backup.none' });
  });
});
