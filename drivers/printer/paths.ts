/**
 * The printer paths other than USB, as the device manager offers and opens them: a network
 * printer (`printer:net:HOST:PORT`), a serial / virtual-COM printer (`printer:serial:<port key>`,
 * the key scanner/serial.ts gives a listed port), a CUPS queue (`printer:cups:QUEUE`, Linux), a
 * Windows printer through the spooler (`printer:win:<hex of its UTF-8 name>`, Windows).
 *
 * Every id is checked here before anything is opened (names from the OS are checked too, when
 * listed); what each path can and cannot know is said in both languages (`via`).
 */
import type { Message } from '../../core/api/payments';
import type { PrinterCandidate } from '../../core/api/devices';
import { AppError } from '../../core/api/errors';
import { listCupsQueues, parseQueueName, type CupsQueueInfo } from './cups-printer';
import { parseNetAddress } from './net-printer';
import type { RunCommand } from './os-command';
import { listWindowsPrinters, windowsPrinterFromKey, windowsPrinterKey, type WindowsPrinterInfo } from './win-spooler';
import { serialPortKey, type SerialFlowControl, type SerialPortInfo } from '../scanner/serial';

export type PrinterPathId =
  | { path: 'net'; host: string; port: number }
  | { path: 'serial'; key: string }
  | { path: 'cups'; queue: string }
  | { path: 'win'; name: string };

const SERIAL_KEY = /^(?:[0-9a-f]{4}:[0-9a-f]{4}|port):[a-z0-9._-]{1,60}$/;

/** Which path an id names, checked; null: not such an id (or a malformed one). */
export function parsePrinterPathId(id: string): PrinterPathId | null {
  const m = /^printer:(net|serial|cups|win):(.+)$/.exec(id);
  if (!m) return null;
  const rest = m[2]!;
  switch (m[1]) {
    case 'net': {
      const a = parseNetAddress(rest);
      return a && { path: 'net', ...a };
    }
    case 'serial':
      return SERIAL_KEY.test(rest) ? { path: 'serial', key: rest } : null;
    case 'cups': {
      const q = parseQueueName(rest);
      return q ? { path: 'cups', queue: q } : null;
    }
    default: {
      const name = windowsPrinterFromKey(rest);
      return name ? { path: 'win', name } : null;
    }
  }
}

export const PathErrors = {
  wrongOs: (path: 'cups' | 'win') =>
    new AppError('devices.wrong_os', path === 'cups' ? 'CUPS 打印队列只在 Linux 上可用。' : 'Windows 打印队列只在 Windows 上可用。',
      path === 'cups' ? 'CUPS print queues are only available on Linux.' : 'Windows print queues are only available on Windows.'),
};

const FLOW: Record<SerialFlowControl, Message> = {
  none: { zh: '无流控', en: 'no flow control' },
  rtscts: { zh: '硬件流控 RTS/CTS', en: 'RTS/CTS flow control' },
  xonxoff: { zh: '软件流控 XON/XOFF', en: 'XON/XOFF flow control' },
};

/** Which path a printer prints through, and what is not known there. */
export function viaFor(p: PrinterPathId | { path: 'usb' }, serial?: { port: string | null; baud: number; flow: SerialFlowControl }): Message {
  switch (p.path) {
    case 'usb':
      return { zh: 'USB 直连（libusb）：状态和打印完成经 USB 读取；打印机不回答时状态未知。', en: 'USB, direct (libusb): status and completion are read over USB; unknown if the printer does not answer.' };
    case 'net':
      return { zh: `网络 raw TCP ${p.host}:${p.port}：状态（DLE EOT）和打印完成在同一连接上读取。`, en: `Network, raw TCP ${p.host}:${p.port}: status (DLE EOT) and completion are read on the same connection.` };
    case 'serial': {
      const s = serial ?? { port: null, baud: 9600, flow: 'none' as const };
      const where = s.port ?? '（未连接）';
      return {
        zh: `串口 ${where}，${s.baud} 波特，${FLOW[s.flow].zh}：状态（DLE EOT）和打印完成在同一串口读取；打印机不回答（很多串口线不接回线）时状态未知，小票标为“已发送，未确认”。`,
        en: `Serial port ${s.port ?? '(not connected)'}, ${s.baud} baud, ${FLOW[s.flow].en}: status (DLE EOT) and completion are read on the same port; if the printer does not answer (many serial cables have no return line), the status is unknown and receipts are "sent, unconfirmed".`,
      };
    }
    case 'cups':
      return { zh: `系统打印队列 CUPS “${p.queue}”（raw）：只知道队列和任务的状态，不知道打印机是否缺纸、开盖，也不能确认已打出。`, en: `System print queue, CUPS "${p.queue}" (raw): only the queue's and the job's state are known, not whether the printer is out of paper or open, nor that a receipt printed.` };
    case 'win':
      return { zh: `Windows 打印队列“${p.name}”（RAW）：只知道小票已交给队列，不知道打印机是否缺纸、开盖，也不能确认已打出。`, en: `Windows print queue "${p.name}" (RAW): only that a receipt was handed to the queue is known, not whether the printer is out of paper or open, nor that it printed.` };
  }
}

/** A listed serial port as a candidate printer. */
export function serialCandidate(p: SerialPortInfo): PrinterCandidate {
  const ids = p.vendorId && p.productId ? `${p.vendorId}:${p.productId}`.toUpperCase() : null;
  const detail = [p.manufacturer, ids].filter(Boolean).join(' ') || null;
  return { id: `printer:serial:${serialPortKey(p)}`, path: 'serial', name: p.path, detail };
}

/**
 * The OS's print queues, listed on the OS that has them and kept between looks (listing runs a
 * command: `lpstat -v`, or PowerShell on Windows).
 */
export class QueueList {
  private cups: CupsQueueInfo[] = [];
  private win: WindowsPrinterInfo[] = [];

  constructor(private readonly o: { platform: NodeJS.Platform; cupsServer?: string; run?: RunCommand }) {}

  async refresh(): Promise<void> {
    if (this.o.platform === 'linux') this.cups = await listCupsQueues({ server: this.o.cupsServer, run: this.o.run });
    if (this.o.platform === 'win32') this.win = await listWindowsPrinters(this.o.run);
  }

  candidates(): PrinterCandidate[] {
    return [
      ...this.cups.map((q): PrinterCandidate => ({ id: `printer:cups:${q.name.toLowerCase()}`, path: 'cups', name: q.name, detail: q.device })),
      // A name too long for an id (over 74 bytes in UTF-8) cannot be chosen; it is left out.
      ...this.win.filter((w) => windowsPrinterKey(w.name).length <= 148).map((w): PrinterCandidate => ({
        id: `printer:win:${windowsPrinterKey(w.name)}`, path: 'windows', name: w.name, detail: [w.driver, w.port].filter(Boolean).join(' · ') || null,
      })),
    ];
  }

  /** The queue's name as the OS spells it (CUPS names are case-insensitive; ids are lower case). */
  cupsName(queue: string): string {
    return this.cups.find((q) => q.name.toLowerCase() === queue.toLowerCase())?.name ?? queue;
  }
}
