/**
 * Face payment as the UI sees it. The renderer runs detection and the liveness challenge on the
 * camera (renderer/src/features/face/), then sends only an embedding of the best frame — never an
 * image — to be identified 1:N at the acquirer. Above an amount the acquirer asks for the last
 * 4 digits of the customer's phone number. Either way the result is a one-time `fp…` auth code
 * that the UI charges through `payments:charge`, so a face payment is journaled, queried and
 * reversed exactly like any other online code.
 *
 * Privacy: the embedding is a fixed-size vector (1024 float32, base64, exactly
 * `EMBEDDING_B64_LENGTH` characters); the terminal passes it to the acquirer and forgets it. It
 * is never logged, journaled or written by the terminal (e2e/face.spec.ts checks). Only the
 * acquirer keeps an enrolment (`demo:faceEnrol`), as a template in its own file, never an image.
 */
import { z } from 'zod';
import { Id, method, PositiveFen } from './define';

export const EMBEDDING_DIM = 1024;
/** Exact length of the base64 text of one embedding (4096 bytes). */
export const EMBEDDING_B64_LENGTH = Math.ceil((EMBEDDING_DIM * 4) / 3) * 4;

export const Embedding = z.string().length(EMBEDDING_B64_LENGTH).regex(/^[A-Za-z0-9+/]+={0,2}$/);

/** What identification found: pay at once, ask the phone fragment, try again, or nobody. */
export const FaceIdentifyResult = z.discriminatedUnion('match', [
  z.object({ match: z.literal('matched'), code: z.string().regex(/^fp[0-9]{18}$/), expiresAt: z.number().int() }),
  z.object({ match: z.literal('confirm_phone'), faceSession: z.string().regex(/^[0-9a-f]{32}$/) }),
  z.object({ match: z.literal('retry') }),
  z.object({ match: z.literal('no_match') }),
]);
export type FaceIdentifyResult = z.infer<typeof FaceIdentifyResult>;

const sellers = ['cashier', 'supervisor', 'agent', 'trainer', 'admin'] as const;

export const faceMethods = {
  /**
   * Identify a live customer's face (embedding of the best frame after liveness) for an amount.
   * Needs the network; refused with `face.unavailable` when the acquirer cannot be reached.
   */
  'face:identify': method({
    input: z.object({ embedding: Embedding, amountFen: PositiveFen }).strict(),
    output: FaceIdentifyResult,
    access: sellers,
  }),
  /** The customer's last 4 phone digits for an identification that asked for them. */
  'face:confirm': method({
    input: z.object({ faceSession: z.string().regex(/^[0-9a-f]{32}$/), phoneLast4: z.string().regex(/^[0-9]{4}$/) }).strict(),
    output: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), code: z.string().regex(/^fp[0-9]{18}$/), expiresAt: z.number().int() }),
      z.object({ ok: z.literal(false), reason: z.enum(['mismatch', 'expired']), triesLeft: z.number().int().min(0) }),
    ]),
    access: sellers,
  }),
  /** Demo mode only: enrol a demo face wallet with a face seen by the camera (a trainer's step). */
  'demo:faceEnrol': method({
    input: z.object({ walletId: Id, embedding: Embedding }).strict(),
    output: z.object({ ok: z.literal(true) }),
    access: sellers,
  }),
} as const;
