import { test } from './target';
import { login, rpc } from './ui';

test('look', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  await rpc(app, 'demo:network', { preset: 'online' });
  const oc = await rpc<{ code: string }>(app, 'demo:offlineCode', { wallet: 1 });
  console.log(oc.code.length, oc.code.slice(0, 40));
});
