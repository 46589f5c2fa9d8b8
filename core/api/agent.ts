/**
 * Rural service-point (助农服务点) operations, as the agent's screens see them: assisted
 * withdrawal, bill payment, balance enquiry, remittance and the cash float. The core is the
 * authority on every rule: the ¥10-multiple and ¥1,000-per-customer-per-day withdrawal limits
 * are checked in the same transaction that records the withdrawal, and the float is the sum of
 * its journalled movements.
 */
import { z } from 'zod';
import { Empty, Fen, Id, method, PositiveFen } from './define';
import { Message, ScannedCode } from './payments';

/** ¥10 minimum, ¥10 steps, ¥1,000 per customer per day (PBOC rules for assisted withdrawal). */
export const WITHDRAW_STEP_FEN = 1_000;
export const WITHDRAW_MIN_FEN = 1_000;
export const WITHDRAW_DAILY_MAX_FEN = 100_000;

/** A mainland mobile number: the customer's reference for the daily limit (stored only hashed). */
export const CustomerPhone = z.string().regex(/^1[3-9][0-9]{9}$/);

const AGENT_ROLES = ['agent', 'supervisor', 'trainer', 'admin'] as const;

export const FloatMove = z.object({
  at: z.number().int(),
  kind: z.enum(['open', 'in', 'out', 'withdrawal', 'bill', 'close']),
  /** Signed fen: cash into the drawer positive, out negative. */
  amountFen: z.number().int(),
  reason: z.string(),
  operatorId: z.string().nullable(),
});
export type FloatMove = z.infer<typeof FloatMove>;

export const FloatDay = z.object({
  /** Business day, YYYY-MM-DD in China time. */
  day: z.string(),
  openingFen: Fen.nullable(),
  openedAt: z.number().int().nullable(),
  /** What the drawer should hold now: the sum of the movements. */
  expectedFen: z.number().int(),
  closingFen: Fen.nullable(),
  closedAt: z.number().int().nullable(),
  /** Counted minus expected at closing: negative means cash is missing. */
  varianceFen: z.number().int().nullable(),
  movements: z.array(FloatMove),
});
export type FloatDay = z.infer<typeof FloatDay>;

export const WithdrawalState = z.enum(['charging', 'paid', 'failed']);
export const Withdrawal = z.object({
  id: z.string(),
  amountFen: Fen,
  state: WithdrawalState,
  orderNo: z.string().nullable(),
  maskedCode: z.string().nullable(),
  /** Masked phone (`138****5678`) for the receipt. */
  maskedPhone: z.string(),
  message: Message,
  createdAt: z.number().int(),
  /** What this customer may still withdraw today after this one. */
  remainingTodayFen: Fen,
});
export type Withdrawal = z.infer<typeof Withdrawal>;

export const BillerKind = z.enum(['water', 'power', 'phone', 'social', 'medical']);
export type BillerKind = z.infer<typeof BillerKind>;
export const Biller = z.object({
  id: z.string(),
  kind: BillerKind,
  name: Message,
  /** How the account number looks, for the agent: digits count. */
  accountDigits: z.number().int(),
  syncedAt: z.number().int(),
});
export type Biller = z.infer<typeof Biller>;

export const BillAccount = z.object({ billerId: Id, account: z.string().regex(/^[0-9]{6,20}$/) }).strict();

export const BillPayment = z.object({
  id: z.string(),
  billerId: z.string(),
  maskedAccount: z.string(),
  amountFen: Fen,
  /** paid: confirmed by the biller; queued: offline, recorded, sent when the link returns. */
  state: z.enum(['paid', 'queued', 'failed']),
  /** The receipt is provisional until the biller confirms. */
  provisional: z.boolean(),
  reference: z.string().nullable(),
  message: Message,
  createdAt: z.number().int(),
});
export type BillPayment = z.infer<typeof BillPayment>;

export const agentMethods = {
  /** Today's cash float with every movement. */
  'agent:float': method({ input: Empty, output: FloatDay, access: AGENT_ROLES }),
  /** The opening count of the drawer; once per business day. */
  'agent:floatOpen': method({ input: z.object({ countedFen: Fen }).strict(), output: FloatDay, access: AGENT_ROLES }),
  /** Cash put into or taken out of the drawer, with the reason (bank run, change …). */
  'agent:floatMove': method({
    input: z.object({ direction: z.enum(['in', 'out']), amountFen: PositiveFen, reason: z.string().trim().min(1).max(60) }).strict(),
    output: FloatDay,
    access: AGENT_ROLES,
  }),
  /** The closing count; the variance goes on the Z report. */
  'agent:floatClose': method({ input: z.object({ countedFen: Fen }).strict(), output: FloatDay, access: AGENT_ROLES }),
  /**
   * Assisted withdrawal: the customer pays `amountFen` with a payment code and the agent hands
   * out that much cash. Multiples of ¥10, at least ¥10, at most ¥1,000 per customer per day,
   * and never more than the drawer holds. Returns at once; the charge's outcome follows.
   */
  'agent:withdraw': method({
    input: z.object({ amountFen: PositiveFen, code: ScannedCode, customerPhone: CustomerPhone }).strict(),
    output: Withdrawal,
    access: AGENT_ROLES,
  }),
  /** One withdrawal as it stands now (after the charge resolved). */
  'agent:withdrawal': method({ input: z.object({ id: Id }).strict(), output: Withdrawal, access: AGENT_ROLES }),
  /** The billers catalogue as last synced from the acquirer. */
  'agent:billers': method({ input: Empty, output: z.array(Biller), access: AGENT_ROLES }),
  /** Look an account up at the biller (online only). */
  'agent:billLookup': method({
    input: BillAccount,
    output: z.object({ maskedAccount: z.string(), maskedHolder: z.string(), dueFen: Fen }),
    access: AGENT_ROLES,
  }),
  /** Pay a bill in cash at the counter; offline it is queued with a provisional receipt. */
  'agent:billPay': method({
    input: BillAccount.extend({ amountFen: PositiveFen }).strict(),
    output: BillPayment,
    access: AGENT_ROLES,
  }),
  /** Balance enquiry with the customer's payment code (online only). */
  'agent:balance': method({
    input: z.object({ code: ScannedCode }).strict(),
    output: z.object({ maskedAccount: z.string(), balanceFen: Fen }),
    access: AGENT_ROLES,
  }),
  /** Cash remittance to a bank account (online only). */
  'agent:remit': method({
    input: z
      .object({
        toAccount: z.string().regex(/^[0-9]{12,19}$/),
        toName: z.string().trim().min(1).max(20),
        amountFen: PositiveFen,
      })
      .strict(),
    output: z.object({ reference: z.string(), maskedAccount: z.string(), amountFen: Fen }),
    access: AGENT_ROLES,
  }),
} as const;

export const agentEvents = {
  /** The float changed (a movement, a withdrawal paid out, a bill paid). */
  'agent:floatChanged': FloatDay,
  /** A withdrawal's charge resolved. */
  'agent:withdrawalChanged': Withdrawal,
} as const;
