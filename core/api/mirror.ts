/**
 * The mirror of what is not yet forwarded, on a second medium (core/mirror): its status for the
 * status bar, turning it on (an administrator, with a supervisor's approval: it decides where
 * payment data is copied), and restoring from it on a replacement PC (the same two people).
 */
import { z } from 'zod';
import { Empty, Id, method, RequestId } from './define';

export const MirrorStatus = z.object({
  /** off: none chosen; ok: up to date; behind: changes not yet written; missing: the medium is not there; damaged: the file on it failed its check (a new one was begun). */
  state: z.enum(['off', 'ok', 'behind', 'missing', 'damaged']),
  dir: z.string().nullable(),
  records: z.number().int().nonnegative(),
  lastWriteAt: z.number().int().nullable(),
  problem: z.string().nullable(),
});
export type MirrorStatus = z.infer<typeof MirrorStatus>;

/** A folder on the second medium, as typed or picked: an absolute path, no control characters. */
const Folder = z.string().min(1).max(400).regex(/^(?:\/|[A-Za-z]:[\\/]|\\\\)[^\u0000-\u001f]*$/);
const Pin = z.string().regex(/^[0-9]{4,8}$/);

export const RestoreResult = z.object({
  items: z.object({ count: z.number().int(), fen: z.number().int() }),
  bills: z.object({ count: z.number().int(), fen: z.number().int() }),
  alreadyHere: z.number().int(),
  records: z.number().int(),
  problem: z.string().nullable(),
});
export type RestoreResult = z.infer<typeof RestoreResult>;

export const mirrorMethods = {
  /** Where the mirror stands (for the status bar and settings). */
  'mirror:status': method({ input: Empty, output: MirrorStatus, access: 'operator' }),
  /**
   * Turns the mirror on in `dir` (or moves it there) with a new recovery code, answered ONCE:
   * the administrator writes it on paper for the shop's papers. A repeat of the same request id
   * answers the same status without a new code (the first answer had it).
   */
  'mirror:enable': method({
    input: z.object({ dir: Folder, approverId: Id, approverPin: Pin, requestId: RequestId }).strict(),
    output: z.object({ status: MirrorStatus, recoveryCode: z.string().nullable() }),
    access: ['admin'],
  }),
  /** Turns the mirror off (the medium retired): it lowers the protection, so a second person approves too. */
  'mirror:disable': method({
    input: z.object({ approverId: Id, approverPin: Pin }).strict(),
    output: MirrorStatus,
    access: ['admin'],
  }),
  /** Puts back every not-yet-forwarded item the mirror in `dir` holds (replacement PC). */
  'mirror:restore': method({
    input: z.object({ dir: Folder, recoveryCode: z.string().min(32).max(64), approverId: Id, approverPin: Pin, requestId: RequestId }).strict(),
    output: RestoreResult,
    access: ['admin'],
  }),
} as const;

export const mirrorEvents = {
  /** The mirror's status changed (the status bar shows missing, behind or damaged). */
  'mirror:changed': MirrorStatus,
} as const;
