import { expect, test } from './target';
import { login, rpc, setElder } from './ui';

for (const [lang, elder] of [['zh-CN', false], ['en', false], ['zh-CN', true], ['en', true]] as const) {
  test(`look ${lang} ${elder}`, async ({ app }) => {
    await login(app, 'super1', '2222');
    await app.evaluate(() => (location.hash = '#/devices'));
    if (lang === 'en') await app.getByTestId('toggle-locale').click();
    await setElder(app, elder);
    const form = app.getByTestId('usb-id-choice');
    await expect(form).toBeVisible();
    if (lang === 'zh-CN' && !elder) {
      await app.getByTestId('byid-vendor').fill('zz12');
      await app.getByTestId('byid-product').fill('e026');
      await app.getByTestId('byid-use').click();
      await expect(app.getByTestId('byid-error')).toBeVisible();
    }
    for (let i = 0; i < 4; i++) {
      await form.evaluate((el, k) => {
        const main = document.getElementById('main')!;
        main.scrollTop += el.getBoundingClientRect().top - main.getBoundingClientRect().top + k * 500;
      }, i);
      await app.screenshot({ path: `/tmp/look-${lang}-${elder ? 'elder' : 'normal'}-${i}.png` });
    }
    if (lang === 'en') await app.getByTestId('toggle-locale').click();
    await setElder(app, false);
    await rpc(app, 'session:logout', {}).catch(() => undefined);
  });
}
