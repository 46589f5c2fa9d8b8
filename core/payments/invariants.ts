/**
 * The money invariants the crash and property tests check, between the terminal's database
 * and the acquirer simulator's ledger. Test support only; not imported by production code.
 */
import { verifyJournal } from '../ledger/journal';
import type { Db } from '../store/db';
import { simulatorBooks, type AcquirerBooks } from './harness';

export interface InvariantReport {
  problems: string[];
  payments: number;
  succeeded: number;
  netFen: number;
}

/**
 * - every payment and refund is final;
 * - for every order, the terminal and the acquirer agree on whether it was paid (no debit
 *   without a succeeded sale, no succeeded sale without the money);
 * - no order is debited more than once;
 * - wallet debits minus credits = local succeeded payments minus succeeded refunds;
 * - each payment's refunded amount matches the acquirer's and never exceeds the payment;
 * - no refund is paid twice: each refund number moves money at most once, and the acquirer
 *   paid exactly the refunds the terminal holds succeeded;
 * - the journal's chain is whole and says what the acquirer's books say.
 * `acquirer`: a harness's books (harness.ts), or the sandbox simulator's database.
 */
export async function checkInvariants(local: Db, acquirer: AcquirerBooks | Db, terminalId: string, initialBalances: Map<string, number>): Promise<InvariantReport> {
  const books = 'ledger' in acquirer ? acquirer : simulatorBooks(acquirer, terminalId);
  const problems: string[] = [];
  const payments = await local.all<{ order_no: string; state: string; amount_fen: number; refunded_fen: number; kind: string }>(
    "SELECT order_no, state, amount_fen, refunded_fen, kind FROM payments WHERE kind IN ('code','qr')",
  );
  const open = payments.filter((p) => !['succeeded', 'failed', 'cancelled', 'closed'].includes(p.state));
  for (const p of open) problems.push(`payment ${p.order_no} left in ${p.state}`);
  const openRefunds = await local.all<{ refund_no: string; state: string }>("SELECT refund_no, state FROM refunds WHERE state NOT IN ('succeeded','failed')");
  for (const r of openRefunds) problems.push(`refund ${r.refund_no} left in ${r.state}`);
  const orders = new Map((await books.orders()).map((o) => [o.orderNo, o]));
  const ledger = await books.ledger();
  let net = 0;
  let succeeded = 0;
  for (const p of payments) {
    const o = orders.get(p.order_no);
    const paidThere = o?.status === 'SUCCESS';
    if ((p.state === 'succeeded') !== paidThere) problems.push(`order ${p.order_no}: terminal ${p.state}, acquirer ${o?.status ?? 'none'}`);
    const debits = ledger.filter((l) => l.orderNo === p.order_no && l.kind === 'payment');
    if (debits.length > 1) problems.push(`order ${p.order_no} debited ${debits.length} times`);
    if (p.refunded_fen > p.amount_fen) problems.push(`order ${p.order_no} refunded ${p.refunded_fen} of ${p.amount_fen}`);
    if (p.state === 'succeeded') {
      succeeded += 1;
      net += p.amount_fen - p.refunded_fen;
      if (o && o.refundedFen !== p.refunded_fen) problems.push(`order ${p.order_no}: refunded ${p.refunded_fen} here, ${o.refundedFen} at the acquirer`);
    }
  }
  // No refund paid twice, and none the terminal does not hold succeeded.
  const paidRefunds = ledger.filter((l) => l.kind === 'refund');
  const byRef = new Map<string, number>();
  for (const l of paidRefunds) byRef.set(l.refNo, (byRef.get(l.refNo) ?? 0) + 1);
  for (const [ref, n] of byRef) if (n > 1) problems.push(`refund ${ref} paid ${n} times`);
  const localRefunds = await local.all<{ refund_no: string; state: string }>(
    "SELECT r.refund_no, r.state FROM refunds r JOIN payments p ON p.order_no = r.order_no WHERE p.kind IN ('code','qr')",
  );
  for (const r of localRefunds) {
    if ((r.state === 'succeeded') !== byRef.has(r.refund_no)) problems.push(`refund ${r.refund_no}: terminal ${r.state}, acquirer ${byRef.has(r.refund_no) ? 'paid' : 'not paid'}`);
  }
  // Per order, the journal says what the acquirer's ledger says.
  const journal = await local.all<{ kind: string; ref: string; amount_fen: number; body: string }>('SELECT kind, ref, amount_fen, body FROM journal');
  for (const p of payments) {
    const paidRows = journal.filter((j) => j.kind === 'payment.succeeded' && j.ref === p.order_no);
    if (paidRows.length !== (p.state === 'succeeded' ? 1 : 0)) problems.push(`order ${p.order_no}: ${paidRows.length} journal payment rows, state ${p.state}`);
    const refundedInJournal = -journal
      .filter((j) => j.kind === 'refund.succeeded' && (JSON.parse(j.body) as { orderNo?: string }).orderNo === p.order_no)
      .reduce((a, j) => a + j.amount_fen, 0);
    const refundedThere = -ledger.filter((l) => l.orderNo === p.order_no && l.kind === 'refund').reduce((a, l) => a + l.amountFen, 0);
    if (refundedInJournal !== refundedThere) problems.push(`order ${p.order_no}: journal refunds ${refundedInJournal}, acquirer refunds ${refundedThere}`);
  }
  const walletNet = ledger.reduce((a, l) => a + l.amountFen, 0);
  if (walletNet !== net) problems.push(`wallet debits net ${walletNet} ≠ local payments net ${net}`);
  let balanceDrop = 0;
  const balances = await books.balances();
  for (const [id, initial] of initialBalances) balanceDrop += initial - (balances.get(id) ?? 0);
  if (balanceDrop !== net) problems.push(`wallet balances fell by ${balanceDrop} ≠ local net ${net}`);
  const j = await verifyJournal(local);
  if (!j.ok) problems.push(`journal broken at ${j.firstBroken}`);
  const journalNet = (await local.get<{ s: number | null }>("SELECT SUM(amount_fen) AS s FROM journal WHERE kind IN ('payment.succeeded','refund.succeeded')"))!.s ?? 0;
  const cashRefunds = (await local.get<{ s: number | null }>(
    "SELECT SUM(r.amount_fen) AS s FROM refunds r JOIN payments p ON p.order_no = r.order_no WHERE r.state = 'succeeded' AND p.kind IN ('cash','credit')",
  ))!.s ?? 0;
  if (journalNet + cashRefunds !== net) problems.push(`journal net ${journalNet} ≠ local net ${net}`);
  return { problems, payments: payments.length, succeeded, netFen: net };
}

/** Every wallet's balance now: the property and crash tests' starting point. */
export async function walletBalances(acquirer: AcquirerBooks | Db): Promise<Map<string, number>> {
  if ('ledger' in acquirer) return acquirer.balances();
  const rows = await acquirer.all<{ id: string; balance_fen: number }>('SELECT id, balance_fen FROM wallets');
  return new Map(rows.map((r) => [r.id, r.balance_fen]));
}
