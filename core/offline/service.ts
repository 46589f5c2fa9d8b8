/**
 * Store-and-forward assembled: the offline ledger (store.ts), the acquirer client, the
 * forwarder, trust sync, link probes, reconciliation and — in demo mode only — the embedded
 * offline acquirer behind the link emulator, plus demo wallets acting as customers' phones.
 * The composition root builds one of these and spreads `handlers()` into the contract. The
 * link (`demo.link`) is the till's one link in demo mode: the payment side routes its online
 * simulator through it too (core/payments/setup.ts), so `demo:network` governs every route.
 *
 * Invariants:
 * - Demo wiring (embedded acquirer, link emulator, demo wallets) exists only when the config is
 *   demo mode with the embedded acquirer; demo methods are refused otherwise (`demo.only`).
 * - The forwarder is kicked after every accept and whenever the link comes back; it runs one
 *   loop at a time, so items are never sent twice concurrently.
 */
import path from 'node:path';
import type { Handlers } from '../api/contract';
import { AppError } from '../api/errors';
import { databasePath, type AppConfig } from '../config';
import type { ConnectivityMonitor } from '../connectivity/monitor';
import type { EventBus } from '../events';
import { Db } from '../store/db';
import { OfflineAcquirer, startOfflineAcquirerServer } from '../acquirer/simulator/offline-routes';
import { SandboxOfflineRefunds } from '../acquirer/sandbox/offline-refunds';
import { LinkGate, SwitchableOfflineRefunds } from '../acquirer/switchable';
import type { AcquirerTimings, OfflineRefunds } from '../acquirer/types';
import { OfflineClient, TransportError, type JournalAnchorPort, type OfflineLink } from '../forward/client';
import { SwitchableOfflineClient } from '../forward/switchable-client';
import { classifyFailure, FORWARD_PROBLEMS } from '../forward/failures';
import { Forwarder } from '../forward/forwarder';
import type { DayClock } from '../clock/trusted-clock';
import { reconcile, reportCsv } from '../reconcile/reconcile';
import { base32Decode, compressKey, newKeyPair } from './code';
import { LINK_PRESETS, LinkEmulator } from './link-emulator';
import { OfflineErrors, OfflineStore, REVIEWER_ROLES } from './store';
import { VerifyPool } from './verify-pool';
import { OfflineWallet } from './wallet';

/**
 * The demo customer (`demo:offlineCode { wallet: 9 }`) whose wallet the acquirer has revoked: the
 * terminal learns it at sync and refuses the code offline with reason `revoked`. The last index,
 * clear of the seeded customers W01–W06 (0–5) the lessons name.
 */
export const DEMO_REVOKED_WALLET = 9;

/** The embedded offline acquirer's file in the data folder (demo mode only). */
export const DEMO_OFFLINE_ACQUIRER_FILE = 'training-offline-acquirer.sqlite';

type OfflineHandlerNames = Extract<keyof Handlers, `offline:${string}` | `outbox:${string}` | 'reconcile:run' | 'reconcile:export' | 'demo:offlineCode' | 'demo:network'>;
export type OfflineHandlers = Pick<Handlers, OfflineHandlerNames>;

export const OfflineServiceErrors = {
  demoOnly: () => new AppError('demo.only', '此功能仅在培训（演示）模式下可用。', 'This is available in training (demo) mode only.'),
  noAcquirer: () => new AppError('offline.no_acquirer', '未配置收单机构，无法上传或对账。', 'No acquirer is configured: forwarding and reconciliation are unavailable.'),
  resetRefused: () =>
    new AppError('training.reset_refused', '无法确认这是培训用的模拟收单数据，已拒绝重置，未改动任何数据。',
      'Could not confirm this is the simulated acquirer’s training data; the reset was refused and nothing was changed.'),
  unreachable: () =>
    new AppError('offline.acquirer_unreachable', '暂时连不上收单机构，请稍后再试。', 'The acquirer cannot be reached right now; try again later.'),
};

