/**
 * A receipt printer through the Windows print spooler, RAW datatype: the printer keeps the
 * maker's driver (no Zadig, no WinUSB) and the app's ESC/POS bytes pass the driver unchanged
 * (OpenPrinter → StartDocPrinter with pDatatype "RAW" → WritePrinter → EndDocPrinter), as
 * Microsoft's RawPrinterHelper sample (KB 322091) does.
 *
 * No npm module fits: the ones that wrap winspool (`printer`, `@thiagoelg/node-printer`,
 * `pdf-to-printer`) ship no prebuilt binaries for current Electron, are unmaintained, or print
 * files through a viewer; so the few winspool calls are made from PowerShell's own C# compiler
 * (`Add-Type`, present on every Windows 10/11), the bytes handed over in a temporary file and the
 * printer's name in an environment variable — never spliced into the script, so no name can
 * change what runs. Not run on this project's machines (they have no Windows): the command line,
 * the script and the file handling are unit-tested; drivers/README.md says so.
 *
 * What the spooler can and cannot tell: the job is accepted (its job id) or refused (no such
 * printer, access denied); nothing of the printer's paper or cover. Jobs are `unconfirmed`,
 * "sent to the Windows queue", and the status is unknown, said plainly on the card.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../core/api/errors';
import type { Message } from '../../core/api/payments';
import { encodeDrawerPulse } from './escpos';
import { runCommand, type CommandResult, type RunCommand } from './os-command';
import type { Confirmation, PrinterPort } from './port';

/** A Windows printer's name: 1–100 characters, no control characters, no leading/trailing space. */
export function parseWindowsPrinterName(s: string): string | null {
  return s.length >= 1 && s.length <= 100 && !/[\u0000-\u001f\u007f]/.test(s) && s.trim() === s ? s : null;
}

/** The id part for a Windows printer: its UTF-8 name in hex (ids are lower-case ASCII). */
export function windowsPrinterKey(name: string): string {
  return Buffer.from(name, 'utf8').toString('hex');
}

export function windowsPrinterFromKey(key: string): string | null {
  if (!/^(?:[0-9a-f]{2}){1,74}$/.test(key)) return null;
  const name = Buffer.from(key, 'hex').toString('utf8');
  return windowsPrinterKey(name) === key ? parseWindowsPrinterName(name) : null;
}

export const SpoolerErrors = {
  badName: () =>
    new AppError('printer.bad_windows_printer', '打印机名称无效（1–100 个字符，不能含控制字符）。请在 Windows“打印机和扫描仪”里查看名称。',
      'Invalid printer name (1–100 characters, no control characters). See the name under Windows "Printers & scanners".'),
  missing: (name: string) =>
    new AppError('printer.queue_missing', `Windows 里没有打印机“${name}”。请在“打印机和扫描仪”里添加它，或在“设备”中另选打印机。`,
      `There is no printer "${name}" in Windows. Add it under "Printers & scanners", or choose another printer under Devices.`),
  denied: (name: string) =>
    new AppError('device.no_permission', `Windows 不允许本程序打印到“${name}”。请管理员在该打印机的“打印机属性 → 安全”中允许打印。`,
      `Windows does not allow this program to print to "${name}". An administrator allows printing under the printer's Properties → Security.`),
  failed: (what: string) =>
    new AppError('printer.queue_failed', 'Windows 打印服务拒收了小票。', 'The Windows print spooler refused the receipt.', { what: what.slice(0, 200) }),
  noPowerShell: () =>
    new AppError('printer.queue_unavailable', '无法运行 Windows PowerShell，不能经 Windows 打印队列打印。', 'Windows PowerShell cannot be run: printing through the Windows queue is not possible.'),
};

