/**
 * Demo and training mode as the UI sees it: the scripted lessons a trainer runs, the state of
 * the running lesson (which step, what the trainee did wrong, the summary), and the one-action
 * reset of the training data. The lesson engine (core/training/) is the authority: it decides
 * whether a step is done from what the core actually observed (events and call results), never
 * from what the UI claims.
 *
 * Every method here is refused in live mode (code `training.live_mode`): a live terminal has no
 * lessons and nothing to reset.
 *
 * Step statuses: `pending` (not reached), `current` (the trainee is on it), `done`.
 * Feedback kinds:
 * - `good`     the step was done as taught
 * - `wrong`    a wrong move: what went wrong and what to do instead
 * - `expected` a refusal the lesson wanted the trainee to meet (a limit, a missing approval)
 * - `setup`    the engine could not prepare the step (a module is missing): says which, plainly
 */
import { z } from 'zod';
import { Empty, Id, method, Ok, Role } from './define';
import { Message } from './payments';

export const TRAINING_ROLES = ['trainer', 'cashier', 'supervisor', 'agent', 'admin'] as const;

export const QuizChoice = z.object({
  id: z.string(),
  label: Message,
  /**
   * A picture the UI draws for this choice: `dynamic_qr` (the terminal's own per-order QR on
   * the customer display, with amount and countdown) or `static_sticker` (a printed QR sticker
   * pasted over the shop's), each with the QR content to render.
   */
  picture: z.object({ kind: z.enum(['dynamic_qr', 'static_sticker']), content: z.string(), amountFen: z.number().int().nullable() }).nullable(),
});
export type QuizChoice = z.infer<typeof QuizChoice>;

export const TrainingStep = z.object({
  id: z.string(),
  instruction: Message,
  /** A nudge shown under the instruction (where to click, which key). */
  hint: Message.nullable(),
  status: z.enum(['pending', 'current', 'done']),
  /** Quiz steps are answered with `training:answer`; others complete from observed actions. */
  quiz: z.object({ question: Message, choices: z.array(QuizChoice) }).nullable(),
});
export type TrainingStep = z.infer<typeof TrainingStep>;

export const Feedback = z.object({
  kind: z.enum(['good', 'wrong', 'expected', 'setup']),
  stepId: z.string().nullable(),
  message: Message,
  at: z.number().int(),
});
export type Feedback = z.infer<typeof Feedback>;

export const LessonSummary = z.object({
  id: z.string(),
  title: Message,
  goal: Message,
  /** Who the trainee logs in as for this lesson. */
  role: Role,
  stepCount: z.number().int(),
  /** False when a module the lesson needs is not installed yet; `missing` says which. */
  available: z.boolean(),
  missing: z.array(z.string()),
});
export type LessonSummary = z.infer<typeof LessonSummary>;

export const TrainingState = z.object({
  lessonId: z.string().nullable(),
  title: Message.nullable(),
  role: Role.nullable(),
  steps: z.array(TrainingStep),
  /** Index into `steps` of the current step; null when no lesson runs or it is complete. */
  currentIndex: z.number().int().nullable(),
  /** Newest last; at most the last 20. */
  feedback: z.array(Feedback),
  /** The wallet the customer-phone panel should show for this step (null: the trainee picks). */
  phoneWallet: z.string().nullable(),
  startedAt: z.number().int().nullable(),
  completed: z.boolean(),
  summary: z
    .object({
      durationMs: z.number().int().nonnegative(),
      stepsDone: z.number().int(),
      wrongMoves: z.number().int(),
      /** Each wrong move once, in the order made: what the trainer goes over afterwards. */
      mistakes: z.array(z.object({ stepId: z.string(), message: Message })),
      message: Message,
    })
    .nullable(),
});
export type TrainingState = z.infer<typeof TrainingState>;

export const IDLE_TRAINING: TrainingState = {
  lessonId: null,
  title: null,
  role: null,
  steps: [],
  currentIndex: null,
  feedback: [],
  phoneWallet: null,
  startedAt: null,
  completed: false,
  summary: null,
};

export const trainingMethods = {
  /** The scripted lessons, with whether each can run on this build. */
  'training:lessons': method({ input: Empty, output: z.array(LessonSummary), access: TRAINING_ROLES }),
  /**
   * Start a lesson (ending any running one): the engine performs its setup (network, faults,
   * the wallet on the phone panel) and begins observing the trainee.
   */
  'training:start': method({ input: z.object({ lessonId: Id }).strict(), output: TrainingState, access: TRAINING_ROLES }),
  /** The running lesson as it stands (the idle state when none runs). */
  'training:state': method({ input: Empty, output: TrainingState, access: 'public' }),
  /** Answer the current quiz step; a wrong answer is explained and the step stays current. */
  'training:answer': method({
    input: z.object({ stepId: Id, choiceId: Id }).strict(),
    output: TrainingState,
    access: TRAINING_ROLES,
  }),
  /** Stop the running lesson; the network and faults go back to normal. */
  'training:abort': method({ input: Empty, output: TrainingState, access: TRAINING_ROLES }),
  /**
   * Put the training data back to the seeded state: payments, refunds, outbox, float, the
   * simulator's wallets and orders. Enrolled demo faces stay (the class's set-up, not its
   * work). Demo mode only; it never opens or touches a live file.
   * Trainer, supervisor or admin: a cashier cannot wipe a class's work by mistake.
   */
  'demo:reset': method({ input: z.object({ confirm: z.literal(true) }).strict(), output: Ok, access: ['trainer', 'supervisor', 'admin'] }),
  /**
   * Demo mode only: this demo customer's wallet (`wallet`, the same number `demo:offlineCode`
   * takes) is found empty at the simulated acquirer, so their offline payments are declined
   * when forwarded — the "declined after forwarding" fault and lesson. Refused in live mode.
   */
  'demo:offlineDecline': method({
    input: z.object({ wallet: z.number().int().min(0).max(9) }).strict(),
    output: Ok,
    access: TRAINING_ROLES,
  }),
} as const;

export const trainingEvents = {
  /** The running lesson moved (a step done, a wrong move, completed, aborted). */
  'training:changed': TrainingState,
  /** The training data was reset: every window reloads what it shows. */
  'demo:resetDone': z.object({ at: z.number().int() }),
} as const;
