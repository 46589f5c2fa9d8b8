import { test } from './target';
import { login, shot } from './ui';

test('look', async ({ app }) => {
  await shot(app, 'tmp-login');
  await login(app, 'cashier1', '1111');
  await shot(app, 'tmp-checkout');
});
