/**
 * The composition root: builds every back-end service from one config and wires the handlers
 * of the contract. Both shells (electron/main and browser-shell) call `createBackend` and then
 * only ever talk to the returned dispatcher and event bus.
 */
import fs from 'node:fs';
import { AppError } from './api/errors';
import type { CallContext, EventPayload, Handlers } from './api/contract';
import type { PrintJob } from './api/devices';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { OperatorAdmin } from './auth/admin';
import { OperatorService } from './auth/operators';
import { AppConfig, databasePath, type AppConfigInput } from './config';
import { ConnectivityMonitor } from './connectivity/monitor';
import { demoOperators } from './demo/seed';
import { EventBus } from './events';
import type { Platform } from './platform';
import { Db } from './store/db';
import { migrate } from './store/migrate';
import { migrations } from './store/migrations';
import { ACQUIRER_KEY_SECRET, createPaymentSide, type PaymentSide } from './payments/setup';
import { DemoAgentAcquirer, unavailableAgentAcquirer } from './agent/acquirer';
import { AgentErrors } from './agent/errors';
import { agentDemoHandlers, agentHandlers } from './agent/handlers';
import { AgentHistory } from './agent/history';
import { AgentService, type ChargePort } from './agent/service';
import { DisplayService } from './display/service';
import { OfflineService } from './offline/service';
import { DeviceManager } from '../drivers/manager';
import { deviceHandlers } from '../drivers/handlers';
import { createTraining } from './training/service';
import { resetSimulatorData } from './training/reset-simulator';
import { offlineFault } from './training/offline-decline';
import { receiptHandlers } from './receipts/handlers';
import { billById, paymentByOrderNo, withdrawalLink } from './receipts/lookups';
import { ReceiptService } from './receipts/service';
import { acquirerProfileHandlers, settingsHandlers, wedgeSettingsHandlers } from './settings/handlers';
import { AcquirerProfileService, loadStartupProfile, withProfile, type StartupProfile } from './settings/acquirer-profile';
import { LinkGate } from './acquirer/switchable';
import { reportHandlers } from './reports/handlers';
import { amlHandlers } from './aml/handlers';
import { thresholds } from './aml/rules';
import { AmlStore } from './aml/store';
import { AmlWatcher } from './aml/watcher';
import { SettingsService } from './settings/service';
import { WedgeSettings } from './settings/wedge';

export interface Backend {
  config: AppConfig;
  bus: EventBus;
  dispatcher: Dispatcher;
  db: Db;
  operators: OperatorService;
  connectivity: ConnectivityMonitor;
  /** The payment engine, its acquirer and (demo mode) the embedded simulator. */
  payments: PaymentSide;
  /** Printer, drawer, scanner: `devices.printReceipt(receipt)` after a payment, `devices.openDrawer()` after a cash sale. */
  devices: DeviceManager;
  close(): Promise<void>;
}

const ModeMismatch = () =>
  new AppError('config.mode_mismatch', '数据文件与当前模式不符：培训数据与真实数据不能混用。',
    'The data file does not match the current mode: training and live data never mix.');

/** Opens the mode's own database, migrates it, and checks it was created for this mode. */
async function openDatabase(config: Pick<AppConfig, 'dataDir' | 'mode'>): Promise<Db> {
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
  // Disabled ones included: a demo operator a trainee disabled stays disabled until the reset.
  const existing = await ops.allNames();
  for (const o of demoOperators) {
    if (!existing.has(o.id)) await ops.create({ id: o.id, name: o.name, role: o.role }, o.pin);
  }
}

const NO_PROFILE: StartupProfile = { stored: null, link: null, problem: null };

