/**
 * A printer on a byte stream both ways (a TCP socket, a serial port): the job and the status
 * queries on the same link, as a stream printer takes them. What is shared by the network and
 * the serial printer; each supplies the link (open on first use, `send`, `received`, `linkClosed`).
 *
 * - What the printer sends back is kept in order until read; a read on a closed link with
 *   nothing kept is printer.disconnected (the session then fails the job, "may have printed").
 * - One thing at a time (a queue), so a status query never lands inside a job.
 * - Status, completion, buffer clear and drawer go through the shared session (session.ts).
 */
import { PrinterErrors, type Confirmation, type PrinterPort } from './port';
import { PrinterSession, type ByteChannel, type SessionOptions } from './session';
import type { PrinterStatus } from './status';

export abstract class StreamPrinter implements PrinterPort {
  sent = 0;
  private inbox: number[] = [];
  private wake: (() => void) | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly session: PrinterSession;

  constructor(private readonly epson: boolean, o: SessionOptions) {
    this.session = new PrinterSession(o);
  }

  /** The link is open now (else a read with nothing kept fails as disconnected). */
  protected abstract get linked(): boolean;
  /** Opens the link if need be and hands it the bytes; rejects with a PrinterErrors AppError. */
  protected abstract send(data: Uint8Array): Promise<void>;
  abstract close(): Promise<void>;

  /** Bytes from the printer. */
  protected received(bytes: Iterable<number>): void {
    this.inbox.push(...bytes);
    this.wake?.();
  }

  /** A new link: nothing from an earlier one is a reply to what is asked on this one. */
  protected linkOpened(): void {
    this.inbox = [];
  }

  /** The link closed (reset, unplug): a waiting read ends now. */
  protected linkClosed(): void {
    this.wake?.();
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => {});
    return run;
  }

  private async read(timeoutMs: number): Promise<Uint8Array> {
    if (!this.inbox.length && this.linked) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          this.wake = null;
          r();
        }, timeoutMs);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          r();
        };
      });
    }
    if (!this.inbox.length && !this.linked) throw PrinterErrors.disconnected();
    return Uint8Array.from(this.inbox.splice(0));
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.serial(async () => {
      this.sent = 0;
      await this.send(bytes);
      this.sent = bytes.length;
    });
  }

  status(): Promise<PrinterStatus | null> {
    return this.serial(() => this.session.status(this.ch()));
  }

  confirm(): Promise<Confirmation> {
    return this.serial(() => this.session.confirm(this.ch()));
  }

  clearBuffer(): Promise<boolean> {
    return this.serial(() => this.session.clearBuffer(this.ch()));
  }

  pulse(stopped: boolean): Promise<{ certain: boolean }> {
    return this.serial(() => this.session.pulse(this.ch(), stopped));
  }

  private ch(): ByteChannel {
    return { canRead: true, epson: this.epson, send: (b) => this.send(b), read: (ms) => this.read(ms) };
  }
}
