/**
 * Shared set-up for the offline tests, crash tests and benchmark: a migrated terminal database
 * in a temporary folder, an offline acquirer (simulator) with its own database, and wallets
 * issued by it acting as customers' phones. Not used by the app itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBus } from '../events';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { OfflineAcquirer, startOfflineAcquirerServer } from '../acquirer/simulator/offline-routes';
import { base32Decode, compressKey, newKeyPair, type Grade } from './code';
import { OfflineStore } from './store';
import { OfflineWallet } from './wallet';
import type { SignatureService } from './verify-pool';
import type { RiskPolicy } from '../risk/policy';

const made: string[] = [];

/** A fresh `vc-<tag>-*` folder, remembered so `cleanTempDirs` can remove it. */
export function tempDir(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vc-${tag}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made in this process: call from a test file's `afterAll`, after closing its databases. */
export function cleanTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export async function openTerminalDb(dir: string): Promise<Db> {
  const db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  await migrate(db, migrations);
  return db;
}

export async function openAcquirer(dir: string, policy?: RiskPolicy): Promise<{ acq: OfflineAcquirer; db: Db }> {
  const db = await Db.open({ filename: path.join(dir, 'acquirer.sqlite') });
  return { acq: await OfflineAcquirer.open(db, { policy }), db };
}

export async function newWallet(acq: OfflineAcquirer, opts: { grade?: Grade; balanceFen?: number; perPaymentCapFen?: number; dailyCapFen?: number } = {}): Promise<OfflineWallet> {
  const kp = newKeyPair();
  const w = await acq.issueWallet({ publicKey: compressKey(kp.publicKey), ...opts });
  return new OfflineWallet({ walletId: w.walletId, keyPair: kp, certificate: base32Decode(w.certificate)!, counter: 0 });
}

/**
 * A terminal store already synced with the acquirer's trust material (as if it had been online).
 * Signatures are checked in this thread unless `signatures` is given (a VerifyPool, as in the app).
 */
export async function openSyncedStore(
  db: Db,
  acq: OfflineAcquirer,
  opts: { terminalId?: string; bus?: EventBus | null; now?: () => number; signatures?: SignatureService; maxQueuedAccepts?: number } = {},
): Promise<OfflineStore> {
  const store = await OfflineStore.open(db, opts.bus === undefined ? new EventBus() : opts.bus, {
    terminalId: opts.terminalId ?? 'T0001', training: true, now: opts.now, signatures: opts.signatures, maxQueuedAccepts: opts.maxQueuedAccepts,
  });
  const s = await acq.sync();
  await store.applySync({ issuerKeys: s.issuerKeys, revoked: s.revoked, policy: s.policy, offsetMs: 0 });
  return store;
}

export async function countRows(db: Db): Promise<{ items: number; journal: number; wallets: number; days: number }> {
  const one = async (t: string) => (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n;
  return { items: await one('offline_items'), journal: await one('journal'), wallets: await one('offline_wallets'), days: await one('risk_wallet_day') };
}

export interface AcquirerRig {
  db: Db;
  acq: OfflineAcquirer;
  store: OfflineStore;
  /** The acquirer's offline routes on a loopback port. */
  url: string;
  /** Stops the server and closes both databases. */
  close(): Promise<void>;
}

/** A synced terminal store and an offline acquirer serving its routes over HTTP (terminal T0001 provisioned). */
export async function openAcquirerRig(tag: string): Promise<AcquirerRig & { key: string }> {
  const dir = tempDir(tag);
  const db = await openTerminalDb(dir);
  const { acq, db: acqDb } = await openAcquirer(dir);
  const store = await openSyncedStore(db, acq);
  const server = await startOfflineAcquirerServer(acq);
  const key = await acq.provisionTerminal('T0001');
  return {
    db, acq, store, key, url: `http://127.0.0.1:${server.port}`,
    async close() {
      await server.close();
      await db.close();
      await acqDb.close();
    },
  };
}
