/**
 * The Z report as a PDF file, Electron only (core/api/shell.ts says why this is a shell feature
 * and not a contract method): Chromium prints the page the cashier is looking at, laid out by
 * the report's print stylesheet, and the file goes where the cashier says in the OS save dialog.
 *
 * Checked like a contract call, in the same order: the sender (the app's page in one of its own
 * windows) before anything is read, then the input's schema, then access (a logged-in operator,
 * as `reports:z` asks). The page is printed before the dialog opens, so the file shows what was
 * on screen when the button was pressed; a cancelled dialog writes nothing. The file is written
 * beside its destination and renamed into place, so a failed write never leaves half a PDF nor
 * spoils an older report the cashier chose to replace.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, IpcMain, SaveDialogOptions, SaveDialogReturnValue, WebContents } from 'electron';
import { z } from 'zod';
import type { RpcResult } from '../../core/api/dispatcher';
import { AppError, RpcErrors, toErrorShape } from '../../core/api/errors';
import { BusinessDay } from '../../core/api/receipts';
import { shellChannels, type SaveZReportPdfResult } from '../../core/api/shell';
import type { SenderEvent } from './ipc';

const Input = z.object({ day: BusinessDay }).strict();

export const ReportPdfErrors = {
  printFailed: () =>
    new AppError('report.pdf_failed', '无法生成 PDF，报表没有保存。请重试，或改用“导出 CSV”。',
      'The PDF could not be made; the report was not saved. Try again, or use "Export CSV".'),
  writeFailed: (code?: string) =>
    new AppError('report.pdf_write_failed', '无法在所选位置写入文件，报表没有保存。请换一个文件夹再试。',
      'The file could not be written there; the report was not saved. Choose another folder and try again.',
      code ? { code } : undefined),
};

export interface ReportPdfDeps {
  /** The same sender check as every contract call (ipc.ts). */
  trusted(event: SenderEvent): boolean;
  /** The logged-in operator, if any (the session may have locked while the report was open). */
  operator(): unknown;
  windowOf(contents: WebContents): BrowserWindow | null;
  showSaveDialog(window: BrowserWindow | null, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
  /** The user's documents folder, where the dialog starts. */
  documentsDir(): string;
}

type PdfEvent = SenderEvent & { sender: Pick<WebContents, 'printToPDF'> };

async function writeAtomically(file: string, data: Uint8Array): Promise<void> {
  const part = `${file}.${process.pid}.part`;
  try {
    await fs.promises.writeFile(part, data);
    await fs.promises.rename(part, file);
  } catch (e) {
    await fs.promises.rm(part, { force: true }).catch(() => undefined);
    throw e;
  }
}

export async function saveZReportPdf(event: PdfEvent, input: unknown, deps: ReportPdfDeps): Promise<RpcResult> {
  if (!deps.trusted(event)) return { ok: false, error: RpcErrors.forbidden().toShape() };
  const parsed = Input.safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: RpcErrors.badPayload().toShape() };
  if (!deps.operator()) return { ok: false, error: RpcErrors.notLoggedIn().toShape() };

  let pdf: Uint8Array;
  try {
    // A4: the paper of Chinese offices; the print stylesheet hides the app's buttons and bars.
    pdf = await event.sender.printToPDF({ pageSize: 'A4' });
  } catch {
    return { ok: false, error: ReportPdfErrors.printFailed().toShape() };
  }
  const name = `Z-report-${parsed.data.day.replaceAll('-', '')}.pdf`;
  const choice = await deps.showSaveDialog(deps.windowOf(event.sender as WebContents), {
    title: '保存日结报表 PDF / Save the Z report as PDF',
    defaultPath: path.join(deps.documentsDir(), name),
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (choice.canceled || !choice.filePath) return { ok: true, value: { saved: false } satisfies SaveZReportPdfResult };
  try {
    await writeAtomically(choice.filePath, pdf);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, error: ReportPdfErrors.writeFailed(typeof code === 'string' ? code : undefined).toShape() };
  }
  return { ok: true, value: { saved: true, path: choice.filePath } satisfies SaveZReportPdfResult };
}

/** The shell's own IPC channels (core/api/shell.ts), beside the contract's. */
export function registerShellIpc(ipcMain: Pick<IpcMain, 'handle'>, deps: ReportPdfDeps): void {
  ipcMain.handle(shellChannels.saveZReportPdf, (event, input: unknown) =>
    saveZReportPdf(event, input, deps).catch((e: unknown) => ({ ok: false, error: toErrorShape(e) }) satisfies RpcResult),
  );
}
