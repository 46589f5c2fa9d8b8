/**
 * Named points where the AML crash tests kill the process (SIGKILL, no cleanup, like a power
 * cut). Inert unless VC_AML_CRASH_AT names the point:
 *   aml.before-step    a movement is committed, the watcher has not started reading it
 *   aml.before-commit  the watcher has written the movement and its cases, not committed them
 *   aml.after-commit   the watcher's commit has returned
 */
let hits = 0;

export function crashPoint(name: 'aml.before-step' | 'aml.before-commit' | 'aml.after-commit'): void {
  if (process.env.VC_AML_CRASH_AT !== name) return;
  hits += 1;
  if (hits >= Number(process.env.VC_AML_CRASH_NTH ?? '1')) process.kill(process.pid, 'SIGKILL');
}