/** The script: compiles the winspool calls, sends the file RAW, prints `job N` or `error CODE message`. */
export const RAW_PRINT_SCRIPT = String.raw`$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition @'
using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
public static class VcRawPrinter {
  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
  public class DOCINFO {
    [MarshalAs(UnmanagedType.LPWStr)] public string pDocName;
    [MarshalAs(UnmanagedType.LPWStr)] public string pOutputFile;
    [MarshalAs(UnmanagedType.LPWStr)] public string pDatatype;
  }
  [DllImport("winspool.drv", EntryPoint = "OpenPrinterW", SetLastError = true, CharSet = CharSet.Unicode)]
  static extern bool OpenPrinter(string name, out IntPtr h, IntPtr defaults);
  [DllImport("winspool.drv", SetLastError = true)] static extern bool ClosePrinter(IntPtr h);
  [DllImport("winspool.drv", EntryPoint = "StartDocPrinterW", SetLastError = true, CharSet = CharSet.Unicode)]
  static extern int StartDocPrinter(IntPtr h, int level, [In, MarshalAs(UnmanagedType.LPStruct)] DOCINFO di);
  [DllImport("winspool.drv", SetLastError = true)] static extern bool EndDocPrinter(IntPtr h);
  [DllImport("winspool.drv", SetLastError = true)] static extern bool StartPagePrinter(IntPtr h);
  [DllImport("winspool.drv", SetLastError = true)] static extern bool EndPagePrinter(IntPtr h);
  [DllImport("winspool.drv", SetLastError = true)] static extern bool WritePrinter(IntPtr h, byte[] b, int n, out int written);
  static Exception Fail(string what) { return new Win32Exception(Marshal.GetLastWin32Error(), what); }
  public static int Send(string printer, string file, string title) {
    byte[] bytes = File.ReadAllBytes(file);
    IntPtr h;
    if (!OpenPrinter(printer, out h, IntPtr.Zero)) throw Fail("OpenPrinter");
    try {
      DOCINFO di = new DOCINFO();
      di.pDocName = title;
      di.pDatatype = "RAW";
      int job = StartDocPrinter(h, 1, di);
      if (job <= 0) throw Fail("StartDocPrinter");
      try {
        if (!StartPagePrinter(h)) throw Fail("StartPagePrinter");
        int written;
        bool ok = WritePrinter(h, bytes, bytes.Length, out written);
        EndPagePrinter(h);
        if (!ok) throw Fail("WritePrinter");
        if (written != bytes.Length) throw new Win32Exception(0, "WritePrinter wrote " + written + " of " + bytes.Length);
      } finally { EndDocPrinter(h); }
      return job;
    } finally { ClosePrinter(h); }
  }
}
'@
try {
  $job = [VcRawPrinter]::Send($env:VC_PRINTER, $env:VC_FILE, $env:VC_TITLE)
  [Console]::Out.WriteLine("job $job")
} catch {
  $e = $_.Exception
  while ($e.InnerException) { $e = $e.InnerException }
  $code = if ($e -is [System.ComponentModel.Win32Exception]) { $e.NativeErrorCode } else { -1 }
  [Console]::Error.WriteLine("error $code $($e.Message)")
  exit 1
}
`;

/** Lists the printers Windows knows (name, driver, port), as JSON. */
export const LIST_PRINTERS_SCRIPT = "Get-CimInstance Win32_Printer | Select-Object Name,DriverName,PortName | ConvertTo-Json -Compress";

/** PowerShell with a script: -EncodedCommand (UTF-16LE, base64), so no quoting of the script is involved. */
export function powershellArgs(script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')];
}

export interface WindowsPrinterInfo {
  name: string;
  driver: string | null;
  port: string | null;
}

/** Windows' printers, each checked; names that fail the check are left out. */
export async function listWindowsPrinters(run: RunCommand = runCommand): Promise<WindowsPrinterInfo[]> {
  const r = await run('powershell.exe', powershellArgs(LIST_PRINTERS_SCRIPT), { timeoutMs: 15_000 });
  if (r.code !== 0 || !r.stdout.trim()) return [];
  let data: unknown;
  try {
    data = JSON.parse(r.stdout);
  } catch {
    return [];
  }
  const str = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? v : null);
  return (Array.isArray(data) ? data : [data]).flatMap((p: unknown) => {
    const o = (p ?? {}) as Record<string, unknown>;
    const name = typeof o.Name === 'string' ? parseWindowsPrinterName(o.Name) : null;
    return name ? [{ name, driver: str(o.DriverName), port: str(o.PortName) }] : [];
  });
}

