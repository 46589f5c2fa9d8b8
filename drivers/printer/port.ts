/**
 * A printer as the device manager drives it: bytes out, status in. One implementation per
 * transport: USB (usb-printer.ts) and the simulated twin (simulated.ts).
 */
import { AppError } from '../../core/api/errors';
import type { PrinterStatus } from './status';

export interface PrinterPort {
  /** Sends a whole job. Rejects with a PrinterErrors AppError; what was sent stays sent. */
  write(bytes: Uint8Array): Promise<void>;
  /** Asks the printer (DLE EOT) for paper, cover and error state. */
  status(): Promise<PrinterStatus>;
  close(): Promise<void>;
}

export const PrinterErrors = {
  paperOut: () => new AppError('printer.paper_out', '打印机缺纸，请装纸后重打。', 'The printer is out of paper. Load paper, then reprint.'),
  coverOpen: () => new AppError('printer.cover_open', '打印机盖未关好，请关好后重打。', 'The printer cover is open. Close it, then reprint.'),
  error: () => new AppError('printer.error', '打印机报告故障，请检查（卡纸、过热）后重打。', 'The printer reports an error (jam, overheating). Check it, then reprint.'),
  timeout: () => new AppError('printer.timeout', '打印机无响应，请检查电源和连线后重打。', 'The printer does not respond. Check its power and cable, then reprint.'),
  stalled: () => new AppError('printer.stalled', '打印机拒收数据，请关机重启后重打。', 'The printer refused the data. Switch it off and on, then reprint.'),
  disconnected: () => new AppError('printer.disconnected', '打印机已断开，请检查连线；小票已保留，可重打。', 'The printer is disconnected. Check the cable; the receipt is kept for reprinting.'),
  none: () => new AppError('printer.none', '未选择打印机，请在“设备”中选择。', 'No printer is selected. Choose one under Devices.'),
  noPermission: () => new AppError('device.no_permission', '系统不允许访问该设备，请按“设备”页的提示设置权限。', 'The system does not allow access to this device. Follow the instructions on the Devices screen.'),
};
