/**
 * The simulated printer: demo mode's printer and the tests'. It decodes the ESC/POS bytes it
 * receives (decode.ts) into the receipt model the screen draws, so a trainee sees what the paper
 * would show, and a trainer can make it run out of paper mid-lesson.
 *
 * It behaves as the port contract says a printer may (port.ts), so the manager's rules are
 * exercised on it: with `paperBlocks` the roll ends part-way through a job (the printed part is
 * on paper, the rest waits in the buffer and resumes on new paper unless cleared); `confirms`
 * false is a printer that cannot say a job is done; `answersStatus` false ignores DLE EOT;
 * `realtimePulse` false ignores DLE DC4 (its drawer waits behind a stopped job like ESC p).
 */
import type { PrintedBlock, PrintedReceipt } from '../../core/api/devices';
import { decodeEscPos } from './decode';
import { PrinterErrors, type Confirmation, type PrinterPort } from './port';
import type { PrinterStatus } from './status';

export class SimulatedPrinter implements PrinterPort {
  paperOut = false;
  coverOpen = false;
  /** Blocks (lines, symbols, cuts) of paper left; null: a full roll. */
  paperBlocks: number | null = null;
  confirms = true;
  answersStatus = true;
  realtimePulse = true;
  /** Drawer pulses that ran, in order. */
  readonly pulses: ('realtime' | 'buffered')[] = [];
  /** Every job it printed, decoded, oldest first (tests read it); a job cut by paper end is its printed part. */
  readonly printed: PrintedReceipt[] = [];
  sent = 0;
  private pending: PrintedBlock[] = [];

  constructor(
    private readonly columns: () => number,
    private readonly onPrinted: (r: PrintedReceipt) => void = () => {},
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.sent = 0;
    const r = decodeEscPos(bytes, this.columns());
    // A drawer kick needs no paper: the kick port is driven even when the paper sensor trips,
    // so the cashier can still give change while the roll is replaced.
    const drawerOnly = r.blocks.length > 0 && r.blocks.every((b) => b.kind === 'pulse');
    if (!drawerOnly && this.paperOut) throw PrinterErrors.paperOut();
    if (!drawerOnly && this.coverOpen) throw PrinterErrors.coverOpen();
    this.sent = bytes.length;
    this.pending.push(...r.blocks);
    this.run();
  }

  /** Prints from the buffer until it is empty or the roll ends. */
  private run(): void {
    const out: PrintedBlock[] = [];
    while (this.pending.length && !this.paperOut && !this.coverOpen) {
      const b = this.pending[0]!;
      if (b.kind !== 'pulse') {
        if (this.paperBlocks !== null && this.paperBlocks <= 0) {
          this.paperOut = true;
          break;
        }
        if (this.paperBlocks !== null) this.paperBlocks--;
      } else this.pulses.push('buffered');
      out.push(this.pending.shift()!);
    }
    if (out.length) {
      const r = { columns: this.columns(), blocks: out };
      this.printed.push(r);
      this.onPrinted(r);
    }
  }

  async confirm(): Promise<Confirmation> {
    if (this.pending.length) throw this.coverOpen ? PrinterErrors.coverOpen() : PrinterErrors.paperOut();
    return this.confirms ? 'printed' : 'unconfirmed';
  }

  async status(): Promise<PrinterStatus | null> {
    if (!this.answersStatus) return null;
    return { paperOut: this.paperOut, paperNearEnd: false, coverOpen: this.coverOpen, error: false, offline: false };
  }

  async clearBuffer(): Promise<boolean> {
    this.pending = [];
    return true;
  }

  /** Paper back in: like Epson's automatic recovery, it prints what its buffer still holds. */
  loadPaper(blocks: number | null = null): void {
    this.paperOut = false;
    this.paperBlocks = blocks;
    this.run();
  }

  async pulse(stopped: boolean): Promise<{ certain: boolean }> {
    if (stopped && this.realtimePulse) {
      this.pulses.push('realtime');
      const r: PrintedReceipt = { columns: this.columns(), blocks: [{ kind: 'pulse', pin: 0, onMs: 100, offMs: 0 }] };
      this.printed.push(r);
      return { certain: true };
    }
    // ESC p waits in the buffer: it runs now only if the printer is running.
    this.pending.push({ kind: 'pulse', pin: 0, onMs: 100, offMs: 500 });
    this.run();
    return { certain: !stopped };
  }

  async close(): Promise<void> {}
}
