/**
 * An ESC/POS printer's behaviour, byte level, for the twins the tests drive: the fake USB printer
 * (usb/fake-printer.ts) and the network printer's TCP twin (tcp-twin.ts). It keeps a receive
 * buffer and prints from it as a real one does, so "the bytes were sent" and "it is on paper"
 * are different moments.
 *
 * - Real-time commands (DLE EOT, DLE DC4 1 pulse, DLE DC4 8 clear, DLE ENQ 2) run on arrival,
 *   even while stopped. Over USB they are recognised when a transfer starts with DLE (the
 *   transport sends them on their own); on a stream (TCP) anywhere in it, as Epson's printers do.
 * - In-order: GS r 1 and GS ( H are answered when reached, ESC p pulses when reached; every other
 *   byte is "printed" (counted onto `paper`) until the roll ends (`paperBytes`).
 * - At paper end it stops with the rest in its buffer; `loadPaper()` resumes that buffer (Epson's
 *   automatic recovery) unless it was cleared.
 * - `printDelayMs`: printing (and so in-order answers) happens that long after the bytes arrive;
 *   `replyDelayMs`: every answer (status too) comes that late.
 */
import { statusReply } from './status';

export interface TwinBehaviour {
  answersStatus: boolean;
  answersInOrder: boolean;
  processId: boolean;
  realtimePulse: boolean;
  realtimeClear: boolean;
  paperBytes: number | null;
  printDelayMs: number;
  /** Every answer comes this late (a printer, or a machine, under load). */
  replyDelayMs: number;
}

export class EscPosTwin {
  readonly b: TwinBehaviour;
  /** Bytes that reached paper, in order. */
  readonly paper: number[] = [];
  protected buffer: number[] = [];
  paperOut = false;
  coverOpen = false;
  /** Drawer pulses that ran: `realtime` (DLE DC4 1) or `buffered` (ESC p reached in order). */
  readonly pulses: ('realtime' | 'buffered')[] = [];
  clears = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Stream mode: bytes of a real-time command not complete yet. */
  private carry: number[] = [];

  private readonly reply: (bytes: number[]) => void;

  constructor(send: (bytes: number[]) => void, b: Partial<TwinBehaviour> = {}) {
    this.b = { answersStatus: true, answersInOrder: true, processId: false, realtimePulse: true, realtimeClear: true, paperBytes: null, printDelayMs: 0, replyDelayMs: 0, ...b };
    this.reply = (bytes) => (this.b.replyDelayMs > 0 ? void setTimeout(() => send(bytes), this.b.replyDelayMs) : send(bytes));
  }

  get stopped(): boolean {
    return this.paperOut || this.coverOpen;
  }

  /** Paper back in: prints what the buffer still holds (unless it was cleared). */
  loadPaper(bytes: number | null = null): void {
    this.paperOut = false;
    this.b.paperBytes = bytes === null ? null : this.paper.length + bytes;
    this.run();
  }

  /** Switched off and on: the buffer is gone. */
  powerCycle(): void {
    this.buffer = [];
    this.carry = [];
  }

  /** Length of the real-time command at the start of `d`: 0 none, -1 not complete yet. */
  private realtimeLength(d: number[]): number {
    if (d[0] !== 0x10) return 0;
    if (d.length < 2) return -1;
    const c = d[1];
    if (c === 0x04 || c === 0x05) return d.length < 3 ? -1 : 3;
    if (c === 0x14) {
      if (d.length < 3) return -1;
      const n = d[2] === 1 ? 5 : d[2] === 8 ? 10 : 0;
      return n && d.length < n ? -1 : n;
    }
    return 0;
  }

  private realtime(cmd: number[]): void {
    const [, c, n] = cmd;
    if (c === 0x04) {
      if (this.b.answersStatus) this.reply([statusReply(n as 1 | 2 | 4, { paperOut: this.paperOut, coverOpen: this.coverOpen })]);
    } else if (c === 0x14 && n === 1) {
      if (this.b.realtimePulse) this.pulses.push('realtime');
    } else if (c === 0x14 && n === 8 && this.b.realtimeClear) {
      this.buffer = [];
      this.clears++;
    }
  }

  /** A USB transfer: real-time when it starts with one (and is nothing else). */
  receiveTransfer(data: Uint8Array): void {
    const d = [...data];
    const n = this.realtimeLength(d);
    if (n > 0 && n === d.length) this.realtime(d);
    else this.queue(d);
  }

  /** Bytes of a stream (TCP): real-time commands are taken out wherever they are. */
  receiveStream(data: Uint8Array): void {
    const d = [...this.carry, ...data];
    this.carry = [];
    const rest: number[] = [];
    for (let k = 0; k < d.length;) {
      const n = this.realtimeLength(d.slice(k, k + 10));
      if (n === -1) {
        this.carry = d.slice(k);
        break;
      }
      if (n > 0) {
        this.realtime(d.slice(k, k + n));
        k += n;
      } else rest.push(d[k++]!);
    }
    if (rest.length) this.queue(rest);
  }

  private queue(d: number[]): void {
    this.buffer.push(...d);
    if (this.b.printDelayMs > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.run();
      }, this.b.printDelayMs);
    } else this.run();
  }

  protected run(): void {
    while (this.buffer.length && !this.stopped) {
      const [b0, b1, b2] = this.buffer;
      if (b0 === 0x1d && b1 === 0x72 && b2 === 1 && this.buffer.length >= 3) {
        this.buffer.splice(0, 3);
        if (this.b.answersInOrder) this.reply([0x00]);
        continue;
      }
      if (b0 === 0x1d && b1 === 0x28 && b2 === 0x48 && this.buffer.length >= 11) {
        const d = this.buffer.splice(0, 11).slice(7);
        if (this.b.processId) this.reply([0x37, 0x22, ...d, 0x00]);
        continue;
      }
      if (b0 === 0x1b && b1 === 0x70 && this.buffer.length >= 5) {
        this.buffer.splice(0, 5);
        this.pulses.push('buffered');
        continue;
      }
      if (this.b.paperBytes !== null && this.paper.length >= this.b.paperBytes) {
        this.paperOut = true;
        break;
      }
      this.paper.push(this.buffer.shift()!);
    }
  }
}
