/**
 * Operators and the terminal's one session. Invariants: a PIN is only ever compared through
 * its slow hash; each attempt is counted in the database *before* its hash is computed, so at
 * most MAX_FAILURES guesses are ever evaluated per lockout window however many arrive at once
 * (from one window or several processes), and a restart does not reset the count; attempts at
 * one operator's PIN are evaluated one at a time, each wrong one answered after a delay that
 * grows; the session locks after IDLE_MS without an operator's own action (public calls such
 * as the customer display's never keep it awake).
 * The first administrator is created once (first run, an empty table, checked and written in one
 * statement); every change to an operator is written with its audit row in one transaction, and
 * a refused change writes nothing. See README.md for who may do what.
 */
import type { Role } from '../api/define';
import { AppError } from '../api/errors';
import type { Operator, SessionState } from '../api/session';
import { audit } from '../audit';
import type { Db } from '../store/db';
import type { EventBus } from '../events';
import { DEMO_PIN_COST, hashPin, needsRehash, pinProblem, verifyPin, type PinHashing, type PinProblem } from './pin';

export const MAX_FAILURES = 5;
export const LOCK_MS = 5 * 60_000;
/** The wait before a wrong PIN is answered: the k-th failure of a window waits FAILURE_DELAY_MS·2^(k-1) (0.25, 0.5, 1, 2, 4 s). */
export const FAILURE_DELAY_MS = 250;

export interface OperatorServiceOptions {
  /** Cost and pepper of PIN hashes (pin.ts). The composition root passes the live one; the default is demo's. */
  hashing?: PinHashing;
  /** How long the k-th wrong PIN of a window waits before it is answered (tests shorten it). */
  failureDelayMs?: (failures: number) => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface OperatorRow {
  id: string;
  name: string;
  role: Role;
  pin_hash: string;
  failed_attempts: number;
  locked_until: number | null;
  active: number;
  must_change_pin: number;
}

export const AuthErrors = {
  badPin: (left: number) =>
    new AppError('auth.bad_pin', `PIN 不正确，还可尝试 ${left} 次。`, `Wrong PIN. ${left} attempt(s) left.`, { left }),
  locked: (until: number) =>
    new AppError('auth.locked', '该操作员因多次输错 PIN 已被暂时锁定，请稍后再试或请主管处理。',
      'This operator is locked after too many wrong PINs. Try again later or ask a supervisor.', { until }),
  unknownOperator: () => new AppError('auth.unknown_operator', '没有这个操作员。', 'No such operator.'),
  disabled: () => new AppError('auth.disabled', '该操作员已被停用，请联系管理员。', 'This operator is disabled. Ask an administrator.'),
  mustChangePin: () =>
    new AppError('auth.must_change_pin', '这是管理员设置的临时 PIN，请先设置您自己的新 PIN 再登录。',
      'This is a temporary PIN set by an administrator. Choose your own new PIN to log in.'),
  pinRule: (problem: PinProblem) => {
    const [zh, en] = {
      length: ['新 PIN 须为 6 到 8 位数字。', 'A new PIN must be 6 to 8 digits.'],
      same_digit: ['新 PIN 不能全是同一个数字。', 'A new PIN cannot be one digit repeated.'],
      run: ['新 PIN 不能是连续数字（如 123456）。', 'A new PIN cannot be a run of digits (like 123456).'],
    }[problem];
    return new AppError('auth.pin_rule', zh, en, { problem });
  },
  pinMismatch: () => new AppError('auth.pin_mismatch', '两次输入的 PIN 不一致。', 'The two PINs typed do not match.'),
  pinUnchanged: () => new AppError('auth.pin_unchanged', '新 PIN 不能与原 PIN 相同。', 'The new PIN must differ from the old one.'),
  setupDone: () =>
    new AppError('auth.setup_done', '首次设置已完成，不能再创建首位管理员。', 'First-run setup is already done; no other first administrator can be created.'),
  setupDemo: () => new AppError('auth.setup_demo', '培训模式已预置操作员，无需首次设置。', 'Demo mode has its operators already; there is no first-run setup.'),
  blankName: () => new AppError('auth.blank_name', '请填写姓名。', 'Enter a name.'),
  idTaken: () => new AppError('auth.id_taken', '这个操作员编号已被使用。', 'This operator id is already in use.'),
  trainerLiveOnly: () =>
    new AppError('auth.trainer_demo_only', '培训师只能在培训模式中添加。', 'Trainers can be added in demo (training) mode only.'),
  notYourself: () => new AppError('auth.not_yourself', '不能对自己执行此操作。', 'You cannot do this to yourself.'),
  lastAdmin: () =>
    new AppError('auth.last_admin', '这是最后一位启用的管理员，不能停用。', 'This is the last active administrator and cannot be disabled.'),
  adminOnly: () => new AppError('auth.role_required', '只有管理员可以管理操作员。', 'Only an administrator can manage operators.'),
  approverIsSubject: () =>
    new AppError('auth.approver_is_subject', '复核人不能是被修改的操作员本人。', 'The approver cannot be the operator being changed.'),
  approvalRequired: () =>
    new AppError('auth.approval_required', '此操作需要主管复核。', 'This action needs a supervisor’s approval.'),
  approverInvalid: () =>
    new AppError('auth.approver_invalid', '复核人必须是另一位主管或管理员，且 PIN 正确。',
      'The approver must be a different supervisor or admin with a correct PIN.'),
};

export class OperatorService {
  private current: Operator | null = null;
  private lastActivity = 0;
  private readonly hashing: PinHashing;
  private readonly failureDelayMs: (failures: number) => number;
  /** Per operator id, the tail of its queue of PIN checks: one at a time, each wrong one holding the queue through its delay. */
  private readonly pinQueues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
    opts: OperatorServiceOptions = {},
  ) {
    this.hashing = opts.hashing ?? { cost: DEMO_PIN_COST, pepper: null };
    this.failureDelayMs = opts.failureDelayMs ?? ((k) => FAILURE_DELAY_MS * 2 ** (k - 1));
  }

