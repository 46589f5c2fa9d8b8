import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../core/config';
import { Db } from '../../core/store/db';
import { quickCheck } from '../../core/store/integrity';
import { makeFakeElectron } from './fake-electron';
import { RestartingAfterRestore, runMain, type ElectronModule } from './main';

let dir = '';
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A counter that ran once (its database made), with a good backup beside it, then its database damaged. */
async function damagedCounter(): Promise<{ userData: string; dbFile: string; backup: string; outDir: string }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-restore-offer-'));
  const outDir = path.join(dir, 'out', 'main');
  fs.mkdirSync(path.join(dir, 'out', 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'out', 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  const userData = path.join(dir, 'userData');
  const first = await runMain(makeFakeElectron({ userData }).electron as unknown as ElectronModule, { outDir, mode: 'demo' });
  await first.backend.close();
  const dbFile = databasePath({ dataDir: path.join(userData, 'data'), mode: 'demo' });
  const backups = path.join(path.dirname(dbFile), 'backups');
  fs.mkdirSync(backups, { recursive: true });
  const backup = path.join(backups, `${path.basename(dbFile, '.sqlite')}-20261206T080000Z.sqlite`);
  fs.copyFileSync(dbFile, backup);
  for (const side of ['-wal', '-shm']) fs.rmSync(dbFile + side, { force: true });
  fs.writeFileSync(dbFile, Buffer.alloc(8192, 0x5a));
  return { userData, dbFile, backup, outDir };
}

describe('a damaged database at start (installed app)', () => {
  it('asks first (Quit is the default), and on "restore" puts the newest good backup in place, keeps the damaged file and starts again', async () => {
    const c = await damagedCounter();
    const fake = makeFakeElectron({ userData: c.userData });
    fake.dialogState.messageAnswer = 0;
    await expect(runMain(fake.electron as unknown as ElectronModule, { outDir: c.outDir, mode: 'demo' })).rejects.toBeInstanceOf(RestartingAfterRestore);
    const asked = fake.dialogState.messages[0]!;
    expect(asked).toMatchObject({ defaultId: 1, cancelId: 1 });
    expect(String(asked.detail)).toContain('2026-12-06 16:00');
    expect(String(asked.detail)).toContain('not in it');
    expect(fake.calls).toContain('relaunch');
    const db = await Db.open({ filename: c.dbFile });
    expect((await quickCheck(db)).ok).toBe(true);
    await db.close();
    const aside = fs.readdirSync(path.dirname(c.dbFile)).filter((f) => f.includes('.before-restore-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(path.dirname(c.dbFile), aside[0]!))[0]).toBe(0x5a);
  }, 60_000);

  it('changes nothing when the person chooses Quit: the start fails with the damaged-file message', async () => {
    const c = await damagedCounter();
    const fake = makeFakeElectron({ userData: c.userData });
    fake.dialogState.messageAnswer = 1;
    await expect(runMain(fake.electron as unknown as ElectronModule, { outDir: c.outDir, mode: 'demo' })).rejects.toMatchObject({ code: 'store.corrupt' });
    expect(fake.calls).not.toContain('relaunch');
    expect(fs.readFileSync(c.dbFile)[0]).toBe(0x5a);
    expect(fs.readdirSync(path.dirname(c.dbFile)).filter((f) => f.includes('.before-restore-'))).toEqual([]);
  }, 60_000);
});
