/**
 * The customer display: a second window (route `/customer`) that follows the checkout. The
 * cashier's screen says what the customer should see (`display:set`); the core keeps the latest
 * state and pushes it as `display:changed`, so the display needs no login and survives a
 * reload (it reads `display:get` on start). Nothing here is money-deciding: it only mirrors.
 */
import { z } from 'zod';
import { Empty, Fen, method, Ok } from './define';
import { Message } from './payments';

export const DisplayPhase = z.enum(['idle', 'amount', 'prompt', 'qr', 'result']);
export type DisplayPhase = z.infer<typeof DisplayPhase>;

export const DisplayState = z
  .object({
    phase: DisplayPhase,
    /** The amount due (or paid, on the result), in fen. */
    amountFen: Fen.nullable(),
    /** What the customer is asked to do. */
    prompt: z.enum(['showCode', 'showOfflineCode', 'scanQr', 'face', 'userpaying', 'wait']).nullable(),
    /** The dynamic merchant QR's content while it is shown. */
    qr: z.string().max(512).nullable(),
    qrExpiresAt: z.number().int().nullable(),
    result: z.enum(['paid', 'offline', 'pending', 'failed']).nullable(),
    /** The result in plain words, both languages. */
    message: Message.nullable(),
    /** The e-receipt's content (a URL or reference) to show as a QR. */
    receiptQr: z.string().max(512).nullable(),
    /** Elder mode on the cashier's screen: the display doubles its type too. */
    elder: z.boolean(),
  })
  .strict();
export type DisplayState = z.infer<typeof DisplayState>;

export const IDLE_DISPLAY: DisplayState = {
  phase: 'idle',
  amountFen: null,
  prompt: null,
  qr: null,
  qrExpiresAt: null,
  result: null,
  message: null,
  receiptQr: null,
  elder: false,
};

export const displayMethods = {
  /** The checkout tells the customer display what to show. */
  'display:set': method({ input: DisplayState, output: Ok, access: 'operator' }),
  /** What the customer display shows now (it needs no login: it is on the customer's side). */
  'display:get': method({ input: Empty, output: DisplayState, access: 'public' }),
} as const;

export const displayEvents = {
  /** The customer display should change. */
  'display:changed': DisplayState,
} as const;
