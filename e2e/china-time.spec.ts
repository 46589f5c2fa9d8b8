/**
 * One time zone and Chinese date forms everywhere (issue 12), on a PC set to New York with an
 * American English browser: history shows China time (yyyy-MM-dd HH:mm:ss), its date filter
 * shows and takes yyyy-MM-dd and filters by China calendar days, a date that is not one is
 * refused in words, and the Z report's day field is the same China-day field.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './target';
import { login, rpc, shot } from './ui';

test.use({ timezoneId: 'America/New_York', locale: 'en-US' });

test.afterEach(async ({ app }) => {
  await rpc(app, 'session:logout', {}).catch(() => undefined);
});

/** The test's own oracle for China time (the browser's Intl with the zone named), not the app's module. */
const china = (ms: number) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
};
const shiftDay = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** The calendar day of an instant on this PC (New York). */
const localDay = (ms: number) => new Date(ms).toLocaleDateString('sv-SE', { timeZone: 'America/New_York' });

async function searchDays(page: Page, from: string, to: string, text: string): Promise<void> {
  await page.getByTestId('history-text').fill(text);
  await page.getByTestId('history-from').fill(from);
  await page.getByTestId('history-to').fill(to);
  await page.getByTestId('history-search').click();
}

test('history shows China times and filters by China days on a PC set to New York', async ({ app }) => {
  expect(await app.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York');
  await login(app, 'cashier1', '1111');
  const sale = await rpc<{ orderNo: string; createdAt: number }>(app, 'payments:cash', { amountFen: 721, tenderedFen: 1_000, requestId: `e2e-tz-${Date.now()}` });
  const at = china(sale.createdAt);
  // When the New York date differs from China's (16:00–05:00 UTC, 11 hours of the day), this is
  // the sale "just after midnight China time" of the issue: it must count on the China day.
  test.info().annotations.push({ type: 'days', description: `China ${at.day} ${at.time}, New York ${localDay(sale.createdAt)}` });

  await app.keyboard.press('Alt+2');
  await searchDays(app, at.day, at.day, sale.orderNo);
  await expect(app.getByTestId(`time-${sale.orderNo}`)).toHaveText(`${at.day} ${at.time}`);
  // The fields show exactly what was typed, in yyyy-MM-dd, not the browser's mm/dd/yyyy.
  await expect(app.getByTestId('history-from')).toHaveValue(at.day);
  await expect(app.getByTestId('history-from')).toHaveAttribute('placeholder', 'yyyy-MM-dd');
  await shot(app, 'history-china-time-new-york');

  // The China days before and after do not hold it — nor does New York's own date when it differs.
  for (const day of [shiftDay(at.day, -1), shiftDay(at.day, 1)]) {
    await searchDays(app, day, day, sale.orderNo);
    await expect(app.getByTestId(`history-row-${sale.orderNo}`)).toHaveCount(0);
  }
  // A range ending on the sale's China day includes the whole of it.
  await searchDays(app, shiftDay(at.day, -1), at.day, sale.orderNo);
  await expect(app.getByTestId(`history-row-${sale.orderNo}`)).toBeVisible();

  // The detail says the same China time.
  await app.getByTestId(`open-${sale.orderNo}`).click();
  await expect(app.locator('section.detail')).toContainText(`${at.day} ${at.time}`);
});

test('a date that is not yyyy-MM-dd, or no such day, is refused in words and nothing is searched', async ({ app }) => {
  await login(app, 'cashier1', '1111');
  await app.keyboard.press('Alt+2');
  await expect(app.getByTestId('history-search')).toBeVisible();
  await app.getByTestId('history-from').fill('12/07/2026');
  await expect(app.getByTestId('history-from-msg')).toContainText('年-月-日');
  await app.getByTestId('history-search').click();
  await expect(app.getByTestId('history-error')).toContainText('年-月-日');
  await app.getByTestId('history-from').fill('2026-02-30');
  await expect(app.getByTestId('history-from-msg')).toContainText('没有这一天');
  // In English, the same refusal in English, the same numeric form.
  await app.getByTestId('toggle-locale').click();
  await expect(app.getByTestId('history-from-msg')).toContainText('There is no such day');
  await app.getByTestId('history-from').fill('2026-03-09');
  await app.getByTestId('history-to').fill('2026-03-08');
  await app.getByTestId('history-search').click();
  await expect(app.getByTestId('history-error')).toContainText('start date cannot be after the end date');
  await app.getByTestId('toggle-locale').click();
});

test('the Z report’s day is today in China, shown as yyyy-MM-dd', async ({ app }) => {
  await login(app, 'super1', '2222');
  await app.keyboard.press('Alt+4');
  const today = china(Date.now()).day;
  await expect(app.getByTestId('report-day')).toHaveValue(today);
  await expect(app.getByTestId('report-day')).toHaveAttribute('placeholder', 'yyyy-MM-dd');
});
