/**
 * Handlers of core/api/demo.ts: the simulator's customer side for trainers and tests. In live
 * mode there is no simulator, and every call is refused with `demo.only` before anything
 * else happens — a trainer's fault can never reach a real acquirer.
 */
import type { Handlers } from '../api/contract';
import type { Mode } from '../api/system';
import type { SimulatorControl } from '../acquirer/simulator/control-client';
import { PaymentErrors } from './errors';

type DemoHandlers = Pick<Handlers, 'demo:wallets' | 'demo:paymentCode' | 'demo:codeState' | 'demo:userPaying' | 'demo:payQr' | 'demo:fault'>;

export function paymentDemoHandlers(mode: Mode, control: SimulatorControl | null): DemoHandlers {
  const sim = (): SimulatorControl => {
    if (mode !== 'demo' || !control) throw PaymentErrors.liveOnlyDemo();
    return control;
  };
  /** Simulator refusals (no such order, not USERPAYING) become a plain AppError. */
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw PaymentErrors.demoUnavailable(e instanceof Error ? e.message.slice(0, 120) : 'unknown');
    }
  };
  return {
    'demo:wallets': async () => {
      const c = sim();
      const rows = await guard(() => c.wallets());
      return rows.map((w) => ({ id: w.id, name: w.name, balanceFen: w.balance_fen, needsPassword: w.needs_password === 1, scheme: w.scheme }));
    },
    'demo:paymentCode': async ({ walletId }) => {
      const c = sim();
      const r = await guard(() => c.issueCode(walletId));
      return { walletId, code: r.code, expiresAt: r.expiresAt };
    },
    'demo:codeState': async ({ code }) => {
      const c = sim();
      return { state: await guard(() => c.codeState(code)) };
    },
    'demo:userPaying': async ({ orderNo, confirm }) => {
      const c = sim();
      return { ok: true as const, tradeStatus: await guard(() => c.userPaying(orderNo, confirm)) };
    },
    'demo:payQr': async ({ orderNo, walletId }) => {
      const c = sim();
      return { ok: true as const, tradeStatus: await guard(() => c.payQr(orderNo, walletId)) };
    },
    'demo:fault': async ({ fault, op, times, latencyMs, reason, append }) => {
      const c = sim();
      if (fault === 'clear') {
        await guard(() => c.clearFaults());
        return { ok: true as const, scheduled: 0 };
      }
      await guard(() => c.setFaults([{ kind: fault, op, times, latencyMs, reason }], append));
      return { ok: true as const, scheduled: 1 };
    },
  };
}
