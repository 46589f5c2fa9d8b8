/**
 * Building blocks of the typed contract. A method is an input schema, an output schema and the
 * roles allowed to call it; the dispatcher (core/api/dispatcher.ts) enforces all three, so a
 * handler only ever sees parsed input from an operator allowed to send it.
 */
import { z } from 'zod';

export const Role = z.enum(['cashier', 'supervisor', 'agent', 'trainer', 'admin']);
export type Role = z.infer<typeof Role>;

/** Who may call a method: anyone (login screen), any logged-in operator, or listed roles. */
export type Access = 'public' | 'operator' | readonly Role[];

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  access: Access;
}

export function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

/** Integer fen: money never travels as a float. Upper bound keeps sums far from 2^53. */
export const Fen = z.number().int().nonnegative().max(100_000_000_00);
export const PositiveFen = Fen.refine((v) => v > 0, { message: 'amount must be positive' });

/** Identifiers sent by the UI: short, printable, no control characters. */
export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/);

/**
 * The idempotency key of one intended money-moving action, made by the screen once per action
 * (not per press, not per send): a double press, a retry after a reconnect or a reload that
 * re-sends it gets the first answer, and the action happens once. The core stores it with the
 * row the action creates (unique), so it holds across restarts. Same id with different
 * parameters is refused (`request.mismatch`).
 */
export const RequestId = z.string().min(16).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });
