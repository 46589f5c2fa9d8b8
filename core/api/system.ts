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
} as const;

export const systemEvents = {
  /** The link to the acquirer changed state (online / weak / offline) or its RTT moved. */
  'connectivity:changed': Connectivity,
} as const;
