/**
 * The composition root: builds every back-end service from one config and wires the handlers
 * of the contract. Both shells (electron/main and browser-shell) call `createBackend` and then
 * only ever talk to the returned dispatcher and event bus.
 */
import { AppError } from './api/errors';
import type { CallContext, EventPayload, Handlers } from './api/contract';
import type { PrintJob } from './api/devices';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { OperatorAdmin } from './auth/admin';
import { OperatorService } from './auth/operators';
import { LIVE_PIN_COST, loadPepper } from './auth/pin';
import { AppConfig, databasePath, type AppConfigInput } from './config';
import { ConnectivityMonitor } from './connectivity/monitor';
import { demoOperators } from './demo/seed';
import { EventBus } from './events';
import type { Platform } from './platform';
import { Db } from './store/db';
import { ownerOnlyFolder } from './secret-file';
import { migrate } from './store/migrate';
import { migrations } from './store/migrations';
import { openChecked } from './store/integrity';
import { consoleLogger, rememberingSecrets } from './ops/log';
import { MONEY_INTAKE, OpsService } from './ops/service';
import { ACQUIRER_KEY_SECRET, createPaymentSide, type PaymentSide } from './payments/setup';
import { DemoAgentAcquirer, unavailableAgentAcquirer } from './agent/acquirer';
import { AgentErrors } from './agent/errors';
import { agentDemoHandlers, agentHandlers } from './agent/handlers';
import { AgentHistory } from './agent/history';
import { AgentService, type ChargePort } from './agent/service';
import { DisplayService } from './display/service';
import { OfflineService } from './offline/service';
import { TrustedClock } from './clock/trusted-clock';
import { OnlineReconciler } from './reconcile/online-service';
import { reconcileHandlers } from './reconcile/handlers';
import { DeviceManager } from '../drivers/manager';
import { deviceHandlers } from '../drivers/handlers';
import { createTraining } from './training/service';
import { resetSimulatorData } from './training/reset-simulator';
import { offlineFault } from './training/offline-decline';
import { receiptHandlers } from './receipts/handlers';
import { billById, paymentByOrderNo, withdrawalLink } from './receipts/lookups';
import { ReceiptService } from './receipts/service';
import { acquirerProfileHandlers, settingsHandlers, tenderHandlers, walletProfileHandlers, wedgeSettingsHandlers } from './settings/handlers';
import { TenderStatus } from './settings/tenders';
import { gatewayProbe } from './acquirer/reachability';
import { WalletProfileService } from './settings/wallet-profile';
import { ALIPAY_TIMINGS, WECHAT_TIMINGS } from './acquirer/wallet-timings';
import { recogniseCode } from './payments/codes';
import { AcquirerProfileService, loadStartupProfile, withProfile, type StartupProfile } from './settings/acquirer-profile';
import { LinkGate } from './acquirer/switchable';
import { provesTraining } from './acquirer/connection-test';
import { JournalGuard } from './ledger/check';
import { MirrorService } from './mirror/service';
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
  /** Logs, storage health, backups, diagnostics (core/ops). */
  ops: OpsService;
  /** The journal's check: `journal.last()` is the start-up check (core/ledger/check.ts `verifyJournalAtStart`). */
  journal: JournalGuard;
  /** The second-medium mirror of what is not yet forwarded (core/mirror). */
  mirror: MirrorService;
  /** Open work a restart would cut (payments, refunds, a forwarded batch, a withdrawal charging): the updater waits for none. */
  openWork(): Promise<{ payments: number; refunds: number; forwarding: number; serviceTx: number }>;
  close(): Promise<void>;
}

const ModeMismatch = () =>
  new AppError('config.mode_mismatch', '数据文件与当前模式不符：培训数据与真实数据不能混用。',
    'The data file does not match the current mode: training and live data never mix.');

/**
 * Opens the mode's own database, checks it was created for this mode, then migrates it. The
 * mode stamp is read before migrate(): a training file copied over the live one (or the reverse)
 * is refused untouched, never upgraded first.
 */