export interface SpoolerOptions {
  run?: RunCommand;
  /** Where the job's temporary file goes (default: the OS temp folder). */
  tmpDir?: string;
}

export class WinSpoolerPrinter implements PrinterPort {
  sent = 0;
  private lastJob: number | null = null;
  private readonly run: RunCommand;
  readonly unknownStatus: Message;

  constructor(readonly printer: string, private readonly o: SpoolerOptions = {}) {
    if (!parseWindowsPrinterName(printer)) throw SpoolerErrors.badName();
    this.run = o.run ?? runCommand;
    this.unknownStatus = {
      zh: `经 Windows 打印队列（“${printer}”，RAW）打印：队列无法得知打印机是否缺纸、开盖，小票只能确认“已交给队列”，不能确认已打出。打印后请看一眼纸。`,
      en: `Printing through the Windows print queue ("${printer}", RAW): the queue cannot see whether the printer is out of paper or open, and a receipt can only be confirmed as handed to the queue, not as printed. Check the paper after printing.`,
    };
  }

  async status(): Promise<null> {
    return null;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.sent = 0;
    this.lastJob = await this.send(bytes, 'receipt');
    this.sent = bytes.length;
  }

  async confirm(): Promise<Confirmation> {
    return 'unconfirmed';
  }

  unconfirmedError(): AppError {
    const job = this.lastJob ?? '?';
    return new AppError('printer.queued',
      `小票已交给 Windows 打印队列“${this.printer}”（任务 ${job}）。队列无法确认已打出：请看一眼纸；没有就先在 Windows 的打印队列里看它是否还在排队，不在了再补打（标“重打”）。`,
      `The receipt was sent to the Windows print queue "${this.printer}" (job ${job}). The queue cannot confirm it printed: check the paper; if it is not there, look in the Windows print queue whether it is still waiting, and only then reprint (marked COPY).`,
      { job: this.lastJob });
  }

  async clearBuffer(): Promise<boolean> {
    return false;
  }

  async pulse(): Promise<{ certain: boolean }> {
    await this.send(encodeDrawerPulse(), 'drawer');
    return { certain: false };
  }

  async close(): Promise<void> {}

  /** Writes the bytes to a private temporary file, runs the script on it, removes it whatever happens. */
  private async send(bytes: Uint8Array, title: string): Promise<number> {
    const dir = await fs.mkdtemp(path.join(this.o.tmpDir ?? os.tmpdir(), 'vc-raw-'));
    const file = path.join(dir, 'job.bin');
    let r: CommandResult;
    try {
      await fs.writeFile(file, bytes, { mode: 0o600 });
      r = await this.run('powershell.exe', powershellArgs(RAW_PRINT_SCRIPT), { env: { VC_PRINTER: this.printer, VC_FILE: file, VC_TITLE: title }, timeoutMs: 30_000 });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    const job = /^job (\d{1,10})\s*$/m.exec(r.stdout)?.[1];
    if (r.code === 0 && job) return Number(job);
    if (r.code === -1 && !r.stderr.startsWith('error')) throw SpoolerErrors.noPowerShell();
    const code = Number(/error (-?\d+)/.exec(r.stderr)?.[1] ?? NaN);
    // 1801 ERROR_INVALID_PRINTER_NAME; 5 ERROR_ACCESS_DENIED.
    if (code === 1801) throw SpoolerErrors.missing(this.printer);
    if (code === 5) throw SpoolerErrors.denied(this.printer);
    throw SpoolerErrors.failed(`${r.stderr}${r.stdout}`.trim());
  }
}
