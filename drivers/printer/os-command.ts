/**
 * Running the OS's print commands (CUPS `lp`/`lpstat`/`cancel`, Windows PowerShell): never
 * through a shell (arguments as a list, so a queue name is never parsed as a command), in the C
 * locale (the output is parsed: `lp` says "request id is" only in English), with a time limit and
 * a bounded output. A runner is injected so the command lines are tested without the OS.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Exit code; -1 when the command could not be started (not installed) or was killed at its time limit. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Bytes written to the command's standard input (the job, for `lp`). */
  input?: Uint8Array;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export type RunCommand = (cmd: string, args: readonly string[], o?: CommandOptions) => Promise<CommandResult>;

const MAX_OUTPUT = 256 * 1024;

export const runCommand: RunCommand = (cmd, args, o = {}) =>
  new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const child = spawn(cmd, [...args], {
      env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const keep = (into: Buffer[]) => (d: Buffer) => {
      size += d.length;
      if (size <= MAX_OUTPUT) into.push(d);
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 15_000);
    let done = false;
    const finish = (code: number, extra = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + extra });
    };
    child.on('error', (e) => finish(-1, e.message));
    child.on('close', (code) => finish(code ?? -1));
    child.stdin.on('error', () => {}); // a command that exits early closes its input: its exit code says why
    child.stdin.end(o.input ? Buffer.from(o.input) : undefined);
  });