async function openDatabase(config: Pick<AppConfig, 'dataDir' | 'mode'>): Promise<Db> {
  ownerOnlyFolder(config.dataDir);
  // quick_check first: a damaged file stops the start with the restore path (core/store/integrity.ts).
  const db = await openChecked(databasePath(config));
  try {
    const hasSettings = await db.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'settings'");
    const row = hasSettings ? await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'db.mode'") : undefined;
    if (row && row.value !== config.mode) throw ModeMismatch();
    await migrate(db, migrations);
    if (!row) await db.run("INSERT INTO settings (key, value) VALUES ('db.mode', ?)", [config.mode]);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

const SimulatorUnproven = (detail: string) =>
  new AppError('config.simulator_unproven', '培训模式只能连接模拟收单机构：该地址没有在签名应答中表明是培训环境，未启动。请使用内置模拟器，或由管理员在设置中测试并保存连接。',
    'Demo mode only connects to a simulated acquirer: that address did not say training in its answer to a signed request, so the counter did not start. Use the built-in simulator, or have an administrator test and save the connection in Settings.',
    { detail });

async function seedDemo(ops: OperatorService): Promise<void> {
  // Disabled ones included: a demo operator a trainee disabled stays disabled until the reset.
  const existing = await ops.allNames();
  for (const o of demoOperators) {
    if (!existing.has(o.id)) await ops.create({ id: o.id, name: o.name, role: o.role }, o.pin);
  }
}

const NO_PROFILE: StartupProfile = { stored: null, link: null, problem: null };

export async function createBackend(input: AppConfigInput, platform: Platform): Promise<Backend> {
  const log = platform.log ?? consoleLogger();
  // Every secret handed out is remembered by the log's redactor: it is never written, wherever it turns up.
  platform = { ...platform, secrets: rememberingSecrets(platform.secrets, log) };
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
  // A saved demo connection was tested before it was saved (the acquirer said training); one a
  // configuration names must show the same before anything is sent to it, whatever it claims.
  if (config.mode === 'demo' && config.acquirer.kind === 'http' && !saved) {
    const proof = await provesTraining({
      baseUrl: config.acquirer.baseUrl, terminalId: config.terminalId, signingKey: (await platform.secrets.get(ACQUIRER_KEY_SECRET)) ?? '',
      timeoutMs: config.acquirerTimings.requestTimeoutMs, ca: platform.acquirerCa,
    });
    if (!proof.training) {
      await db.close();
      throw SimulatorUnproven(proof.detail);
    }
  }
  // The journal is checked, and its chain key bound, before any service can append to it. A
  // broken journal does not stop the start (a supervisor must be able to see it): it stops new
  // money (journal.guard below).
  const journal = await JournalGuard.start({ db, secrets: platform.secrets, mode: config.mode });
  const bus = new EventBus();
  // A live counter's PINs at full cost, keyed with the pepper from the OS secret store, so a copied
  // database alone cannot test a guess (core/auth/pin.ts); demo's PINs are printed on its login screen.
  const hashing = config.mode === 'live' ? { cost: platform.livePinCost ?? LIVE_PIN_COST, pepper: await loadPepper(platform.secrets) } : undefined;
  const operators = new OperatorService(db, bus, config.idleLockMinutes * 60_000, Date.now, { hashing });
  const operatorAdmin = new OperatorAdmin(db, operators, config.mode);
  const connectivity = new ConnectivityMonitor(bus);
  // The time the day counters trust (core/clock): a PC clock moved back or forward reopens no limit.
  const clock = await TrustedClock.open(db, bus);
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
    verifyWorkerPath: platform.verifyWorkerPath, gate, ca: platform.acquirerCa, clock, journal,
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
    log: (m) => log.warn('devices', { message: m }),
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
  // A training reset empties the journal: a new chain key (a new journal for the acquirer's
  // anchors) from its next row, first of the reset's steps, before anything can append again.
  training.onReset(() => journal.afterReset());
  const demoBiller = config.mode === 'demo' ? new DemoAgentAcquirer(connectivity) : null;
  const agent = new AgentService(db, bus, demoBiller ?? unavailableAgentAcquirer, withdrawalCharge, Date.now, () => clock.counterDay());
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

  // Alipay and WeChat Pay (core/settings/wallet-profile.ts): a live counter without a sandbox
  // connection takes wallet payments through its saved wallets (core/acquirer/routing.ts).
  const wallets = new WalletProfileService({
    db, secrets: platform.secrets, mode: config.mode, approve: (id, pin) => operators.approve(id, pin),
    timings: { alipay: { ...ALIPAY_TIMINGS, ...input.acquirerTimings }, wechat: { ...WECHAT_TIMINGS, ...input.acquirerTimings } },
    ca: platform.acquirerCa ? { alipay: platform.acquirerCa, wechat: platform.acquirerCa } : undefined,
    running: {
      mayReplace: () => config.mode === 'live' && acquirerProfile.view().running.kind === 'none',
      openWork: () => payments.openWork(),
      hold: async (fn) => (await gate.hold(10_000, async () => fn())).ran,
      use: (a) => {
        payments.useWallets(a);
        probeWallets();
      },
      recognise: recogniseCode,
      tenderOf: async (no) => (await db.get<{ tender: string }>('SELECT tender FROM payments WHERE order_no = ?', [no]))?.tender ?? null,
    },
  });
  await wallets.load();
  const walletAcquirer = config.mode === 'live' && config.acquirer.kind === 'none' ? await wallets.startupAcquirer() : null;
  // A counter on wallets has no sandbox ping: its link state comes from a probe of the gateways
  // (acquirer/reachability.ts); without one it would read 离线 and the checkout would refuse codes.
  function probeWallets(): void {
    connectivity.startProbes(gatewayProbe(wallets.gateways(), { ca: platform.acquirerCa }), 15_000);
  }
  if (walletAcquirer) probeWallets();
  const payments = await createPaymentSide({
    config, db, bus, platform, operators, connectivity, offline: offline.store, offlineRefunds: offline.refunds,
    service: new AgentHistory(db, config.mode === 'demo'), gate, signingKey: saved?.signingKey, wallets: walletAcquirer ?? undefined,
    // Demo: the trainer's link, which every route to the simulated acquirer crosses (payments/setup.ts).
    demoLink: offline.demo?.link,
  });
  // Online payments and refunds reconciled against the acquirer's statement: daily by itself
  // once the business day has closed (by the trusted clock), and on demand (core/reconcile).
  const reconciler = new OnlineReconciler({ db, bus, env: payments.engine.env, now: () => clock.now() });
  reconciler.startDaily();
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
  // Which tenders the counter's acquirers allow: the offline code only with PROTOCOL.md's
  // offline routes (the sandbox protocol), and in an outage what still works (settings/tenders.ts).
  const tenders = new TenderStatus({
    running: () => {
      if (acquirerProfile.view().running.kind !== 'none') return { kinds: ['sandbox'], qrWallet: null };
      const w = wallets.inUse ? wallets.view() : null;
      return { kinds: w?.wallets.map((x) => x.kind) ?? [], qrWallet: w?.qrWallet ?? null };
    },
    link: () => connectivity.get().state,
    emit: (t) => bus.emit('acquirer:tendersChanged', t),
  });
  const stopTenders = bus.subscribe((name) => {
    if (name === 'connectivity:changed') tenders.refresh();
  });
  // Anti-money-laundering: reads every committed movement from the journal after its commit
  // (never inside a payment's transaction), with the thresholds of the synced risk policy.
  const aml = new AmlStore(db, { terminalId: config.terminalId, bus, thresholds: () => thresholds(offline.store.policy) });
  const amlWatcher = new AmlWatcher(aml, { bus });
  amlWatcher.start();

  // Logs, storage health and the money gate, backups, the diagnostics bundle (core/ops).
  const ops = new OpsService({
    db,
    dataDir: config.dataDir,
    log,
    logDir: platform.logDir,
    emitHealth: (h) => bus.emit('ops:health', h),
    backups: platform.backups ?? false,
    freeBytes: platform.diskFree,
    facts: {
      system: () => ({ mode: config.mode, terminalId: config.terminalId, version: config.version, shell: config.shell }),
      config: () => ({ ...config, acquirerProfile: startup.stored }),
      devices: () => devices.list(),
      journal: () => journal.last(),
      counts: async () => ({
        ...(await payments.openWork()),
        outbox: await offline.store.counts(),
        followUps: (await offline.store.followUps()).length,
      }),
    },
  });
  const stopEventLog = bus.subscribe((name, payload) => ops.logEvent(name, payload));
  // The mirror of what is not yet forwarded, on a second medium (core/mirror): follows the
  // outbox and queued bills after their commits, so a missing USB stick never stops a payment.
  const mirror = new MirrorService({
    db, bus, secrets: platform.secrets, terminalId: config.terminalId,
    approve: (id, pin, subject) => operators.approve(id, pin, subject),
    afterRestore: () => offline.store.reloadAfterReset(),
  });
  await mirror.start();
  // A training reset turns the mirror off with the rest of the practice data (no-op when live).
  training.onReset(() => mirror.afterTrainingReset());
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
    'clock:get': async () => clock.status(),
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
    ...acquirerProfileHandlers(acquirerProfile, () => tenders.refresh()),
    ...walletProfileHandlers(wallets, () => tenders.refresh()),
    ...tenderHandlers(tenders),
    ...reportHandlers({
      db,
      listPayments: (f) => payments.engine.list(f),
      receiptStats: (day) => receipts.stats(day),
      offlineReview: (from, to) => offline.store.reviewTotals(from, to),
      billRefusals: (from, to) => agent.refusalTotals(from, to),
      reconciliation: (day) => reconciler.summary(day),
    }),
    ...reconcileHandlers(reconciler),
    ...amlHandlers({ store: aml, watcher: amlWatcher, operatorNames: () => operators.allNames() }),
    ...training.handlers,
    ...ops.handlers(),
    ...journal.handlers(),
    ...mirror.handlers(),
  };
  training.attach(handlers);
  ops.guard(handlers);
  journal.guard(handlers, MONEY_INTAKE);
  journal.verifyInBackground();

  const dispatcher = ops.logCalls(createDispatcher({
    handlers,
    context: (activity): CallContext => ({ operator: operators.operatorForCall(activity) }),
    onInternalError: (method, e) => log.error('call.failed', { method, err: e }),
    onResult: training.observe,
  }));
  ops.start();

  return {
    config,
    bus,
    dispatcher,
    db,
    operators,
    connectivity,
    payments,
    devices,
    ops,
    journal,
    mirror,
    /**
     * What is still open and would be cut by a restart (the Electron shell's updater waits for
     * none): payments and refunds unresolved, a forwarded batch without its answer, a
     * withdrawal whose charge is still running.
     */
    async openWork() {
      const w = await payments.openWork();
      const c = await offline.store.counts();
      const charging = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM agent_withdrawals WHERE state = 'charging'");
      return { payments: w.payments, refunds: w.refunds, forwarding: c.sending, serviceTx: charging?.n ?? 0 };
    },
    async close() {
      stopReceipts();
      stopTenders();
      // A receipt step still running would otherwise meet a closed database.
      await receipts.drain();
      await devices.stop();
      await amlWatcher.close();
      await payments.close();
      reconciler.stop();
      await mirror.close();
      await offline.close();
      await clock.flush();
      await ops.close();
      stopEventLog();
      await journal.close();
      await db.close();
    },
  };
}
