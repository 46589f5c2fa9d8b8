/**
 * The logged-in operator, kept in step with the core's `session:changed` (idle lock included).
 * The core locks an idle session on the next call it receives; a timer makes that call when
 * the lock is due, so the screen locks on time even when nobody touches it. A session that
 * ends says why (`ended`): the idle lock, or a logout / login in another window — the login
 * screen's notice says which, never "locked after inactivity" for the other.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Operator, SessionState } from '../../../core/api/session';
import { listen, send } from '../api/client';
import { notePageLockAt } from '../api/transport';

export const useSessionStore = defineStore('session', () => {
  const operator = ref<Operator | null>(null);
  const operators = ref<Operator[]>([]);
  /** True when the last session ended by the idle lock, not by logging out. */
  const lockedByIdle = ref(false);
  /** True when the last session ended in another window (a logout there, or a login there). */
  const endedElsewhere = ref(false);
  const loggedIn = computed(() => operator.value !== null);

  let timer: ReturnType<typeof setTimeout> | null = null;
  function apply(s: SessionState): void {
    if (operator.value && !s.operator) {
      // No reason: the lock timer's own session:current found it locked, i.e. the idle lock.
      const elsewhere = s.ended === 'logout' || s.ended === 'elsewhere';
      lockedByIdle.value = !elsewhere;
      endedElsewhere.value = elsewhere;
    }
    operator.value = s.operator;
    notePageLockAt(s.operator ? s.lockAt : null);
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
    endedElsewhere.value = false;
    apply(s);
  }

  /** First run of a live counter: the first administrator, then logged in as them. */
  async function setup(input: { id: string; name: string; pin: string; pinAgain: string }): Promise<void> {
    const s = await send('session:setup', input);
    lockedByIdle.value = false;
    endedElsewhere.value = false;
    apply(s);
    await refreshOperators();
  }

  /** Log in choosing a new PIN (after an administrator reset the old one). */
  async function changePin(operatorId: string, pin: string, newPin: string, newPinAgain: string): Promise<void> {
    const s = await send('session:changePin', { operatorId, pin, newPin, newPinAgain });
    lockedByIdle.value = false;
    endedElsewhere.value = false;
    apply(s);
  }

  /** The login tiles and the approvers' list follow an administrator's changes. */
  async function refreshOperators(): Promise<void> {
    operators.value = await send('session:operators', {});
  }

  async function logout(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    operator.value = null;
    lockedByIdle.value = false;
    endedElsewhere.value = false;
    notePageLockAt(null);
    await send('session:logout', {});
  }

  return { operator, operators, loggedIn, lockedByIdle, endedElsewhere, load, login, setup, changePin, refreshOperators, logout };
});
