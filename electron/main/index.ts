/// <reference types="electron-vite/node" />
/** Entry point of the Electron main process: hands the real electron module to runMain. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
// electron-vite bundles the SM2 verification worker as its own chunk and gives its path
// (core/offline/verify-pool.ts starts it on worker threads).
import verifyWorkerPath from '../../core/offline/verify-worker?modulePath';
import { runMain } from './main';

runMain(electron, {
  outDir: path.dirname(fileURLToPath(import.meta.url)),
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  mode: process.env.CASHIER_MODE === 'live' ? 'live' : 'demo',
  verifyWorkerPath,
  // Tests and training machines only (checked in main.ts `userDataFolder`): a folder for all the app's data.
  userDataDir: process.env.CASHIER_USER_DATA_DIR,
}).catch((e: unknown) => {
  electron.dialog.showErrorBox('村店收银台 / Village Cashier', e instanceof Error ? e.message : String(e));
  electron.app.exit(1);
});
