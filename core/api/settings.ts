/**
 * Terminal settings under dual control (双人复核): the offline limits in effect, the refund
 * approval threshold, and the acquirer connection (read-only, safe-to-show fields only).
 *
 * A change needs a second operator: a different supervisor or admin enters their id and PIN on
 * the same screen. Local limits may only tighten what the acquirer's synced policy and the
 * regulator allow (core/settings/service.ts explains each bound in its bilingual refusal).
 */
import { z } from 'zod';
import { Fen, Id, method, RequestId } from './define';

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
  kind: z.enum(['embedded', 'http', 'none']),
  /** Host (and port) of the acquirer's base URL; null for the embedded simulator. Never a key. */
  host: z.string().nullable(),
  terminalId: z.string(),
  /** True when the acquirer is a simulator (always in demo mode). */
  simulator: z.boolean(),
  /** Never changed through `settings:update`: the connection has its own methods (core/api/acquirer.ts). */
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
  /** A sale's refunds above this in all need a supervisor's approval (fen). */
  refundApprovalFen: Fen,
  refundApprovalMaxFen: Fen,
  /** An operator's refunds in a day without a supervisor above this need one (fen). */
  refundDailyApprovalFen: Fen,
  refundDailyApprovalMaxFen: Fen,
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
    refundDailyApprovalFen: Proposed.optional(),
    /**
     * Accepted by the schema only so the core can refuse it with a plain reason (demo mode can
     * never be pointed at a live acquirer; the connection is read-only here). Never written.
     */
    acquirer: z.unknown().optional(),
    /** Optional in the schema so a missing approval is refused with its own plain reason. */
    approverId: Id.optional(),
    approverPin: z.string().regex(/^[0-9]{4,8}$/).optional(),
    /** The screen's id for this change (define.ts): a repeat gets the settings as they are, applied once. */
    requestId: RequestId,
  })
  .strict();
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

/**
 * Keyboard-wedge scanner profiles (drivers/scanner/wedge.ts detects scans with them). In keyboard
 * mode the app cannot tell which physical scanner typed, so a counter keeps one profile per way
 * its scanners are set up; a burst matching any active profile is a scan. The schema checks the
 * shape only: the bounds (gap 5–50 ms, lengths, a printable prefix, how many profiles) are
 * checked in core/settings/wedge.ts, so each refusal names the field in plain words.
 */
export const WedgeModel = z.enum(['generic', 'honeywell', 'zebra', 'newland', 'datalogic', 'custom']);
export type WedgeModel = z.infer<typeof WedgeModel>;
/** A whole number of ms or characters, far beyond any bound (the core says which bound applies). */
const Count = z.number().int().min(0).max(100_000);
export const WedgeProfile = z
  .object({
    /** Stable id, chosen by the screen ('p1', 'p-2' …). */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,23}$/),
    /** Where the scanner is or what it is ('左边扫码枪'); '' shows the model's name. */
    name: z.string().max(40),
    /** The maker whose factory settings the profile started from; 'custom' for any other. */
    model: WedgeModel,
    active: z.boolean(),
    /** Characters the scanner sends before each code ('' = none); printable ASCII, at most 8. */
    prefix: z.string().max(64),
    suffix: z.enum(['Enter', 'Tab', 'none']),
    /** Longest pause between two keys of one scan (ms). */
    maxGapMs: Count,
    /** With no suffix: the silence that ends a code (ms). */
    endTimeoutMs: Count,
    minLength: Count,
    maxLength: Count,
    /** The scanner's keyboard country: 'os' = the same as the computer's. */
    layout: z.enum(['os', 'us', 'fr']),
  })
  .strict();
export type WedgeProfile = z.infer<typeof WedgeProfile>;
export const WedgeProfiles = z.object({ profiles: z.array(WedgeProfile).max(64) }).strict();
export type WedgeProfiles = z.infer<typeof WedgeProfiles>;

export const settingsMethods = {
  /** The limits in effect, their bounds, the refund approval threshold and the acquirer (safe fields). */
  'settings:get': method({ input: z.object({}).strict(), output: SettingsView, access: 'operator' }),
  /**
   * Change limits and/or the refund threshold. Any logged-in operator may propose; a different
   * supervisor or admin approves with their PIN. The change and its audit row (both operators,
   * old → new) are written in one transaction and take effect at once. A refusal writes nothing.
   * Carries `requestId`: a repeat (double press, retry, reload) is answered with the settings as
   * they are, never applied twice nor asked to be approved again; the same id with another change
   * is refused `request.mismatch`.
   */
  'settings:update': method({ input: SettingsUpdate, output: SettingsView, access: 'operator' }),
  /**
   * The counter's keyboard-wedge scanner profiles (the factory defaults until a supervisor saves
   * some). Public: every window's scanner listener loads them before anyone logs in, and they
   * hold nothing secret.
   */
  'settings:wedgeProfiles': method({ input: z.object({}).strict(), output: WedgeProfiles, access: 'public' }),
  /**
   * Replace the whole list (device settings are a supervisor's job). Refused whole, with the
   * field named in both languages, unless every profile is usable, at most 8 and at least one
   * active; the list and its audit row are written in one transaction, then
   * `settings:wedgeProfilesChanged` tells every window.
   */
  'settings:setWedgeProfiles': method({ input: WedgeProfiles, output: WedgeProfiles, access: ['supervisor', 'admin'] }),
} as const;

export const settingsEvents = {
  /** The wedge profiles changed (saved, or put back by the training reset): every window's scanner listener follows. */
  'settings:wedgeProfilesChanged': WedgeProfiles,
} as const;
