/**
 * The receipt service: prints the receipt of every payment that completes, kicks the drawer
 * after a cash sale, counts paper saved when receipts are given as a QR only, keeps receipts
 * that failed to print, and reprints any receipt by order number.
 *
 * Invariants:
 * - exactly once per order: an order's receipt is claimed by inserting its row
 *   (`receipt_prints.order_no` is the primary key) before anything is printed or counted, so a
 *   repeated `payments:changed`, a later state (accepted_offline → succeeded) or a restart never
 *   prints, counts or kicks the drawer twice. A claim left by a crash mid-print becomes a failed
 *   receipt on start (listed, reprintable) rather than a silent second print;
 * - printing never blocks, undoes or throws into a payment: the bus listener only queues work,
 *   every queued step catches and logs, and `DeviceManager.printReceipt`/`openDrawer` never throw;
 * - a failed receipt survives a restart: its description (masked code only — checked with the
 *   printer's own parser before it is kept) stays in the row until it reaches paper;
 * - one step at a time (a queue), so an automatic print and a cashier's reprint of the same
 *   order cannot both print as the original;
 * - printed means the printer confirmed it (drivers/printer/port.ts): a receipt sent but not
 *   confirmed, or stopped part-way (paper out), is kept as not printed with `maybe_printed`
 *   (migration 312), and every later copy of it is marked 重打 / COPY — never a second original.
 */
import type { BillPayment, Withdrawal } from '../api/agent';
import type { Payment } from '../api/payments';
import type { ReceiptSettings, ReceiptStats } from '../api/receipts';
import type { PrintJob } from '../api/devices';
import type { AppErrorShape } from '../api/errors';
import type { Db, Queryable } from '../store/db';
import { parseReceipt, type PaperWidth, type ReceiptInput } from '../../drivers/printer/receipt';
import { billReceipt, billReturnReceipt, PRINTABLE_STATES, saleReceipt, withdrawalReceipt, type BuildContext } from './build';
import { ReceiptErrors } from './errors';
import { checkSettingsPatch, readSettings, writeSettings } from './settings';
import { chinaDay } from '../china-time';

/** The slice of the device manager this service uses (both never throw). */
export interface ReceiptPrinter {
  printReceipt(receipt: unknown): Promise<PrintJob>;
  openDrawer(): Promise<{ ok: boolean; error: AppErrorShape | null }>;
  readonly paperWidth: PaperWidth;
}

/**
 * How a payment relates to a service-point withdrawal: `none`; `pending` (a withdrawal is
 * charging and this may be its charge — its receipt comes with the withdrawal's `paid` event);
 * or the withdrawal itself.
 */
export type WithdrawalLink = 'none' | 'pending' | Withdrawal;

export interface ReceiptServiceOptions {
  db: Db;
  printer: ReceiptPrinter;
  terminalId: string;
  merchantName: string;
  getPayment(orderNo: string): Promise<Payment | null>;
  operatorName(operatorId: string | null): Promise<string | null>;
  withdrawalFor(p: Payment): Promise<WithdrawalLink>;
  /** A service-point bill as stored, with the operator who took it; null when there is none. */
  getBill(id: string): Promise<{ bill: BillPayment; operatorId: string | null } | null>;
  /** Demo mode: service-point receipts carry the training mark (sales take it from the payment). */
  training: boolean;
  now?: () => number;
  log?: (msg: string, e?: unknown) => void;
}

/**
 * A receipt a day late is of no use to a customer who has left, and events for old orders
 * (a refund, an offline item forwarded after an upgrade) must not print them: those are
 * reprinted on request instead.
 */
export const AUTO_PRINT_MAX_AGE_MS = 24 * 3_600_000;

const AUTO_STATES: readonly Payment['state'][] = ['succeeded', 'accepted_offline'];

type ReceiptKind = 'sale' | 'withdrawal' | 'bill' | 'bill_return';

/** Which paper of a bill: the receipt given when its cash was taken, or the one signed when it went back. */
export type BillCopy = 'bill' | 'bill_return';

/**
 * A bill's receipts are claimed under their own keys (a bill id is not an order number, and one
 * bill may have both papers): `bill:<id>`, `bill_return:<id>`.
 */
export const billKey = (copy: BillCopy, id: string) => `${copy}:${id}`;

