/**
 * `npm run lint:electron` (scripts/electronegativity.mjs, part of `npm test`): Doyensec's
 * Electronegativity passes over electron/ with every finding fixed or suppressed with its reason
 * (electron/README.md lists them), and fails the run on a finding nobody suppressed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(root, 'scripts', 'electronegativity.mjs');
const scan = (dir?: string) => spawnSync(process.execPath, [script, ...(dir ? [dir] : [])], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const planted = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-engy-'));
afterAll(() => fs.rmSync(planted, { recursive: true, force: true }));

it('passes over electron/: no unsuppressed finding, no unreadable file', () => {
  const r = scan();
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/0 unsuppressed finding\(s\), 0 unreadable file\(s\)/);
  expect(r.status).toBe(0);
});

it('fails on a finding nobody suppressed', () => {
  fs.writeFileSync(
    path.join(planted, 'main.ts'),
    "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n",
  );
  const r = scan(planted);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('CONTEXT_ISOLATION_JS_CHECK');
});
