/**
 * The shape of a scripted lesson. A lesson is data: a title, a goal, the role the trainee logs
 * in as, and steps. Each step says what to tell the trainee (zh-CN and en), what the engine
 * prepares before it (the network, a fault, the wallet on the phone panel), what counts as done
 * (a Match over what the core observed), and which wrong moves to catch with a plain
 * explanation of what went wrong and what to do instead.
 */
import type { Role } from '../api/define';
import type { Message } from '../api/payments';
import type { QuizChoice } from '../api/training';
import type { Match } from './match';

/** A call the engine makes itself before a step (or after the lesson), through the contract. */
export interface SetupAction {
  call: string;
  input: unknown;
}

export interface WrongMove {
  when: Match;
  message: Message;
}

export interface QuizDef {
  question: Message;
  choices: readonly QuizChoice[];
  correct: string;
  /** Why each wrong choice is wrong, by choice id. */
  explain: Readonly<Record<string, Message>>;
  /** Said when the right choice is picked: the reason, so the answer is learned, not guessed. */
  because: Message;
}

export interface StepDef {
  id: string;
  instruction: Message;
  hint?: Message;
  setup?: readonly SetupAction[];
  /** The wallet the phone panel shows for this step (undefined: leave it as it is). */
  phoneWallet?: string | null;
  /** Done when any of these is observed. */
  done?: readonly Match[];
  /** What to say when done; default: a plain "well done". `expected` marks a refusal the lesson wanted. */
  doneFeedback?: { kind: 'good' | 'expected'; message: Message };
  /** Remember values of the observation that completed the step (the order number …). */
  remember?: ReadonlyArray<{ key: string; path: string }>;
  wrong?: readonly WrongMove[];
  /** Refusals the lesson wants the trainee to meet on this step: explained, but not the end of it. */
  expected?: readonly WrongMove[];
  /** Done at once if the logged-in operator already has one of these roles (the login step). */
  skipIfRole?: readonly Role[];
  quiz?: QuizDef;
}

export interface LessonDef {
  id: string;
  title: Message;
  goal: Message;
  role: Role;
  /** Contract methods the lesson cannot run without: it is shown unavailable until they exist. */
  needs: readonly string[];
  steps: readonly StepDef[];
  /** Wrong moves caught on any step of this lesson. */
  wrong?: readonly WrongMove[];
  /** Run when the lesson starts (before step one) and when it ends or is aborted. */
  prepare?: readonly SetupAction[];
  cleanup?: readonly SetupAction[];
  /** The lesson's point, repeated in the completion summary. */
  takeaway: Message;
}
