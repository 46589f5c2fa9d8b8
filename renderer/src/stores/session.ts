/**
 * The logged-in operator, kept in step with the core's `session:changed` (idle lock included).
 * The core locks an idle session on the next call it receives; a timer makes that call when
 * the lock is due, so the screen locks on time even when nobody touches it.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Operator, SessionState } from '../../../core/api/session';
import { listen, send } from '../api/client';

export const useSessionStore = defineStore('session', () => {
  const operator = ref<Operator | null>(null);
  const operators = ref<Operator[]>([]);
  /** True when the last session ended by the idle lock, not by logging out. */
  const lockedByIdle = ref(false);
  const loggedIn = computed(() => operator.value !== null);

  let timer: ReturnType<typeof setTimeout> | null = null;
  function apply(s: SessionState): void {
    if (operator.value && !s.operator) lockedByIdle.value = true;
    operator.value = s.operator;
    if (timer) clearTimeout(timer);
    timer = null;
    if (s.operator && s.lockAt) {
      timer = setTimeout(() => void send('session:current', {}).then(apply).catch(() => undefined), Math.max(0, s.lockAt - Date.now()) + 1000);
    }
  }

  let stop: (() => void) | null = null;
  async function load(): Promise<void> {
    apply(await send('session:current', {}));
    operators.value = await send('session:operators', {});
    stop ??= listen('session:changed', apply);
  }

  async function login(operatorId: string, pin: string): Promise<void> {
    const s = await send('session:login', { operatorId, pin });
    lockedByIdle.value = false;
    apply(s);
  }

  async function logout(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    operator.value = null;
    lockedByIdle.value = false;
    await send('session:logout', {});
  }

  return { operator, operators, loggedIn, lockedByIdle, load, login, logout };
});
