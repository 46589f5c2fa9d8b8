/**
 * The Windows spooler path (RAW datatype through PowerShell's Add-Type) without Windows: the
 * command line, the script, the temporary file (exact bytes, private, always removed), the
 * printer's name only in the environment, the answers parsed and refused. Not run for real here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandOptions, RunCommand } from './os-command';
import {
  listWindowsPrinters, parseWindowsPrinterName, powershellArgs, RAW_PRINT_SCRIPT, windowsPrinterFromKey, windowsPrinterKey, WinSpoolerPrinter,
} from './win-spooler';

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

function fakePowerShell(answer: (file: Buffer, o: CommandOptions) => { code: number; stdout: string; stderr: string }) {
  const seen: { cmd: string; args: readonly string[]; o: CommandOptions; file: Buffer; mode: number }[] = [];
  const run: RunCommand = async (cmd, args, o = {}) => {
    const f = o.env!.VC_FILE!;
    const file = fs.readFileSync(f);
    seen.push({ cmd, args, o, file, mode: fs.statSync(f).mode & 0o777 });
    return answer(file, o);
  };
  return { run, seen };
}

describe('Windows spooler, RAW (not run here: no Windows)', () => {
  it('runs PowerShell with the encoded script; the bytes go in a private temporary file, the name in the environment', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-win-test-'));
    const ps = fakePowerShell(() => ({ code: 0, stdout: 'job 42\r\n', stderr: '' }));
    const name = '小票打印机 XP-58 "copy"; $(rm)';
    const p = new WinSpoolerPrinter(name, { run: ps.run, tmpDir: tmp });
    const bytes = Uint8Array.from([0x1b, 0x40, 0x00, 0xff, 0x0a, 0x1a]);
    await p.write(bytes);
    expect(p.sent).toBe(bytes.length);
    const call = ps.seen[0]!;
    expect(call.cmd).toBe('powershell.exe');
    expect(call.args.slice(0, 5)).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    const script = Buffer.from(call.args[5]!, 'base64').toString('utf16le');
    expect(script).toBe(RAW_PRINT_SCRIPT);
    expect(script).toContain('di.pDatatype = "RAW"');
    expect(script).toContain('WritePrinter');
    expect(script).not.toContain(name); // the name reaches winspool only through $env:VC_PRINTER
    expect(call.o.env).toMatchObject({ VC_PRINTER: name, VC_TITLE: 'receipt' });
    expect(Uint8Array.from(call.file)).toEqual(bytes); // exactly the bytes, binary-safe
    if (process.platform !== 'win32') expect(call.mode).toBe(0o600);
    expect(fs.readdirSync(tmp)).toEqual([]); // removed after the job
    expect(await p.confirm()).toBe('unconfirmed');
    expect(p.unconfirmedError()).toMatchObject({ code: 'printer.queued', detail: { job: 42 } });
    expect(await p.status()).toBeNull();
    fs.rmSync(tmp, { recursive: true });
  });

  it('removes the temporary file when the spooler refuses, and says why in both languages', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-win-test-'));
    const answers = [
      { code: 1, stdout: '', stderr: 'error 1801 The printer name is invalid' },
      { code: 1, stdout: '', stderr: 'error 5 Access is denied' },
      { code: 1, stdout: '', stderr: 'error 1722 The RPC server is unavailable' },
      { code: -1, stdout: '', stderr: 'spawn powershell.exe ENOENT' },
      { code: 0, stdout: 'job ../x', stderr: '' },
    ];
    const want = ['printer.queue_missing', 'device.no_permission', 'printer.queue_failed', 'printer.queue_unavailable', 'printer.queue_failed'];
    for (const [k, a] of answers.entries()) {
      const p = new WinSpoolerPrinter('POS-58', { run: fakePowerShell(() => a).run, tmpDir: tmp });
      const e = await p.write(Uint8Array.of(1)).catch((x: { code: string; zh: string; en: string }) => x);
      expect((e as { code: string }).code).toBe(want[k]);
      expect((e as { zh: string }).zh).toMatch(/[\u4e00-\u9fff]/);
      expect(p.sent).toBe(0);
      expect(fs.readdirSync(tmp)).toEqual([]);
    }
    fs.rmSync(tmp, { recursive: true });
  });

  it('opens the drawer with ESC p as a RAW job of its own, never certain', async () => {
    const ps = fakePowerShell(() => ({ code: 0, stdout: 'job 7', stderr: '' }));
    const p = new WinSpoolerPrinter('POS-58', { run: ps.run });
    expect(await p.pulse()).toEqual({ certain: false });
    expect([...ps.seen[0]!.file.subarray(0, 2)]).toEqual([0x1b, 0x70]);
    expect(ps.seen[0]!.o.env!.VC_TITLE).toBe('drawer');
  });

  it('checks printer names and their ids; lists Windows printers from JSON, leaving out what fails the check', async () => {
    for (const bad of ['', ' lead', 'trail ', 'a\nb', 'x'.repeat(101), 'nul\u0000']) expect(parseWindowsPrinterName(bad)).toBeNull();
    expect(() => new WinSpoolerPrinter('a\tb')).toThrow();
    const key = windowsPrinterKey('票据 POS-58');
    expect(windowsPrinterFromKey(key)).toBe('票据 POS-58');
    for (const bad of ['', 'zz', 'abc', '0a', 'ff'.repeat(75)]) expect(windowsPrinterFromKey(bad)).toBeNull();
    const run: RunCommand = async (_c, args) => {
      expect(Buffer.from(args[5]!, 'base64').toString('utf16le')).toContain('Win32_Printer');
      return { code: 0, stdout: JSON.stringify([{ Name: 'POS-58', DriverName: 'Generic / Text Only', PortName: 'USB001' }, { Name: 'bad\nname' }, { Name: 5 }]), stderr: '' };
    };
    expect(await listWindowsPrinters(run)).toEqual([{ name: 'POS-58', driver: 'Generic / Text Only', port: 'USB001' }]);
    expect(await listWindowsPrinters(async () => ({ code: 0, stdout: '{"Name":"Only one","DriverName":null,"PortName":"COM3:"}', stderr: '' }))).toEqual([{ name: 'Only one', driver: null, port: 'COM3:' }]);
    expect(await listWindowsPrinters(async () => ({ code: 0, stdout: 'not json', stderr: '' }))).toEqual([]);
    expect(powershellArgs('x').at(-1)).toBe(Buffer.from('x', 'utf16le').toString('base64'));
  });

  it('is refused as a path on another OS', async () => {
    const { DeviceManager } = await import('../manager');
    const m = new DeviceManager({ mode: 'live', platform: 'linux', settings: { get: async () => null, set: async () => {} }, emit: () => {},
      loadUsb: async () => ({ host: null, reason: 'none' }), loadSerial: async () => ({ lib: null, reason: 'none' }), runCommand: async () => ({ code: 1, stdout: '', stderr: '' }), statusPollMs: 60_000, usbPollMs: 60_000 });
    await m.start();
    expect(await code(m.select(`printer:win:${windowsPrinterKey('POS-58')}`))).toBe('devices.wrong_os');
    await m.stop();
  });
});
