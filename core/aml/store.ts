/**
 * The anti-money-laundering store: the one place AML state changes — reading committed
 * movements into cases (`step`), the agent's note, "reported", and the audit row of each export.
 *
 * Why flags are written after the movement's commit, not inside it: a flag must never block or
 * undo a payment, and nothing in a payment's transaction should wait on, or fail because of, a
 * rule. So the movement's own commit stays as it was (its journal row, written by the module
 * that moved the money), and the watcher reads the journal afterwards, in order.
 *
 * Why nothing is lost: the journal row is durable with the movement; `step` reads rows after
 * its cursor, writes their movements, cases and evidence, and moves the cursor — all in ONE
 * transaction. A crash before that commit leaves the cursor where it was, and the rows are read
 * again on the next start; a crash after it has nothing left to do. A row is never read twice
 * (the cursor and the movement's primary key, the journal seq, both see to it). The rules use
 * the movements' own times, so a late read finds what an immediate one would have.
 *
 * Invariants:
 * - Cases hold hashed subjects and masked forms only (see rules.ts); the subject reference shown
 *   and exported is a keyed hash (this terminal's salt), not the stored hash.
 * - A reported case is final (here and by migration 250's trigger); evidence is never removed.
 * - New evidence on a noted case opens it again (the note stays), so a note always covered
 *   everything the case held when it was written.
 * - Every note, "reported" and export writes an audit row naming the operator, in the same
 *   transaction as the change it records.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AmlCase, AmlEvidence, AmlReport, AmlStatus } from '../api/aml';
import { audit } from '../audit';
import type { EventBus } from '../events';
import type { Db, Queryable } from '../store/db';
import { crashPoint } from './crash-point';
import { AmlErrors } from './errors';
import { MOVEMENT_KINDS, movementOf, type JournalHead } from './movements';
import {
  AML_RULES, evaluate, explain, isCashOut, lookbackMs, RULE_NAME,
  type AmlRule, type AmlThresholds, type Finding, type Movement, type RuleContext, type SubjectType,
} from './rules';

interface MovementRow {
  seq: number;
  at: number;
  day: string;
  kind: Movement['kind'];
  channel: Movement['channel'];
  ref: string;
  amount_fen: number;
  subject_type: SubjectType | null;
  subject_key: string | null;
  subject_masked: string | null;
  near_limit: number;
  line_fen: number | null;
}

interface CaseRow {
  id: number;
  case_no: string;
  rule: AmlRule;
  subject_type: SubjectType;
  subject_key: string;
  subject_masked: string | null;
  day: string;
  opened_at: number;
  last_at: number;
  count: number;
  total_fen: number;
  figures: string;
  status: AmlStatus;
  note: string | null;
  noted_by: string | null;
  noted_at: number | null;
  reported_by: string | null;
  reported_at: number | null;
  updated_at: number;
}

export interface StepResult {
  /** Journal rows read (movements or not). */
  read: number;
  /** Cases opened or given new evidence. */
  changed: number;
}

export interface AmlStoreOptions {
  terminalId: string;
  /** `aml:changed` after each commit that changed a case. */
  bus?: EventBus | null;
  /** The thresholds in force (the synced risk policy, read at each step). */
  thresholds: () => AmlThresholds;
  now?: () => number;
  /** Journal rows per transaction: small, so a payment never waits long behind a catch-up. */
  batch?: number;
}

const DAY_MS = 86_400_000;
const KINDS: readonly string[] = MOVEMENT_KINDS;

function toMovement(r: MovementRow): Movement {
  return {
    seq: r.seq, at: r.at, day: r.day, kind: r.kind, channel: r.channel, ref: r.ref, amountFen: r.amount_fen,
    subject: r.subject_type && r.subject_key ? { type: r.subject_type, key: r.subject_key, masked: r.subject_masked } : null,
    party: r.subject_masked, nearLimit: r.near_limit === 1, lineFen: r.line_fen,
  };
}

/** `day` minus `n` calendar days (YYYY-MM-DD). */
function daysBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
}

export function checkNote(raw: string): string {
  const note = raw.trim();
  const len = [...note].length;
  if (len < 2 || len > 200 || /\p{Cc}/u.test(note)) throw AmlErrors.note();
  return note;
}

/** A period of China days: real dates, start not after end, at most 366 days. */
export function checkPeriod(from: string, to: string): void {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  const real = (d: string, ms: number) => Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === d;
  if (!real(from, a) || !real(to, b) || a > b || b - a > 366 * DAY_MS) throw AmlErrors.period();
}

export class AmlStore {
  private readonly now: () => number;
  private readonly batch: number;

  constructor(private readonly db: Db, private readonly opts: AmlStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.batch = opts.batch ?? 50;
  }

  // ------------------------------------------------------------------ reading movements

