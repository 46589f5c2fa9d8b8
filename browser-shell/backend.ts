/**
 * The browser shell's back end: the composition root on a data folder, secrets in its 0600 file
 * (secrets.ts). The saved acquirer connection and its timings come in through `createBackend`,
 * as under Electron.
 */
import path from 'node:path';
import { AppError } from '../core/api/errors';
import { createBackend, type Backend } from '../core/app';
import { openFileLog, parseLogLevel, watchProcess } from '../core/ops/log';
import { FileSecretStore } from './secrets';

/**
 * A live counter keeps the acquirer's keys (and the PIN pepper) encrypted at rest by the OS
 * keychain, which only the Electron shell reaches; here they would be plain text in
 * secrets.json. So the browser shell is for demo, training and machines without Electron only.
 */
export const liveRefused = () =>
  new AppError('shell.live_refused',
    '浏览器版只能用于培训演示：正式营业的收银台须用桌面版（Electron），收单密钥才能由系统密钥库加密保存。',
    'The browser shell is for demo and training only: a live counter must run the desktop (Electron) app, so the acquirer’s keys are kept encrypted by the system keychain.');

/**
 * The log goes to `<data>/logs` (rotating, redacted: core/ops/log.ts; level from LOG_LEVEL), the
 * periodic backups to `<data>/backups`; the log is closed after the back end.
 */
export async function browserBackend(dataDir: string, mode: 'demo' | 'live'): Promise<Backend> {
  // Before any file is touched: this shell has no OS keychain, so it never runs a live counter (README).
  if (mode === 'live') throw liveRefused();
  const log = await openFileLog({ dir: path.join(dataDir, 'logs'), level: parseLogLevel(process.env.LOG_LEVEL) });
  const unwatch = watchProcess(log);
  log.info('start', { shell: 'browser', mode });
  try {
    const backend = await createBackend(
      { dataDir, mode, shell: 'browser' },
      { secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')), log, logDir: log.dir, backups: {} },
    );
    return {
      ...backend,
      async close() {
        await backend.close();
        unwatch();
        await log.close();
      },
    };
  } catch (e) {
    log.error('start.failed', { err: e });
    unwatch();
    await log.close();
    throw e;
  }
}
