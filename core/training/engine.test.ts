import { describe, expect, it } from 'vitest';
import type { Role } from '../api/define';
import type { RpcResult } from '../api/dispatcher';
import type { TrainingState } from '../api/training';
import { EventBus } from '../events';
import { LessonEngine } from './engine';
import type { LessonDef } from './lesson';
import { LESSONS } from './lessons';

const m = (s: string) => ({ zh: `中${s}`, en: s });

const payment = (over: Record<string, unknown>) => ({
  orderNo: 'ORDER0001',
  amountFen: 1250,
  tender: 'wechat',
  state: 'succeeded',
  maskedCode: null,
  message: m('paid'),
  error: null,
  createdAt: 1,
  updatedAt: 1,
  refundedFen: 0,
  training: true,
  qr: null,
  cash: null,
  creditName: null,
  operatorId: 'cashier1',
  ...over,
});

const lesson: LessonDef = {
  id: 'test-lesson',
  title: m('title'),
  goal: m('goal'),
  role: 'cashier',
  needs: ['payments:charge'],
  prepare: [{ call: 'demo:network', input: { preset: 'online' } }],
  cleanup: [{ call: 'demo:network', input: { preset: 'online' } }],
  steps: [
    { id: 'login', instruction: m('log in'), skipIfRole: ['cashier'], done: [{ event: 'session:changed', where: { 'operator.role': 'cashier' } }] },
    {
      id: 'offline',
      instruction: m('accept offline'),
      setup: [{ call: 'demo:network', input: { preset: 'offline' } }],
      phoneWallet: 'W1',
      done: [{ call: 'offline:accept', ok: true }],
      remember: [{ key: 'order', path: 'orderNo' }],
      wrong: [{ when: { call: 'payments:charge' }, message: m('online code while offline') }],
    },
    {
      id: 'forwarded',
      instruction: m('wait for forwarding'),
      done: [{ event: 'payments:changed', where: { state: 'succeeded', orderNo: { mem: 'order' } } }],
      expected: [{ when: { call: 'outbox:sendNow', ok: false }, message: m('still offline') }],
    },
    {
      id: 'quiz',
      instruction: m('answer'),
      quiz: {
        question: m('which?'),
        choices: [
          { id: 'a', label: m('A'), picture: null },
          { id: 'b', label: m('B'), picture: null },
        ],
        correct: 'a',
        explain: { b: m('B is the sticker') },
        because: m('A is dynamic'),
      },
    },
  ],
  takeaway: m('takeaway'),
};

