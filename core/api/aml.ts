/**
 * Anti-money-laundering cases (core/aml): what the watcher flagged, with its evidence, for the
 * agent or supervisor to note and hand to the acquirer; the report of a period, exported as CSV
 * or printed, each export audited with who made it. Identifiers are masked (`138****1111`,
 * `…1234`, `**** 5678`) or a keyed hash (`subjectRef`); never a full phone, account, wallet id or
 * payment code.
 */
import { z } from 'zod';
import { Fen, method } from './define';
import { BusinessDay } from './receipts';

/** Who works with cases: the service point's agent, a supervisor, an administrator. */
export const AML_ROLES = ['agent', 'supervisor', 'admin'] as const;

export const AmlRuleName = z.enum(['near_limit_repeated', 'repeated_cash_out', 'structuring', 'remit_then_cash_out', 'volume_spike']);
export type AmlRuleName = z.infer<typeof AmlRuleName>;
/**
 * - `open`     flagged, no note yet — or new evidence arrived after the note (`newSinceNote`);
 * - `noted`    the agent wrote what they know of it;
 * - `reported` handed to the acquirer (final).
 */
export const AmlStatus = z.enum(['open', 'noted', 'reported']);
export type AmlStatus = z.infer<typeof AmlStatus>;
export const AmlMovementKind = z.enum(['sale', 'withdrawal', 'cash_out', 'bill', 'remittance']);
export const AmlChannel = z.enum(['online', 'offline', 'cash', 'service']);
export const AmlSubjectType = z.enum(['phone', 'wallet', 'account', 'counter']);

const Words = z.object({ zh: z.string(), en: z.string() });

/** A case number: `AML` + China date + a sequence. */
export const CaseNo = z.string().regex(/^AML\d{12,16}$/);

export const AmlEvidence = z.object({
  seq: z.number().int(),
  at: z.number().int(),
  kind: AmlMovementKind,
  channel: AmlChannel,
  /** The order number (a withdrawal's charge), bill id or remittance reference. */
  ref: z.string(),
  amountFen: Fen,
  /** Masked: the customer's phone, wallet tail or account; a remittance's beneficiary. */
  party: z.string().nullable(),
});
export type AmlEvidence = z.infer<typeof AmlEvidence>;

export const AmlCase = z.object({
  caseNo: CaseNo,
  rule: AmlRuleName,
  ruleName: Words,
  /** What the rule saw, with its figures, in a sentence. */
  explain: Words,
  status: AmlStatus,
  subjectType: AmlSubjectType,
  subjectMasked: z.string().nullable(),
  /** A keyed hash of the subject (this terminal's key): the same customer, the same reference. */
  subjectRef: z.string().regex(/^[0-9a-f]{16}$/),
  /** China day the case was opened (the period it belongs to). */
  day: BusinessDay,
  openedAt: z.number().int(),
  lastAt: z.number().int(),
  count: z.number().int().positive(),
  totalFen: Fen,
  figures: z.record(z.string(), z.number()),
  note: z.string().nullable(),
  notedBy: z.string().nullable(),
  notedAt: z.number().int().nullable(),
  reportedBy: z.string().nullable(),
  reportedAt: z.number().int().nullable(),
  /** Evidence arrived after the note: the case is open again for a fresh note. */
  newSinceNote: z.boolean(),
  evidence: z.array(AmlEvidence),
});
export type AmlCase = z.infer<typeof AmlCase>;

const Bucket = z.object({ count: z.number().int().nonnegative(), fen: Fen });

export const AmlReport = z.object({
  from: BusinessDay,
  to: BusinessDay,
  terminalId: z.string(),
  generatedAt: z.number().int(),
  /** Cases opened in the period, oldest first. */
  cases: z.array(AmlCase),
  totals: z.object({
    cases: z.number().int().nonnegative(),
    byStatus: z.object({ open: z.number().int().nonnegative(), noted: z.number().int().nonnegative(), reported: z.number().int().nonnegative() }),
    byRule: z.array(Bucket.extend({ rule: AmlRuleName })),
    /** The distinct movements the cases name (one movement in two cases counts once). */
    movements: Bucket,
  }),
  /**
   * The watcher's own state: movements committed but not read yet (normally 0 within a moment
   * of a payment), and what stops it, if anything.
   */
  watcher: z.object({ behind: z.number().int().nonnegative(), problem: Words.nullable() }),
  /** The last exports and prints of any period: who, when, how. */
  exports: z.array(z.object({ at: z.number().int(), operatorId: z.string().nullable(), format: z.enum(['csv', 'print']), from: BusinessDay, to: BusinessDay, cases: z.number().int().nonnegative() })),
});
export type AmlReport = z.infer<typeof AmlReport>;

const Period = z.object({ from: BusinessDay, to: BusinessDay });

export const amlMethods = {
  /** The cases opened in a period (China days, inclusive), with evidence and totals. */
  'aml:report': method({ input: Period.strict(), output: AmlReport, access: AML_ROLES }),
  /** The agent's note on a case (2–200 characters): the case becomes `noted`. Refused once reported. */
  'aml:note': method({ input: z.object({ caseNo: CaseNo, note: z.string().max(400) }).strict(), output: AmlCase, access: AML_ROLES }),
  /** The case was handed to the acquirer (final). Needs a note first. */
  'aml:markReported': method({ input: z.object({ caseNo: CaseNo }).strict(), output: AmlCase, access: AML_ROLES }),
  /**
   * The report of a period to hand to the acquirer: `csv` returns the file's text, `print` the
   * report for the printable page. Either way an audit row records who exported what.
   */
  'aml:export': method({
    input: Period.extend({ format: z.enum(['csv', 'print']) }).strict(),
    output: z.object({ fileName: z.string(), csv: z.string().nullable(), report: AmlReport, exportedAt: z.number().int(), exportedBy: z.string() }),
    access: AML_ROLES,
  }),
} as const;

export const amlEvents = {
  /** Cases changed (a new case, new evidence, a note, reported): the number of open cases now. */
  'aml:changed': z.object({ open: z.number().int().nonnegative() }),
} as const;