export interface OfflineServiceDeps {
  db: Db;
  bus: EventBus;
  config: AppConfig;
  /** The trusted clock of the day counters (core/clock); without it the store keeps its own. */
  clock?: DayClock;
  connectivity: ConnectivityMonitor;
  /**
   * The terminal's HMAC key for the acquirer's offline routes: the saved connection's
   * offline-route key, or where to read one (the platform's secret store). Demo mode provisions
   * its own with the embedded acquirer.
   */
  terminalKey?: string | (() => Promise<string | null>);
  /**
   * The gate every money call to a remote acquirer passes (core/acquirer/switchable.ts), shared
   * with the payment engine, so a new connection replaces both at one moment (`relink`).
   */
  gate?: LinkGate;
  /** Tests only: certificates an HTTPS acquirer is trusted with (Platform.acquirerCa). */
  ca?: string;
  /**
   * Dual control (OperatorService.approve): checks a supervisor's id and PIN given on the same
   * screen and returns their id. Needed when the logged-in operator may not review alone.
   */
  approve?: (approverId: string | undefined, pin: string | undefined) => Promise<string>;
  /**
   * The SM2 verification worker's code (Platform.verifyWorkerPath: the Electron bundle's chunk);
   * absent, the TypeScript source through tsx.
   */
  verifyWorkerPath?: string;
  /** The journal head each sync, batch and statement carries to the acquirer (core/ledger/check.ts). */
  journal?: JournalAnchorPort;
  /** Probe and sync periods (tests shorten them). */
  probeEveryMs?: number;
  syncEveryMs?: number;
}

interface Demo {
  acquirer: OfflineAcquirer;
  acquirerDb: Db;
  server: { port: number; close(): Promise<void> };
  link: LinkEmulator;
  wallets: Map<number, { wallet: OfflineWallet; lastCode: string | null }>;
}

export class OfflineService {
  private syncTimer: NodeJS.Timeout | null = null;
  /** Where the payment engine sends refunds of confirmed offline payments (null: no acquirer). */
  refunds: (OfflineRefunds & { close(): void }) | null = null;
  private unsubscribe: (() => void) | null = null;

  private constructor(
    readonly store: OfflineStore,
    readonly client: OfflineLink | null,
    readonly forwarder: Forwarder | null,
    private readonly deps: OfflineServiceDeps,
    readonly demo: Demo | null,
  ) {}

  static async create(deps: OfflineServiceDeps): Promise<OfflineService> {
    const { config, db, bus } = deps;
    // Signatures are checked on worker threads, one wallet per thread; they start on the first
    // offline code, so a day without one never starts them.
    const signatures = new VerifyPool({ workerPath: deps.verifyWorkerPath, log: (m) => console.warn(`[offline] ${m}`) });
    const store = await OfflineStore.open(db, bus, { terminalId: config.terminalId, training: config.mode === 'demo', signatures, clock: deps.clock });
    let demo: Demo | null = null;
    let baseUrl: string | null = null;
    let key: string | (() => Promise<string | null>) = deps.terminalKey ?? (async () => null);
    if (config.mode === 'demo' && config.acquirer.kind === 'embedded') {
      // Its own file, next to the training database: the simulator's books are not the terminal's.
      const acquirerDb = await Db.open({ filename: path.join(config.dataDir, DEMO_OFFLINE_ACQUIRER_FILE) });
      const acquirer = await OfflineAcquirer.open(acquirerDb);
      const server = await startOfflineAcquirerServer(acquirer);
      const link = new LinkEmulator(server.port, LINK_PRESETS.online);
      await link.start();
      demo = { acquirer, acquirerDb, server, link, wallets: new Map() };
      baseUrl = `http://127.0.0.1:${link.port}`;
      key = await acquirer.provisionTerminal(config.terminalId);
    } else if (config.acquirer.kind === 'http') {
      baseUrl = config.acquirer.baseUrl;
    }
    const ca = deps.ca;
    const direct = baseUrl ? new OfflineClient({ baseUrl, terminalId: config.terminalId, key, ca, anchor: deps.journal }) : null;
    // Refunds of confirmed offline payments: the same acquirer and link, driven by the payment engine.
    const directRefunds = baseUrl ? new SandboxOfflineRefunds({ baseUrl, terminalId: config.terminalId, key, timeoutMs: config.acquirerTimings.requestTimeoutMs, ca }) : null;
    // A remote connection, or none yet, can be replaced while the app runs (`relink`); the
    // embedded demo acquirer is demo mode's own.
    const gate = deps.gate ?? new LinkGate();
    const client = demo ? direct : new SwitchableOfflineClient(gate, direct);
    const refunds = demo ? directRefunds : new SwitchableOfflineRefunds(gate, directRefunds);
    const forwarder = client
      ? new Forwarder(store, client, deps.connectivity, { terminalId: config.terminalId, onStatus: (st) => bus.emit('forwarder:changed', st) })
      : null;
    const s = new OfflineService(store, client, forwarder, deps, demo);
    s.refunds = refunds;
    if (demo) await s.seedDemo();
    s.start();
    return s;
  }

