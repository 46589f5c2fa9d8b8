/**
 * Operators and the terminal's one session. Invariants: a PIN is only ever compared through
 * its slow hash; after MAX_FAILURES wrong PINs the operator is locked for LOCK_MS, counted in
 * the database so a restart does not reset it; the session locks after IDLE_MS without a call.
 */
import type { Role } from '../api/define';
import { AppError } from '../api/errors';
import type { Operator, SessionState } from '../api/session';
import { audit } from '../audit';
import type { Db } from '../store/db';
import type { EventBus } from '../events';
import { hashPin, verifyPin } from './pin';

export const MAX_FAILURES = 5;
export const LOCK_MS = 5 * 60_000;

interface OperatorRow {
  id: string;
  name: string;
  role: Role;
  pin_hash: string;
  failed_attempts: number;
  locked_until: number | null;
}

export const AuthErrors = {
  badPin: (left: number) =>
    new AppError('auth.bad_pin', `PIN 不正确，还可尝试 ${left} 次。`, `Wrong PIN. ${left} attempt(s) left.`, { left }),
  locked: (until: number) =>
    new AppError('auth.locked', '该操作员因多次输错 PIN 已被暂时锁定，请稍后再试或请主管处理。',
      'This operator is locked after too many wrong PINs. Try again later or ask a supervisor.', { until }),
  unknownOperator: () => new AppError('auth.unknown_operator', '没有这个操作员。', 'No such operator.'),
  approvalRequired: () =>
    new AppError('auth.approval_required', '此操作需要主管复核。', 'This action needs a supervisor’s approval.'),
  approverInvalid: () =>
    new AppError('auth.approver_invalid', '复核人必须是另一位主管或管理员，且 PIN 正确。',
      'The approver must be a different supervisor or admin with a correct PIN.'),
};

export class OperatorService {
  private current: Operator | null = null;
  private lastActivity = 0;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<Operator[]> {
    return this.db.all<Operator>('SELECT id, name, role FROM operators WHERE active = 1 ORDER BY role, id');
  }

  async create(op: Operator, pin: string): Promise<void> {
    const hash = await hashPin(pin);
    await this.db.run('INSERT INTO operators (id, name, role, pin_hash) VALUES (?, ?, ?, ?)', [op.id, op.name, op.role, hash]);
  }

  /** Checks a PIN with lockout accounting; returns the operator when right. */
  async checkPin(operatorId: string, pin: string): Promise<Operator> {
    const row = await this.db.get<OperatorRow>('SELECT * FROM operators WHERE id = ? AND active = 1', [operatorId]);
    if (!row) throw AuthErrors.unknownOperator();
    const t = this.now();
    if (row.locked_until && row.locked_until > t) throw AuthErrors.locked(row.locked_until);
    if (await verifyPin(pin, row.pin_hash)) {
      await this.db.run('UPDATE operators SET failed_attempts = 0, locked_until = NULL WHERE id = ?', [operatorId]);
      return { id: row.id, name: row.name, role: row.role };
    }
    const failures = row.failed_attempts + 1;
    const lock = failures >= MAX_FAILURES ? t + LOCK_MS : null;
    await this.db.tx(async (q) => {
      await q.run('UPDATE operators SET failed_attempts = ?, locked_until = ? WHERE id = ?', [lock ? 0 : failures, lock, operatorId]);
      await audit(q, { operatorId, action: lock ? 'auth.locked' : 'auth.bad_pin', detail: { failures } }, t);
    });
    if (lock) throw AuthErrors.locked(lock);
    throw AuthErrors.badPin(MAX_FAILURES - failures);
  }

  async login(operatorId: string, pin: string): Promise<SessionState> {
    const op = await this.checkPin(operatorId, pin);
    this.current = op;
    this.lastActivity = this.now();
    await this.db.tx((q) => audit(q, { operatorId: op.id, action: 'auth.login' }));
    const state = this.state();
    this.bus.emit('session:changed', state);
    return state;
  }

  async logout(): Promise<void> {
    if (!this.current) return;
    const id = this.current.id;
    this.current = null;
    await this.db.tx((q) => audit(q, { operatorId: id, action: 'auth.logout' }));
    this.bus.emit('session:changed', this.state());
  }

  /**
   * A supervisor's approval given on the same screen (dual control): a different operator
   * with role supervisor or admin and a correct PIN. Returns the approver's id for the audit row.
   */
  async approve(approverId: string | undefined, pin: string | undefined): Promise<string> {
    if (!approverId || !pin) throw AuthErrors.approvalRequired();
    if (this.current && approverId === this.current.id) throw AuthErrors.approverInvalid();
    let op: Operator;
    try {
      op = await this.checkPin(approverId, pin);
    } catch (e) {
      if (e instanceof AppError && e.code === 'auth.locked') throw e;
      throw AuthErrors.approverInvalid();
    }
    if (op.role !== 'supervisor' && op.role !== 'admin') throw AuthErrors.approverInvalid();
    return op.id;
  }

  /** The operator for a call; locks the session first if it has been idle too long. */
  operatorForCall(): Operator | null {
    if (this.current && this.now() - this.lastActivity > this.idleMs) {
      this.current = null;
      this.bus.emit('session:changed', this.state());
    }
    if (this.current) this.lastActivity = this.now();
    return this.current;
  }

  state(): SessionState {
    return { operator: this.current, lockAt: this.current ? this.lastActivity + this.idleMs : null };
  }
}
