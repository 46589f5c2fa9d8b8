/**
 * The training reset's share of the embedded acquirer simulator: its orders, refunds, codes and
 * ledger go, the demo wallets get their seeded balances back, and scripted faults are cleared.
 * Merchants and terminals stay: the terminal's key was provisioned at start-up and the engine
 * signs with it, so removing it would lock the terminal out of its own simulator. Enrolled demo
 * faces (`face_enrolments`) stay too: they are the practice customers' set-up, not a class's
 * work, and a trainer expects the face enrolled before class to still pay after a reset
 * (re-enrolling replaces it: `/face?enrol=W07`). The wallets are updated in place, never
 * deleted, so an enrolment never loses its wallet.
 *
 * Invariant: demo mode only, and only a simulator file inside the config's data folder that is
 * neither the training nor the live terminal database. Anything else refuses before writing.
 */
import path from 'node:path';
import type { FaultPlan } from '../acquirer/simulator/faults';
import { demoWallets } from '../acquirer/simulator/seed';
import { databasePath, type AppConfig } from '../config';
import type { Db } from '../store/db';
import { TrainingErrors } from './errors';

export async function resetSimulatorData(config: Pick<AppConfig, 'mode' | 'dataDir'>, sim: { db: Db; faults: FaultPlan }): Promise<void> {
  if (config.mode !== 'demo') throw TrainingErrors.liveMode();
  const file = path.resolve(sim.db.filename);
  const terminalFiles = (['demo', 'live'] as const).map((mode) => path.resolve(databasePath({ dataDir: config.dataDir, mode })));
  if (path.dirname(file) !== path.resolve(config.dataDir) || terminalFiles.includes(file)) throw TrainingErrors.resetRefused();
  await sim.db.tx(async (q) => {
    for (const table of ['codes', 'refunds', 'ledger', 'orders']) await q.run(`DELETE FROM ${table}`);
    for (const w of demoWallets) {
      await q.run(
        `INSERT INTO wallets (id, name, scheme, balance_fen, needs_password) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, scheme = excluded.scheme, balance_fen = excluded.balance_fen, needs_password = excluded.needs_password`,
        [w.id, w.name, w.scheme, w.balance, w.password],
      );
    }
  });
  sim.faults.clear();
}
