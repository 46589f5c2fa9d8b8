/**
 * Builds the payment side for the composition root (core/app.ts), so app.ts only calls this:
 * the acquirer adapter (demo: the embedded simulator on 127.0.0.1 with an ephemeral port,
 * reached over real HTTP through the same adapter as a remote acquirer; otherwise the saved
 * connection's address and signing key, or the configured URL with the terminal key from the
 * platform's secret store; a live counter not yet connected refuses online payments plainly),
 * the engine, its handlers, recovery on start and the sweeper.
 *
 * A remote connection sits behind core/acquirer/switchable.ts, so an installer's new connection
 * replaces it while the app runs (`relink`, called by core/settings/acquirer-profile.ts inside
 * the link gate); the embedded simulator is demo mode's own and is never replaced at run time.
 *
 * Demo mode: every exchange of the till with the embedded simulator (pay, query, cancel,
 * refund, refund query, precreate, statement, face) crosses the trainer's link (`demoLink`,
 * core/offline/link-emulator.ts, the one the offline routes and the probes cross), so 断网 stops
 * a charge before its request leaves and 信号弱 slows it. Only the trainer's own controls and
 * the customers' phones (SimulatorControl) reach the simulator directly: they are not the till's link.
 */
import path from 'node:path';
import type { Handlers } from '../api/contract';
import { SimulatorControl } from '../acquirer/simulator/control-client';
import { startSimulator, type Simulator } from '../acquirer/simulator/server';
import { SandboxAcquirer } from '../acquirer/sandbox/adapter';
import { LinkGate, SwitchableAcquirer, UnconnectedAcquirer } from '../acquirer/switchable';
import type { Acquirer, AcquirerTimings, OfflineRefunds } from '../acquirer/types';
import { FaceErrors } from '../face/handlers';
import type { OperatorService } from '../auth/operators';
import type { AppConfig } from '../config';
import type { ConnectivityMonitor } from '../connectivity/monitor';
import type { EventBus } from '../events';
import type { Platform } from '../platform';
import type { Db } from '../store/db';
import { faceHandlers } from '../face/handlers';
import { DEFAULT_REFUND_APPROVAL_FEN, DEFAULT_REFUND_DAILY_APPROVAL_FEN, REFUND_APPROVAL_KEY, REFUND_DAILY_APPROVAL_KEY, storedFen } from '../settings/service';
import { paymentDemoHandlers } from './demo-handlers';
import { PaymentEngine, type OfflineHistory, type ServiceHistory } from './engine';
import { paymentHandlers } from './handlers';
import { openPayments, openRefunds } from './recovery';

export interface PaymentSide {
  engine: PaymentEngine;
  handlers: ReturnType<typeof paymentHandlers> & ReturnType<typeof paymentDemoHandlers>;
  /** Face payment (core/face/): identification at the same acquirer, then an `fp…` code charged as usual. */
  face: Omit<ReturnType<typeof faceHandlers>, 'close' | 'relink'>;
  /** The embedded simulator (demo mode only). */
  simulator: Simulator | null;
  /** Payments and refunds not final: they belong to the connection they were sent on. */
  openWork(): Promise<{ payments: number; refunds: number }>;
  /**
   * Moves the engine, face payment and (demo) the simulator's controls to another connection
   * of this terminal id. Inside the link gate's hold only; never for the embedded simulator.
   */
  relink(link: { endpoint: string; terminalId: string; signingKey: string }, timings: AcquirerTimings): void;
  /** Moves the engine to the counter's wallet acquirers (core/acquirer/routing.ts). Inside the link gate's hold only. */
  useWallets(next: Acquirer & { close?(): void }): void;
  close(): Promise<void>;
}

/** Name of the terminal key in the platform's secret store (live mode). */
export const ACQUIRER_KEY_SECRET = 'acquirer.terminalKey';

