import { expect, test } from './target';

test.describe('operator login', () => {
  // One session per terminal: each test starts from the login screen.
  test.afterEach(async ({ app }) => {
    await app.evaluate(() => new Promise<void>((resolve) => {
      // The shell's token, presented as the page does (core/api/browser-token.ts).
      const ws = new WebSocket(`ws://${location.host}/rpc`, ['vc-rpc', `vc-token.${new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('vc_token')}`]);
      ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'session:logout', input: {} }));
      ws.onmessage = () => (ws.close(), resolve());
      ws.onerror = () => resolve();
    }));
  });

  test('a demo cashier logs in and sees checkout with the connectivity state', async ({ app }) => {
    await expect(app.getByTestId('training-badge')).toHaveText('培训');
    await app.getByTestId('operator-cashier1').click();
    await expect(app.getByTestId('demo-pin')).toContainText('1111');
    await app.getByTestId('pin-input').fill('1111');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('amount-due')).toBeVisible();
    await expect(app.getByTestId('operator-name')).toContainText('王芳');
    await expect(app.getByTestId('connectivity')).toContainText('在线');
  });

  test('a wrong PIN is refused with a plain message and attempts left', async ({ app }) => {
    await app.getByTestId('operator-super1').click();
    await app.getByTestId('pin-input').fill('9999');
    await app.getByTestId('login-submit').click();
    await expect(app.getByTestId('login-error')).toContainText('PIN 不正确');
    await expect(app.getByTestId('amount-due')).toHaveCount(0);
  });

  test('check marks, crosses and warning signs come from the bundled symbol font, allowed by the CSP', async ({ app }) => {
    // Noto Sans CJK has none of them; without the font a PC with no symbol font shows empty boxes.
    const loaded = await app.evaluate(async () => (await document.fonts.load('16px "VC Symbols"', '✔✖⚠⚑')).map((f) => f.status));
    expect(loaded).toEqual(['loaded']);
  });

  test('the screen switches to English', async ({ app }) => {
    await app.getByRole('button', { name: '切换语言' }).click();
    await expect(app.getByRole('heading', { name: 'Operator login' })).toBeVisible();
    await app.getByRole('button', { name: 'Switch language' }).click();
  });
});
