/**
 * The browser shell's back end: the composition root on a data folder, secrets in its 0600 file
 * (secrets.ts). The saved acquirer connection and its timings come in through `createBackend`,
 * as under Electron.
 */
import path from 'node:path';
import { createBackend, type Backend } from '../core/app';
import { FileSecretStore } from './secrets';

export function browserBackend(dataDir: string, mode: 'demo' | 'live'): Promise<Backend> {
  return createBackend({ dataDir, mode, shell: 'browser' }, { secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')) });
}
