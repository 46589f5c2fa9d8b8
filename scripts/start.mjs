// `npm start`: opens the app in demo mode on the embedded simulator. Runs the Electron app when
// its binary is installed; otherwise (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1) falls back
// to the browser shell and says so, with the URL to open.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve('electron/package.json'));
const rel = fs.existsSync(path.join(dir, 'path.txt')) ? fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim() : '';
const hasElectron = rel !== '' && fs.existsSync(path.join(dir, 'dist', rel));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const script = hasElectron ? 'start:electron-built' : 'start:browser';
if (!hasElectron) {
  console.log('没有找到 Electron 程序，改用浏览器界面。 / No Electron binary found: starting the browser shell instead.');
}
const child = spawn(npm, ['run', script], { stdio: 'inherit', shell: process.platform === 'win32' });
child.on('exit', (code) => process.exit(code ?? 0));
