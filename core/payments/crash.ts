/**
 * Named crash points for the crash tests: `CRASH_AT=after_intent:3` kills this process with
 * SIGKILL the third time the engine passes `after_intent`. Inert unless the variable is set
 * (the composition root never sets it). Points, in lifecycle order:
 *   after_intent           the order row is durable, nothing sent
 *   after_request_sent     the pay request is written to the socket
 *   before_paying_mark     the pay request has left, the row is still `created` (no `paying` mark)
 *   after_acquirer_commit  the acquirer answered (so it committed), the answer is unread
 *   after_response         the answer is read, the local state not yet updated
 *   refund_after_intent    the refund row is durable, nothing sent
 *   refund_request_sent    the refund request is written to the socket (either route: online or
 *                          offline, both adapters name the request `refund`)
 *   refund_after_response  the refund answer is read, the local state not yet updated
 */
import type { Probe } from '../acquirer/types';

export const CRASH_POINTS = [
  'after_intent',
  'after_request_sent',
  'before_paying_mark',
  'after_acquirer_commit',
  'after_response',
  'refund_after_intent',
  'refund_request_sent',
  'refund_after_response',
] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

function parse(v: string | undefined): { name: string; n: number } | null {
  if (!v) return null;
  const [name, n] = v.split(':');
  return { name, n: Math.max(1, Number(n ?? 1) || 1) };
}

const spec = parse(process.env.CRASH_AT);
let hits = 0;

export function crashPoint(name: CrashPointName): void {
  if (!spec || spec.name !== name) return;
  hits += 1;
  if (hits === spec.n) process.kill(process.pid, 'SIGKILL');
}

/** The adapter's probe, turned into crash points of the pay and refund requests. */
export const crashProbe: Probe = (step, op) => {
  if (op === 'pay' && step === 'request_sent') crashPoint('after_request_sent');
  else if (op === 'pay' && step === 'response_headers') crashPoint('after_acquirer_commit');
  else if (op === 'refund' && step === 'request_sent') crashPoint('refund_request_sent');
};
