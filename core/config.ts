/**
 * The configuration the composition root is built from. Parsed with zod, since it comes from a
 * file or the command line. Training safety is enforced here first: demo mode can only talk to
 * the embedded simulator and keeps its data in its own file; live mode can never open it.
 */
import path from 'node:path';
import { z } from 'zod';
import { Mode } from './api/system';

export const AcquirerConfig = z.discriminatedUnion('kind', [
  /** The in-process acquirer simulator (demo mode only). */
  z.object({ kind: z.literal('embedded') }),
  /** A remote acquirer speaking the documented protocol over HTTPS (or the simulator over HTTP). */
  z.object({
    kind: z.literal('http'),
    baseUrl: z.string().url(),
    /** Set by tests and `npm run acquirer` only: the remote is the simulator, not real money. */
    simulator: z.boolean().default(false),
  }),
]);
export type AcquirerConfig = z.infer<typeof AcquirerConfig>;

export const AppConfig = z
  .object({
    dataDir: z.string().min(1),
    mode: Mode,
    shell: z.enum(['electron', 'browser']),
    terminalId: z.string().regex(/^[A-Z0-9]{4,16}$/).default('T0001'),
    merchantName: z.string().min(1).max(40).default('示范村便民店'),
    acquirer: AcquirerConfig.default({ kind: 'embedded' }),
    /** Minutes of inactivity before the session locks. */
    idleLockMinutes: z.number().int().min(1).max(240).default(10),
    version: z.string().default('0.1.0'),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'live' && c.acquirer.kind === 'embedded') {
      ctx.addIssue({ code: 'custom', message: 'live mode cannot use the embedded simulator', path: ['acquirer'] });
    }
    if (c.mode === 'live' && c.acquirer.kind === 'http' && c.acquirer.simulator) {
      ctx.addIssue({ code: 'custom', message: 'live mode cannot use a simulator', path: ['acquirer'] });
    }
    if (c.mode === 'demo' && c.acquirer.kind === 'http' && !c.acquirer.simulator) {
      ctx.addIssue({ code: 'custom', message: 'demo mode cannot be pointed at a live acquirer', path: ['acquirer'] });
    }
  });
export type AppConfig = z.infer<typeof AppConfig>;
export type AppConfigInput = z.input<typeof AppConfig>;

/**
 * Training and live data never share a file: the file name is derived from the mode, and each
 * database records its mode on creation (checked on every open by the composition root).
 */
export function databasePath(c: Pick<AppConfig, 'dataDir' | 'mode'>): string {
  return path.join(c.dataDir, c.mode === 'demo' ? 'training.sqlite' : 'terminal.sqlite');
}
