import { test } from './target';
import { login, rpc, scan, setElder, shot, typeAmount } from './ui';

test('look', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  await setElder(app, true);
  await shot(app, 'tmp-elder-entry');
  await typeAmount(app, '123.4');
  await app.keyboard.press('Enter');
  await shot(app, 'tmp-elder-tenders');
  await app.keyboard.press('F1');
  await scan(app, (await rpc<{ code: string }>(app, 'demo:paymentCode', { walletId: 'W01' })).code);
  await app.getByTestId('result').waitFor();
  await shot(app, 'tmp-elder-result');
});
