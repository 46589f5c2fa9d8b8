/**
 * The lesson engine: runs one scripted lesson at a time and decides, from what the core
 * observed, whether the trainee did the step, made a wrong move, or met the refusal the lesson
 * was built around.
 *
 * Invariants:
 * - The engine judges only observations: events on the bus and results of contract calls (the
 *   dispatcher's `onResult` hook). The UI cannot mark a step done; a quiz answer is checked here.
 * - Its own setup calls go through a separate path (`perform`) that is not observed, so the
 *   engine never grades itself.
 * - An observation never throws back into the bus or the dispatcher: a broken lesson must not
 *   break a payment.
 * - Setup that cannot run (a module not installed yet) is reported as `setup` feedback naming
 *   the call; the engine never pretends it happened.
 */
import type { Role } from '../api/define';
import type { RpcResult } from '../api/dispatcher';
import type { Message } from '../api/payments';
import { IDLE_TRAINING, type Feedback, type LessonSummary, type TrainingState } from '../api/training';
import type { EventBus } from '../events';
import type { LessonDef, SetupAction, StepDef } from './lesson';
import { TrainingErrors } from './errors';
import { matches, observedValue, type Memory, type Observation } from './match';

export interface EngineDeps {
  bus: EventBus;
  lessons: readonly LessonDef[];
  /** Makes a contract call on the lesson's behalf (validated like any call, not observed). */
  perform: (method: string, input: unknown) => Promise<RpcResult>;
  /** Whether the contract has this method (a module may not have landed in this build). */
  hasMethod: (method: string) => boolean;
  currentRole: () => Role | null;
  now?: () => number;
}


const WELL_DONE: Message = { zh: '做得对！', en: 'Well done!' };
const MAX_FEEDBACK = 20;

interface Running {
  lesson: LessonDef;
  index: number;
  done: boolean[];
  feedback: Feedback[];
  mistakes: Array<{ stepId: string; message: Message }>;
  /** Every wrong move counts, even a repeated one (the feedback list is trimmed). */
  wrongCount: number;
  memory: Memory;
  phoneWallet: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** Bumped on every start/abort so a slow setup of an old lesson cannot touch a new one. */
  generation: number;
}