  /** A PIN's stored form at this counter's cost and pepper (admin.ts writes reset and new PINs through it). */
  hash(pin: string): Promise<string> {
    return hashPin(pin, this.hashing);
  }

  async list(): Promise<Operator[]> {
    return this.db.all<Operator>('SELECT id, name, role FROM operators WHERE active = 1 ORDER BY role, id');
  }

  /** Every operator's name by id, disabled ones too: a receipt or report from before still names them. */
  async allNames(): Promise<Map<string, string>> {
    return new Map((await this.db.all<{ id: string; name: string }>('SELECT id, name FROM operators')).map((r) => [r.id, r.name]));
  }

  async create(op: Operator, pin: string): Promise<void> {
    const hash = await this.hash(pin);
    await this.db.run('INSERT INTO operators (id, name, role, pin_hash) VALUES (?, ?, ?, ?)', [op.id, op.name, op.role, hash]);
  }

  /** True when nobody can log in yet: a live counter's first run (demo mode is always seeded). */
  async setupNeeded(mode: 'demo' | 'live'): Promise<boolean> {
    if (mode === 'demo') return false;
    return (await this.db.get('SELECT 1 AS one FROM operators LIMIT 1')) === undefined;
  }

  /**
   * First run: the first administrator, then logged in. The emptiness check and the insert are
   * one statement inside one transaction, so two windows racing (or two processes on the same
   * file) cannot both succeed; the loser is refused and nothing of theirs is written.
   */
  async setup(mode: 'demo' | 'live', input: { id: string; name: string; pin: string; pinAgain: string }): Promise<SessionState> {
    if (mode === 'demo') throw AuthErrors.setupDemo();
    const name = checkedName(input.name);
    checkNewPin(input.pin, input.pinAgain);
    if (!(await this.setupNeeded(mode))) throw AuthErrors.setupDone();
    const hash = await this.hash(input.pin);
    const op: Operator = { id: input.id, name, role: 'admin' };
    await this.db.tx(async (q) => {
      const r = await q.run(
        "INSERT INTO operators (id, name, role, pin_hash) SELECT ?, ?, 'admin', ? WHERE NOT EXISTS (SELECT 1 FROM operators)",
        [op.id, op.name, hash],
      );
      if (r.changes !== 1) throw AuthErrors.setupDone();
      await audit(q, { operatorId: op.id, action: 'auth.first_admin', detail: { id: op.id, name: op.name } }, this.now());
    });
    return this.start(op);
  }

