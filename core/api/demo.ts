/**
 * Demo-mode controls of the payment side, for trainers, the customer-phone panel and tests:
 * the simulator's wallets, fresh payment codes, the customer's answer to a password prompt
 * (USERPAYING), paying a shown merchant QR, and scripted faults. Every one is refused in live
 * mode with a bilingual error (`demo.only`): nothing here can touch a real acquirer.
 */
import { z } from 'zod';
import { Empty, Fen, Id, method } from './define';
import { OrderNo } from './payments';

export const DemoWallet = z.object({
  id: z.string(),
  name: z.string(),
  balanceFen: Fen,
  needsPassword: z.boolean(),
  scheme: z.enum(['wechat', 'alipay', 'unionpay', 'face']),
});
export type DemoWallet = z.infer<typeof DemoWallet>;

export const DemoFaultKind = z.enum([
  'latency',
  'drop_request',
  'drop_response_after_commit',
  'http_500',
  'reset',
  'userpaying_forever',
  'decline',
  'clear',
]);

const staff = ['cashier', 'supervisor', 'agent', 'trainer', 'admin'] as const;

export const paymentDemoMethods = {
  /** The simulator's demo wallets with their balances (demo mode only). */
  'demo:wallets': method({ input: Empty, output: z.array(DemoWallet), access: staff }),
  /** A fresh one-time payment code for a demo wallet, in its scheme's real format (about 60 s life). */
  'demo:paymentCode': method({
    input: z.object({ walletId: Id }).strict(),
    output: z.object({ walletId: z.string(), code: z.string(), expiresAt: z.number().int() }),
    access: staff,
  }),
  /**
   * What became of a payment code the phone panel shows: `fresh` (still good for one charge),
   * `used` (a charge took it, whatever its outcome: it is refused as used from then on),
   * `expired`, or `unknown` (not one the simulator issued). The panel asks after each payment
   * event, so a spent code is never left up, however it was scanned.
   */
  'demo:codeState': method({
    input: z.object({ code: z.string().min(1).max(64) }).strict(),
    output: z.object({ state: z.enum(['fresh', 'used', 'expired', 'unknown']) }),
    access: staff,
  }),
  /** The customer confirms (enters the password) or refuses a pending USERPAYING order. */
  'demo:userPaying': method({
    input: z.object({ orderNo: OrderNo, confirm: z.boolean() }).strict(),
    output: z.object({ ok: z.literal(true), tradeStatus: z.string() }),
    access: staff,
  }),
  /** The customer scans and pays a shown dynamic merchant QR from a demo wallet. */
  'demo:payQr': method({
    input: z.object({ orderNo: OrderNo, walletId: Id }).strict(),
    output: z.object({ ok: z.literal(true), tradeStatus: z.string() }),
    access: staff,
  }),
  /**
   * Scripted fault for the next request(s) to the simulator: latency, a dropped request, a
   * response dropped after the charge committed, HTTP 500, a reset, USERPAYING forever, or a
   * decline with a reason; `clear` removes every scheduled fault. `op` limits it to one kind
   * of request; `times` is how many (-1: until cleared).
   */
  'demo:fault': method({
    input: z
      .object({
        fault: DemoFaultKind,
        op: z.enum(['pay', 'query', 'cancel', 'refund', 'precreate', 'any']).default('any'),
        times: z.number().int().min(-1).max(100).default(1),
        latencyMs: z.number().int().min(0).max(60_000).default(0),
        reason: z.string().max(40).regex(/^[A-Z_]*$/).default('DECLINED'),
        append: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ ok: z.literal(true), scheduled: z.number().int() }),
    access: staff,
  }),
} as const;
