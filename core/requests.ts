/**
 * Once per request id: the screens make one id per intended money-moving action
 * (core/api/define.ts `RequestId`) and send it with every try of that action. Here the
 * service point and settings keep it (migration 403, `action_requests`).
 *
 * Invariants:
 * - the id's row is written in the same transaction as the row the action creates (`record`),
 *   so either both exist or neither: a refused action leaves no id behind, and a later try with
 *   the same id is a first try;
 * - a repeat — while the first is still running (a double press) or after it (a retry after a
 *   reconnect, a restart) — gets the first action's answer, rebuilt from the row it created,
 *   and nothing happens twice;
 * - the same id with other parameters or for another method is refused (`request.mismatch`)
 *   with nothing changed.
 */
import { createHash } from 'node:crypto';
import { AppError } from './api/errors';
import type { Db, Queryable } from './store/db';

export const RequestErrors = {
  mismatch: () =>
    new AppError('request.mismatch', '这个操作编号已用于另一笔不同的操作，本次未做任何更改。请重新操作一次。',
      'This request id was already used for a different action; nothing was changed. Start the action again.'),
};

/** Keys sorted, so the same parameters always hash the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function requestHash(method: string, params: unknown): string {
  return createHash('sha256').update(`${method}\n${canonical(params)}`).digest('hex');
}

/** Writes the id's row beside the action's own row, inside the action's transaction. */
export type RecordRequest = (q: Queryable, ref: string) => Promise<void>;

export class RequestLog {
  private readonly running = new Map<string, { hash: string; answer: Promise<unknown> }>();

  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  /**
   * Runs the action once for `requestId`. `run` does it and calls `record(q, ref)` inside the
   * transaction that creates its row; `replay(ref)` answers a repeat from that row. Without an
   * id (the core's own callers and tests), `run` simply runs.
   */
  async once<T>(
    req: { requestId: string | undefined; method: string; params: unknown },
    run: (record: RecordRequest) => Promise<T>,
    replay: (ref: string) => Promise<T>,
  ): Promise<T> {
    const { requestId, method } = req;
    if (!requestId) return run(async () => undefined);
    const hash = requestHash(method, req.params);
    const flying = this.running.get(requestId);
    if (flying) {
      if (flying.hash !== hash) throw RequestErrors.mismatch();
      return flying.answer as Promise<T>;
    }
    const answer = (async () => {
      const stored = await this.db.get<{ params_hash: string; ref: string }>(
        'SELECT params_hash, ref FROM action_requests WHERE request_id = ?', [requestId]);
      if (stored) {
        if (stored.params_hash !== hash) throw RequestErrors.mismatch();
        return replay(stored.ref);
      }
      return run((q, ref) =>
        q.run('INSERT INTO action_requests (request_id, method, params_hash, ref, created_at) VALUES (?, ?, ?, ?, ?)',
          [requestId, method, hash, ref, this.now()]).then(() => undefined));
    })();
    this.running.set(requestId, { hash, answer });
    try {
      return await answer;
    } finally {
      this.running.delete(requestId);
    }
  }
}
