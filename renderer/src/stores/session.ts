/** The logged-in operator, kept in step with the core's `session:changed` (idle lock included). */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Operator } from '../../../core/api/session';
import { listen, send } from '../api/client';

export const useSessionStore = defineStore('session', () => {
  const operator = ref<Operator | null>(null);
  const operators = ref<Operator[]>([]);
  const loggedIn = computed(() => operator.value !== null);

  let stop: (() => void) | null = null;
  async function load(): Promise<void> {
    operator.value = (await send('session:current', {})).operator;
    operators.value = await send('session:operators', {});
    stop ??= listen('session:changed', (s) => {
      operator.value = s.operator;
    });
  }

  async function login(operatorId: string, pin: string): Promise<void> {
    operator.value = (await send('session:login', { operatorId, pin })).operator;
  }

  async function logout(): Promise<void> {
    await send('session:logout', {});
    operator.value = null;
  }

  return { operator, operators, loggedIn, load, login, logout };
});
