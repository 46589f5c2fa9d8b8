/**
 * Operating the terminal in the field (core/ops): the renderer's errors into the same log as
 * the core's, the health the status bar shows (database integrity, disk space), and the
 * administrator's diagnostics bundle.
 */
import { z } from 'zod';
import { Empty, Ok, method } from './define';
import { Message } from './payments';

/** One renderer error or unhandled rejection, already cut to size by the page (size-checked here too). */
export const RendererLogInput = z
  .object({
    level: z.enum(['warn', 'error']),
    /** Where it came from: `window.error`, `unhandledrejection`, `vue`. */
    source: z.enum(['window.error', 'unhandledrejection', 'vue']),
    message: z.string().max(1000),
    stack: z.string().max(4000).optional(),
    /** The route the page showed (no query: it may carry a token). */
    route: z.string().max(200).optional(),
  })
  .strict();
export type RendererLogInput = z.infer<typeof RendererLogInput>;

export const OpsHealth = z.object({
  /** `ok`, or `corrupt` (trading stopped: restore from a backup), or `full` (disk full: no new offline acceptance or charge). */
  storage: z.enum(['ok', 'low', 'full', 'corrupt']),
  /** Free bytes on the data folder's disk; null when it could not be read. */
  freeBytes: z.number().nonnegative().nullable(),
  /** What the status bar says, null when all is well. */
  message: Message.nullable(),
});
export type OpsHealth = z.infer<typeof OpsHealth>;

export const DiagnosticsResult = z.object({
  /** Where the zip was written (the data folder's `diagnostics/`). */
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  files: z.array(z.string()),
});
export type DiagnosticsResult = z.infer<typeof DiagnosticsResult>;

export const opsMethods = {
  /**
   * A renderer error or unhandled rejection for the log (public: the login screen fails too).
   * Redacted like every other record; at most a few a minute are kept, the rest counted.
   */
  'log:renderer': method({ input: RendererLogInput, output: Ok, access: 'public' }),
  /** Database integrity and disk space, for the status bar (also pushed as `ops:health`). */
  'ops:health': method({ input: Empty, output: OpsHealth, access: 'public' }),
  /** Administrator: writes the diagnostics bundle (a zip with no personal data) for support. */
  'ops:diagnostics': method({ input: Empty, output: DiagnosticsResult, access: ['admin'] }),
} as const;

export const opsEvents = {
  /** Storage health changed (disk low or full, or back to normal). */
  'ops:health': OpsHealth,
} as const;