  /**
   * Log in choosing a new PIN: after an administrator's reset (required), or at will. The new
   * PIN is checked first, so a badly chosen one costs no wrong-PIN attempt.
   */
  async changePin(operatorId: string, pin: string, newPin: string, newPinAgain: string): Promise<SessionState> {
    checkNewPin(newPin, newPinAgain);
    if (newPin === pin) throw AuthErrors.pinUnchanged();
    const { op } = await this.checkPinRow(operatorId, pin);
    const hash = await this.hash(newPin);
    await this.db.tx(async (q) => {
      await q.run('UPDATE operators SET pin_hash = ?, must_change_pin = 0 WHERE id = ?', [hash, op.id]);
      await audit(q, { operatorId: op.id, action: 'auth.pin_changed' }, this.now());
    });
    return this.start(op);
  }

  /** Checks a PIN with lockout accounting; returns the operator when right. */
  async checkPin(operatorId: string, pin: string): Promise<Operator> {
    const { op } = await this.checkPinRow(operatorId, pin);
    return op;
  }

  /** As checkPin, also saying whether the PIN is a reset one the operator must replace. */
  private checkPinRow(operatorId: string, pin: string): Promise<{ op: Operator; mustChange: boolean }> {
    // One check at a time per operator in this process, so a burst of guesses meets the delays in
    // turn; the count in the database (below) is what bounds them across processes too.
    const prev = this.pinQueues.get(operatorId) ?? Promise.resolve();
    const run = prev.then(() => this.checkPinOnce(operatorId, pin));
    const tail = run.catch(() => undefined);
    this.pinQueues.set(operatorId, tail);
    void tail.then(() => {
      if (this.pinQueues.get(operatorId) === tail) this.pinQueues.delete(operatorId);
    });
    return run;
  }

  private async checkPinOnce(operatorId: string, pin: string): Promise<{ op: Operator; mustChange: boolean }> {
    const t = this.now();
    // The attempt is counted before its hash is computed, in one write transaction (BEGIN
    // IMMEDIATE: also across processes on the same file). An attempt that cannot be counted is
    // never evaluated: at most MAX_FAILURES per lockout window, however many arrive at once.
    const { row, failures } = await this.db.tx(async (q) => {
      const r = await q.get<OperatorRow>('SELECT * FROM operators WHERE id = ?', [operatorId]);
      if (!r) throw AuthErrors.unknownOperator();
      // Said plainly rather than "no such operator", and before the PIN: a disabled account's PIN is never tried.
      if (!r.active) throw AuthErrors.disabled();
      if (r.locked_until && r.locked_until > t) throw AuthErrors.locked(r.locked_until);
      // A lock that has run out starts a new window.
      const n = (r.locked_until ? 0 : r.failed_attempts) + 1;
      const lock = n >= MAX_FAILURES ? t + LOCK_MS : null;
      await q.run('UPDATE operators SET failed_attempts = ?, locked_until = ? WHERE id = ?', [n, lock, operatorId]);
      return { row: r, failures: n };
    });
    if (await verifyPin(pin, row.pin_hash, this.hashing.pepper).catch((e) => this.uncount(operatorId, e))) {
      // A right PIN gives the attempt back and ends the window (and a lock its own attempt set).
      await this.db.run('UPDATE operators SET failed_attempts = 0, locked_until = NULL WHERE id = ?', [operatorId]);
      if (needsRehash(row.pin_hash, this.hashing)) await this.rehash(row, pin);
      return { op: { id: row.id, name: row.name, role: row.role }, mustChange: row.must_change_pin === 1 };
    }
    const lock = failures >= MAX_FAILURES ? t + LOCK_MS : null;
    await this.db.tx((q) => audit(q, { operatorId, action: lock ? 'auth.locked' : 'auth.bad_pin', detail: { failures } }, t));
    // The answer waits, holding this operator's queue: guesses in a burst wait in turn.
    await sleep(this.failureDelayMs(failures));
    if (lock) throw AuthErrors.locked(lock);
    throw AuthErrors.badPin(MAX_FAILURES - failures);
  }

