/**
 * A serial ESC/POS printer: RS-232 (often on a USB-serial adapter) or a "virtual COM" printer
 * (USB CDC-ACM, or a maker's USB driver that shows a COM port). The job and DLE EOT go over the
 * same port, through `serialport` loaded lazily by scanner/serial.ts (one loader, one port list).
 *
 * - The port is opened on first use at the configured baud rate and flow control, and again after
 *   it closed (unplugged, back); opening fails as printer.busy (another program holds the port,
 *   e.g. the maker's spooler driver or a second copy of the app), device.no_permission (Linux:
 *   not in `dialout`), or printer.disconnected (no such port).
 * - A write resolves once the bytes are drained to the OS driver. With RTS/CTS or XON/XOFF a
 *   printer that is out of paper or busy holds the line: the write then waits, and after
 *   `writeTimeoutMs` fails as printer.timeout ("may have printed" if any went out).
 * - Status, completion and the drawer go over the same port (stream-printer.ts); a printer that
 *   does not answer DLE EOT (many RS-232 printers have no return line wired) prints anyway,
 *   status unknown and jobs "sent, unconfirmed".
 * - Bytes from the printer are replies only: with XON/XOFF the flow bytes (0x11, 0x13) are taken
 *   out first (some virtual-COM drivers pass them through); anything else that is no reply the
 *   app asked for is refused by the session (printer.bad_status).
 */
import { AppError } from '../../core/api/errors';
import { isAccessDenied } from '../usb/webusb';
import type { SerialFlowControl, SerialLib, SerialPortLike } from '../scanner/serial';
import { PrinterErrors } from './port';
import { StreamPrinter } from './stream-printer';

export interface SerialPrinterOptions {
  baudRate: number;
  flowControl: SerialFlowControl;
  writeTimeoutMs?: number;
  statusTimeoutMs?: number;
  confirmPollMs?: number;
  silentRounds?: number;
  epson?: boolean;
}

const XON = 0x11;
const XOFF = 0x13;

export const SerialPrinterErrors = {
  busy: (path: string) =>
    new AppError('printer.busy', `串口 ${path} 被其他程序占用（例如打印机厂商的驱动或打印队列）。请关闭它或删除该打印机的队列，再重打。`,
      `The serial port ${path} is held by another program (for example the printer maker's driver or a print queue). Close it or remove that printer's queue, then reprint.`),
};

export class SerialPrinter extends StreamPrinter {
  private port: SerialPortLike | null = null;
  /** Rejects (printer.disconnected) when the open port closes: a write in flight then ends too. */
  private closed: Promise<never> = new Promise(() => {});
  private opening: Promise<SerialPortLike> | null = null;
  private readonly o: Required<SerialPrinterOptions>;

  constructor(private readonly lib: SerialLib, readonly path: string, opts: SerialPrinterOptions) {
    const o = { writeTimeoutMs: 10_000, statusTimeoutMs: 500, confirmPollMs: 250, silentRounds: 3, epson: false, ...opts };
    super(o.epson, o);
    this.o = o;
  }

  protected get linked(): boolean {
    return this.port !== null;
  }

  private open(): Promise<SerialPortLike> {
    if (this.port) return Promise.resolve(this.port);
    this.opening ??= this.lib.open(this.path, this.o.baudRate, { flowControl: this.o.flowControl }).then(
      (port) => {
        this.opening = null;
        this.port = port;
        let gone!: () => void;
        this.closed = new Promise<never>((_, reject) => (gone = () => reject(PrinterErrors.disconnected())));
        this.closed.catch(() => {});
        this.linkOpened();
        port.on('data', (chunk) => {
          if (this.port !== port) return;
          this.received(this.o.flowControl === 'xonxoff' ? chunk.filter((b) => b !== XON && b !== XOFF) : chunk);
        });
        // `serialport` queues a write on a closing port until it opens again (never): it must end here.
        const lost = () => {
          if (this.port !== port) return;
          this.port = null;
          gone();
          this.linkClosed();
        };
        port.on('close', lost);
        port.on('end', lost);
        port.on('error', lost);
        return port;
      },
      (e: unknown) => {
        this.opening = null;
        const m = e instanceof Error ? e.message : String(e);
        // Linux: "Cannot lock port" when another program has it; Windows: "Access denied" for a held COM port.
        if (/lock|busy|access denied/i.test(m)) throw SerialPrinterErrors.busy(this.path);
        if (isAccessDenied(e)) throw PrinterErrors.noPermission();
        throw PrinterErrors.disconnected();
      },
    );
    return this.opening;
  }

  protected async send(data: Uint8Array): Promise<void> {
    const port = await this.open();
    let t: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        port.write(data).catch(() => {
          throw PrinterErrors.disconnected();
        }),
        this.closed,
        new Promise<never>((_, reject) => (t = setTimeout(() => reject(PrinterErrors.timeout()), this.o.writeTimeoutMs))),
      ]);
    } finally {
      clearTimeout(t);
    }
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    await port?.close().catch(() => {}); // an unplugged port may refuse to close: it is gone anyway
  }
}
