/**
 * The composition root: builds every back-end service from one config and wires the handlers
 * of the contract. Both shells (electron/main and browser-shell) call `createBackend` and then
 * only ever talk to the returned dispatcher and event bus.
 */
import fs from 'node:fs';
import { AppError } from './api/errors';
import type { CallContext, Handlers } from './api/contract';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { OperatorService } from './auth/operators';
import { AppConfig, databasePath, type AppConfigInput } from './config';
import { ConnectivityMonitor } from './connectivity/monitor';
import { demoOperators } from './demo/seed';
import { EventBus } from './events';
import type { Platform } from './platform';
import { Db } from './store/db';
import { migrate } from './store/migrate';
import { migrations } from './store/migrations';
import { paymentHandlers } from './payments/handlers';

export interface Backend {
  config: AppConfig;
  bus: EventBus;
  dispatcher: Dispatcher;
  db: Db;
  operators: OperatorService;
  connectivity: ConnectivityMonitor;
  close(): Promise<void>;
}

const ModeMismatch = () =>
  new AppError('config.mode_mismatch', '数据文件与当前模式不符：培训数据与真实数据不能混用。',
    'The data file does not match the current mode: training and live data never mix.');

/** Opens the mode's own database, migrates it, and checks it was created for this mode. */
async function openDatabase(config: AppConfig): Promise<Db> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const db = await Db.open({ filename: databasePath(config) });
  await migrate(db, migrations);
  const row = await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'db.mode'");
  if (!row) await db.run("INSERT INTO settings (key, value) VALUES ('db.mode', ?)", [config.mode]);
  else if (row.value !== config.mode) {
    await db.close();
    throw ModeMismatch();
  }
  return db;
}

async function seedDemo(ops: OperatorService): Promise<void> {
  const existing = new Set((await ops.list()).map((o) => o.id));
  for (const o of demoOperators) {
    if (!existing.has(o.id)) await ops.create({ id: o.id, name: o.name, role: o.role }, o.pin);
  }
}

export async function createBackend(input: AppConfigInput, _platform: Platform): Promise<Backend> {
  const config = AppConfig.parse(input);
  const bus = new EventBus();
  const db = await openDatabase(config);
  const operators = new OperatorService(db, bus, config.idleLockMinutes * 60_000);
  const connectivity = new ConnectivityMonitor(bus);
  if (config.mode === 'demo') {
    await seedDemo(operators);
    // The embedded simulator is in-process: the link is up until a trainer's fault says not.
    connectivity.ok(1);
  }

  const handlers: Handlers = {
    'session:operators': () => operators.list(),
    'session:login': ({ operatorId, pin }) => operators.login(operatorId, pin),
    'session:logout': async () => {
      await operators.logout();
      return { ok: true as const };
    },
    'session:current': async () => operators.state(),
    'system:info': async () => ({
      mode: config.mode,
      terminalId: config.terminalId,
      merchantName: config.merchantName,
      version: config.version,
      shell: config.shell,
    }),
    'connectivity:get': async () => connectivity.get(),
    ...paymentHandlers(),
  };

  const dispatcher = createDispatcher({
    handlers,
    context: (): CallContext => ({ operator: operators.operatorForCall() }),
    onInternalError: (method, e) => console.error(`[core] ${method} failed:`, e instanceof Error ? e.message : e),
  });

  return {
    config,
    bus,
    dispatcher,
    db,
    operators,
    connectivity,
    async close() {
      await db.close();
    },
  };
}
