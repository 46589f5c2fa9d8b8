/**
 * The simulated printer: demo mode's printer and the tests'. It decodes the ESC/POS bytes it
 * receives (decode.ts) into the receipt model the screen draws, so a trainee sees what the paper
 * would show, and a trainer can make it run out of paper mid-lesson.
 */
import type { PrintedReceipt } from '../../core/api/devices';
import { decodeEscPos } from './decode';
import { PrinterErrors, type PrinterPort } from './port';
import type { PrinterStatus } from './status';

export class SimulatedPrinter implements PrinterPort {
  paperOut = false;
  coverOpen = false;
  /** Every job it printed, decoded, oldest first (tests read it). */
  readonly printed: PrintedReceipt[] = [];

  constructor(
    private readonly columns: () => number,
    private readonly onPrinted: (r: PrintedReceipt) => void = () => {},
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    const r = decodeEscPos(bytes, this.columns());
    // A drawer kick needs no paper: the kick port is driven even when the paper sensor trips,
    // so the cashier can still give change while the roll is replaced.
    const drawerOnly = r.blocks.length > 0 && r.blocks.every((b) => b.kind === 'pulse');
    if (!drawerOnly && this.paperOut) throw PrinterErrors.paperOut();
    if (!drawerOnly && this.coverOpen) throw PrinterErrors.coverOpen();
    this.printed.push(r);
    this.onPrinted(r);
  }

  async status(): Promise<PrinterStatus> {
    return { paperOut: this.paperOut, paperNearEnd: false, coverOpen: this.coverOpen, error: false, offline: false };
  }

  async close(): Promise<void> {}
}