function setup(opts: { role?: Role | null; has?: (m: string) => boolean; lessons?: readonly LessonDef[] } = {}) {
  const bus = new EventBus();
  const performed: Array<[string, unknown]> = [];
  const emitted: TrainingState[] = [];
  bus.subscribe((name, payload) => {
    if (name === 'training:changed') emitted.push(payload as TrainingState);
  });
  let t = 1_000;
  const engine = new LessonEngine({
    bus,
    lessons: opts.lessons ?? [lesson],
    perform: async (method, input): Promise<RpcResult> => {
      performed.push([method, input]);
      return { ok: true, value: { ok: true } };
    },
    hasMethod: opts.has ?? (() => true),
    currentRole: () => (opts.role === undefined ? 'cashier' : opts.role),
    now: () => (t += 1_000),
  });
  return { bus, engine, performed, emitted };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('lesson engine', () => {
  it('skips the login step when the trainee is already logged in with the lesson role, and prepares the first step', async () => {
    const { engine, performed } = setup();
    const s = await engine.start('test-lesson');
    expect(s.steps.map((x) => x.status)).toEqual(['done', 'current', 'pending', 'pending']);
    expect(s.phoneWallet).toBe('W1');
    expect(performed).toEqual([
      ['demo:network', { preset: 'online' }],
      ['demo:network', { preset: 'offline' }],
    ]);
  });

  it('waits for the login when nobody is logged in, and completes it from session:changed', async () => {
    const { engine, bus } = setup({ role: null });
    expect((await engine.start('test-lesson')).currentIndex).toBe(0);
    bus.emit('session:changed', { operator: { id: 'cashier1', name: 'x', role: 'cashier' }, lockAt: 1 });
    await tick();
    expect(engine.state().currentIndex).toBe(1);
  });

  it('tells the trainee what went wrong on a wrong move and keeps the step current', async () => {
    const { engine } = setup();
    await engine.start('test-lesson');
    engine.observe({ kind: 'result', method: 'payments:charge', ok: false, errorCode: 'payment.offline' });
    const s = engine.state();
    expect(s.currentIndex).toBe(1);
    expect(s.feedback.at(-1)).toMatchObject({ kind: 'wrong', stepId: 'offline', message: { en: 'online code while offline' } });
  });

  it('remembers the order of one step and only accepts that same order later', async () => {
    const { engine } = setup();
    await engine.start('test-lesson');
    engine.observe({ kind: 'result', method: 'offline:accept', ok: true, value: payment({ orderNo: 'OFF00001', state: 'accepted_offline' }) });
    await tick();
    expect(engine.state().currentIndex).toBe(2);
    engine.observe({ kind: 'event', name: 'payments:changed', payload: payment({ orderNo: 'OTHER0001' }) });
    await tick();
    expect(engine.state().currentIndex).toBe(2);
    engine.observe({ kind: 'event', name: 'payments:changed', payload: payment({ orderNo: 'OFF00001' }) });
    await tick();
    expect(engine.state().currentIndex).toBe(3);
  });

  it('notes an expected refusal without completing the step', async () => {
    const { engine } = setup();
    await engine.start('test-lesson');
    engine.observe({ kind: 'result', method: 'offline:accept', ok: true, value: payment({ orderNo: 'OFF00001' }) });
    await tick();
    engine.observe({ kind: 'result', method: 'outbox:sendNow', ok: false, errorCode: 'net.offline' });
    const s = engine.state();
    expect(s.currentIndex).toBe(2);
    expect(s.feedback.at(-1)?.kind).toBe('expected');
  });

  it('checks quiz answers in the core: explains a wrong one, completes on the right one with a summary', async () => {
    const { engine, performed } = setup();
    await engine.start('test-lesson');
    engine.observe({ kind: 'result', method: 'payments:charge', ok: true, value: payment({}) }); // a wrong move
    engine.observe({ kind: 'result', method: 'offline:accept', ok: true, value: payment({ orderNo: 'OFF00001' }) });
    await tick();
    engine.observe({ kind: 'event', name: 'payments:changed', payload: payment({ orderNo: 'OFF00001' }) });
    await tick();
    await expect(engine.answer('offline', 'a')).rejects.toMatchObject({ code: 'training.not_quiz' });
    await expect(engine.answer('quiz', 'zzz')).rejects.toMatchObject({ code: 'training.bad_choice' });
    let s = await engine.answer('quiz', 'b');
    expect(s.feedback.at(-1)).toMatchObject({ kind: 'wrong', message: { en: 'B is the sticker' } });
    expect(s.completed).toBe(false);
    s = await engine.answer('quiz', 'a');
    expect(s.completed).toBe(true);
    expect(s.currentIndex).toBeNull();
    expect(s.summary).toMatchObject({ stepsDone: 4, wrongMoves: 2, message: { en: 'takeaway' } });
    expect(s.summary?.mistakes.map((x) => x.stepId)).toEqual(['offline', 'quiz']);
    expect(performed.at(-1)).toEqual(['demo:network', { preset: 'online' }]); // cleanup ran
    await expect(engine.answer('quiz', 'a')).rejects.toMatchObject({ code: 'training.no_lesson' });
  });

  it('refuses to start a lesson whose module is missing, naming it', async () => {
    const { engine } = setup({ has: (x) => x !== 'payments:charge' });
    expect(engine.lessons()[0]).toMatchObject({ available: false, missing: ['payments:charge'] });
    await expect(engine.start('test-lesson')).rejects.toMatchObject({ code: 'training.lesson_unavailable' });
    expect(engine.state().lessonId).toBeNull();
  });

  it('reports setup it could not perform instead of pretending', async () => {
    const { engine } = setup({ has: (x) => x !== 'demo:network' });
    const s = await engine.start('test-lesson');
    expect(s.feedback.filter((f) => f.kind === 'setup').length).toBe(2);
    expect(s.feedback[0].message.en).toContain('demo:network');
  });

  it('ignores everything after an abort and runs the cleanup', async () => {
    const { engine, performed } = setup();
    await engine.start('test-lesson');
    const s = await engine.abort();
    expect(s.lessonId).toBeNull();
    expect(performed.at(-1)).toEqual(['demo:network', { preset: 'online' }]);
    engine.observe({ kind: 'result', method: 'offline:accept', ok: true, value: payment({}) });
    expect(engine.state().lessonId).toBeNull();
  });

  it('never lets an odd payload break the bus', async () => {
    const { engine } = setup();
    await engine.start('test-lesson');
    expect(() => engine.observe({ kind: 'result', method: 'offline:accept', ok: true, value: null })).not.toThrow();
    expect(() => engine.observe({ kind: 'event', name: 'payments:changed', payload: 'junk' })).not.toThrow();
  });

  it('pushes training:changed as the lesson moves', async () => {
    const { engine, emitted } = setup();
    await engine.start('test-lesson');
    engine.observe({ kind: 'result', method: 'payments:charge', ok: true, value: payment({}) });
    expect(emitted.length).toBeGreaterThanOrEqual(2);
    expect(emitted.at(-1)?.feedback.at(-1)?.kind).toBe('wrong');
  });
});

describe('the scripted lessons', () => {
  it('cover the seven lessons of issue 7, each bilingual with unique step ids', () => {
    expect(LESSONS.map((l) => l.id)).toEqual([
      'normal-payment',
      'password-payment',
      'offline-forward',
      'decline-follow-up',
      'refund-approval',
      'withdrawal-limit',
      'fake-static-qr',
    ]);
    for (const l of LESSONS) {
      expect(new Set(l.steps.map((s) => s.id)).size).toBe(l.steps.length);
      for (const msg of [l.title, l.goal, l.takeaway, ...l.steps.map((s) => s.instruction)]) {
        expect(msg.zh.length).toBeGreaterThan(0);
        expect(msg.en.length).toBeGreaterThan(0);
      }
      for (const s of l.steps) {
        // A step must be completable by something the core observes, or by a quiz answer.
        expect((s.done?.length ?? 0) > 0 || s.quiz !== undefined).toBe(true);
        if (s.quiz) expect(s.quiz.choices.some((c) => c.id === s.quiz?.correct)).toBe(true);
      }
    }
  });

  it('runs the fake static QR quiz and catches the wrong answer', async () => {
    const { engine } = setup({ lessons: LESSONS });
    await engine.start('fake-static-qr');
    let s = await engine.answer('which-qr', 'sticker');
    expect(s.feedback.at(-1)?.kind).toBe('wrong');
    s = await engine.answer('which-qr', 'dynamic');
    s = await engine.answer('spot-sticker', 'edges');
    expect(s.steps[s.currentIndex ?? -1].id).toBe('scan-sticker');
    engine.observe({ kind: 'result', method: 'payments:charge', ok: false, errorCode: 'code.unrecognised' });
    await tick();
    engine.observe({ kind: 'result', method: 'payments:precreate', ok: true, value: payment({ state: 'awaiting_scan', tender: 'merchant_qr' }) });
    await tick();
    s = engine.state();
    expect(s.completed).toBe(true);
    expect(s.summary?.wrongMoves).toBe(1);
  });
});
