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
});
export type SessionState = z.infer<typeof SessionState>;

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
  /** The current session (null operator when nobody is logged in or the session locked). */
  'session:current': method({ input: Empty, output: SessionState, access: 'public' }),
} as const;

export const sessionEvents = {
  /** The operator logged in, out, or the session locked. */
  'session:changed': SessionState,
} as const;
