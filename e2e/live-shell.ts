/**
 * TESTS ONLY — never shipped (not in electron-builder.yml's files, not an npm script a counter
 * runs): a LIVE counter served to a browser, for e2e/live-alipay.spec.ts.
 *
 * Why it exists: issue 14's proof is a live counter configured for Alipay on the acquirer screen,
 * taking a payment, refunding it and reconciling the day. The shipped browser shell refuses
 * MODE=live on purpose (browser-shell/backend.ts: no OS keychain, so the keys would be plain
 * text), and this machine has no Electron binary. So this shell builds the back end the way the
 * Electron main process does for a live counter (electron/main/main.ts: `createBackend` in live
 * mode with a `KeychainSecretStore` over Electron's safeStorage), with the keychain replaced by
 * an in-memory stand-in (as the unit tests' fake `electron` module does, electron/main/
 * fake-electron.ts), and serves the same renderer over the same contract through
 * browser-shell/server.ts. The shipped browser shell is untouched and still refuses live mode.
 *
 * Differences from Electron, all test-only: the keychain stand-in (ciphertext is the plaintext
 * marked `enc:`, so nothing here is protected: throwaway test keys only), `acquirerCa` (the fake
 * gateway's CA, read from ACQUIRER_CA_FILE, trusted by the adapters as the unit tests do it),
 * `livePinCost` (the unit tests' lighter PIN hashing) and `shell: 'browser'` (the page talks
 * over the browser shell's WebSocket).
 *
 * Environment: DATA_DIR (required, a fresh folder), ACQUIRER_CA_FILE (required), PORT (0: any
 * free port), RENDERER_DIR (default out/renderer), CASHIER_TOKEN. Prints one line
 * `LIVE-SHELL <url>` once it serves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from '../core/app';
import { DEMO_PIN_COST } from '../core/auth/pin';
import { startBrowserShell } from '../browser-shell/server';
import { KeychainSecretStore } from '../electron/main/secrets';

const here = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.resolve(here, '..');

/** The keychain stand-in: the same shape as electron/main/fake-electron.ts's safeStorage. */
const memorySafeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret' as const,
  encryptString: (s: string) => Buffer.from(`enc:${s}`),
  decryptString: (b: Buffer) => b.toString().replace(/^enc:/, ''),
};

async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR;
  const caFile = process.env.ACQUIRER_CA_FILE;
  if (!dataDir || !caFile) throw new Error('live-shell: DATA_DIR and ACQUIRER_CA_FILE are required (tests only)');
  const port = Number(process.env.PORT ?? 0);
  fs.mkdirSync(dataDir, { recursive: true });
  const backend = await createBackend(
    { dataDir, mode: 'live', shell: 'browser' },
    {
      secrets: new KeychainSecretStore(memorySafeStorage, path.join(dataDir, 'secrets.json')),
      acquirerCa: fs.readFileSync(caFile, 'utf8'),
      // The unit tests' lighter PIN hashing (core/platform.ts): at full cost, five logins on this
      // shared test machine took minutes. Same code path, cheaper parameters.
      livePinCost: DEMO_PIN_COST,
    },
  );
  const shell = await startBrowserShell({
    backend,
    staticDir: path.resolve(rootDir, process.env.RENDERER_DIR ?? path.join('out', 'renderer')),
    port,
    token: process.env.CASHIER_TOKEN,
  });
  console.log(`LIVE-SHELL ${shell.url}`);
  const stop = async () => {
    await shell.close();
    await backend.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