  /**
   * The seeded demo customers that must exist before the first sync: the revoked wallet is
   * issued and revoked at the acquirer, so the sync that follows puts it on the terminal's
   * revocation list. (The other demo wallets are issued on first use.)
   */
  private async seedDemo(): Promise<void> {
    const d = this.demo!;
    const w = await this.issueDemoWallet(DEMO_REVOKED_WALLET);
    await d.acquirer.revoke(w.wallet.walletId);
  }

  /**
   * The training reset's share of store-and-forward ("reset to the seeded state"), registered
   * with `training.onReset` by the composition root; runs after the training database was
   * emptied. Empties the embedded acquirer's wallets, items and statement, puts the link back
   * online, forgets the demo phones, seeds the revoked wallet again, reloads the terminal's
   * offline mirror from the (emptied) rows and syncs.
   *
   * Never touches a live file: demo mode with the embedded acquirer only, and the acquirer's
   * open file must be exactly the demo acquirer file of this data folder and neither terminal
   * database. Any doubt refuses before the first write.
   */
  async resetDemo(): Promise<void> {
    const { config } = this.deps;
    const d = this.demo;
    if (config.mode !== 'demo' || config.acquirer.kind !== 'embedded' || !d) throw OfflineServiceErrors.resetRefused();
    const file = path.resolve(d.acquirerDb.filename);
    const terminalFiles = (['demo', 'live'] as const).map((mode) => path.resolve(databasePath({ dataDir: config.dataDir, mode })));
    if (file !== path.resolve(config.dataDir, DEMO_OFFLINE_ACQUIRER_FILE) || terminalFiles.includes(file)) throw OfflineServiceErrors.resetRefused();
    await d.acquirer.resetData();
    d.link.setProfile(LINK_PRESETS.online);
    await d.link.settled();
    d.wallets.clear();
    await this.seedDemo();
    await this.store.reloadAfterReset();
    await this.sync().catch(() => undefined);
  }

  private start(): void {
    if (!this.client) return;
    const client = this.client;
    this.deps.connectivity.startProbes(() => client.probe(), this.deps.probeEveryMs ?? 15_000);
    // When the link comes back, sync trust material first, then forward.
    this.unsubscribe = this.deps.bus.subscribe((name, payload) => {
      if (name === 'connectivity:changed' && (payload as { state: string }).state !== 'offline') this.forwarder?.kick();
    });
    const syncLoop = async () => {
      await this.sync().catch(() => undefined);
      this.syncTimer = setTimeout(() => void syncLoop(), this.deps.syncEveryMs ?? 5 * 60_000);
      this.syncTimer.unref();
    };
    void syncLoop();
    this.forwarder?.kick();
  }