export class LessonEngine {
  private run: Running | null = null;
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    deps.bus.subscribe((name, payload) => {
      // Our own event would otherwise be observed as a trainee action.
      if (name === 'training:changed') return;
      this.observe({ kind: 'event', name, payload });
    });
  }

  lessons(): LessonSummary[] {
    return this.deps.lessons.map((l) => {
      const missing = this.missing(l);
      return {
        id: l.id,
        title: l.title,
        goal: l.goal,
        role: l.role,
        stepCount: l.steps.length,
        available: missing.length === 0,
        missing,
      };
    });
  }

  state(): TrainingState {
    const r = this.run;
    if (!r) return { ...IDLE_TRAINING };
    const complete = r.finishedAt !== null;
    return {
      lessonId: r.lesson.id,
      title: r.lesson.title,
      role: r.lesson.role,
      steps: r.lesson.steps.map((s, i) => ({
        id: s.id,
        instruction: s.instruction,
        hint: s.hint ?? null,
        status: r.done[i] ? 'done' : i === r.index && !complete ? 'current' : 'pending',
        quiz: s.quiz ? { question: s.quiz.question, choices: [...s.quiz.choices] } : null,
      })),
      currentIndex: complete ? null : r.index,
      feedback: [...r.feedback],
      phoneWallet: r.phoneWallet,
      startedAt: r.startedAt,
      completed: complete,
      summary: complete
        ? {
            durationMs: Math.max(0, (r.finishedAt ?? r.startedAt) - r.startedAt),
            stepsDone: r.done.filter(Boolean).length,
            wrongMoves: r.wrongCount,
            mistakes: [...r.mistakes],
            message: r.lesson.takeaway,
          }
        : null,
    };
  }

  async start(lessonId: string): Promise<TrainingState> {
    const lesson = this.deps.lessons.find((l) => l.id === lessonId);
    if (!lesson) throw TrainingErrors.unknownLesson();
    const missing = this.missing(lesson);
    if (missing.length > 0) throw TrainingErrors.unavailable(missing);
    if (this.run) await this.finish(this.run, false);
    const generation = ++this.generation;
    const run: Running = {
      lesson,
      index: 0,
      done: lesson.steps.map(() => false),
      feedback: [],
      mistakes: [],
      wrongCount: 0,
      memory: new Map(),
      phoneWallet: null,
      startedAt: this.now(),
      finishedAt: null,
      generation,
    };
    this.run = run;
    await this.perform(run, lesson.prepare ?? [], null);
    await this.enterStep(run);
    this.emit();
    return this.state();
  }

  async abort(): Promise<TrainingState> {
    const r = this.run;
    if (!r) return this.state();
    this.generation++;
    this.run = null;
    await this.finish(r, false);
    this.emit();
    return this.state();
  }

  async answer(stepId: string, choiceId: string): Promise<TrainingState> {
    const r = this.run;
    if (!r || r.finishedAt !== null) throw TrainingErrors.noLesson();
    const step = r.lesson.steps[r.index];
    if (!step?.quiz || step.id !== stepId) throw TrainingErrors.notQuiz();
    if (!step.quiz.choices.some((c) => c.id === choiceId)) throw TrainingErrors.badChoice();
    if (choiceId === step.quiz.correct) {
      await this.complete(r, step, { kind: 'good', message: step.quiz.because });
    } else {
      this.wrongMove(r, step, step.quiz.explain[choiceId] ?? { zh: '这个答案不对，再想一想。', en: 'That is not right; think again.' });
    }
    this.emit();
    return this.state();
  }

  /** Called for every event on the bus and every contract call's result. Never throws. */
  observe(o: Observation): void {
    try {
      this.observeUnsafe(o);
    } catch (e) {
      console.error('[training] observation failed:', e instanceof Error ? e.message : e);
    }
  }

  private observeUnsafe(o: Observation): void {
    const r = this.run;
    if (!r || r.finishedAt !== null) return;
    const step = r.lesson.steps[r.index];
    if (!step) return;
    const hit = (step.done ?? []).find((m) => matches(m, o, r.memory));
    if (hit) {
      for (const m of step.remember ?? []) {
        const v = observedValue(o, m.path);
        if (v !== undefined) r.memory.set(m.key, v);
      }
      void this.complete(r, step, step.doneFeedback ?? { kind: 'good', message: WELL_DONE }).then(() => this.emit());
      return;
    }
    const moment = (step.expected ?? []).find((w) => matches(w.when, o, r.memory));
    if (moment) {
      this.push(r, { kind: 'expected', stepId: step.id, message: moment.message, at: this.now() });
      this.emit();
      return;
    }
    const wrong = [...(step.wrong ?? []), ...(r.lesson.wrong ?? [])].find((w) => matches(w.when, o, r.memory));
    if (wrong) {
      this.wrongMove(r, step, wrong.message);
      this.emit();
    }
  }

  private wrongMove(r: Running, step: StepDef, message: Message): void {
    this.push(r, { kind: 'wrong', stepId: step.id, message, at: this.now() });
    r.wrongCount += 1;
    if (!r.mistakes.some((m) => m.stepId === step.id && m.message.en === message.en)) r.mistakes.push({ stepId: step.id, message });
  }

  private async complete(r: Running, step: StepDef, fb: { kind: 'good' | 'expected'; message: Message }): Promise<void> {
    const i = r.lesson.steps.indexOf(step);
    if (i < 0 || r.done[i]) return;
    r.done[i] = true;
    this.push(r, { kind: fb.kind, stepId: step.id, message: fb.message, at: this.now() });
    r.index = i + 1;
    await this.enterStep(r);
  }

  /** Makes the step at r.index current: skips login steps already satisfied, runs its setup. */
  private async enterStep(r: Running): Promise<void> {
    while (r.index < r.lesson.steps.length) {
      const step = r.lesson.steps[r.index];
      const role = this.deps.currentRole();
      if (step.skipIfRole && role && step.skipIfRole.includes(role)) {
        r.done[r.index] = true;
        r.index += 1;
        continue;
      }
      if (step.phoneWallet !== undefined) r.phoneWallet = step.phoneWallet;
      await this.perform(r, step.setup ?? [], step.id);
      return;
    }
    await this.finish(r, true);
  }

  private async finish(r: Running, completed: boolean): Promise<void> {
    if (r.finishedAt !== null) return;
    if (completed) r.finishedAt = this.now();
    await this.perform(r, r.lesson.cleanup ?? [], null, true);
  }

  private async perform(r: Running, actions: readonly SetupAction[], stepId: string | null, evenIfStale = false): Promise<void> {
    for (const a of actions) {
      if (!evenIfStale && r.generation !== this.generation) return;
      if (!this.deps.hasMethod(a.call)) {
        this.push(r, {
          kind: 'setup',
          stepId,
          message: {
            zh: `无法自动准备本步骤：尚未安装“${a.call}”。请培训师手动设置。`,
            en: `Could not prepare this step: “${a.call}” is not installed yet. The trainer sets it up by hand.`,
          },
          at: this.now(),
        });
        continue;
      }
      const res = await this.deps.perform(a.call, a.input);
      if (!res.ok) {
        this.push(r, {
          kind: 'setup',
          stepId,
          message: { zh: `无法自动准备本步骤（${a.call}）：${res.error.zh}`, en: `Could not prepare this step (${a.call}): ${res.error.en}` },
          at: this.now(),
        });
      }
    }
  }

  private missing(l: LessonDef): string[] {
    return l.needs.filter((m) => !this.deps.hasMethod(m));
  }

  private push(r: Running, f: Feedback): void {
    r.feedback.push(f);
    if (r.feedback.length > MAX_FEEDBACK) r.feedback.splice(0, r.feedback.length - MAX_FEEDBACK);
  }

  private emit(): void {
    this.deps.bus.emit('training:changed', this.state());
  }
}
