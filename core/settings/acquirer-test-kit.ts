/**
 * Tests of both shells' start-up: a training simulator and a connection saved to it through the
 * contract (admin proposes, supervisor approves), as an installer does on the screen.
 */
import path from 'node:path';
import type { Dispatcher } from '../api/dispatcher';
import { startSimulator, type Simulator } from '../acquirer/simulator/server';

export async function trainingAcquirer(dir: string): Promise<{ sim: Simulator; key: string }> {
  const sim = await startSimulator({ file: path.join(dir, 'acquirer-under-test.sqlite') });
  return { sim, key: await sim.provisionTerminal('T0001') };
}

/** Saves a connection to `a` with these timing overrides; throws with the refusal's code otherwise. */
export async function saveConnection(d: Dispatcher, a: { sim: Simulator; key: string }, timings: Record<string, number>): Promise<void> {
  const login = await d.dispatch('session:login', { operatorId: 'admin1', pin: '5555' });
  if (!login.ok) throw new Error(`login: ${login.error.code}`);
  const r = await d.dispatch('acquirer:save', {
    endpoint: a.sim.url, merchantId: 'M0001', terminalId: 'T0001', signingKey: a.key, offlineKey: a.key, timings,
    approverId: 'super1', approverPin: '2222',
  });
  if (!r.ok) throw new Error(`acquirer:save: ${r.error.code}`);
  await d.dispatch('session:logout', {});
}