  /**
   * Moves forwarding, sync, probes and offline refunds to another connection of this terminal
   * id (an installer saved one: core/settings/acquirer-profile.ts). Inside the link gate's hold
   * only, with no batch in flight. The new connection is tried at once: trust material first,
   * then anything waiting; a pause for the old key's refusal ends here.
   */
  relink(link: { endpoint: string; terminalId: string; offlineKey: string }, timings: AcquirerTimings): void {
    if (!(this.client instanceof SwitchableOfflineClient) || !(this.refunds instanceof SwitchableOfflineRefunds)) {
      throw new Error('the embedded demo acquirer is not replaced at run time');
    }
    const { endpoint: baseUrl, terminalId, offlineKey: key } = link;
    const ca = this.deps.ca;
    this.client.replace(new OfflineClient({ baseUrl, terminalId, key, ca, anchor: this.deps.journal }));
    this.refunds.replace(new SandboxOfflineRefunds({ baseUrl, terminalId, key, timeoutMs: timings.requestTimeoutMs, ca }));
    this.deps.connectivity.probeNow();
    void this.sync()
      .catch(() => undefined)
      .then(() => this.forwarder?.sendNow());
  }

  /** Issuer keys, revocations, policy and clock offset from the acquirer. */
  async sync(): Promise<void> {
    if (!this.client) throw OfflineServiceErrors.noAcquirer();
    try {
      const { reply, offsetMs, rttMs } = await this.client.sync();
      this.deps.connectivity.ok(rttMs);
      await this.store.applySync({ issuerKeys: reply.issuerKeys, revoked: reply.revoked, policy: reply.policy, offsetMs });
    } catch (e) {
      if (e instanceof TransportError) {
        // A refusal (key, clock) came back over a working link: the forwarder reports it.
        if (!FORWARD_PROBLEMS[classifyFailure(e).problem].pause) this.deps.connectivity.failed();
        throw OfflineServiceErrors.unreachable();
      }
      throw e;
    }
  }

  /**
   * A review of a needs_review item. A supervisor or administrator who did not take the payment
   * decides alone; anyone else needs one to approve with their id and PIN on the same screen
   * (OperatorService.approve: a different supervisor or administrator). The cheap checks run
   * first, so a review that would be refused never asks for a PIN; the store checks everything
   * again in the transaction that records it.
   */
  async review(
    input: { orderNo: string; decision: 'release' | 'hold'; reason?: string; approverId?: string; approverPin?: string },
    operator: { id: string; role: string } | null,
  ) {
    await this.store.checkReview(input.orderNo, input.decision, input.reason);
    let approverId: string | null = null;
    if (!operator || !REVIEWER_ROLES.includes(operator.role) || input.approverId !== undefined) {
      if (!this.deps.approve) throw OfflineErrors.notReviewer();
      // Asks for the approver (auth.approval_required) when none is given; refuses a wrong PIN,
      // a role below supervisor, or the logged-in operator approving themselves.
      approverId = await this.deps.approve(input.approverId, input.approverPin);
    }
    return this.store.review({
      orderNo: input.orderNo, decision: input.decision, reason: input.reason,
      operatorId: operator?.id ?? null, reviewerId: approverId ?? operator!.id, approverId,
    });
  }

  private async demoWallet(n: number): Promise<{ wallet: OfflineWallet; lastCode: string | null }> {
    let w = this.demo!.wallets.get(n);
    if (!w) {
      w = await this.issueDemoWallet(n);
      // A new wallet may have been signed with a key this terminal has not seen: sync if we can.
      await this.sync().catch(() => undefined);
    }
    return w;
  }

  private async issueDemoWallet(n: number): Promise<{ wallet: OfflineWallet; lastCode: string | null }> {
    const d = this.demo!;
    const kp = newKeyPair();
    const issued = await d.acquirer.issueWallet({ publicKey: compressKey(kp.publicKey), grade: n % 3 === 2 ? 'C' : 'B' });
    const cert = base32Decode(issued.certificate)!;
    const w = { wallet: new OfflineWallet({ walletId: issued.walletId, keyPair: kp, certificate: cert, counter: 0 }), lastCode: null };
    d.wallets.set(n, w);
    return w;
  }

