import type { Migration } from '../migrate';

/**
 * Request ids of the screens' money-moving actions outside the payment engine (the service
 * point's withdrawal, bill, float movements, remittance, bill return; settings changed under
 * approval): one row per action, written in the same transaction as the row the action creates
 * (`ref` names it), so a repeat of the id — a double press, a retry after a reconnect or a
 * restart — finds it and gets the first answer instead of a second action (core/requests.ts).
 * - `request_id` is unique across every method: one id is one action;
 * - `params_hash` (sha-256 of the method and its parameters) tells a repeat from a different
 *   action sent with the same id (`request.mismatch`);
 * - a row is never changed once written.
 */
export const m403ActionRequests: Migration = {
  id: 403,
  name: 'request ids of service-point and settings actions',
  async up(q) {
    await q.exec(`
      CREATE TABLE action_requests (
        request_id TEXT PRIMARY KEY CHECK (length(request_id) BETWEEN 16 AND 64),
        method TEXT NOT NULL,
        params_hash TEXT NOT NULL,
        ref TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TRIGGER action_requests_fixed BEFORE UPDATE ON action_requests
        BEGIN SELECT RAISE(ABORT, 'action request: never changed once written'); END;
    `);
  },
};
