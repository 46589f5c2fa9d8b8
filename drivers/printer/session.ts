/**
 * What an ESC/POS printer says back, over any byte channel (USB bulk OUT/IN, a TCP socket):
 * status, completion of a job, buffer clear, drawer pulse. Transport-free; one per printer, since
 * it remembers how the printer behaves.
 *
 * - A job is printed only when the printer says so (confirm.ts: GS ( H on Epson, GS r 1
 *   elsewhere). The wait for that answer is counted in status rounds the printer answers, not in
 *   wall time, so a slow or loaded machine waits longer instead of failing a job: it ends on the
 *   answer, on a stop the printer reports (paper out …), or after rounds it stays silent.
 * - A printer that cannot be read, or ignores DLE EOT, still prints: its status is null (unknown)
 *   and its jobs are `unconfirmed`; one that answers DLE EOT but never the in-order request is
 *   remembered, so later jobs do not wait for it again.
 * - The DLE EOT wait follows the printer: four times its last answer, never under the configured
 *   time-out; doubled after a query it let pass unanswered (a late reply is then read, not
 *   missed), up to 8 s.
 */
import { classifyReplies, PAPER_STATUS_IN_ORDER, processIdRequest, REALTIME_CLEAR, REALTIME_PULSE, RECOVER_CLEAR } from './confirm';
import { encodeDrawerPulse, statusQuery } from './escpos';
import { PrinterErrors, type Confirmation } from './port';
import { parseOfflineCause, parsePaperStatus, StatusErrors, type PrinterStatus } from './status';

export interface ByteChannel {
  /** A printer that can answer at all (USB: has bulk IN). */
  readonly canRead: boolean;
  /** Epson documents GS ( H and DLE DC4 1; others get GS r 1 and an uncertain drawer while stopped. */
  readonly epson: boolean;
  send(bytes: Uint8Array): Promise<void>;
  /** What came back within `timeoutMs`; empty: nothing. */
  read(timeoutMs: number): Promise<Uint8Array>;
}

export interface SessionOptions {
  statusTimeoutMs: number;
  confirmPollMs: number;
  silentRounds: number;
}

export class PrinterSession {
  /** null: not known yet; false: it answers DLE EOT but never the in-order request (jobs are `unconfirmed`). */
  private confirms: boolean | null = null;
  private processSeq = 0;
  /** Completion answers read while asking for status (they are not status replies). */
  private inOrderSeen: number[] = [];
  private processIdsSeen: string[] = [];
  private statusWaitMs: number;

  constructor(private readonly o: SessionOptions) {
    this.statusWaitMs = o.statusTimeoutMs;
  }

  async status(ch: ByteChannel): Promise<PrinterStatus | null> {
    if (!ch.canRead) return null;
    const p = await this.ask(ch, 4);
    if (!p.length) return null;
    const c = await this.ask(ch, 2);
    if (!c.length) return null;
    const paper = parsePaperStatus(p);
    const cause = parseOfflineCause(c);
    return { ...paper, coverOpen: cause.coverOpen, error: cause.error, paperOut: paper.paperOut || cause.paperOut, offline: false };
  }

  async confirm(ch: ByteChannel): Promise<Confirmation> {
    if (!ch.canRead || this.confirms === false) return 'unconfirmed';
    const id = String(++this.processSeq % 10_000).padStart(4, '0');
    this.inOrderSeen = [];
    this.processIdsSeen = [];
    await ch.send(ch.epson ? processIdRequest(id) : PAPER_STATUS_IN_ORDER);
    const done = (got: { inOrder: number[]; processIds: string[] }) =>
      ch.epson ? [...this.processIdsSeen, ...got.processIds].includes(id) : this.inOrderSeen.length + got.inOrder.length > 0;
    let silent = 0;
    // Rounds the printer answered while still printing: a receipt takes a few; the budget ends a
    // wait for a printer that answers DLE EOT but ignores the request (remembered below).
    let answered = 0;
    while (silent < this.o.silentRounds && answered < 40) {
      const got = classifyReplies(await ch.read(this.o.confirmPollMs));
      if (done(got)) {
        // GS r 1 is answered once the job printed; a paper end it reports (the roll ran out just
        // after) matters to the next job only, whose status check sees it.
        this.confirms = true;
        return 'printed';
      }
      const s = await this.status(ch);
      if (done({ inOrder: [], processIds: [] })) continue; // answered meanwhile, read with the status
      if (s === null) {
        silent++;
        continue;
      }
      silent = 0;
      answered++;
      if (s.paperOut) throw PrinterErrors.paperOut();
      if (s.coverOpen) throw PrinterErrors.coverOpen();
      if (s.error) throw PrinterErrors.error();
    }
    if (silent < this.o.silentRounds && this.confirms === null) this.confirms = false;
    return 'unconfirmed';
  }

  async clearBuffer(ch: ByteChannel): Promise<boolean> {
    await ch.send(REALTIME_CLEAR);
    await ch.send(RECOVER_CLEAR);
    return true;
  }

  async pulse(ch: ByteChannel, stopped: boolean): Promise<{ certain: boolean }> {
    await ch.send(stopped ? REALTIME_PULSE : encodeDrawerPulse());
    // Epson documents DLE DC4 1; on another maker's printer it may be ignored while stopped.
    return { certain: !stopped || ch.epson };
  }

  /**
   * Sends DLE EOT n and reads the one-byte reply (the last real-time reply, should in-order or
   * late replies precede it). Empty: no answer (the printer ignores DLE EOT, or is busy).
   */
  private async ask(ch: ByteChannel, n: 1 | 2 | 4): Promise<Uint8Array> {
    await ch.send(statusQuery(n));
    const t0 = Date.now();
    const got = classifyReplies(await ch.read(this.statusWaitMs));
    this.inOrderSeen.push(...got.inOrder);
    this.processIdsSeen.push(...got.processIds);
    const last = got.realtime[got.realtime.length - 1];
    this.statusWaitMs = last === undefined
      ? Math.min(8000, this.statusWaitMs * 2)
      : Math.max(this.o.statusTimeoutMs, Math.min(8000, 4 * (Date.now() - t0)));
    // Bytes that are no reply the app asked for: refused, not guessed at (status.ts).
    if (last === undefined && got.other > 0) throw StatusErrors.badReply(null);
    return last === undefined ? new Uint8Array(0) : Uint8Array.of(last);
  }
}
