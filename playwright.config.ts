/**
 * End-to-end specs, written once, run against two targets:
 * - `chromium`: Debian's Chromium (or Playwright's own where installed) driving the browser
 *   shell, which serves the same renderer over the same contract. Runs everywhere, CI included.
 * - `electron`: Playwright's Electron launcher on the built app, where an Electron binary exists.
 *   Where it does not (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1), the project is left out
 *   and the run says so plainly rather than pretending to have tested it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig, type Project } from '@playwright/test';
import { electronBinary, E2E_PORT, E2E_TOKEN } from './e2e/target';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const dataDir = path.join(os.tmpdir(), `vc-e2e-${process.pid}`);

const projects: Project[] = [
  {
    name: 'chromium',
    use: {
      browserName: 'chromium',
      viewport: { width: 1366, height: 768 },
      launchOptions: {
        executablePath: chromiumPath,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'],
      },
    },
  },
];
const electron = electronBinary();
// live-alipay.spec.ts drives the test-only live shell (e2e/live-shell.ts) in Chromium: under
// Electron the counter is the app itself, whose live setup that spec does not start.
// page-lock.spec.ts tests the browser shell's page gate: Electron opens its windows itself.
if (electron.path) projects.push({ name: 'electron', metadata: { electron: electron.path }, testIgnore: /(live-alipay|page-lock)\.spec\.ts$/ });
else console.log(`[e2e] Electron target NOT run: ${electron.why}`);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e-artifacts',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects,
  webServer: {
    command: `rm -rf ${dataDir} && tsx browser-shell/main.ts`,
    url: `http://127.0.0.1:${E2E_PORT}/?token=${E2E_TOKEN}`,
    env: { PORT: String(E2E_PORT), CASHIER_TOKEN: E2E_TOKEN, DATA_DIR: dataDir, ...(process.env.RENDERER_DIR ? { RENDERER_DIR: process.env.RENDERER_DIR } : {}) },
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
