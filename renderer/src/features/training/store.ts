/**
 * The running lesson as the core reports it, and the trainer's actions. The core's lesson engine
 * is the only judge of a step: this store starts calls and follows `training:changed`; it never
 * marks anything done itself. On `demo:resetDone` every window reloads, so no screen keeps
 * showing practice data that no longer exists.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LessonSummary, TrainingState } from '../../../../core/api/training';
import { listen, send } from '../../api/client';

const IDLE: TrainingState = {
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

export const useTrainingStore = defineStore('training', () => {
  const state = ref<TrainingState>(IDLE);
  const lessons = ref<LessonSummary[]>([]);
  const running = computed(() => state.value.lessonId !== null);
  const current = computed(() => (state.value.currentIndex === null ? null : state.value.steps[state.value.currentIndex] ?? null));

  let stops: Array<() => void> = [];
  async function load(): Promise<void> {
    if (!stops.length) {
      stops = [
        listen('training:changed', (s) => (state.value = s)),
        listen('demo:resetDone', () => window.location.reload()),
      ];
    }
    state.value = await send('training:state', {});
  }
  async function loadLessons(): Promise<void> {
    lessons.value = await send('training:lessons', {});
  }
  async function start(lessonId: string): Promise<void> {
    state.value = await send('training:start', { lessonId });
  }
  async function answer(stepId: string, choiceId: string): Promise<void> {
    state.value = await send('training:answer', { stepId, choiceId });
  }
  async function abort(): Promise<void> {
    state.value = await send('training:abort', {});
  }
  async function reset(): Promise<void> {
    await send('demo:reset', { confirm: true });
  }

  return { state, lessons, running, current, load, loadLessons, start, answer, abort, reset };
});
