/**
 * A printer as the device manager drives it: bytes out, status in. One implementation per
 * transport: USB (usb-printer.ts), network and serial (stream-printer.ts), the OS print queues
 * (cups-printer.ts, win-spooler.ts) and the simulated twin (simulated.ts).
 */
import { AppError } from '../../core/api/errors';
import type { Message } from '../../core/api/payments';
import type { PrinterStatus } from './status';

/**
 * What the printer said about a job it was sent: `printed` (it confirmed completion), or
 * `unconfirmed` (sent; it cannot or did not say — no bulk IN, no answer to the in-order request).
 * A printer that reports a stop before finishing makes `confirm` reject (paper out, cover, error).
 */
export type Confirmation = 'printed' | 'unconfirmed';

export interface PrinterPort {
  /** Sends a whole job. Rejects with a PrinterErrors AppError; what was sent stays sent (`sent`). */
  write(bytes: Uint8Array): Promise<void>;
  /** Bytes of the last `write` the printer accepted (some may be on paper even if it failed). */
  readonly sent: number;
  /** Waits until the printer confirms that everything sent so far is printed (see confirm.ts). */
  confirm(): Promise<Confirmation>;
  /** Asks the printer (DLE EOT) for paper, cover and error state; null: not known (no bulk IN, no answer). */
  status(): Promise<PrinterStatus | null>;
  /**
   * Real-time: discards what the printer holds unprinted after a stop, so a job it already
   * half-printed does not resume by itself on new paper. False: it could not be sent.
   */
  clearBuffer(): Promise<boolean>;
  /**
   * Opens the drawer: the real-time pulse (DLE DC4 1) when `stopped` (ESC p would wait in the
   * buffer), else ESC p. `certain`: the printer is known to run that command now.
   */
  pulse(stopped: boolean): Promise<{ certain: boolean }>;
  close(): Promise<void>;
  /** Why the status is not known on this path, if it never is (a print queue); default: the printer does not answer. */
  readonly unknownStatus?: Message;
  /** What an `unconfirmed` job's error says on this path (a queue: which job, in what state); default PrinterErrors.unconfirmed. */
  unconfirmedError?(): AppError;
}

export const PrinterErrors = {
  paperOut: () => new AppError('printer.paper_out', '打印机缺纸，请装纸后重打。', 'The printer is out of paper. Load paper, then reprint.'),
  coverOpen: () => new AppError('printer.cover_open', '打印机盖未关好，请关好后重打。', 'The printer cover is open. Close it, then reprint.'),
  error: () => new AppError('printer.error', '打印机报告故障，请检查（卡纸、过热）后重打。', 'The printer reports an error (jam, overheating). Check it, then reprint.'),
  timeout: () => new AppError('printer.timeout', '打印机无响应，请检查电源和连线后重打。', 'The printer does not respond. Check its power and cable, then reprint.'),
  stalled: () => new AppError('printer.stalled', '打印机拒收数据，请关机重启后重打。', 'The printer refused the data. Switch it off and on, then reprint.'),
  disconnected: () => new AppError('printer.disconnected', '打印机已断开，请检查连线；小票已保留，可重打。', 'The printer is disconnected. Check the cable; the receipt is kept for reprinting.'),
  unconfirmed: () =>
    new AppError('printer.unconfirmed', '小票已发送，但打印机无法确认已打出：请看一眼纸上是否有这张小票，没有就补打（补打的标“重打”）。',
      'The receipt was sent, but the printer cannot confirm it printed: check the paper; if it is not there, reprint it (marked COPY).'),
  stoppedMidJob: (cause: AppError) =>
    new AppError(cause.code, `${cause.zh}这张小票可能已打出一部分；补打的会标“重打”。`, `${cause.en} Part of this receipt may have printed; the reprint is marked COPY.`, { mayHavePrinted: true }),
  drawerUncertain: (why: 'stopped' | 'status_unknown') =>
    new AppError('printer.drawer_uncertain',
      why === 'stopped' ? '打印机停着（缺纸或开盖），钱箱可能没有打开，请查看；需要时用钥匙打开。' : '无法读取打印机状态，钱箱可能没有打开，请查看；需要时用钥匙打开。',
      why === 'stopped' ? 'The printer is stopped (paper out or cover open): the drawer may not have opened. Check it; use the key if needed.' : 'The printer\'s status cannot be read: the drawer may not have opened. Check it; use the key if needed.'),
  none: () => new AppError('printer.none', '未选择打印机，请在“设备”中选择。', 'No printer is selected. Choose one under Devices.'),
  noPermission: () => new AppError('device.no_permission', '系统不允许访问该设备，请按“设备”页的提示设置权限。', 'The system does not allow access to this device. Follow the instructions on the Devices screen.'),
};