interface PrintRow {
  order_no: string;
  kind: ReceiptKind;
  outcome: 'claimed' | 'printed' | 'failed' | 'qr_only';
  description: string | null;
  copies: number;
  day: string;
  maybe_printed: number;
}

/**
 * What a kept failed receipt holds: the description, the payment state it was built for, and
 * the device manager's job id (that job may still be reprinted from the Devices screen).
 */
interface Kept {
  state: string;
  receipt: ReceiptInput;
  jobId: string | null;
}

export interface PrintResult {
  orderNo: string;
  printed: boolean;
  reprint: boolean;
  jobId: string | null;
  error: AppErrorShape | null;
}

/** The business day in China time, YYYY-MM-DD (core/china-time.ts). */
export { chinaDay };

const INTERRUPTED: AppErrorShape = {
  code: 'receipts.interrupted',
  zh: '打印时程序中断，小票可能未打出，请补打。',
  en: 'The app stopped while printing; the receipt may not have printed. Reprint it.',
};

export class ReceiptService {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly log: (msg: string, e?: unknown) => void;

  constructor(private readonly o: ReceiptServiceOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? ((m, e) => console.warn(`[receipts] ${m}`, e instanceof Error ? e.message : (e ?? '')));
  }

  /** Claims left by a crash mid-print become failed receipts: listed and reprintable, never printed twice unasked. */
  async start(): Promise<void> {
    await this.o.db.run("UPDATE receipt_prints SET outcome = 'failed', error_json = ?, updated_at = ? WHERE outcome = 'claimed'", [
      JSON.stringify(INTERRUPTED), this.now(),
    ]);
  }

  /** Bus listener for `payments:changed`: queues, never throws, never waits. */
  onPayment(p: Payment): void {
    if (!AUTO_STATES.includes(p.state)) return;
    this.enqueue(() => this.autoSale(p), `payment ${p.orderNo}`);
  }

  /** Bus listener for `agent:withdrawalChanged`: a paid withdrawal prints its signed receipt. */
  onWithdrawal(w: Withdrawal): void {
    if (w.state !== 'paid' || !w.orderNo) return;
    const orderNo = w.orderNo;
    this.enqueue(() => this.autoWithdrawal({ ...w, orderNo }), `withdrawal ${w.id}`);
  }

  /**
   * Bus listener for `agent:billChanged`: a bill taken (paid, or queued offline: the provisional
   * receipt) prints its receipt once; a refused bill's cash handed back prints the receipt the
   * customer signs, once. Both print in every receipt mode: the customer takes the paper home.
   * A later state of the same bill (queued → paid when forwarded, or refused) prints nothing:
   * the customer has gone; a copy is printed on request.
   */
  onBill(b: BillPayment): void {
    const copy: BillCopy | null = b.state === 'paid' || b.state === 'queued' ? 'bill' : b.state === 'returned' ? 'bill_return' : null;
    if (!copy) return;
    this.enqueue(() => this.autoBill(copy, b.id), `bill ${b.id}`);
  }

  /**
   * Device-manager hook: a receipt job ended. When it is the kept job of a failed receipt,
   * reprinted from the Devices screen, that receipt is now on paper: record it, so it is not
   * listed as unprinted nor printed again as an original.
   */
  onReceiptJob(job: PrintJob): void {
    if (!job.orderNo || (job.state !== 'printed' && !job.mayHavePrinted)) return;
    const orderNo = job.orderNo;
    this.enqueue(async () => {
      // A bill's receipts are kept under their own keys, the job names the bill.
      const rows = await this.o.db.all<PrintRow>(
        "SELECT * FROM receipt_prints WHERE order_no IN (?, ?, ?) AND outcome IN ('claimed','failed')",
        [orderNo, billKey('bill', orderNo), billKey('bill_return', orderNo)]);
      const row = rows.find((r) => r.description && (JSON.parse(r.description) as Kept).jobId === job.id);
      if (!row) return; // our own print (recorded by printAndRecord) or another job
      if (job.state !== 'printed') {
        // Reprinted from the Devices screen, stopped or unconfirmed: any later copy is marked.
        await this.o.db.run('UPDATE receipt_prints SET maybe_printed = 1, updated_at = ? WHERE order_no = ?', [this.now(), row.order_no]);
        return;
      }
      await this.o.db.tx(async (q) => {
        await q.run("UPDATE receipt_prints SET outcome = 'printed', description = NULL, error_json = NULL, copies = copies + 1, updated_at = ? WHERE order_no = ?", [
          this.now(), row.order_no]);
        await bump(q, chinaDay(this.now()), 'printed', 1);
      });
    }, `job ${job.id}`);
  }