  /** The cursor and salt, created on first use (and again after a training reset emptied them). */
  private async state(q: Queryable): Promise<{ journal_seq: number; salt: string }> {
    const s = await q.get<{ journal_seq: number; salt: string }>('SELECT journal_seq, salt FROM aml_state WHERE id = 1');
    if (s) return s;
    const fresh = { journal_seq: 0, salt: randomBytes(32).toString('hex') };
    await q.run('INSERT INTO aml_state (id, journal_seq, salt) VALUES (1, ?, ?)', [fresh.journal_seq, fresh.salt]);
    return fresh;
  }

  /**
   * Reads the next journal rows after the cursor into movements and cases, and moves the cursor,
   * in one transaction. Returns how many rows were read (0: nothing is waiting).
   */
  async step(): Promise<StepResult> {
    // A plain read first: most calls (one per payment event) find nothing new and need no write lock.
    const top = await this.db.get<{ top: number | null; cursor: number | null }>(
      'SELECT (SELECT MAX(seq) FROM journal) AS top, (SELECT journal_seq FROM aml_state WHERE id = 1) AS cursor');
    if (!top?.top || (top.cursor !== null && top.top <= top.cursor)) return { read: 0, changed: 0 };
    const t = this.opts.thresholds();
    crashPoint('aml.before-step');
    const result = await this.db.tx(async (q) => {
      const { journal_seq: cursor } = await this.state(q);
      const rows = await q.all<JournalHead>('SELECT seq, at, kind, ref, amount_fen FROM journal WHERE seq > ? ORDER BY seq LIMIT ?', [cursor, this.batch]);
      if (!rows.length) return { read: 0, changed: 0 };
      let changed = 0;
      for (const r of rows) {
        if (!KINDS.includes(r.kind)) continue;
        const m = await movementOf(q, r, t);
        if (!m) continue;
        const ins = await q.run(
          `INSERT OR IGNORE INTO aml_movements (seq, at, day, kind, channel, ref, amount_fen, subject_type, subject_key, subject_masked, near_limit, line_fen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [m.seq, m.at, m.day, m.kind, m.channel, m.ref, m.amountFen, m.subject?.type ?? null, m.subject?.key ?? null, m.party, m.nearLimit ? 1 : 0, m.lineFen],
        );
        if (!ins.changes) continue;
        for (const f of evaluate(t, m, await this.context(q, m, t))) changed += await this.record(q, f, m);
      }
      crashPoint('aml.before-commit');
      await q.run('UPDATE aml_state SET journal_seq = ? WHERE id = 1', [rows[rows.length - 1].seq]);
      return { read: rows.length, changed };
    });
    crashPoint('aml.after-commit');
    if (result.changed) await this.announce();
    return result;
  }

  private async announce(): Promise<void> {
    if (this.opts.bus) this.opts.bus.emit('aml:changed', { open: await this.openCount() });
  }

  /** Journal rows committed but not read yet. */
  async behind(): Promise<number> {
    const r = await this.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM journal WHERE seq > COALESCE((SELECT journal_seq FROM aml_state WHERE id = 1), 0)');
    return r?.n ?? 0;
  }

  private async context(q: Queryable, m: Movement, t: AmlThresholds): Promise<RuleContext> {
    const subjectRecent = m.subject
      ? (await q.all<MovementRow>('SELECT * FROM aml_movements WHERE subject_key = ? AND seq <= ? AND at > ? ORDER BY seq',
        [m.subject.key, m.seq, m.at - lookbackMs(t)])).map(toMovement)
      : [];
    const remittances = isCashOut(m)
      ? (await q.all<MovementRow>("SELECT * FROM aml_movements WHERE kind = 'remittance' AND seq < ? AND at > ? AND at <= ? ORDER BY seq",
        [m.seq, m.at - t.remitThenCashOut.windowMs, m.at])).map(toMovement)
      : [];
    const today = await q.get<{ count: number; fen: number }>(
      'SELECT COUNT(*) AS count, COALESCE(SUM(amount_fen), 0) AS fen FROM aml_movements WHERE day = ? AND seq <= ?', [m.day, m.seq]);
    const baseline = await q.all<{ day: string; count: number; fen: number }>(
      'SELECT day, COUNT(*) AS count, SUM(amount_fen) AS fen FROM aml_movements WHERE day >= ? AND day < ? GROUP BY day ORDER BY day',
      [daysBefore(m.day, t.volume.baselineDays), m.day]);
    return { subjectRecent, remittances, today: today ?? { count: 0, fen: 0 }, baseline };
  }

  /**
   * Files a finding: new evidence joins the subject's latest case of that rule while it is within
   * the rule's day or window and not reported; otherwise a new case opens. Returns 1 when a case
   * was opened or gained evidence.
   */
  private async record(q: Queryable, f: Finding, m: Movement): Promise<number> {
    const at = this.now();
    const last = await q.get<CaseRow>('SELECT * FROM aml_cases WHERE rule = ? AND subject_key = ? ORDER BY id DESC LIMIT 1', [f.rule, f.subject.key]);
    const within = last !== undefined && last.status !== 'reported'
      && (f.scope.kind === 'day' ? last.day === f.scope.day : last.last_at > m.at - f.scope.windowMs);
    if (last && within) {
      let added = 0;
      for (const e of f.evidence) added += (await q.run('INSERT OR IGNORE INTO aml_evidence (case_id, movement_seq) VALUES (?, ?)', [last.id, e.seq])).changes;
      if (!added) return 0;
      const sums = await q.get<{ n: number; fen: number; last: number }>(
        'SELECT COUNT(*) AS n, SUM(v.amount_fen) AS fen, MAX(v.at) AS last FROM aml_evidence e JOIN aml_movements v ON v.seq = e.movement_seq WHERE e.case_id = ?', [last.id]);
      await q.run('UPDATE aml_cases SET count = ?, total_fen = ?, last_at = ?, figures = ?, status = ?, updated_at = ? WHERE id = ?',
        [sums!.n, sums!.fen, Math.max(last.last_at, sums!.last), JSON.stringify(f.figures), last.status === 'noted' ? 'open' : last.status, at, last.id]);
      return 1;
    }
    const id = ((await q.get<{ n: number | null }>('SELECT MAX(id) AS n FROM aml_cases'))?.n ?? 0) + 1;
    const caseNo = `AML${m.day.replace(/-/g, '')}${String(id).padStart(4, '0')}`;
    await q.run(
      `INSERT INTO aml_cases (id, case_no, rule, subject_type, subject_key, subject_masked, day, opened_at, last_at, count, total_fen, figures, status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
      [id, caseNo, f.rule, f.subject.type, f.subject.key, f.subject.masked, m.day, m.at, Math.max(...f.evidence.map((e) => e.at)),
        f.evidence.length, f.evidence.reduce((a, e) => a + e.amountFen, 0), JSON.stringify(f.figures), at],
    );
    for (const e of f.evidence) await q.run('INSERT INTO aml_evidence (case_id, movement_seq) VALUES (?, ?)', [id, e.seq]);
    return 1;
  }

  // ------------------------------------------------------------------ reading cases

  async openCount(): Promise<number> {
    return (await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM aml_cases WHERE status = 'open'"))?.n ?? 0;
  }

  private async salt(): Promise<string> {
    const s = await this.db.get<{ salt: string }>('SELECT salt FROM aml_state WHERE id = 1');
    return s?.salt ?? (await this.db.tx((q) => this.state(q))).salt;
  }

  private async toCase(q: Queryable, r: CaseRow, salt: string, evidence?: AmlEvidence[]): Promise<AmlCase> {
    const ev = evidence ?? (await q.all<MovementRow & { case_id: number }>(
      'SELECT v.* FROM aml_evidence e JOIN aml_movements v ON v.seq = e.movement_seq WHERE e.case_id = ? ORDER BY v.seq', [r.id])).map(toEvidence);
    const figures = JSON.parse(r.figures) as Record<string, number>;
    return {
      caseNo: r.case_no, rule: r.rule, ruleName: RULE_NAME[r.rule], explain: explain(r.rule, figures), status: r.status,
      subjectType: r.subject_type, subjectMasked: r.subject_masked,
      subjectRef: createHmac('sha256', salt).update(r.subject_key).digest('hex').slice(0, 16),
      day: r.day, openedAt: r.opened_at, lastAt: r.last_at, count: r.count, totalFen: r.total_fen, figures,
      note: r.note, notedBy: r.noted_by, notedAt: r.noted_at, reportedBy: r.reported_by, reportedAt: r.reported_at,
      newSinceNote: r.status === 'open' && r.note !== null, evidence: ev,
    };
  }

  /** One case by number (refused when there is none). */
  async getCase(caseNo: string): Promise<AmlCase> {
    const r = await this.db.get<CaseRow>('SELECT * FROM aml_cases WHERE case_no = ?', [caseNo]);
    if (!r) throw AmlErrors.notFound();
    return this.toCase(this.db, r, await this.salt());
  }

  /** The cases opened in [from, to] (China days), their evidence and totals; `watcher` is the caller's. */
  async report(from: string, to: string, watcher: AmlReport['watcher']): Promise<AmlReport> {
    checkPeriod(from, to);
    const salt = await this.salt();
    const rows = await this.db.all<CaseRow>('SELECT * FROM aml_cases WHERE day >= ? AND day <= ? ORDER BY id', [from, to]);
    const ev = await this.db.all<MovementRow & { case_id: number }>(
      `SELECT e.case_id, v.* FROM aml_evidence e JOIN aml_movements v ON v.seq = e.movement_seq
       WHERE e.case_id IN (SELECT id FROM aml_cases WHERE day >= ? AND day <= ?) ORDER BY v.seq`, [from, to]);
    const byCase = new Map<number, AmlEvidence[]>();
    const distinct = new Map<number, number>();
    for (const e of ev) {
      byCase.set(e.case_id, [...(byCase.get(e.case_id) ?? []), toEvidence(e)]);
      distinct.set(e.seq, e.amount_fen);
    }
    const cases = await Promise.all(rows.map((r) => this.toCase(this.db, r, salt, byCase.get(r.id) ?? [])));
    const byStatus = { open: 0, noted: 0, reported: 0 };
    for (const c of cases) byStatus[c.status]++;
    const byRule = AML_RULES.map((rule) => {
      const of = cases.filter((c) => c.rule === rule);
      return { rule, count: of.length, fen: of.reduce((a, c) => a + c.totalFen, 0) };
    }).filter((b) => b.count > 0);
    const exports = (await this.db.all<{ at: number; operator_id: string | null; detail: string }>(
      "SELECT at, operator_id, detail FROM audit_log WHERE action = 'aml.export' ORDER BY seq DESC LIMIT 5")).map((a) => {
      const d = JSON.parse(a.detail) as { format: 'csv' | 'print'; from: string; to: string; cases: string[] };
      return { at: a.at, operatorId: a.operator_id, format: d.format, from: d.from, to: d.to, cases: d.cases.length };
    });
    return {
      from, to, terminalId: this.opts.terminalId, generatedAt: this.now(), cases,
      totals: { cases: cases.length, byStatus, byRule, movements: { count: distinct.size, fen: [...distinct.values()].reduce((a, x) => a + x, 0) } },
      watcher, exports,
    };
  }

  // ------------------------------------------------------------------ the agent's work

  /** The agent's note: the case becomes `noted`. Refused once reported; the audit row names who. */
  async note(caseNo: string, raw: string, operatorId: string | null): Promise<AmlCase> {
    const note = checkNote(raw);
    return this.change(caseNo, async (q, r, at) => {
      await q.run("UPDATE aml_cases SET status = 'noted', note = ?, noted_by = ?, noted_at = ?, updated_at = ? WHERE id = ?", [note, operatorId, at, at, r.id]);
      await audit(q, { operatorId, action: 'aml.note', detail: { caseNo, rule: r.rule, note } }, at);
      return { ...r, status: 'noted', note, noted_by: operatorId, noted_at: at, updated_at: at };
    });
  }

  /** Handed to the acquirer (final). Only a noted case: its note must cover all its evidence. */
  async markReported(caseNo: string, operatorId: string | null): Promise<AmlCase> {
    return this.change(caseNo, async (q, r, at) => {
      if (r.status !== 'noted') throw AmlErrors.noteFirst();
      await q.run("UPDATE aml_cases SET status = 'reported', reported_by = ?, reported_at = ?, updated_at = ? WHERE id = ?", [operatorId, at, at, r.id]);
      await audit(q, { operatorId, action: 'aml.reported', detail: { caseNo, rule: r.rule, count: r.count, totalFen: r.total_fen } }, at);
      return { ...r, status: 'reported', reported_by: operatorId, reported_at: at, updated_at: at };
    });
  }

  /**
   * A person's change to one case, in one transaction with its audit row: refused when there is
   * no such case or it is reported already (final); `aml:changed` after the commit.
   */
  private async change(caseNo: string, apply: (q: Queryable, r: CaseRow, at: number) => Promise<CaseRow>): Promise<AmlCase> {
    const at = this.now();
    const salt = await this.salt();
    const c = await this.db.tx(async (q) => {
      const r = await q.get<CaseRow>('SELECT * FROM aml_cases WHERE case_no = ?', [caseNo]);
      if (!r) throw AmlErrors.notFound();
      if (r.status === 'reported') throw AmlErrors.reported();
      return this.toCase(q, await apply(q, r, at), salt);
    });
    await this.announce();
    return c;
  }

  /** The audit row of an export or print: who, when, which period, which cases. */
  async recordExport(input: { from: string; to: string; format: 'csv' | 'print'; caseNos: string[]; operatorId: string | null }): Promise<number> {
    const at = this.now();
    await this.db.tx((q) => audit(q, { operatorId: input.operatorId, action: 'aml.export', detail: { format: input.format, from: input.from, to: input.to, cases: input.caseNos } }, at));
    return at;
  }
}

function toEvidence(r: MovementRow): AmlEvidence {
  return { seq: r.seq, at: r.at, kind: r.kind, channel: r.channel, ref: r.ref, amountFen: r.amount_fen, party: r.subject_masked };
}
