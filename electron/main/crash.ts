/**
 * Electron's crash reporter (Crashpad): a crash of the main, a renderer or the GPU process
 * leaves a minidump in the OS crash-dumps folder (`app.getPath('crashDumps')`), which the
 * diagnostics bundle's README points support to. Nothing is sent anywhere unless an upload
 * address is configured (`CASHIER_CRASH_UPLOAD_URL`, https only): a village shop's crash must
 * not leave the PC on its own, and minidumps can hold memory with payment data in it.
 */
import type * as Electron from 'electron';

export function crashReporterOptions(uploadUrl: string | undefined): Electron.CrashReporterStartOptions {
  let url: URL | null = null;
  try {
    url = uploadUrl ? new URL(uploadUrl) : null;
  } catch {
    url = null;
  }
  const upload = url !== null && url.protocol === 'https:' && !url.username && !url.password;
  return {
    submitURL: upload ? url!.toString() : '',
    uploadToServer: upload,
    compress: true,
    ignoreSystemCrashHandler: false,
    // Only facts a crash needs; no operator, no shop, no payment.
    globalExtra: { product: 'VillageCashier' },
  };
}
