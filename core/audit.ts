/**
 * The audit trail: who did what, and who approved it (dual control). Written in the same
 * transaction as the action it records, so an action never happens without its audit row.
 */
import type { Queryable } from './store/db';

export interface AuditEntry {
  operatorId: string | null;
  approverId?: string | null;
  action: string;
  /** Safe-to-show detail: never a PIN, key or full payment code. */
  detail?: Record<string, unknown>;
}

export async function audit(q: Queryable, e: AuditEntry, now = Date.now()): Promise<void> {
  await q.run('INSERT INTO audit_log (at, operator_id, approver_id, action, detail) VALUES (?, ?, ?, ?, ?)', [
    now,
    e.operatorId,
    e.approverId ?? null,
    e.action,
    JSON.stringify(e.detail ?? {}),
  ]);
}
