/// <reference types="electron-vite/node" />
/** Entry point of the Electron main process: hands the real electron module to runMain. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
// electron-vite bundles the SM2 verification worker as its own chunk and gives its path
// (core/offline/verify-pool.ts starts it on worker threads).
import verifyWorkerPath from '../../core/offline/verify-worker?modulePath';
import { RestartingAfterRestore, RollingBack, runMain } from './main';

runMain(electron, {
  outDir: path.dirname(fileURLToPath(import.meta.url)),
  // Development runs only: an installed app never loads another page as its own (main.ts ignores it too).
  devServerUrl: electron.app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
  mode: process.env.CASHIER_MODE === 'live' ? 'live' : 'demo',
  verifyWorkerPath,
  // Tests and training machines only (checked in main.ts `userDataFolder`): a folder for all the app's data.
  userDataDir: process.env.CASHIER_USER_DATA_DIR,
  crashUploadUrl: process.env.CASHIER_CRASH_UPLOAD_URL,
  logLevel: process.env.LOG_LEVEL,
  updateUrl: process.env.CASHIER_UPDATE_URL,
}).catch((e: unknown) => {
  // The kept installer of the version before is running (updater.ts), or a backup was put in
  // place and the app starts again (restore-offer.ts): nothing to say.
  if (e instanceof RollingBack || e instanceof RestartingAfterRestore) return electron.app.exit(0);
  electron.dialog.showErrorBox('村店收银台 / Village Cashier', e instanceof Error ? e.message : String(e));
  electron.app.exit(1);
});