  /** A check that could not be made (no pepper) is not a wrong PIN: its attempt is given back. */
  private async uncount(operatorId: string, e: unknown): Promise<never> {
    await this.db.run(
      'UPDATE operators SET failed_attempts = MAX(failed_attempts - 1, 0), locked_until = CASE WHEN failed_attempts - 1 >= ? THEN locked_until ELSE NULL END WHERE id = ?',
      [MAX_FAILURES, operatorId],
    );
    throw e;
  }

  /**
   * After a correct PIN: the hash again at today's cost and pepper (pin.ts), so hashes written
   * before them are upgraded as operators log in. Only if the PIN is still the one checked.
   */
  private async rehash(row: OperatorRow, pin: string): Promise<void> {
    const hash = await this.hash(pin);
    await this.db.tx(async (q) => {
      const r = await q.run('UPDATE operators SET pin_hash = ? WHERE id = ? AND pin_hash = ?', [hash, row.id, row.pin_hash]);
      if (r.changes === 1) await audit(q, { operatorId: row.id, action: 'auth.pin_rehashed' }, this.now());
    });
  }

  async login(operatorId: string, pin: string): Promise<SessionState> {
    const { op, mustChange } = await this.checkPinRow(operatorId, pin);
    if (mustChange) throw AuthErrors.mustChangePin();
    return this.start(op);
  }

  private async start(op: Operator): Promise<SessionState> {
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
    this.bus.emit('session:changed', { ...this.state(), ended: 'logout' });
  }

  /**
   * A supervisor's approval given on the same screen (dual control): a different operator
   * with role supervisor or admin and a correct PIN. Returns the approver's id for the audit row.
   */
  async approve(approverId: string | undefined, pin: string | undefined, subjectId?: string): Promise<string> {
    if (!approverId || !pin) throw AuthErrors.approvalRequired();
    if (this.current && approverId === this.current.id) throw AuthErrors.approverInvalid();
    // Nobody approves a change to their own account (a new PIN, being enabled again).
    if (subjectId !== undefined && approverId === subjectId) throw AuthErrors.approverIsSubject();
    let op: Operator;
    let mustChange: boolean;
    try {
      ({ op, mustChange } = await this.checkPinRow(approverId, pin));
    } catch (e) {
      if (e instanceof AppError && (e.code === 'auth.locked' || e.code === 'auth.pepper_missing')) throw e;
      throw AuthErrors.approverInvalid();
    }
    // A reset PIN is known to the administrator who typed it: it approves nothing.
    if (mustChange) throw AuthErrors.approverInvalid();
    if (op.role !== 'supervisor' && op.role !== 'admin') throw AuthErrors.approverInvalid();
    return op.id;
  }

  /**
   * The operator for a call; locks the session first if it has been idle too long. Only an
   * operator's own action (`activity`, true for every method that needs a logged-in operator)
   * keeps the session awake: public calls — the customer display reading its state, the login
   * screen, status polls from any window — never do, or an open customer display would keep
   * the till unlocked for ever.
   */
  operatorForCall(activity = true): Operator | null {
    if (this.current && this.now() - this.lastActivity > this.idleMs) {
      this.current = null;
      this.bus.emit('session:changed', { ...this.state(), ended: 'idle' });
    }
    if (this.current && activity) this.lastActivity = this.now();
    return this.current;
  }

  state(): SessionState {
    return { operator: this.current, lockAt: this.current ? this.lastActivity + this.idleMs : null };
  }
}

/** A name as stored: trimmed, never blank. */
export function checkedName(name: string): string {
  const n = name.trim();
  if (!n) throw AuthErrors.blankName();
  return n;
}

/** A newly chosen PIN: the rules of pin.ts, and typed the same twice. */
export function checkNewPin(pin: string, again: string): void {
  const problem = pinProblem(pin);
  if (problem) throw AuthErrors.pinRule(problem);
  if (pin !== again) throw AuthErrors.pinMismatch();
}
