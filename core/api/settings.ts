/**
 * Terminal settings under dual control (双人复核): the offline limits in effect, the refund
 * approval threshold, and the acquirer connection (read-only, safe-to-show fields only).
 *
 * A change needs a second operator: a different supervisor or admin enters their id and PIN on
 * the same screen. Local limits may only tighten what the acquirer's synced policy and the
 * regulator allow (core/settings/service.ts explains each bound in its bilingual refusal).
 */
import { z } from 'zod';
import { Fen, Id, method } from './define';

/** The offline risk limits an operator may tighten locally (integers: fen, minutes, counts). */
export const OfflineLimits = z.object({
  /** Largest single offline payment (fen). */
  perPaymentCapFen: Fen,
  /** Per wallet per Beijing day, offline only (fen). */
  walletDailyCapFen: Fen,
  /** Sum of offline money not yet answered by the acquirer (fen). */
  exposureLimitFen: Fen,
  /** New offline payments stop when the oldest unforwarded item is older than this (minutes). */
  maxPendingAgeMin: z.number().int().nonnegative(),
  /** Offline payments per wallet in any rolling hour. */
  velocityPerHour: z.number().int().nonnegative(),
});
export type OfflineLimits = z.infer<typeof OfflineLimits>;

export const AcquirerView = z.object({
  kind: z.enum(['embedded', 'http']),
  /** Host (and port) of the acquirer's base URL; null for the embedded simulator. Never a key. */
  host: z.string().nullable(),
  terminalId: z.string(),
  /** True when the acquirer is a simulator (always in demo mode). */
  simulator: z.boolean(),
  /** The connection comes from the configuration file; it is not changed from this screen. */
  editable: z.literal(false),
});

export const SettingsView = z.object({
  /** The limits the risk engine applies now: the stricter of the synced policy and the local ones. */
  offline: OfflineLimits,
  /** The upper bounds a local change may reach: the acquirer's synced policy, capped by the regulator. */
  bounds: OfflineLimits,
  /** Which limits are tightened locally (the others follow the acquirer). */
  localOverrides: z.array(OfflineLimits.keyof()),
  policyVersion: z.number().int(),
  /** Refunds above this need a supervisor's approval (fen). */
  refundApprovalFen: Fen,
  refundApprovalMaxFen: Fen,
  acquirer: AcquirerView,
});
export type SettingsView = z.infer<typeof SettingsView>;

/** A proposed value: a positive integer (fen, minutes or count); the bounds are checked in the core. */
const Proposed = z.number().int().positive().max(100_000_000_00);

export const SettingsUpdate = z
  .object({
    perPaymentCapFen: Proposed.optional(),
    walletDailyCapFen: Proposed.optional(),
    exposureLimitFen: Proposed.optional(),
    maxPendingAgeMin: Proposed.optional(),
    velocityPerHour: Proposed.optional(),
    refundApprovalFen: Proposed.optional(),
    /**
     * Accepted by the schema only so the core can refuse it with a plain reason (demo mode can
     * never be pointed at a live acquirer; the connection is read-only here). Never written.
     */
    acquirer: z.unknown().optional(),
    /** Optional in the schema so a missing approval is refused with its own plain reason. */
    approverId: Id.optional(),
    approverPin: z.string().regex(/^[0-9]{4,8}$/).optional(),
  })
  .strict();
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

export const settingsMethods = {
  /** The limits in effect, their bounds, the refund approval threshold and the acquirer (safe fields). */
  'settings:get': method({ input: z.object({}).strict(), output: SettingsView, access: 'operator' }),
  /**
   * Change limits and/or the refund threshold. Any logged-in operator may propose; a different
   * supervisor or admin approves with their PIN. The change and its audit row (both operators,
   * old → new) are written in one transaction and take effect at once. A refusal writes nothing.
   */
  'settings:update': method({ input: SettingsUpdate, output: SettingsView, access: 'operator' }),
} as const;
