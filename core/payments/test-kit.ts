/**
 * A real engine against a real simulator over real HTTP, in a temporary folder, with tiny
 * timings: what the engine, property and hostile-input tests (and the bench) are built on.
 * Not imported by production code.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatorControl } from '../acquirer/simulator/control-client';
import type { Simulator } from '../acquirer/simulator/server';
import type { Acquirer, AcquirerTimings, Probe } from '../acquirer/types';
import { OperatorService } from '../auth/operators';
import { EventBus } from '../events';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { openAcquirer, openSyncedStore } from '../offline/test-kit';
import type { OfflineStore } from '../offline/store';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { PaymentEngine, type EngineOptions } from './engine';
import { sandboxHarness, type AcquirerHarness, type Customer, type HarnessSide } from './harness';

/** Every timing, tiny: the tests' acquirer answers at once on loopback (no bounds apply here, only in the app's config). */
export const TINY_TIMINGS: AcquirerTimings = {
  requestTimeoutMs: 400,
  userpayingPollMs: 20,
  userpayingMaxWaitMs: 600,
  unknownFirstQueryMs: 10,
  unknownQueryEveryMs: 15,
  unknownQueries: 3,
  cancelNotBeforeMs: 0,
  cancelAttempts: 3,
  cancelEveryMs: 10,
  refundAttempts: 3,
  refundEveryMs: 10,
  qrExpiryMs: 1_000,
  qrPollMs: 20,
  sweepEveryMs: 60_000,
};

export interface Kit {
  dir: string;
  db: Db;
  bus: EventBus;
  /** The acquirer's side of the kit's harness (harness.ts): faults, books, wallets. */
  side: HarnessSide;
  /** The customer's hands at that acquirer. */
  customer: Customer;
  /** The sandbox harness only (the default): the simulator and its control routes. */
  sim: Simulator;
  control: SimulatorControl;
  acquirer: Acquirer & { close(): void };
  engine: PaymentEngine;
  terminalId: string;
  /** A fresh code of a wallet. */
  code(walletId: string): Promise<string>;
  balance(walletId: string): Promise<number>;
  count(table: string): Promise<number>;
  /** Restart the engine on the same files (the simulator keeps running). */
  restartEngine(): Promise<void>;
  close(): Promise<void>;
}

export interface KitOptions {
  timings?: Partial<AcquirerTimings>;
  engine?: Partial<EngineOptions>;
  probe?: Probe;
  /** Reuse an existing folder (the bench keeps it on a real disk). */
  dir?: string;
  /** The acquirer adapter and its side (harness.ts); the sandbox one by default. */
  harness?: AcquirerHarness;
}

export async function openKit(opts: KitOptions = {}): Promise<Kit> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vc-pay-'));
  const terminalId = 'T0001';
  const harness = opts.harness ?? sandboxHarness;
  const side = await harness.start(dir, terminalId);
  const sandbox = harness === sandboxHarness;
  const sim = sandbox ? sandboxHarness.simulator(side) : (undefined as unknown as Simulator);
  const control = sandbox ? new SimulatorControl({ baseUrl: side.link.url, terminalId, key: side.link.key }) : (undefined as unknown as SimulatorControl);
  const bus = new EventBus();
  let db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  await migrate(db, migrations);
  const timings = { ...TINY_TIMINGS, ...opts.timings };
  const { customer } = harness.connect(side.link, timings);
  const build = () => {
    const { acquirer } = harness.connect(side.link, timings, opts.probe);
    const engine = new PaymentEngine({ db, bus, acquirer, terminalId, training: true, log: () => undefined, ...opts.engine });
    return { acquirer, engine };
  };
  let built = build();
  const kit: Kit = {
    dir,
    get db() {
      return db;
    },
    bus,
    side,
    customer,
    sim,
    control,
    get acquirer() {
      return built.acquirer;
    },
    get engine() {
      return built.engine;
    },
    terminalId,
    code: (walletId) => customer.code(walletId),
    balance: async (walletId) => (await side.books.balances()).get(walletId)!,
    count: async (table) => (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n,
    async restartEngine() {
      await built.engine.stop();
      built.acquirer.close();
      await db.close();
      db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
      await migrate(db, migrations);
      built = build();
    },
    async close() {
      await built.engine.stop();
      built.acquirer.close();
      control?.close();
      customer.close();
      await side.close();
      await db.close();
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  } as Kit;
  return kit;
}

/**
 * A kit whose engine asks real operators for approval: cashier 王芳 (`cashier1`, PIN 1111, logged
 * in) and supervisor 李强 (`super1`, PIN 2222). The refund tests' starting point.
 */
export async function openKitWithOperators(engine: Partial<EngineOptions> = {}): Promise<{ kit: Kit; ops: OperatorService }> {
  let ops: OperatorService | null = null;
  const kit = await openKit({ engine: { ...engine, approve: (id, pin) => ops!.approve(id, pin) } });
  ops = new OperatorService(kit.db, kit.bus, 600_000);
  await ops.create({ id: 'cashier1', name: '王芳', role: 'cashier' }, '1111');
  await ops.create({ id: 'super1', name: '李强', role: 'supervisor' }, '2222');
  await ops.login('cashier1', '1111');
  return { kit, ops };
}

/** Waits until `pred` holds for the payment (by events or polling), or fails after `ms`. */
export async function waitFor<T>(f: () => Promise<T>, pred: (v: T) => boolean, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface OfflineSide {
  kit: Kit;
  acq: OfflineAcquirer;
  store: OfflineStore;
  engine: PaymentEngine;
  /** Stops the engine, closes the offline acquirer's database, then the kit (its folder goes). */
  close(): Promise<void>;
}

/**
 * A kit with core/offline beside it: an offline acquirer of its own (its file in the kit's
 * folder), an offline store synced with it on the kit's terminal database, and an engine that
 * reads both (`engine` options added to these).
 */
export async function openOfflineSide(engine: (kit: Kit) => Partial<EngineOptions> = () => ({})): Promise<OfflineSide> {
  const kit = await openKit();
  const { acq, db: acqDb } = await openAcquirer(kit.dir);
  const store = await openSyncedStore(kit.db, acq);
  const e = new PaymentEngine({ db: kit.db, bus: kit.bus, acquirer: kit.acquirer, terminalId: kit.terminalId, training: true, log: () => undefined, offline: store, ...engine(kit) });
  return {
    kit, acq, store, engine: e,
    async close() {
      await e.stop();
      await acqDb.close();
      await kit.close();
    },
  };
}