  /** Resolves once everything queued so far is done (tests; orderly shutdown). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  async getSettings(): Promise<ReceiptSettings> {
    return readSettings(this.o.db, this.o.merchantName);
  }

  /**
   * Validates every field first and writes them in one transaction: a refused input writes
   * nothing. `mayChangeUrl` is the caller's role check for the e-receipt link.
   */
  async setSettings(input: Record<string, unknown>, mayChangeUrl: boolean): Promise<ReceiptSettings> {
    const patch = checkSettingsPatch(input);
    if (patch.eReceiptBaseUrl !== undefined && !mayChangeUrl) {
      const current = await this.getSettings();
      if (current.eReceiptBaseUrl !== patch.eReceiptBaseUrl) throw ReceiptErrors.urlNeedsSupervisor();
    }
    await writeSettings(this.o.db, patch);
    return this.getSettings();
  }

  /** Prints an order's receipt again (the cashier's request); queued behind automatic prints. */
  print(orderNo: string): Promise<PrintResult> {
    const run = this.queue.then(() => this.reprint(orderNo));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Prints a bill's receipt (or its cash-returned receipt) again, from the service point's screen. */
  printBill(id: string, copy: BillCopy): Promise<PrintResult> {
    const run = this.queue.then(() => this.reprintBill(id, copy));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stats(day?: string): Promise<ReceiptStats> {
    const d = day ?? chinaDay(this.now());
    const row = await this.o.db.get<{ printed: number; reprinted: number; failed: number; paper_saved: number }>(
      'SELECT printed, reprinted, failed, paper_saved FROM receipt_days WHERE day = ?', [d]);
    const unprinted = await this.o.db.all<{ order_no: string }>(
      "SELECT order_no FROM receipt_prints WHERE outcome IN ('claimed','failed') ORDER BY updated_at DESC LIMIT 50");
    return {
      day: d,
      printed: row?.printed ?? 0,
      reprinted: row?.reprinted ?? 0,
      failed: row?.failed ?? 0,
      paperSaved: row?.paper_saved ?? 0,
      unprinted: unprinted.map((r) => r.order_no),
    };
  }

  // --- automatic ------------------------------------------------------------------------------

  /** Resolves when every queued receipt step has finished: called before the database closes. */
  async drain(): Promise<void> {
    await this.queue;
  }

  private enqueue(step: () => Promise<unknown>, what: string): void {
    this.queue = this.queue.then(step).catch((e) => this.log(`${what}: receipt step failed`, e));
  }

  private async autoSale(p: Payment): Promise<void> {
    if (p.refundedFen > 0 || this.now() - p.createdAt > AUTO_PRINT_MAX_AGE_MS) return;
    // A withdrawal's charge gets the withdrawal's signed receipt instead of a sale receipt.
    if (p.tender !== 'cash' && p.tender !== 'credit' && (await this.o.withdrawalFor(p)) !== 'none') return;
    const settings = await this.getSettings();
    const qrOnly = settings.mode === 'qr';
    const day = chinaDay(this.now());
    const claimed = await this.o.db.tx(async (q) => {
      const r = await q.run(
        'INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?) ON CONFLICT(order_no) DO NOTHING',
        [p.orderNo, 'sale', qrOnly ? 'qr_only' : 'claimed', day, this.now(), this.now()]);
      if (r.changes === 1 && qrOnly) await bump(q, day, 'paper_saved', 1);
      return r.changes === 1;
    });
    if (!claimed) return;
    // The customer is waiting for change: the drawer opens first, whatever the receipt mode.
    if (p.tender === 'cash' && p.state === 'succeeded') {
      const d = await this.o.printer.openDrawer();
      if (!d.ok) this.log(`drawer for ${p.orderNo} did not open: ${d.error?.code ?? ''}`);
    }
    if (qrOnly) return;
    const receipt = saleReceipt(p, await this.context(p.operatorId, settings, false));
    await this.printAndRecord(p.orderNo, p.state, receipt, false);
  }

  /** Withdrawal receipts are printed in every mode: the customer signs the paper (PBOC rules). */
  private async autoWithdrawal(w: Withdrawal & { orderNo: string }): Promise<void> {
    const charge = await this.o.getPayment(w.orderNo);
    if (!charge) return;
    const r = await this.o.db.run(
      "INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, 'withdrawal', 'claimed', 0, ?, ?, ?) ON CONFLICT(order_no) DO NOTHING",
      [w.orderNo, chinaDay(this.now()), this.now(), this.now()]);
    if (r.changes !== 1) return;
    const receipt = withdrawalReceipt(w, charge, await this.context(charge.operatorId, await this.getSettings(), false));
    await this.printAndRecord(w.orderNo, charge.state, receipt, false);
  }

  private async billDescription(copy: BillCopy, bill: BillPayment, operatorId: string | null, reprint: boolean): Promise<ReceiptInput> {
    const ctx = await this.context(copy === 'bill_return' ? bill.returnedBy : operatorId, await this.getSettings(), reprint);
    return copy === 'bill_return' && bill.returnedAt !== null
      ? billReturnReceipt({ ...bill, returnedAt: bill.returnedAt }, this.o.training, ctx)
      : billReceipt(bill, this.o.training, ctx);
  }

  private async autoBill(copy: BillCopy, id: string): Promise<void> {
    // The bill as stored now, not as the event said: a queued bill forwarded meanwhile prints as paid.
    const found = await this.o.getBill(id);
    if (!found) return;
    const { bill, operatorId } = found;
    const at = copy === 'bill' ? bill.createdAt : bill.returnedAt;
    if (at === null || this.now() - at > AUTO_PRINT_MAX_AGE_MS) return;
    if (copy === 'bill' && bill.state !== 'paid' && bill.state !== 'queued') return; // refused before its receipt came up
    const key = billKey(copy, id);
    const r = await this.o.db.run(
      "INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, ?, 'claimed', 0, ?, ?, ?) ON CONFLICT(order_no) DO NOTHING",
      [key, copy, chinaDay(this.now()), this.now(), this.now()]);
    if (r.changes !== 1) return;
    await this.printAndRecord(key, bill.state, await this.billDescription(copy, bill, operatorId, false), false);
  }

  private async reprintBill(id: string, copy: BillCopy): Promise<PrintResult> {
    const found = await this.o.getBill(id);
    if (!found) throw ReceiptErrors.unknownOrder();
    const { bill, operatorId } = found;
    // A refused bill's first receipt is not reprinted: it would show a payment the biller refused.
    const printable = copy === 'bill' ? bill.state === 'paid' || bill.state === 'queued' : bill.state === 'returned';
    if (!printable) throw ReceiptErrors.notPrintable(bill.state);
    const key = billKey(copy, id);
    const row = await this.o.db.get<PrintRow>('SELECT * FROM receipt_prints WHERE order_no = ?', [key]);
    const reprint = (row?.copies ?? 0) > 0 || row?.maybe_printed === 1;
    const kept = row?.description ? (JSON.parse(row.description) as Kept) : null;
    const receipt = kept && kept.state === bill.state
      ? { ...kept.receipt, paperWidth: this.o.printer.paperWidth, reprint }
      : await this.billDescription(copy, bill, operatorId, reprint);
    if (!row) {
      await this.o.db.run(
        "INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, ?, 'claimed', 0, ?, ?, ?)",
        [key, copy, chinaDay(this.now()), this.now(), this.now()]);
    }
    return this.printAndRecord(key, bill.state, receipt, reprint);
  }

  // --- on request -----------------------------------------------------------------------------

  private async reprint(orderNo: string): Promise<PrintResult> {
    const p = await this.o.getPayment(orderNo);
    if (!p) throw ReceiptErrors.unknownOrder();
    if (!PRINTABLE_STATES.includes(p.state)) throw ReceiptErrors.notPrintable(p.state);
    const row = await this.o.db.get<PrintRow>('SELECT * FROM receipt_prints WHERE order_no = ?', [orderNo]);
    // A receipt that reached paper, or may have (unconfirmed, stopped part-way), gets the 重打
    // mark; one that never went out is the original.
    const reprint = (row?.copies ?? 0) > 0 || row?.maybe_printed === 1;
    const settings = await this.getSettings();
    const ctx = await this.context(p.operatorId, settings, reprint);
    let receipt: ReceiptInput | null = null;
    const kept = row?.description ? (JSON.parse(row.description) as Kept) : null;
    if (kept && kept.state === p.state) {
      // The kept failed receipt, exactly as it was meant to print (on today's paper width).
      receipt = { ...kept.receipt, paperWidth: ctx.paperWidth, reprint };
    } else {
      const link = p.tender === 'cash' || p.tender === 'credit' ? 'none' : await this.o.withdrawalFor(p);
      receipt = typeof link === 'object' && link.orderNo && link.state === 'paid'
        ? withdrawalReceipt({ ...link, orderNo: link.orderNo }, p, ctx)
        : saleReceipt(p, ctx);
    }
    if (!row) {
      await this.o.db.run(
        "INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, ?, 'claimed', 0, ?, ?, ?)",
        [orderNo, receipt.signatureLine ? 'withdrawal' : 'sale', chinaDay(this.now()), this.now(), this.now()]);
    } else if (row.outcome === 'qr_only') {
      // The customer asked for paper after all: that receipt's paper was not saved.
      await this.o.db.tx(async (q) => {
        await q.run("UPDATE receipt_prints SET outcome = 'claimed' WHERE order_no = ?", [orderNo]);
        await bump(q, row.day, 'paper_saved', -1);
      });
    }
    return this.printAndRecord(orderNo, p.state, receipt, reprint);
  }

  // --- shared ---------------------------------------------------------------------------------

  private async context(operatorId: string | null, settings: ReceiptSettings, reprint: boolean): Promise<BuildContext> {
    let operatorName: string | null = null;
    try {
      operatorName = await this.o.operatorName(operatorId);
    } catch {
      // A receipt without the cashier's name is still a receipt.
    }
    return { settings, paperWidth: this.o.printer.paperWidth, terminalId: this.o.terminalId, operatorName, reprint };
  }

  private async printAndRecord(orderNo: string, state: string, receipt: ReceiptInput, reprint: boolean): Promise<PrintResult> {
    const job = await this.o.printer.printReceipt(receipt);
    const day = chinaDay(this.now());
    const printed = job.state === 'printed';
    await this.o.db.tx(async (q) => {
      if (printed) {
        await q.run("UPDATE receipt_prints SET outcome = 'printed', description = NULL, error_json = NULL, copies = copies + 1, updated_at = ? WHERE order_no = ?", [
          this.now(), orderNo]);
        await bump(q, day, reprint ? 'reprinted' : 'printed', 1);
      } else {
        await q.run(
          "UPDATE receipt_prints SET outcome = CASE WHEN copies > 0 THEN 'printed' ELSE 'failed' END, description = ?, error_json = ?, maybe_printed = MAX(maybe_printed, ?), updated_at = ? WHERE order_no = ?",
          [keepable(state, receipt, job.id), job.error ? JSON.stringify(job.error) : null, job.mayHavePrinted ? 1 : 0, this.now(), orderNo]);
        await bump(q, day, 'failed', 1);
      }
    });
    if (!printed) this.log(`receipt ${orderNo} not printed: ${job.error?.code ?? job.state}`);
    return { orderNo, printed, reprint, jobId: job.id, error: job.error ? { code: job.error.code, zh: job.error.zh, en: job.error.en } : null };
  }
}

/**
 * The description is kept only if the printer's own parser accepts it — which refuses a full
 * payment code — so nothing kept on disk could put one on paper.
 */
function keepable(state: string, receipt: ReceiptInput, jobId: string | null): string | null {
  try {
    parseReceipt(receipt);
  } catch {
    return null;
  }
  const kept: Kept = { state, receipt, jobId };
  return JSON.stringify(kept);
}

type Counter = 'printed' | 'reprinted' | 'failed' | 'paper_saved';

async function bump(q: Queryable, day: string, counter: Counter, by: 1 | -1): Promise<void> {
  // `counter` is one of four literal column names, never outside input.
  if (by > 0) {
    await q.run(`INSERT INTO receipt_days (day, ${counter}) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET ${counter} = ${counter} + 1`, [day]);
  } else {
    await q.run(`UPDATE receipt_days SET ${counter} = MAX(0, ${counter} - 1) WHERE day = ?`, [day]);
  }
}
