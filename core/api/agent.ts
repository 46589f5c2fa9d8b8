/**
 * Rural service-point (助农服务点) operations, as the agent's screens see them: assisted
 * withdrawal, bill payment, balance enquiry, remittance and the cash float. The core is the
 * authority on every rule: the ¥10-multiple and ¥1,000-per-customer-per-day withdrawal limits
 * are checked in the same transaction that records the withdrawal, and the float is the sum of
 * its journalled movements.
 */
import { z } from 'zod';
import { Empty, Fen, Id, method, Ok, PositiveFen, RequestId } from './define';
import { Message, ScannedCode } from './payments';

/** ¥10 minimum, ¥10 steps, ¥1,000 per customer per day (PBOC rules for assisted withdrawal). */
export const WITHDRAW_STEP_FEN = 1_000;
export const WITHDRAW_MIN_FEN = 1_000;
export const WITHDRAW_DAILY_MAX_FEN = 100_000;

/** A mainland mobile number: the customer's reference for the daily limit (stored only hashed). */
export const CustomerPhone = z.string().regex(/^1[3-9][0-9]{9}$/);

export const AGENT_ROLES = ['agent', 'supervisor', 'trainer', 'admin'] as const;

export const FloatMove = z.object({
  at: z.number().int(),
  /** `bill_return`: a refused bill's cash handed back to the customer (`agent:billReturn`). */
  kind: z.enum(['open', 'in', 'out', 'withdrawal', 'bill', 'bill_return', 'close']),
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

/**
 * A bill paid in cash at the counter. States:
 * - `paid`     the biller confirmed it;
 * - `queued`   taken while offline: the cash is in the drawer, the bill is sent when the link returns;
 * - `failed`   the biller refused it when it was sent: the customer's cash is still in the drawer
 *              and must go back to them (`agent:billReturn`); `refusal` says what the biller said;
 * - `returned` refused, and its cash handed back to the customer (`returnedAt`), out of the float.
 */
export const BillPayment = z.object({
  id: z.string(),
  billerId: z.string(),
  /** The biller's name as last synced (null when the catalogue no longer has it). */
  billerName: Message.nullable(),
  maskedAccount: z.string(),
  amountFen: Fen,
  state: z.enum(['paid', 'queued', 'failed', 'returned']),
  /** The receipt is provisional until the biller confirms. */
  provisional: z.boolean(),
  reference: z.string().nullable(),
  /** What happened and what the agent does next. */
  message: Message,
  /** What the biller said when it refused the bill (failed, returned). */
  refusal: Message.nullable(),
  createdAt: z.number().int(),
  /** When the cash went back to the customer, and who handed it over. */
  returnedAt: z.number().int().nullable(),
  returnedBy: z.string().nullable(),
});
export type BillPayment = z.infer<typeof BillPayment>;

/*
 * Every method here that moves money or cash takes the screen's `requestId` (one per intended
 * action, core/api/define.ts): a repeat of the id gets the first answer and nothing happens
 * twice; the same id with other parameters is refused (`request.mismatch`).
 */
export const agentMethods = {
  /** Today's cash float with every movement. */
  'agent:float': method({ input: Empty, output: FloatDay, access: AGENT_ROLES }),
  /** The opening count of the drawer; once per business day. */
  'agent:floatOpen': method({ input: z.object({ countedFen: Fen, requestId: RequestId }).strict(), output: FloatDay, access: AGENT_ROLES }),
  /** Cash put into or taken out of the drawer, with the reason (bank run, change …). */
  'agent:floatMove': method({
    input: z.object({ direction: z.enum(['in', 'out']), amountFen: PositiveFen, reason: z.string().trim().min(1).max(60), requestId: RequestId }).strict(),
    output: FloatDay,
    access: AGENT_ROLES,
  }),
  /** The closing count; the variance goes on the Z report. */
  'agent:floatClose': method({ input: z.object({ countedFen: Fen, requestId: RequestId }).strict(), output: FloatDay, access: AGENT_ROLES }),
  /**
   * Assisted withdrawal: the customer pays `amountFen` with a payment code and the agent hands
   * out that much cash. Multiples of ¥10, at least ¥10, at most ¥1,000 per customer per day,
   * and never more than the drawer holds. Returns at once; the charge's outcome follows.
   */
  'agent:withdraw': method({
    input: z.object({ amountFen: PositiveFen, code: ScannedCode, customerPhone: CustomerPhone, requestId: RequestId }).strict(),
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
    input: BillAccount.extend({ amountFen: PositiveFen, requestId: RequestId }).strict(),
    output: BillPayment,
    access: AGENT_ROLES,
  }),
  /**
   * Bills the biller refused whose cash is still in the drawer, oldest first: what the agent has
   * to give back (each with what the biller said and what to do).
   */
  'agent:billsToReturn': method({ input: Empty, output: z.array(BillPayment), access: AGENT_ROLES }),
  /**
   * The cash of a refused bill goes back to the customer: recorded out of today's float (a
   * `bill_return` movement), journalled and audited with the bill, once. Asked again (a double
   * press, a lost answer), it answers the bill as returned and moves nothing. Refused with
   * nothing written for a bill that was not refused, while the float is not open or is closed,
   * or when the drawer does not hold that much. The answer is the receipt the customer signs.
   */
  'agent:billReturn': method({ input: z.object({ id: Id, requestId: RequestId }).strict(), output: BillPayment, access: AGENT_ROLES }),
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
        requestId: RequestId,
      })
      .strict(),
    output: z.object({ reference: z.string(), maskedAccount: z.string(), amountFen: Fen }),
    access: AGENT_ROLES,
  }),
} as const;

export const agentDemoMethods = {
  /**
   * Demo mode only: the simulated biller refuses every bill sent to it from now on (`refuse:
   * true`) or takes them again (`false`); the training reset takes them again. A bill paid online
   * is refused at the counter (no cash is recorded); a queued one is refused when the link
   * returns, and its cash is then to be given back. Refused in live mode (`demo.only`).
   */
  'demo:billerRefuse': method({ input: z.object({ refuse: z.boolean() }).strict(), output: Ok, access: AGENT_ROLES }),
} as const;

export const agentEvents = {
  /** The float changed (a movement, a withdrawal paid out, a bill paid). */
  'agent:floatChanged': FloatDay,
  /** A withdrawal's charge resolved. */
  'agent:withdrawalChanged': Withdrawal,
  /** A queued bill was sent (paid, or refused by the biller), or a refused bill's cash was returned. */
  'agent:billChanged': BillPayment,
} as const;
