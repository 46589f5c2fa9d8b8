/**
 * Named points where the crash tests kill the process (SIGKILL, no cleanup, like a power cut).
 * Inert unless VC_OFFLINE_CRASH_AT names the point; the count lets a test crash at the n-th hit.
 */
let hits = 0;

export function crashPoint(name: string): void {
  const want = process.env.VC_OFFLINE_CRASH_AT;
  if (!want || want !== name) return;
  hits += 1;
  const nth = Number(process.env.VC_OFFLINE_CRASH_NTH ?? '1');
  if (hits >= nth) process.kill(process.pid, 'SIGKILL');
}
