/**
 * A private CUPS server for the tests (Debian's `cups`): its own config, spool, state and logs in
 * a temporary folder, listening on 127.0.0.1 at a free port only (no domain socket, no printcap
 * outside the folder, no browsing), so it never touches a CUPS the machine may run. Queues are
 * raw, added with `lpadmin`; the test reads what the backend delivers (socket://, a TCP server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from './os-command';

export interface PrivateCups {
  /** `127.0.0.1:PORT`, for `lp -h` (CupsOptions.server). */
  readonly server: string;
  readonly dir: string;
  /** Adds an enabled raw queue (no driver, no filter) with this device URI. */
  addRawQueue(name: string, deviceUri: string): Promise<void>;
  /** Stops accepting and printing on the queue, with a reason (as an administrator would). */
  disable(name: string, reason: string): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function must(cmd: string, args: string[]): Promise<void> {
  const r = await runCommand(cmd, args, { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.code} ${r.stderr}`);
}

export async function startPrivateCups(): Promise<PrivateCups> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-cups-'));
  for (const d of ['spool', 'cache', 'state', 'log', 'tmp']) fs.mkdirSync(path.join(dir, d));
  // Backends run as `lp`: they must reach the temporary folder and its spool.
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'cupsd.conf'), [
    `Listen 127.0.0.1:${port}`,
    'LogLevel info',
    'WebInterface No',
    'Browsing No',
    'DefaultAuthType None',
    '<Location />', '  Order allow,deny', '  Allow all', '</Location>',
    '<Policy default>', '  <Limit All>', '    Order deny,allow', '  </Limit>', '</Policy>',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'cups-files.conf'), [
    `ServerRoot ${dir}`,
    `RequestRoot ${dir}/spool`,
    `CacheDir ${dir}/cache`,
    `StateDir ${dir}/state`,
    `TempDir ${dir}/tmp`,
    `Printcap ${dir}/printcap`,
    `AccessLog ${dir}/log/access_log`,
    `ErrorLog ${dir}/log/error_log`,
    `PageLog ${dir}/log/page_log`,
    'FileDevice Yes',
    '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/sbin/cupsd', ['-f', '-c', path.join(dir, 'cupsd.conf'), '-s', path.join(dir, 'cups-files.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited: string | null = null;
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  child.on('error', (e) => (exited = `cannot start /usr/sbin/cupsd (apt-get install cups): ${e.message}`));
  child.on('exit', (code) => (exited ??= `cupsd exited with ${code}: ${output.trim()}`));
  const server = `127.0.0.1:${port}`;
  // Ready once it answers (it listens within a second or two).
  for (let k = 0; ; k++) {
    if (exited) throw new Error(exited);
    const r = await runCommand('lpstat', ['-h', server, '-r'], { timeoutMs: 5000 });
    if (r.code === 0 && /scheduler is running/.test(r.stdout)) break;
    if (k > 100) throw new Error(`private cupsd did not answer: ${r.stderr} ${output}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    server,
    dir,
    addRawQueue: (name, uri) => must('lpadmin', ['-h', server, '-p', name, '-E', '-v', uri]),
    disable: (name, reason) => must('cupsdisable', ['-h', server, '-r', reason, name]),
    stop: async () => {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
