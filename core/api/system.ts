/** The terminal itself: mode (demo/live), identity, connectivity. */
import { z } from 'zod';
import { Empty, method } from './define';

export const Mode = z.enum(['demo', 'live']);
export type Mode = z.infer<typeof Mode>;

/**
 * Connectivity as the cashier needs to know it: online (normal), weak (slow or lossy: online
 * codes may fail, keep them short), offline (only offline codes, cash and credit).
 */
export const LinkState = z.enum(['online', 'weak', 'offline']);
export type LinkState = z.infer<typeof LinkState>;

export const Connectivity = z.object({
  state: LinkState,
  /** Smoothed round-trip time of recent requests, ms; null before the first measurement. */
  rttMs: z.number().nonnegative().nullable(),
  /** Epoch ms of the last successful exchange with the acquirer. */
  lastOkAt: z.number().int().nullable(),
});
export type Connectivity = z.infer<typeof Connectivity>;

/**
 * The till's clock as the day counters see it (core/clock): `ok`; `jumped_back` /
 * `jumped_forward` (the PC clock moved beyond the tolerance: limits keep counting by the trusted
 * time); `acquirer_corrected` (the PC clock is off the acquirer's, whose time is used). `offMs`:
 * the PC clock minus the trusted time. `zh`/`en`: what the status bar says.
 */
export const ClockStatus = z.object({
  state: z.enum(['ok', 'jumped_back', 'jumped_forward', 'acquirer_corrected']),
  source: z.enum(['terminal', 'acquirer']),
  offMs: z.number().int(),
  since: z.number().int(),
  zh: z.string(),
  en: z.string(),
});
export type ClockStatus = z.infer<typeof ClockStatus>;

export const SystemInfo = z.object({
  mode: Mode,
  terminalId: z.string(),
  merchantName: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'browser']),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export const systemMethods = {
  /** Who and what this terminal is: shown in the status bar and on every training receipt. */
  'system:info': method({ input: Empty, output: SystemInfo, access: 'public' }),
  /** The current connectivity state (the same value `connectivity:changed` pushes). */
  'connectivity:get': method({ input: Empty, output: Connectivity, access: 'public' }),
  /** The clock the day counters use (the same value `clock:changed` pushes). */
  'clock:get': method({ input: Empty, output: ClockStatus, access: 'public' }),
} as const;

export const systemEvents = {
  /** The link to the acquirer changed state (online / weak / offline) or its RTT moved. */
  'connectivity:changed': Connectivity,
  /** The PC clock jumped, was put right, or the acquirer's time corrected it. */
  'clock:changed': ClockStatus,
} as const;
