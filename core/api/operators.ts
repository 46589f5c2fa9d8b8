/**
 * Managing operators (an administrator's screen in Settings): list, add, disable or enable,
 * reset a PIN, unlock. Changes that give or restore access (add, enable, reset a PIN) need a
 * second operator's approval on the same screen, like `settings:update`: a different supervisor
 * or admin, who is not the operator concerned. Disabling and unlocking take none (disabling only
 * removes access; unlocking only clears the wrong-PIN counter, the PIN is still needed). The core
 * never lets the last active administrator be disabled, nor anyone disable themselves.
 */
import { z } from 'zod';
import { Id, method, Role } from './define';
import { OperatorName } from './session';

export const OperatorRecord = z.object({
  id: Id,
  name: z.string(),
  role: Role,
  active: z.boolean(),
  /** Locked after too many wrong PINs, until this epoch ms; null when not locked. */
  lockedUntil: z.number().int().nullable(),
  /** Must choose a new PIN at the next login (after a reset). */
  mustChangePin: z.boolean(),
});
export type OperatorRecord = z.infer<typeof OperatorRecord>;

/** Optional in the schema so a missing approval is refused with its own plain reason. */
const Approval = {
  approverId: Id.optional(),
  approverPin: z.string().regex(/^[0-9]{4,8}$/).optional(),
};

export const operatorMethods = {
  /** Every operator of this counter, disabled ones too (never PIN data). */
  'operators:list': method({ input: z.object({}).strict(), output: z.array(OperatorRecord), access: ['admin'] }),
  /**
   * Add an operator with a first PIN (typed twice, rules of core/auth/pin.ts), which they change at
   * their first login. Trainers exist in demo mode only. Needs a second supervisor or admin.
   */
  'operators:add': method({
    input: z.object({ id: Id, name: OperatorName, role: Role, pin: z.string().max(8), pinAgain: z.string().max(8), ...Approval }).strict(),
    output: z.array(OperatorRecord),
    access: ['admin'],
  }),
  /** Disable (no approval) or enable again (approval needed). Never yourself, never the last active admin. */
  'operators:setActive': method({
    input: z.object({ operatorId: Id, active: z.boolean(), ...Approval }).strict(),
    output: z.array(OperatorRecord),
    access: ['admin'],
  }),
  /** A temporary PIN (typed twice) the operator must replace at their next login. Needs approval; never your own. */
  'operators:resetPin': method({
    input: z.object({ operatorId: Id, pin: z.string().max(8), pinAgain: z.string().max(8), ...Approval }).strict(),
    output: z.array(OperatorRecord),
    access: ['admin'],
  }),
  /** Clear a wrong-PIN lockout now rather than waiting it out. */
  'operators:unlock': method({ input: z.object({ operatorId: Id }).strict(), output: z.array(OperatorRecord), access: ['admin'] }),
} as const;
