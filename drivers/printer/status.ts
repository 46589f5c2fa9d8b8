/**
 * The printer's real-time status (DLE EOT n), decoded. Every status byte has bit 1 and bit 4 set
 * and bits 0 and 7 clear (ESC/POS spec, same on Epson, Xprinter, GP, Sewoo): a byte that breaks
 * this is not a status reply (a stale data byte, line noise) and is refused, not guessed at.
 */
import { AppError } from '../../core/api/errors';

export interface PrinterStatus {
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  error: boolean;
  offline: boolean;
}

export const StatusErrors = {
  badReply: (byte: number | null) =>
    new AppError('printer.bad_status', '打印机状态应答不正确。', 'The printer sent an invalid status reply.', { byte }),
};

export function isStatusByte(b: number): boolean {
  return Number.isInteger(b) && b >= 0 && b <= 0xff && (b & 0x93) === 0x12;
}

function check(reply: Uint8Array | null): number {
  if (!reply || reply.length !== 1 || !isStatusByte(reply[0]!)) throw StatusErrors.badReply(reply && reply.length ? reply[0]! : null);
  return reply[0]!;
}

/** DLE EOT 4 (paper roll sensor): bits 2–3 near end, bits 5–6 paper end. */
export function parsePaperStatus(reply: Uint8Array | null): Pick<PrinterStatus, 'paperOut' | 'paperNearEnd'> {
  const b = check(reply);
  return { paperNearEnd: (b & 0x0c) !== 0, paperOut: (b & 0x60) !== 0 };
}

/** DLE EOT 2 (offline cause): bit 2 cover open, bit 5 stopped by paper end, bit 6 error. */
export function parseOfflineCause(reply: Uint8Array | null): Pick<PrinterStatus, 'coverOpen' | 'paperOut' | 'error'> {
  const b = check(reply);
  return { coverOpen: (b & 0x04) !== 0, paperOut: (b & 0x20) !== 0, error: (b & 0x40) !== 0 };
}

/** DLE EOT 1 (printer): bit 3 offline. */
export function parsePrinterStatus(reply: Uint8Array | null): Pick<PrinterStatus, 'offline'> {
  return { offline: (check(reply) & 0x08) !== 0 };
}

/** The replies a printer in the given state would send: used by the simulated printer and fakes. */
export function statusReply(n: 1 | 2 | 4, s: Partial<PrinterStatus>): number {
  if (n === 4) return 0x12 | (s.paperNearEnd ? 0x0c : 0) | (s.paperOut ? 0x60 : 0);
  if (n === 2) return 0x12 | (s.coverOpen ? 0x04 : 0) | (s.paperOut ? 0x20 : 0) | (s.error ? 0x40 : 0);
  return 0x12 | (s.offline || s.coverOpen || s.paperOut || s.error ? 0x08 : 0);
}