export async function createPaymentSide(deps: {
  config: AppConfig;
  db: Db;
  bus: EventBus;
  platform: Platform;
  operators: OperatorService;
  connectivity: ConnectivityMonitor;
  /** Offline-code payments (core/offline's store), so history and refunds see them. */
  offline?: OfflineHistory;
  /** The acquirer's offline routes (core/offline's service), for refunds of confirmed offline payments. */
  offlineRefunds?: OfflineRefunds | null;
  /** The service point's bills and withdrawal records (core/agent/history.ts), for history and detail. */
  service?: ServiceHistory;
  /** Every money call to a remote acquirer passes it (shared with the forwarder; core/acquirer/switchable.ts). */
  gate: LinkGate;
  /** The saved connection's signing key (core/settings/acquirer-profile.ts); absent: the secret store's `acquirer.terminalKey`. */
  signingKey?: string;
  /** A live counter's saved wallet connections (Alipay, WeChat Pay: core/settings/wallet-profile.ts), used where no sandbox connection is. */
  wallets?: Acquirer & { close?(): void };
  /**
   * The trainer's link (core/offline's service, `demo.link`): required with the embedded
   * simulator, which the till reaches only through it. `route` returns the local port.
   */
  demoLink?: { route(targetPort: number, targetHost?: string): Promise<number> };
}): Promise<PaymentSide> {
  const { config } = deps;
  let simulator: Simulator | null = null;
  let link: { baseUrl: string; key: string | (() => Promise<string | null>) } | null = null;
  if (config.acquirer.kind === 'embedded') {
    simulator = await startSimulator({ file: path.join(config.dataDir, 'acquirer-sim.sqlite'), host: '127.0.0.1', port: 0 });
    // Never around the trainer's switch: without the link there is no demo acquirer at all.
    if (!deps.demoLink) {
      await simulator.close();
      throw new Error('the embedded simulator is reached only through the demo link (core/offline/service.ts)');
    }
    const port = await deps.demoLink.route(simulator.port);
    link = { baseUrl: `http://127.0.0.1:${port}`, key: await simulator.provisionTerminal(config.terminalId) };
  } else if (config.acquirer.kind === 'http') {
    link = { baseUrl: config.acquirer.baseUrl, key: deps.signingKey ?? (() => deps.platform.secrets.get(ACQUIRER_KEY_SECRET)) };
  }
  const training = config.mode === 'demo';
  const ca = deps.platform.acquirerCa;
  const sandbox = (l: { baseUrl: string; key: string | (() => Promise<string | null>) }, timings: AcquirerTimings) =>
    new SandboxAcquirer({
      baseUrl: l.baseUrl,
      terminalId: config.terminalId,
      key: l.key,
      training,
      timings,
      ca,
      probe: (step, _op, ms) => {
        if (step === 'round_trip') deps.connectivity.ok(ms ?? 0);
        else if (step === 'transport_failed') deps.connectivity.failed();
      },
    });
  const switchable = simulator ? null : new SwitchableAcquirer(deps.gate, link ? sandbox(link, config.acquirerTimings) : (deps.wallets ?? new UnconnectedAcquirer(config.acquirerTimings)));
  const acquirer = switchable ?? sandbox(link!, config.acquirerTimings);
  // The dual-control thresholds are settings of the terminal (changing them is itself an
  // audited, approved action, core/settings); the defaults until one is set.
  const refundApprovalFen = await storedFen(deps.db, REFUND_APPROVAL_KEY, DEFAULT_REFUND_APPROVAL_FEN);
  const refundDailyApprovalFen = await storedFen(deps.db, REFUND_DAILY_APPROVAL_KEY, DEFAULT_REFUND_DAILY_APPROVAL_FEN);
  const engine = new PaymentEngine({
    refundApprovalFen,
    refundDailyApprovalFen,
    db: deps.db,
    bus: deps.bus,
    acquirer,
    terminalId: config.terminalId,
    training,
    subject: config.merchantName,
    approve: (id, pin) => deps.operators.approve(id, pin),
    operatorName: async (id) => (await deps.operators.list()).find((o) => o.id === id)?.name ?? null,
    offline: deps.offline,
    offlineRefunds: deps.offlineRefunds ?? undefined,
    service: deps.service,
  });
  // The trainer's and the phones' side of the simulator: straight to it, whatever the link does.
  const control = training && link ? new SimulatorControl({ baseUrl: simulator?.url ?? link.baseUrl, terminalId: config.terminalId, key: link.key, ca }) : null;
  // Recovery runs in the background: the till opens at once, and a new charge is refused
  // ("one at a time") until any charge left open by a crash is resolved.
  void engine.recover().catch((e) => console.error('[payments] recovery failed; the sweeper will retry', e));
  engine.startSweeper();
  const handlers: Pick<Handlers, keyof PaymentSide['handlers']> = { ...paymentHandlers(engine), ...paymentDemoHandlers(config.mode, control) };
  let face = link ? faceHandlers(config.mode, { baseUrl: link.baseUrl, terminalId: config.terminalId, key: link.key, timeoutMs: config.acquirerTimings.requestTimeoutMs, ca }) : null;
  // Stable functions for the contract, whichever connection is current (none: face payment is unavailable).
  const current = () => {
    if (!face) throw FaceErrors.unavailable();
    return face;
  };
  return {
    engine,
    handlers,
    face: {
      'face:identify': (input, ctx) => current()['face:identify'](input, ctx),
      'face:confirm': (input, ctx) => current()['face:confirm'](input, ctx),
      'demo:faceEnrol': (input, ctx) => current()['demo:faceEnrol'](input, ctx),
    },
    simulator,
    async openWork() {
      return { payments: (await openPayments(engine.env)).length, refunds: (await openRefunds(engine.env)).length };
    },
    relink(next, timings) {
      if (!switchable) throw new Error('the embedded simulator is not replaced at run time');
      if (next.terminalId !== config.terminalId) throw new Error('a new terminal id takes effect at the next start');
      const l = { baseUrl: next.endpoint, key: next.signingKey, ca };
      switchable.replace(sandbox(l, timings));
      const faceLink = { ...l, terminalId: config.terminalId, timeoutMs: timings.requestTimeoutMs };
      if (face) face.relink(faceLink);
      else face = faceHandlers(config.mode, faceLink);
      control?.relink({ ...l, terminalId: config.terminalId });
    },
    useWallets(next) {
      if (!switchable) throw new Error('the embedded simulator is not replaced at run time');
      switchable.replace(next);
    },
    async close() {
      await engine.stop();
      acquirer.close();
      face?.close();
      control?.close();
      await simulator?.close();
    },
  };
}
