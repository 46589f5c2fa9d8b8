/**
 * Demo-only methods of store-and-forward (training mode): make an offline code as a demo
 * customer's phone would, and set the embedded link's quality. Both are refused in live mode
 * (`demo.only`), by the handler, whatever the caller's role.
 */
import { z } from 'zod';
import { method } from './define';
import { LinkState } from './system';

export const offlineDemoMethods = {
  /**
   * An offline payment code from a demo wallet (`wallet` picks one of a few demo customers;
   * `variant` makes a deliberately bad code to show a refusal).
   */
  'demo:offlineCode': method({
    input: z
      .object({
        wallet: z.number().int().min(0).max(9).default(0),
        variant: z.enum(['good', 'replayed', 'future', 'stale', 'tampered']).default('good'),
      })
      .strict(),
    output: z.object({ code: z.string(), walletTail: z.string(), counter: z.number().int() }),
    access: 'operator',
  }),
  /**
   * The embedded link to the simulator: a preset (online / weak / offline) or explicit values.
   * Drives the same link emulator the tests and benchmarks use. Every route from the till to
   * the simulated acquirer crosses it (online payments, refunds, face, offline forwarding, sync,
   * probes): offline refuses them unsent (a code charge fails, nothing charged). Answers once
   * the link is as set.
   */
  'demo:network': method({
    input: z
      .object({
        preset: LinkState.optional(),
        rttMs: z.number().int().min(0).max(10_000).optional(),
        bandwidthKbit: z.number().int().min(1).max(1_000_000).optional(),
        lossPct: z.number().min(0).max(50).optional(),
      })
      .strict(),
    output: z.object({ up: z.boolean(), rttMs: z.number(), bandwidthKbit: z.number().nullable(), lossPct: z.number() }),
    access: ['trainer', 'admin', 'supervisor', 'cashier', 'agent'],
  }),
} as const;
