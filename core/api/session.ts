/** Operators and their session: login by operator id and PIN, logout, who is logged in. */
import { z } from 'zod';
import { Empty, Id, method, Ok, Role } from './define';

export const Operator = z.object({
  id: Id,
  name: z.string(),
  role: Role,
});
export type Operator = z.infer<typeof Operator>;

export const SessionState = z.object({
  operator: Operator.nullable(),
  /** Epoch ms after which the session locks for want of activity. */
  lockAt: z.number().int().nullable(),
  /**
   * On the `session:changed` that ends a session only: why it ended, so a screen never says
   * "locked after inactivity" for a logout made in another window. `idle`: the idle lock;
   * `logout`: someone logged out (this window or another); `elsewhere`: another window of the
   * browser shell logged in, so this page must enter its PIN again (core/auth/page-gate.ts).
   */
  ended: z.enum(['idle', 'logout', 'elsewhere']).optional(),
});
export type SessionState = z.infer<typeof SessionState>;

/** A PIN as typed at login (4–8 digits); a newly chosen one is checked further in the core (core/auth/pin.ts). */
export const Pin = z.string().regex(/^[0-9]{4,8}$/);
/** A display name: printable, not blank (the core trims it). */
export const OperatorName = z.string().min(1).max(40).regex(/^[^\p{Cc}]+$/u);

export const sessionMethods = {
  /** Operators that may log in on this terminal (names and roles only, never PIN data). */
  'session:operators': method({ input: Empty, output: z.array(Operator), access: 'public' }),
  /**
   * Log in with a PIN (4–8 digits). The PIN is checked against a slow hash in the core; after
   * repeated failures the operator is locked out for a while.
   */
  'session:login': method({
    input: z.object({ operatorId: Id, pin: z.string().regex(/^[0-9]{4,8}$/) }).strict(),
    output: SessionState,
    access: 'public',
  }),
  /** Log the current operator out. */
  'session:logout': method({ input: Empty, output: Ok, access: 'public' }),
  /**
   * True only on a live counter whose database has no operator yet: the login screen then shows
   * the first-run step instead of the operator list. Always false in demo mode (it is seeded).
   */
  'session:setupNeeded': method({ input: Empty, output: z.object({ needed: z.boolean() }), access: 'public' }),
  /**
   * First run: creates the first administrator and logs them in. Allowed once: atomically, so of
   * two windows racing only one succeeds; refused in demo mode and once any operator exists.
   * Public, because nobody can log in before it (core/auth/README.md says who may do it).
   */
  'session:setup': method({
    input: z.object({ id: Id, name: OperatorName, pin: z.string().max(8), pinAgain: z.string().max(8) }).strict(),
    output: SessionState,
    access: 'public',
  }),
  /**
   * Log in with a PIN an administrator reset, choosing a new one (typed twice). Login with a reset
   * PIN is refused with `auth.must_change_pin` until this succeeds.
   */
  'session:changePin': method({
    input: z.object({ operatorId: Id, pin: Pin, newPin: z.string().max(8), newPinAgain: z.string().max(8) }).strict(),
    output: SessionState,
    access: 'public',
  }),
  /** The current session (null operator when nobody is logged in or the session locked). */
  'session:current': method({ input: Empty, output: SessionState, access: 'public' }),
} as const;

export const sessionEvents = {
  /** The operator logged in, out, or the session locked. */
  'session:changed': SessionState,
} as const;
