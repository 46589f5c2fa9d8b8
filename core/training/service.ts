/**
 * Training mode in the composition root: the lesson engine, the contract handlers of
 * core/api/training.ts and the reset. In live mode every handler refuses with
 * `training.live_mode` and no engine exists, so nothing of training can run on a live terminal.
 *
 * Wiring (core/app.ts): build with `createTraining`, spread `handlers` into the contract's
 * handlers, pass `observe` as the dispatcher's `onResult`, then call `attach(handlers)` so the
 * engine can make its setup calls (through a dispatcher of its own, with a trainer's rights,
 * whose results are not observed).
 */
import type { Role } from '../api/define';
import type { CallContext, Handlers } from '../api/contract';
import { createDispatcher, type Dispatcher, type RpcResult } from '../api/dispatcher';
import { isMethodName } from '../api/names';
import type { AppConfig } from '../config';
import type { EventBus } from '../events';
import type { Db } from '../store/db';
import { LessonEngine } from './engine';
import { TrainingErrors } from './errors';
import type { LessonDef } from './lesson';
import type { OfflineFault } from './offline-decline';
import { LESSONS } from './lessons';
import { assertDemoDatabase, emptyDemoDatabase } from './reset';

type TrainingHandlers = Pick<
  Handlers,
  'training:lessons' | 'training:start' | 'training:state' | 'training:answer' | 'training:abort' | 'demo:reset' | 'demo:offlineDecline'
>;

/** The identity the engine's own setup calls run under: never a person, never logged in. */
const ENGINE_OPERATOR: CallContext = { operator: { id: 'training-engine', name: '培训课程 / lesson engine', role: 'trainer' } };

export interface TrainingDeps {
  config: Pick<AppConfig, 'mode' | 'dataDir'>;
  bus: EventBus;
  db: Db;
  currentRole: () => Role | null;
  /** Writes the seeded practice shop again (operators …) after the tables were emptied. */
  reseed: () => Promise<void>;
  /**
   * Ends the session: the seeded state has nobody logged in, and every window, reloaded after
   * the reset, then agrees with the core (the login screen) instead of showing a stale operator.
   */
  logout: () => Promise<void>;
  /** Empties a demo customer's wallet at the simulated offline acquirer, and refills it on reset (offline-decline.ts). */
  offlineFault?: OfflineFault;
  lessons?: readonly LessonDef[];
  now?: () => number;
}

export interface Training {
  handlers: TrainingHandlers;
  observe: (method: string, result: RpcResult) => void;
  attach(handlers: Handlers): void;
  /**
   * Services that keep training data in memory or in another file (the simulator's database,
   * risk counters, caches) register here; each runs after the tables were emptied and reseeded.
   */
  onReset(hook: () => Promise<void>): void;
  engine: LessonEngine | null;
}

export function createTraining(deps: TrainingDeps): Training {
  if (deps.config.mode !== 'demo') {
    const refuse = async (): Promise<never> => {
      throw TrainingErrors.liveMode();
    };
    return {
      handlers: {
        'training:lessons': refuse,
        'training:start': refuse,
        'training:state': refuse,
        'training:answer': refuse,
        'training:abort': refuse,
        'demo:reset': refuse,
        'demo:offlineDecline': refuse,
      },
      observe: () => undefined,
      attach: () => undefined,
      onReset: () => undefined,
      engine: null,
    };
  }

  let performer: Dispatcher | null = null;
  const hooks: Array<() => Promise<void>> = [];
  const fault = deps.offlineFault;
  if (fault) hooks.push(() => fault.restore());
  const engine = new LessonEngine({
    bus: deps.bus,
    lessons: deps.lessons ?? LESSONS,
    perform: async (method, input) =>
      performer
        ? performer.dispatch(method, input)
        : { ok: false, error: TrainingErrors.noLesson().toShape() },
    hasMethod: isMethodName,
    currentRole: deps.currentRole,
    now: deps.now,
  });

  return {
    engine,
    handlers: {
      'training:lessons': async () => engine.lessons(),
      'training:start': ({ lessonId }) => engine.start(lessonId),
      'training:state': async () => engine.state(),
      'training:answer': ({ stepId, choiceId }) => engine.answer(stepId, choiceId),
      'training:abort': () => engine.abort(),
      'demo:reset': async () => {
        await engine.abort();
        // Checked before the logout, so a refused reset leaves the trainer logged in.
        await assertDemoDatabase({ config: deps.config, db: deps.db });
        await deps.logout();
        await emptyDemoDatabase({ config: deps.config, db: deps.db });
        await deps.reseed();
        for (const h of hooks) await h();
        deps.bus.emit('demo:resetDone', { at: (deps.now ?? Date.now)() });
        return { ok: true as const };
      },
      'demo:offlineDecline': async ({ wallet }) => {
        if (!deps.offlineFault) throw TrainingErrors.noOfflineDemo();
        await deps.offlineFault.decline(wallet);
        return { ok: true as const };
      },
    },
    observe: (method, result) =>
      engine.observe(result.ok ? { kind: 'result', method, ok: true, value: result.value } : { kind: 'result', method, ok: false, errorCode: result.error.code }),
    attach(handlers) {
      performer = createDispatcher({ handlers, context: () => ENGINE_OPERATOR });
    },
    onReset(hook) {
      hooks.push(hook);
    },
  };
}
