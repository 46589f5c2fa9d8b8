/**
 * The two ends of a crash test's child process, shared by the crash tests of this folder (and
 * core/aml's): the
 * parent spawns a worker under tsx (asynchronously, since the acquirer it talks to runs in the
 * parent and must keep answering) and learns how it ended; the worker exits 0 when done, 1 on a
 * failure. A SIGKILL from a crash point ends it with no code at all, which is the point.
 */
import { spawn } from 'node:child_process';

export interface ChildEnd {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `worker` with `env` added to this process's, CRASH_AT set to `crashAt` or removed. */
export function runChild(worker: string, env: Record<string, string>, crashAt?: string): Promise<ChildEnd> {
  const all: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (crashAt) all.CRASH_AT = crashAt;
  else delete all.CRASH_AT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker], { env: all, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr });
    });
  });
}

/** A worker's last line: exit 0 once `main` has finished, or 1 with the error on stderr. */
export function exitWhenDone(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
