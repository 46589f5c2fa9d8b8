/**
 * Features of the Electron shell that lie outside the contract. They act on the caller's own
 * window and on the OS (print the page on screen to PDF, ask where to save it), which the core,
 * shared by both shells, knows nothing of; the browser shell has none of them, and the renderer
 * falls back to what the browser offers (its print dialogue).
 *
 * Under Electron the preload exposes them as `window.cashier.shell`; the main process checks
 * each call as it checks a contract call (sender first, then the input's schema, then access:
 * electron/main/report-pdf.ts). Names and types only here: the sandboxed preload imports this
 * file and must not bundle zod.
 */
import type { RpcResult } from './dispatcher';

/** The IPC channel of each shell feature; never the name of a contract method. */
export const shellChannels = {
  saveZReportPdf: 'shell:saveZReportPdf',
} as const;

/** Where the PDF went: the path the cashier chose, or nothing when the save dialog was cancelled. */
export type SaveZReportPdfResult = { saved: true; path: string } | { saved: false };

export interface ShellBridge {
  /**
   * Prints the caller's page (the Z report on screen, laid out by its print stylesheet) to an
   * A4 PDF and saves it where the cashier chooses in the OS save dialog (suggested:
   * `Z-report-YYYYMMDD.pdf` in the documents folder). Resolves to a SaveZReportPdfResult, or to
   * a bilingual error (not logged in, bad day, PDF or file write failed).
   */
  saveZReportPdf(input: { day: string }): Promise<RpcResult>;
}
