/**
 * Fault injection: what the next matching request(s) suffer. Set per request (header
 * `x-sim-fault`) or as a schedule of rules consumed in order (POST /sim/faults). Faults are
 * deliberately not persisted: a restart of the simulator is itself the "fault" then.
 */
import { z } from 'zod';

export const FaultKind = z.enum([
  'latency', // wait latencyMs, then answer normally
  'drop_request', // never process, never answer (the client times out)
  'drop_response_after_commit', // process and commit, then close the connection unanswered
  'http_500', // answer 500 without processing
  'reset', // reset the connection without processing
  'userpaying_forever', // the charge waits for a password that never comes
  'decline', // the charge is declined with `reason`
  // Refusals: the request is NOT processed, and the answer says so (what a terminal meets when a
  // re-send is refused while its first request may still have landed).
  'refuse_400', // 400 BAD_REQUEST
  'refuse_auth', // 401 AUTH_FAILED
  'refuse_stale', // 401 STALE_REQUEST with the acquirer's server_time
  'clock_skew', // the acquirer's clock is off by skewMs for this request: beyond 5 min, 401 STALE_REQUEST
]);
export type FaultKind = z.infer<typeof FaultKind>;

export const FaultOp = z.enum(['pay', 'query', 'cancel', 'refund', 'refund_query', 'precreate', 'ping', 'any']);
export type FaultOp = z.infer<typeof FaultOp>;

export const FaultRule = z
  .object({
    kind: FaultKind,
    op: FaultOp.default('any'),
    /** How many matching requests it applies to; -1 until cleared. */
    times: z.number().int().min(-1).max(1000).default(1),
    latencyMs: z.number().int().min(0).max(120_000).default(0),
    /** clock_skew: how far the acquirer's clock is off (ms, either way). */
    skewMs: z.number().int().min(-86_400_000).max(86_400_000).optional(),
    reason: z.string().max(40).regex(/^[A-Z_]*$/).default('DECLINED'),
  })
  .strict();
export type FaultRule = z.infer<typeof FaultRule>;
export type FaultRuleInput = z.input<typeof FaultRule>;

export class FaultPlan {
  private rules: FaultRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
  }

  add(rules: FaultRule[]): void {
    this.rules.push(...rules.map((r) => ({ ...r })));
  }

  clear(): void {
    this.rules = [];
  }

  pending(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault for one request of `op`, consuming one use of the first matching rule. */
  take(op: string): FaultRule | null {
    const i = this.rules.findIndex((r) => (r.op === 'any' || r.op === op) && r.times !== 0);
    if (i < 0) return null;
    const r = this.rules[i];
    if (r.times > 0) r.times -= 1;
    if (r.times === 0) this.rules.splice(i, 1);
    return { ...r };
  }
}
