/**
 * `npm run start:browser`: the back end in plain Node plus the browser shell. Demo mode on the
 * embedded simulator unless told otherwise. Environment: PORT (default 5174), DATA_DIR
 * (default ./.data), MODE (demo; live is refused: backend.ts says why), CASHIER_TOKEN (tests only: a fixed token), RENDERER_DIR
 * (default out/renderer: a second build folder lets two engineers run Playwright side by side).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/api/errors';
import { browserBackend } from './backend';
import { startBrowserShell } from './server';

const here = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.resolve(here, '..');

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(rootDir, '.data'));
  const mode = process.env.MODE === 'live' ? 'live' : 'demo';
  const port = Number(process.env.PORT ?? 5174);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0–65535, got ${process.env.PORT}`);
  const backend = await browserBackend(dataDir, mode);
  const shell = await startBrowserShell({
    backend,
    staticDir: path.resolve(rootDir, process.env.RENDERER_DIR ?? path.join('out', 'renderer')),
    port,
    token: process.env.CASHIER_TOKEN,
  });
  console.log(`收银台已启动 / Cashier is running (${mode}): ${shell.url}`);
  const stop = async () => {
    await shell.close();
    await backend.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  // A refusal a person can meet (live mode, say) in both languages; anything else as it is.
  console.error(e instanceof AppError ? `${e.zh}\n${e.en}` : e instanceof Error ? e.message : e);
  process.exit(1);
});
