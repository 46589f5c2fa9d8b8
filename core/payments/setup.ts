/**
 * Builds the payment side for the composition root (core/app.ts), so app.ts only calls this:
 * the acquirer adapter (demo: the embedded simulator on 127.0.0.1 with an ephemeral port,
 * reached over real HTTP through the same adapter as a remote acquirer; live: the configured
 * URL with the terminal key from the platform's secret store), the engine, its handlers,
 * recovery on start and the sweeper.
 */
import path from 'node:path';
import type { Handlers } from '../api/contract';
import { SimulatorControl } from '../acquirer/simulator/control-client';
import { startSimulator, type Simulator } from '../acquirer/simulator/server';
import { SandboxAcquirer } from '../acquirer/sandbox/adapter';
import { DEFAULT_TIMINGS, DEMO_TIMINGS } from '../acquirer/types';
import type { OperatorService } from '../auth/operators';
import type { AppConfig } from '../config';
import type { ConnectivityMonitor } from '../connectivity/monitor';
import type { EventBus } from '../events';
import type { Platform } from '../platform';
import type { Db } from '../store/db';
import { faceHandlers } from '../face/handlers';
import { paymentDemoHandlers } from './demo-handlers';
import { PaymentEngine, type OfflineHistory } from './engine';
import { paymentHandlers } from './handlers';

export interface PaymentSide {
  engine: PaymentEngine;
  handlers: ReturnType<typeof paymentHandlers> & ReturnType<typeof paymentDemoHandlers>;
  /** Face payment (core/face/): identification at the same acquirer, then an `fp…` code charged as usual. */
  face: Omit<ReturnType<typeof faceHandlers>, 'close'>;
  /** The embedded simulator (demo mode only). */
  simulator: Simulator | null;
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
}): Promise<PaymentSide> {
  const { config } = deps;
  let simulator: Simulator | null = null;
  let baseUrl: string;
  let key: string | (() => Promise<string | null>);
  if (config.acquirer.kind === 'embedded') {
    simulator = await startSimulator({ file: path.join(config.dataDir, 'acquirer-sim.sqlite'), host: '127.0.0.1', port: 0 });
    baseUrl = simulator.url;
    key = await simulator.provisionTerminal(config.terminalId);
  } else {
    baseUrl = config.acquirer.baseUrl;
    key = () => deps.platform.secrets.get(ACQUIRER_KEY_SECRET);
  }
  const training = config.mode === 'demo';
  const acquirer = new SandboxAcquirer({
    baseUrl,
    terminalId: config.terminalId,
    key,
    training,
    timings: config.acquirer.kind === 'embedded' ? DEMO_TIMINGS : DEFAULT_TIMINGS,
    probe: (step, _op, ms) => {
      if (step === 'round_trip') deps.connectivity.ok(ms ?? 0);
      else if (step === 'transport_failed') deps.connectivity.failed();
    },
  });
  // The dual-control threshold is a setting of the terminal (changing it is itself an
  // audited, approved action elsewhere); ¥100.00 until one is set.
  const threshold = await deps.db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'payments.refund_approval_fen'");
  const refundApprovalFen = threshold && /^\d{1,9}$/.test(threshold.value) ? Number(threshold.value) : undefined;
  const engine = new PaymentEngine({
    refundApprovalFen,
    db: deps.db,
    bus: deps.bus,
    acquirer,
    terminalId: config.terminalId,
    training,
    subject: config.merchantName,
    approve: (id, pin) => deps.operators.approve(id, pin),
    offline: deps.offline,
  });
  const control = training ? new SimulatorControl({ baseUrl, terminalId: config.terminalId, key }) : null;
  // Recovery runs in the background: the till opens at once, and a new charge is refused
  // ("one at a time") until any charge left open by a crash is resolved.
  void engine.recover().catch((e) => console.error('[payments] recovery failed; the sweeper will retry', e));
  engine.startSweeper();
  const handlers: Pick<Handlers, keyof PaymentSide['handlers']> = { ...paymentHandlers(engine), ...paymentDemoHandlers(config.mode, control) };
  const face = faceHandlers(config.mode, { baseUrl, terminalId: config.terminalId, key });
  return {
    engine,
    handlers,
    face,
    simulator,
    async close() {
      await engine.stop();
      acquirer.close();
      face.close();
      control?.close();
      await simulator?.close();
    },
  };
}