export async function createBackend(input: AppConfigInput, platform: Platform): Promise<Backend> {
  // The configuration is checked whole before any file is touched; the saved acquirer
  // connection lives in the mode's own database (so a training one never reaches a live
  // counter), so it is read once that database is open, and the configuration built again with it.
  const db = await openDatabase(AppConfig.parse(withProfile(input, NO_PROFILE)));
  let startup: StartupProfile;
  let config: AppConfig;
  try {
    startup = await loadStartupProfile(db, input.mode, platform.secrets);
    config = AppConfig.parse(withProfile(input, startup));
  } catch (e) {
    await db.close();
    throw e;
  }
  // Its keys, when the running connection is the saved one (in memory only).
  const saved = input.acquirer === undefined ? startup.link : null;
  const bus = new EventBus();
  const operators = new OperatorService(db, bus, config.idleLockMinutes * 60_000);
  const operatorAdmin = new OperatorAdmin(db, operators, config.mode);
  const connectivity = new ConnectivityMonitor(bus);
  if (config.mode === 'demo') {
    await seedDemo(operators);
    // The embedded simulator is in-process: the link is up until a trainer's fault says not.
    connectivity.ok(1);
  }
  const display = new DisplayService(bus);
  // Every money call to a remote acquirer passes one gate, so a new connection replaces the
  // payment engine's and the forwarder's at one moment (core/acquirer/switchable.ts).
  const gate = new LinkGate();
  // The offline routes are signed with the saved connection's offline-route key; a configuration
  // naming its own acquirer signs them with the same terminal key as the online ones.
  // Reviews of flagged offline items are dual-controlled like refunds (operators.approve).
  const offline = await OfflineService.create({
    db, bus, config, connectivity, terminalKey: saved?.offlineKey ?? (() => platform.secrets.get(ACQUIRER_KEY_SECRET)), approve: (id, pin) => operators.approve(id, pin),
    verifyWorkerPath: platform.verifyWorkerPath, gate, ca: platform.acquirerCa,
  });
  // Withdrawals charge the customer's code through the payment engine (built below; only
  // called after start-up), recorded as a withdrawal with the order so history and the Z report
  // never count it as a sale. Should the engine be missing, the withdrawal is refused plainly.
  const withdrawalCharge: ChargePort = {
    charge: async (amountFen, code, operatorId) => {
      if (!payments) throw AgentErrors.chargeUnavailable();
      return payments.engine.charge({ amountFen, code }, operatorId, 'withdrawal');
    },
  };
  // Demo mode drives the simulated printer and scanner; live mode looks for USB devices.
  let receiptJobEnded: (job: PrintJob) => void = () => undefined;
  const devices = new DeviceManager({
    mode: config.mode,
    emit: (name, payload) => bus.emit(name, payload),
    settings: {
      get: async (k) => (await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [k]))?.value ?? null,
      set: async (k, v) => {
        await db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [k, v]);
      },
    },
    log: (m) => console.warn(`[devices] ${m}`),
    // Set once the receipt service exists (below); no job can end before start-up is done.
    onReceiptJob: (job) => receiptJobEnded(job),
  });
  await devices.start();
  // Lessons, the customer-phone panel's moves and the reset: refused wholesale in live mode.
  const training = createTraining({
    config,
    bus,
    db,
    currentRole: () => operators.state().operator?.role ?? null,
    reseed: () => seedDemo(operators),
    logout: () => operators.logout(),
    offlineFault: offlineFault(offline),
  });
  const demoBiller = config.mode === 'demo' ? new DemoAgentAcquirer(connectivity) : null;
  const agent = new AgentService(db, bus, demoBiller ?? unavailableAgentAcquirer, withdrawalCharge);
  // The trainer's "biller refuses" fault ends with the class.
  if (demoBiller) {
    training.onReset(async () => {
      demoBiller.refuseBills = false;
    });
  }

  // Receipts subscribe before the payment side starts, so a payment that recovery completes
  // on start still gets its receipt (once: the receipt service remembers printed orders).
  const receipts = new ReceiptService({
    db,
    printer: devices,
    terminalId: config.terminalId,
    merchantName: config.merchantName,
    getPayment: (orderNo) => paymentByOrderNo(db, orderNo),
    operatorName: async (id) => (id ? (await operators.allNames()).get(id) ?? null : null),
    withdrawalFor: (p) => withdrawalLink(db, (id) => agent.withdrawal(id), p),
    getBill: (id) => billById(db, id),
    training: config.mode === 'demo',
  });
  await receipts.start();
  receiptJobEnded = (job) => receipts.onReceiptJob(job);
  const stopReceipts = bus.subscribe((name, payload) => {
    if (name === 'payments:changed') receipts.onPayment(payload as EventPayload<'payments:changed'>);
    else if (name === 'agent:withdrawalChanged') receipts.onWithdrawal(payload as EventPayload<'agent:withdrawalChanged'>);
    else if (name === 'agent:billChanged') receipts.onBill(payload as EventPayload<'agent:billChanged'>);
  });

  const payments = await createPaymentSide({
    config, db, bus, platform, operators, connectivity, offline: offline.store, offlineRefunds: offline.refunds,
    service: new AgentHistory(db, config.mode === 'demo'), gate, signingKey: saved?.signingKey,
  });
  // The reset also puts the embedded simulator's wallets and orders back to the seed.
  const simulator = payments.simulator;
  if (simulator) training.onReset(() => resetSimulatorData(config, simulator));
  // …and the embedded offline acquirer's wallets and items, and the terminal's offline mirror.
  if (offline.demo) training.onReset(() => offline.resetDemo());
  // Dual-controlled limits: installs the local offline limits in the risk engine before the
  // first call, and changes the engine's refund threshold in place after an approved update.
  const settings = await SettingsService.create({
    db,
    config,
    approve: (id, pin) => operators.approve(id, pin),
    offline: offline.store,
    refunds: payments.engine,
  });
  training.onReset(() => settings.reload());
  // Keyboard-wedge scanner profiles: every window's scanner listener follows the stored ones.
  const wedge = new WedgeSettings({ db, emit: (p) => bus.emit('settings:wedgeProfilesChanged', p) });
  training.onReset(() => wedge.reload());
  // The acquirer connection: tested, dual-controlled, and applied while the app runs when
  // nothing open still belongs to the connection in use.
  const acquirerProfile = new AcquirerProfileService({
    db,
    config,
    secrets: platform.secrets,
    startup,
    runningFromProfile: saved !== null,
    ca: platform.acquirerCa,
    approve: (id, pin) => operators.approve(id, pin),
    gate,
    openWork: async () => {
      const c = await offline.store.counts();
      return { ...(await payments.openWork()), forwarding: c.sending, waitingOffline: c.pending };
    },
    relink: (link, timings) => {
      payments.relink(link, timings);
      offline.relink(link, timings);
    },
  });
  training.onReset(() => acquirerProfile.afterReset());
  // Anti-money-laundering: reads every committed movement from the journal after its commit
  // (never inside a payment's transaction), with the thresholds of the synced risk policy.
  const aml = new AmlStore(db, { terminalId: config.terminalId, bus, thresholds: () => thresholds(offline.store.policy) });
  const amlWatcher = new AmlWatcher(aml, { bus });
  amlWatcher.start();

  const handlers: Handlers = {
    'session:operators': () => operators.list(),
    'session:login': ({ operatorId, pin }) => operators.login(operatorId, pin),
    'session:logout': async () => {
      await operators.logout();
      return { ok: true as const };
    },
    'session:current': async () => operators.state(),
    'session:setupNeeded': async () => ({ needed: await operators.setupNeeded(config.mode) }),
    'session:setup': (input) => operators.setup(config.mode, input),
    'session:changePin': ({ operatorId, pin, newPin, newPinAgain }) => operators.changePin(operatorId, pin, newPin, newPinAgain),
    'operators:list': () => operatorAdmin.list(),
    'operators:add': (input, ctx) => operatorAdmin.add(input, ctx),
    'operators:setActive': (input, ctx) => operatorAdmin.setActive(input, ctx),
    'operators:resetPin': (input, ctx) => operatorAdmin.resetPin(input, ctx),
    'operators:unlock': (input, ctx) => operatorAdmin.unlock(input, ctx),
    'system:info': async () => ({
      mode: config.mode,
      terminalId: config.terminalId,
      merchantName: config.merchantName,
      version: config.version,
      shell: config.shell,
    }),
    'connectivity:get': async () => connectivity.get(),
    ...payments.handlers,
    'face:identify': payments.face['face:identify'],
    'face:confirm': payments.face['face:confirm'],
    'demo:faceEnrol': payments.face['demo:faceEnrol'],
    ...agentHandlers(agent),
    ...agentDemoHandlers(demoBiller),
    'display:set': async (state) => {
      display.set(state);
      return { ok: true as const };
    },
    'display:get': async () => display.get(),
    ...offline.handlers(),
    ...deviceHandlers(devices),
    ...receiptHandlers(receipts),
    ...settingsHandlers(settings),
    ...wedgeSettingsHandlers(wedge),
    ...acquirerProfileHandlers(acquirerProfile),
    ...reportHandlers({
      db,
      listPayments: (f) => payments.engine.list(f),
      receiptStats: (day) => receipts.stats(day),
      offlineReview: (from, to) => offline.store.reviewTotals(from, to),
      billRefusals: (from, to) => agent.refusalTotals(from, to),
    }),
    ...amlHandlers({ store: aml, watcher: amlWatcher, operatorNames: () => operators.allNames() }),
    ...training.handlers,
  };
  training.attach(handlers);

  const dispatcher = createDispatcher({
    handlers,
    context: (): CallContext => ({ operator: operators.operatorForCall() }),
    onInternalError: (method, e) => console.error(`[core] ${method} failed:`, e instanceof Error ? e.message : e),
    onResult: training.observe,
  });

  return {
    config,
    bus,
    dispatcher,
    db,
    operators,
    connectivity,
    payments,
    devices,
    async close() {
      stopReceipts();
      // A receipt step still running would otherwise meet a closed database.
      await receipts.drain();
      await devices.stop();
      await amlWatcher.close();
      await payments.close();
      await offline.close();
      await db.close();
    },
  };
}