  handlers(): OfflineHandlers {
    const live = () => {
      if (!this.demo) throw OfflineServiceErrors.demoOnly();
      return this.demo;
    };
    return {
      'offline:accept': async ({ amountFen, code, contact, purpose }, ctx) => {
        const p = await this.store.accept({ amountFen, code, contact, purpose, operatorId: ctx.operator?.id ?? null });
        this.forwarder?.kick();
        return p;
      },
      'offline:budget': async ({ code }) => {
        if (!code) return this.store.budget(null);
        // The scan reaches the core here, before the cashier confirms: the signature checks begin
        // now, so the accept that follows finds the verdict ready (store.ts, `precheck`).
        this.store.precheck(code);
        return this.store.budget(this.store.walletOf(code));
      },
      'outbox:list': async ({ status, limit, offset }) => ({
        items: await this.store.list({ status, limit, offset }),
        counts: await this.store.counts(),
        forwarder: this.forwarder?.status() ?? { state: 'offline', nextAttemptAt: null, batchSize: 0, lastError: 'no acquirer', problem: null },
      }),
      'outbox:sendNow': async () => {
        if (!this.forwarder) throw OfflineServiceErrors.noAcquirer();
        this.forwarder.sendNow();
        return { ok: true as const };
      },
      'outbox:followUps': async () => this.store.followUps(),
      'outbox:review': async (input, ctx) => this.review(input, ctx.operator),
      'reconcile:run': async ({ date }) => this.reconcile(date),
      'reconcile:export': async ({ date }) => ({ csv: reportCsv(await this.reconcile(date)) }),
      'demo:offlineCode': async ({ wallet, variant }) => {
        live();
        const w = await this.demoWallet(wallet);
        const now = Date.now();
        let code: string;
        if (variant === 'replayed' && w.lastCode) code = w.lastCode;
        else if (variant === 'future') code = w.wallet.codeWith({ codeTimeMs: now + 10 * 60_000, counter: w.wallet.counter + 1 });
        else if (variant === 'stale') code = w.wallet.codeWith({ codeTimeMs: now - 10 * 60_000, counter: w.wallet.counter + 1 });
        else {
          code = w.wallet.nextCode(now);
          w.lastCode = code;
          if (variant === 'tampered') {
            const i = 200;
            code = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
          }
        }
        return { code, walletTail: w.wallet.walletId.slice(-4), counter: w.wallet.counter };
      },
      'demo:network': async ({ preset, rttMs, bandwidthKbit, lossPct }) => {
        const d = live();
        if (preset) d.link.setProfile(LINK_PRESETS[preset]);
        const patch: Partial<typeof d.link.profile> = {};
        if (rttMs !== undefined) patch.rttMs = rttMs;
        if (bandwidthKbit !== undefined) patch.bandwidthBps = Math.round((bandwidthKbit * 1000) / 8);
        if (lossPct !== undefined) patch.loss = lossPct / 100;
        d.link.setProfile(patch);
        // The next call (a charge scanned right after 断网) meets the link as switched.
        await d.link.settled();
        // The app should react to the trainer's switch at once, as it would to a real link; a link
        // switched off is offline at once, not 信号弱 until a second probe fails.
        if (!d.link.profile.up) this.deps.connectivity.linkDown();
        this.deps.connectivity.probeNow();
        const p = d.link.profile;
        return { up: p.up, rttMs: p.rttMs, bandwidthKbit: p.bandwidthBps ? Math.round((p.bandwidthBps * 8) / 1000) : null, lossPct: p.loss * 100 };
      },
    };
  }

  async reconcile(date: string) {
    if (!this.client) throw OfflineServiceErrors.noAcquirer();
    let st;
    try {
      st = await this.client.statement(this.deps.config.terminalId, date);
    } catch (e) {
      if (e instanceof TransportError) throw OfflineServiceErrors.unreachable();
      throw e;
    }
    return reconcile(date, await this.store.itemsOfDay(date), st.lines);
  }

  async close(): Promise<void> {
    this.forwarder?.stop();
    // Accepts already queued finish (the database is still open), then the verification threads end.
    await this.store.close();
    this.deps.connectivity.stopProbes();
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.unsubscribe?.();
    this.client?.close();
    this.refunds?.close();
    if (this.demo) {
      await this.demo.link.stop();
      await this.demo.server.close();
      await this.demo.acquirerDb.close();
    }
  }
}
