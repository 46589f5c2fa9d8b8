/**
 * An administrator's changes to operators (Settings → 操作员). Invariants: a refused change
 * writes nothing; an accepted one is written with its audit row (the administrator's id, and the
 * approver's where one was needed) in one transaction; the last active administrator is never
 * disabled and nobody disables, re-enables or re-PINs themselves; a change that gives or
 * restores access (add, enable, reset a PIN) needs a second supervisor or admin who is neither
 * the administrator nor the operator concerned (OperatorService.approve). PINs typed here are
 * temporary: the operator replaces them at their next login (must_change_pin).
 *
 * One exception, or a new counter could never get its second approver: while the table has never
 * held a supervisor or admin other than the acting administrator (disabled rows count, and rows are
 * never deleted, so disabling the others does not reopen it), such a change needs no approval and
 * its audit row says `soleAdmin: true`. It closes for good with the first supervisor or admin added.
 */
import type { Role } from '../api/define';
import type { OperatorRecord } from '../api/operators';
import type { CallContext } from '../api/contract';
import { audit } from '../audit';
import type { Db, Queryable } from '../store/db';
import { AuthErrors, checkedName, checkNewPin, type OperatorService } from './operators';

interface Row {
  id: string;
  name: string;
  role: Role;
  active: number;
  locked_until: number | null;
  must_change_pin: number;
}

interface Approval {
  approverId?: string;
  approverPin?: string;
}

