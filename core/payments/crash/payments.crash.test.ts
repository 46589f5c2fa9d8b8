/**
 * Crash test: a child process runs payments and refunds against the simulator and is killed
 * with SIGKILL at each named step of the lifecycle (../crash.ts). After each kill a fresh
 * process recovers, and then, for every order, the terminal's database and the simulator's
 * ledger must agree, nobody may be charged twice, and the wallets' debits must equal the
 * successful payments minus refunds (invariants.ts). The kills accumulate on one pair of
 * files, so later runs also recover on top of earlier crashes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../acquirer/simulator/server';
import { Db } from '../../store/db';
import { CRASH_POINTS } from '../crash';
import { runChild } from './child';
import { checkInvariants, walletBalances } from '../invariants';

const here = path.dirname(fileURLToPath(import.meta.url));
const worker = path.join(here, 'worker.ts');
let dir: string;
let sim: Simulator;
let key: string;
let initial: Map<string, number>;

function runWorker(mode: 'run' | 'recover', crashAt?: string) {
  return runChild(worker, { DATA_DIR: dir, SIM_URL: sim.url, SIM_KEY: key, MODE: mode, COUNT: '8' }, crashAt);
}

async function openRows(): Promise<number> {
  const db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  try {
    const p = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM payments WHERE state NOT IN ('succeeded','failed','cancelled','closed')");
    const r = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM refunds WHERE state NOT IN ('succeeded','failed')");
    return p!.n + r!.n;
  } finally {
    await db.close();
  }
}

async function invariants() {
  const db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  try {
    return await checkInvariants(db, sim.db, 'T0001', initial);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-crash-'));
  sim = await startSimulator({ file: path.join(dir, 'sim.sqlite') });
  key = await sim.provisionTerminal('T0001');
  initial = await walletBalances(sim.db);
});
afterAll(async () => {
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL at every step of the lifecycle', () => {
  const cases = CRASH_POINTS.flatMap((p) => [[p, 1], [p, 3]] as const);
  it.each(cases)('killed at %s (hit %i): recovery leaves terminal and acquirer in agreement', async (point, hit) => {
    const crashed = await runWorker('run', `${point}:${hit}`);
    expect(crashed.signal, `${point}: ${crashed.stderr}`).toBe('SIGKILL');
    // The kill left work behind: a payment or refund that is not final.
    expect(await openRows()).toBeGreaterThan(0);
    const recovered = await runWorker('recover');
    expect(recovered.status, recovered.stderr).toBe(0);
    const report = await invariants();
    expect(report.problems).toEqual([]);
    expect(report.payments).toBeGreaterThan(0);
  });

  it('a run without a crash completes and keeps the invariants', async () => {
    const r = await runWorker('run');
    expect(r.status, r.stderr).toBe(0);
    const report = await invariants();
    expect(report.problems).toEqual([]);
    expect(report.succeeded).toBeGreaterThan(8);
  });
});
