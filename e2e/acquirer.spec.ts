/**
 * The acquirer connection on the Settings screen, end to end: the acquirer simulator runs on its
 * own (`npm run acquirer`, a free port, its own file, a separate offline-route key) as the
 * acquirer an installer connects to. The administrator fills the form, tests the connection (a
 * wrong key is named as such, the right ones pass with the round trip), and saves with the
 * supervisor's approval on the same screen; the keys are gone from the screen, their
 * fingerprints are shown. Training mode leaves its built-in simulator only at the next start,
 * which the screen says. Normal and elder mode, zh-CN, axe, screenshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './target';
import { expectAccessible, login, rpc, setElder, shot } from './ui';

interface Acquirer {
  proc: ChildProcess;
  dir: string;
  url: string;
  key: string;
  offlineKey: string;
}
let acq: Acquirer;

/** Starts `npm run acquirer` on a free port and reads what it prints for the installer. */
async function startAcquirer(): Promise<Acquirer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-e2e-acq-'));
  const proc = spawn(process.execPath, [path.join('node_modules', 'tsx', 'dist', 'cli.mjs'), 'core/acquirer/simulator/main.ts'], {
    env: { ...process.env, SIM_PORT: '0', SIM_FILE: path.join(dir, 'acquirer.sqlite'), SIM_OFFLINE_KEY: 'new' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the acquirer simulator did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/offline-route key: [0-9a-f]{64}/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`the acquirer simulator exited (${code}): ${out}`)));
  });
  return {
    proc,
    dir,
    url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!,
    key: /terminal T0001 key: ([0-9a-f]{64})/.exec(out)![1]!,
    offlineKey: /offline-route key: ([0-9a-f]{64})/.exec(out)![1]!,
  };
}

/** What the screen shows for a key: SHA-256 of its bytes, first 8 bytes, four groups. */
const fingerprint = (key: string) => createHash('sha256').update(Buffer.from(key, 'hex')).digest('hex').slice(0, 16).toUpperCase().match(/.{4}/g)!.join(' ');

/** Back to the built-in simulator, so the next start (and the specs after this one) use it. */
async function restore(page: Page): Promise<void> {
  await rpc(page, 'session:login', { operatorId: 'admin1', pin: '5555' }).catch(() => undefined);
  await rpc(page, 'acquirer:useBuiltIn', { approverId: 'super1', approverPin: '2222' }).catch(() => undefined); // nothing saved is fine
  await rpc(page, 'session:logout', {}).catch(() => undefined);
}

test.beforeAll(async () => {
  acq = await startAcquirer();
});
test.afterAll(async () => {
  acq.proc.kill('SIGTERM');
  await new Promise((r) => acq.proc.once('exit', r));
  fs.rmSync(acq.dir, { recursive: true, force: true });
});
test.afterEach(async ({ app }) => {
  await setElder(app, false).catch(() => undefined);
  await restore(app);
});

/** The element at the top of the work area, for the picture. */
const scrollTo = (app: Page, testId: string) => app.getByTestId(testId).evaluate((el) => el.scrollIntoView({ block: 'start' }));

for (const elder of [false, true]) {
  const mode = elder ? 'elder' : 'normal';
  test(`an administrator connects the counter to its acquirer with a supervisor’s approval (${mode} mode)`, async ({ app }) => {
    await login(app, 'admin1', '5555');
    await setElder(app, elder);
    await app.keyboard.press('Alt+6');
    const form = app.getByTestId('acq-form');
    await expect(form).toBeVisible();
    await expect(app.getByTestId('acq-running')).toContainText('内置模拟收单');

    await app.getByTestId('acq-endpoint').fill(acq.url);
    await app.getByTestId('acq-merchant').fill('M0001');
    await app.getByTestId('acq-terminal').fill('T0001');
    // The offline-route key in the signing key's field: the acquirer refuses it, and says which.
    await app.getByTestId('acq-signing-key').fill(acq.offlineKey);
    await app.getByTestId('acq-offline-key').fill(acq.offlineKey);
    await app.getByTestId('acq-test').click();
    await expect(app.getByTestId('acq-test-result')).toContainText('拒绝了签名密钥');
    await expect(app.getByTestId('acq-test-result')).toHaveAttribute('role', 'alert');

    await app.getByTestId('acq-signing-key').fill(acq.key.toUpperCase().match(/.{4}/g)!.join(' '));
    await app.getByTestId('acq-test').click();
    await expect(app.getByTestId('acq-test-result')).toContainText(/连接正常.*往返 \d+ 毫秒/);
    await scrollTo(app, 'acq-test');
    await expectAccessible(app, `acquirer connection form (${mode})`);
    await shot(app, elder ? 'settings-acquirer-elder' : 'settings-acquirer');

    await form.getByTestId('approver-select').selectOption('super1');
    await form.getByTestId('approver-pin').fill('2222');
    await app.getByTestId('acq-save').click();
    await expect(app.getByTestId('acq-msg')).toContainText('已保存');
    await expect(app.getByTestId('acq-msg')).toContainText(fingerprint(acq.key));
    await expect(app.getByTestId('acq-restart')).toContainText('重启收银程序后才生效');
    await expect(app.getByTestId('acq-saved-signing-fp')).toHaveText(fingerprint(acq.key));
    await expect(app.getByTestId('acq-saved-offline-fp')).toHaveText(fingerprint(acq.offlineKey));
    await expect(app.getByTestId('acq-saved-by')).toContainText('赵敏（管理员）');
    await expect(app.getByTestId('acq-saved-by')).toContainText('李强（主管）');
    // Typed once, never shown again: the fields are empty and no key is anywhere on the page.
    await expect(app.getByTestId('acq-signing-key')).toHaveValue('');
    await expect(app.getByTestId('acq-offline-key')).toHaveValue('');
    await expect(form.getByTestId('approver-pin')).toHaveValue('');
    const html = (await app.content()).toLowerCase();
    expect(html).not.toContain(acq.key);
    expect(html).not.toContain(acq.offlineKey);
    const saved = await rpc<{ saved: { endpoint: string; signingKeyFingerprint: string } }>(app, 'acquirer:profile', {});
    expect(saved.saved).toMatchObject({ endpoint: acq.url, signingKeyFingerprint: fingerprint(acq.key) });
    expect(JSON.stringify(saved)).not.toContain(acq.key);
    await scrollTo(app, 'acq-saved');
    await expectAccessible(app, `acquirer connection saved (${mode})`);
    await shot(app, elder ? 'settings-acquirer-saved-elder' : 'settings-acquirer-saved');
  });
}

test('a cashier sees the connection and its fingerprints but no form', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  await app.keyboard.press('Alt+6');
  await expect(app.getByTestId('acq-running')).toContainText('T0001');
  await expect(app.getByTestId('acq-admin-only')).toContainText('只有管理员');
  await expect(app.getByTestId('acq-form')).toHaveCount(0);
});