export class OperatorAdmin {
  constructor(
    private readonly db: Db,
    private readonly ops: OperatorService,
    private readonly mode: 'demo' | 'live',
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<OperatorRecord[]> {
    const rows = await this.db.all<Row>('SELECT id, name, role, active, locked_until, must_change_pin FROM operators ORDER BY active DESC, role, id');
    const t = this.now();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      active: r.active === 1,
      lockedUntil: r.locked_until && r.locked_until > t ? r.locked_until : null,
      mustChangePin: r.must_change_pin === 1,
    }));
  }

  async add(input: { id: string; name: string; role: Role; pin: string; pinAgain: string } & Approval, ctx: CallContext): Promise<OperatorRecord[]> {
    const admin = await this.admin(ctx);
    const name = checkedName(input.name);
    if (input.role === 'trainer' && this.mode !== 'demo') throw AuthErrors.trainerLiveOnly();
    checkNewPin(input.pin, input.pinAgain);
    if (await this.row(input.id)) throw AuthErrors.idTaken();
    const approver = await this.approval(input, input.id, admin);
    const hash = await this.ops.hash(input.pin);
    await this.db.tx(async (q) => {
      await this.recheckSole(q, approver, admin);
      // The id may have been taken while the PIN was hashed: the insert says so, not a crash.
      const r = await q.run(
        'INSERT INTO operators (id, name, role, pin_hash, must_change_pin) SELECT ?, ?, ?, ?, 1 WHERE NOT EXISTS (SELECT 1 FROM operators WHERE id = ?)',
        [input.id, name, input.role, hash, input.id],
      );
      if (r.changes !== 1) throw AuthErrors.idTaken();
      await audit(q, { operatorId: admin, approverId: approver, action: 'operators.add', detail: { id: input.id, name, role: input.role, ...sole(approver) } }, this.now());
    });
    return this.list();
  }

  async setActive(input: { operatorId: string; active: boolean } & Approval, ctx: CallContext): Promise<OperatorRecord[]> {
    const admin = await this.admin(ctx);
    if (input.operatorId === admin) throw AuthErrors.notYourself();
    const target = await this.row(input.operatorId);
    if (!target) throw AuthErrors.unknownOperator();
    // Enabling gives access back: approved. Disabling only takes it away.
    const approver = input.active ? await this.approval(input, input.operatorId, admin) : null;
    await this.db.tx(async (q) => {
      if (input.active) await this.recheckSole(q, approver, admin);
      if (!input.active && target.role === 'admin') {
        const others = await q.get<{ n: number }>("SELECT COUNT(*) AS n FROM operators WHERE role = 'admin' AND active = 1 AND id <> ?", [target.id]);
        if (!others || others.n === 0) throw AuthErrors.lastAdmin();
      }
      await q.run('UPDATE operators SET active = ? WHERE id = ?', [input.active ? 1 : 0, target.id]);
      await audit(q, { operatorId: admin, approverId: approver, action: input.active ? 'operators.enable' : 'operators.disable', detail: { id: target.id, ...(input.active ? sole(approver) : {}) } }, this.now());
    });
    return this.list();
  }

  async resetPin(input: { operatorId: string; pin: string; pinAgain: string } & Approval, ctx: CallContext): Promise<OperatorRecord[]> {
    const admin = await this.admin(ctx);
    if (input.operatorId === admin) throw AuthErrors.notYourself();
    const target = await this.row(input.operatorId);
    if (!target) throw AuthErrors.unknownOperator();
    checkNewPin(input.pin, input.pinAgain);
    const approver = await this.approval(input, input.operatorId, admin);
    const hash = await this.ops.hash(input.pin);
    await this.db.tx(async (q) => {
      await this.recheckSole(q, approver, admin);
      // A fresh PIN also ends a lockout: the operator is standing at the counter with the admin.
      await q.run('UPDATE operators SET pin_hash = ?, must_change_pin = 1, failed_attempts = 0, locked_until = NULL WHERE id = ?', [hash, target.id]);
      await audit(q, { operatorId: admin, approverId: approver, action: 'operators.reset_pin', detail: { id: target.id, ...sole(approver) } }, this.now());
    });
    return this.list();
  }

  async unlock(input: { operatorId: string }, ctx: CallContext): Promise<OperatorRecord[]> {
    const admin = await this.admin(ctx);
    const target = await this.row(input.operatorId);
    if (!target) throw AuthErrors.unknownOperator();
    await this.db.tx(async (q) => {
      await q.run('UPDATE operators SET failed_attempts = 0, locked_until = NULL WHERE id = ?', [target.id]);
      await audit(q, { operatorId: admin, action: 'operators.unlock', detail: { id: target.id } }, this.now());
    });
    return this.list();
  }

  /** The approver's id, or null on a counter that has never had a second supervisor or admin. */
  private async approval(input: Approval, subjectId: string, admin: string): Promise<string | null> {
    if (await this.sole(this.db, admin)) return null;
    return this.ops.approve(input.approverId, input.approverPin, subjectId);
  }

  /** Inside the change's transaction: a second approver added meanwhile (another window) ends the exception. */
  private async recheckSole(q: Queryable, approver: string | null, admin: string): Promise<void> {
    if (approver === null && !(await this.sole(q, admin))) throw AuthErrors.approvalRequired();
  }

  private async sole(q: Queryable, admin: string): Promise<boolean> {
    const r = await q.get<{ n: number }>("SELECT COUNT(*) AS n FROM operators WHERE role IN ('supervisor', 'admin') AND id <> ?", [admin]);
    return (r?.n ?? 0) === 0;
  }

  private row(id: string): Promise<Row | undefined> {
    return this.db.get<Row>('SELECT id, name, role, active, locked_until, must_change_pin FROM operators WHERE id = ?', [id]);
  }

  /**
   * The dispatcher admits admins only; checked again here against the table, so neither a direct
   * caller nor a session that outlived its operator's disabling can act.
   */
  private async admin(ctx: CallContext): Promise<string> {
    const id = ctx.operator?.id;
    const row = id ? await this.row(id) : undefined;
    if (!row || row.role !== 'admin' || !row.active) throw AuthErrors.adminOnly();
    return row.id;
  }
}

/** The audit row's mark of a change made under the sole-admin exception. */
function sole(approver: string | null): { soleAdmin?: true } {
  return approver === null ? { soleAdmin: true } : {};
}
