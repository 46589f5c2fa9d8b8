/**
 * Demo and training mode, as a trainer and trainee use it: the trainer resets the class's data
 * and starts a lesson from the console, hands the till over, and the trainee does the lesson on
 * the real screens (checkout, history, service point) with the customer's phone beside them.
 * The core's lesson engine checks every step; these specs only read what the guide says.
 */
import type { Page } from '@playwright/test';
import { expect, openAppWindow, test } from './target';
import { expectAccessible, login, rpc, setElder, shot, typeAmount } from './ui';

const guide = (app: Page) => app.getByTestId('training-guide');
const step = (app: Page, id: string) => guide(app).getByTestId(`guide-step-${id}`);

async function logout(app: Page): Promise<void> {
  await app.getByTestId('logout').click();
  await expect(app.getByTestId('operator-name')).toHaveCount(0);
}

/** The trainer opens the console and resets the training data (the page reloads). */
async function trainerResets(app: Page): Promise<void> {
  await login(app, 'trainer1', '4444');
  await app.getByTestId('nav-training').click();
  await expect(app.getByTestId('training-console')).toBeVisible();
  await app.getByTestId('reset-open').click();
  await expect(app.getByTestId('reset-confirm')).toContainText('不能恢复');
  const reloaded = app.waitForEvent('load');
  await app.getByTestId('reset-yes').click();
  await reloaded;
  // The seeded state has nobody logged in: the trainer logs in again.
  await login(app, 'trainer1', '4444');
  await app.getByTestId('nav-training').click();
  await expect(app.getByTestId('training-console')).toBeVisible();
}

/** Reset, start the lesson, hand over: the trainer logs out and the trainee logs in. */
async function startLesson(app: Page, lessonId: string, trainee: { id: string; pin: string }): Promise<void> {
  await trainerResets(app);
  await app.getByTestId(`start-${lessonId}`).click();
  await expect(step(app, 'login')).toHaveAttribute('data-status', 'current');
  await logout(app);
  await login(app, trainee.id, trainee.pin);
  await expect(step(app, 'login')).toHaveAttribute('data-status', 'done');
}

async function lessonComplete(app: Page, wrongMoves: number): Promise<void> {
  const summary = guide(app).getByTestId('guide-summary');
  await expect(summary).toContainText('本课完成', { timeout: 30_000 });
  await expect(summary).toContainText(`做错 ${wrongMoves} 次`);
}

const CASHIER = { id: 'cashier1', pin: '1111' };

// The terminal has one session, kept by the core across specs: start each lesson logged out,
// as a class does, rather than wherever the previous spec left the till.
test.beforeEach(async ({ app }) => {
  await rpc(app, 'session:logout', {});
  await app.reload();
  await expect(app.getByTestId('operator-trainer1')).toBeVisible();
});

test.describe('training lessons, start to finish', () => {
  test('a normal payment — the trainee first takes cash by mistake and is told why', async ({ app }) => {
    await startLesson(app, 'normal-payment', CASHIER);
    await expect(step(app, 'show-code')).toHaveAttribute('data-status', 'current');
    await expect(guide(app).getByTestId('guide-instruction')).toContainText('12.50');
    await expectAccessible(app, 'checkout with the lesson guide');
    await shot(app, 'training-guide-checkout');

    // The wrong move: a cash sale while the customer is paying by phone.
    await typeAmount(app, '12.5');
    await app.keyboard.press('F5');
    await typeAmount(app, '20');
    await app.keyboard.press('Enter');
    await expect(app.getByTestId('result-change')).toContainText('¥7.50');
    const wrong = guide(app).getByTestId('guide-feedback').locator('[data-kind="wrong"]');
    await expect(wrong).toContainText('现金收款不会从顾客钱包扣款');
    await expect(step(app, 'show-code')).toHaveAttribute('data-status', 'current');
    await shot(app, 'training-wrong-move');
    await app.keyboard.press('Enter');

    // The right way: the customer shows the code, the cashier scans it.
    await app.getByTestId('phone-paycode').click();
    await expect(app.getByTestId('phone-code')).toBeVisible();
    await expect(step(app, 'charge')).toHaveAttribute('data-status', 'current');
    await typeAmount(app, '12.5');
    await app.keyboard.press('F1');
    await app.getByTestId('phone-scan').click();
    await expect(app.getByTestId('result')).toContainText('收款成功');
    await lessonComplete(app, 1);
    await expect(guide(app).getByTestId('guide-summary')).toContainText('现金收款不会从顾客钱包扣款');
    await expectAccessible(app, 'lesson summary');
    await shot(app, 'training-summary');
  });

  test('a payment that needs the customer’s password', async ({ app }) => {
    await startLesson(app, 'password-payment', CASHIER);
    await expect(app.getByTestId('phone-wallet')).toHaveValue('W04');
    await typeAmount(app, '88');
    await app.keyboard.press('F1');
    await app.getByTestId('phone-paycode').click();
    await app.getByTestId('phone-scan').click();
    await expect(app.getByTestId('working-state')).toContainText('输入密码');
    await expect(guide(app).getByTestId('guide-feedback').locator('[data-kind="expected"]')).toContainText('请等待');
    await expect(app.getByTestId('phone-password')).toContainText('88.00');
    await shot(app, 'training-password');
    await app.getByTestId('phone-confirm').click();
    await expect(app.getByTestId('result')).toContainText('收款成功', { timeout: 30_000 });
    await lessonComplete(app, 0);
  });

  test('the network drops, an offline code is accepted, the network returns and it forwards', async ({ app }) => {
    await startLesson(app, 'offline-forward', CASHIER);
    await expect(step(app, 'accept-offline')).toHaveAttribute('data-status', 'current');
    await typeAmount(app, '8');
    await app.keyboard.press('F2');
    await app.getByTestId('phone-offlinecode').click();
    await expect(app.getByTestId('phone-code')).toHaveAttribute('data-kind', 'offline');
    await app.getByTestId('phone-scan').click();
    await expect(app.getByTestId('result')).toContainText('离线受理，待上传');
    await expect(step(app, 'see-pending')).toHaveAttribute('data-status', 'current');
    await app.keyboard.press('Enter');
    await app.keyboard.press('Alt+3');
    // The network comes back as soon as the trainee opens the list, and the terminal notices
    // at once, so the item may already have gone from pending to confirmed by the time the
    // table is read; forwarding by itself before "send now" is as good.
    await expect(app.getByTestId('outbox-table')).toContainText(/待上传|已确认/);
    await expect(step(app, 'see-pending')).toHaveAttribute('data-status', 'done');
    await app.getByTestId('send-now').click();
    await lessonComplete(app, 0);
    await expect(app.getByTestId('outbox-table')).toContainText('已确认', { timeout: 30_000 });
  });

  test('declined after forwarding: the follow-up, with a wrong repayment amount explained', async ({ app }) => {
    await startLesson(app, 'decline-follow-up', CASHIER);
    await expect(app.getByTestId('phone-wallet')).toHaveValue('W06');
    await typeAmount(app, '20');
    await app.keyboard.press('F2');
    await app.getByTestId('offline-contact').fill('13800138000');
    await app.getByTestId('phone-offlinecode').click();
    await app.getByTestId('phone-scan').click();
    await expect(app.getByTestId('result')).toContainText('离线受理，待上传');
    await expect(step(app, 'see-pending')).toHaveAttribute('data-status', 'current');
    await app.keyboard.press('Enter');
    await app.keyboard.press('Alt+3');
    await expect(step(app, 'see-pending')).toHaveAttribute('data-status', 'done');
    await app.getByTestId('send-now').click();
    await expect(guide(app).getByTestId('guide-feedback').locator('[data-kind="expected"]')).toContainText('收单机构拒绝了', { timeout: 30_000 });
    // The follow-up list as the trainee opens it again.
    await app.keyboard.press('Alt+1');
    await app.keyboard.press('Alt+3');
    await expect(app.getByTestId('followups-table')).toContainText('138****8000');
    await expect(step(app, 'collect')).toHaveAttribute('data-status', 'current');
    await shot(app, 'training-decline-follow-up');
    // The wrong move: the repayment is recorded with the wrong amount.
    await app.keyboard.press('Alt+1');
    await typeAmount(app, '25');
    await app.keyboard.press('F5');
    await typeAmount(app, '25');
    await app.keyboard.press('Enter');
    await expect(guide(app).getByTestId('guide-feedback').locator('[data-kind="wrong"]')).toContainText('金额不对');
    await app.keyboard.press('Enter');
    await typeAmount(app, '20');
    await app.keyboard.press('F5');
    await typeAmount(app, '20');
    await app.keyboard.press('Enter');
    await lessonComplete(app, 1);
  });

  test('a refund that needs a supervisor’s approval', async ({ app }) => {
    await startLesson(app, 'refund-approval', CASHIER);
    await typeAmount(app, '300');
    await app.keyboard.press('F1');
    await app.getByTestId('phone-paycode').click();
    await app.getByTestId('phone-scan').click();
    await expect(app.getByTestId('result')).toContainText('收款成功');
    await expect(step(app, 'refund')).toHaveAttribute('data-status', 'current');
    await app.keyboard.press('Enter');
    await app.keyboard.press('Alt+2');
    await app.getByTestId('history-table').locator('[data-testid^="open-"]').first().click();
    await app.getByTestId('refund-all').click();
    await app.getByTestId('refund-reason').fill('退货');
    await app.getByTestId('refund-submit').click();
    // Refused without approval: the lesson explains it is the rule, not a fault.
    await expect(guide(app).getByTestId('guide-feedback').locator('[data-kind="expected"]')).toContainText('主管');
    await app.getByTestId('approver-select').selectOption('super1');
    await app.getByTestId('approver-pin').fill('2222');
    await app.getByTestId('refund-submit').click();
    await lessonComplete(app, 0);
  });

  test('a villager’s assisted withdrawal hits the daily limit', async ({ app }) => {
    await startLesson(app, 'withdrawal-limit', { id: 'agent1', pin: '3333' });
    await app.getByTestId('agent-tab-float').click();
    await app.getByTestId('float-open-count').fill('2000');
    await app.getByTestId('float-open').click();
    await expect(step(app, 'withdraw-800')).toHaveAttribute('data-status', 'current');

    const withdraw = async (yuan: string) => {
      await app.getByTestId('agent-tab-withdraw').click();
      await app.getByTestId('withdraw-phone').fill('13800138000');
      await app.getByTestId('withdraw-amount').fill(yuan);
      await app.getByTestId('withdraw-next').click();
      await expect(app.getByTestId('withdraw-prompt')).toBeVisible();
      await app.getByTestId('phone-paycode').click();
      await app.getByTestId('phone-scan').click();
    };
    await expect(app.getByTestId('phone-wallet')).toHaveValue('W03');
    await withdraw('800');
    await expect(app.getByTestId('withdraw-result')).toContainText('800', { timeout: 30_000 });
    await expect(step(app, 'withdraw-300')).toHaveAttribute('data-status', 'current', { timeout: 30_000 });
    await app.getByTestId('withdraw-done').click();

    await withdraw('300');
    await expect(app.getByTestId('withdraw-error')).toContainText('1000');
    await expect(guide(app).getByTestId('guide-feedback').locator('[data-kind="expected"]')).toContainText('只能再取 200 元');
    await shot(app, 'training-withdrawal-limit');
    await app.keyboard.press('Escape');
    await app.getByTestId('withdraw-amount').fill('200');
    await app.getByTestId('withdraw-next').click();
    await app.getByTestId('phone-paycode').click();
    await app.getByTestId('phone-scan').click();
    await lessonComplete(app, 0);
  });

  test('spotting a fake or pasted-over static QR — wrong answers explained', async ({ app }) => {
    await startLesson(app, 'fake-static-qr', CASHIER);
    const quiz = guide(app).getByTestId('guide-quiz');
    await expect(quiz.getByRole('img', { name: /动态收款码/ })).toBeVisible();
    await expect(quiz.getByRole('img', { name: /静态收款贴纸/ })).toBeVisible();
    await expectAccessible(app, 'fake QR quiz');
    await shot(app, 'training-quiz');
    await quiz.getByTestId('quiz-sticker').click();
    await expect(guide(app).getByTestId('guide-feedback').locator('[data-kind="wrong"]')).toContainText('骗子');
    await quiz.getByTestId('quiz-dynamic').click();
    await expect(step(app, 'spot-sticker')).toHaveAttribute('data-status', 'current');
    await guide(app).getByTestId('quiz-edges').click();
    await expect(step(app, 'scan-sticker')).toHaveAttribute('data-status', 'current');

    await typeAmount(app, '25');
    await app.keyboard.press('F1');
    await app.getByTestId('phone-sticker').click();
    await app.getByTestId('phone-scan').click();
    await expect(app.getByTestId('checkout-notice')).toContainText('不是付款码');
    await expect(step(app, 'show-dynamic')).toHaveAttribute('data-status', 'current');
    await app.keyboard.press('F3');
    await lessonComplete(app, 1);
    await app.keyboard.press('Escape'); // the QR is not paid: the cashier cancels it
  });
});

test.describe('trainer console', () => {
  test('reset restores the seeded state, and the phone works from its own tab', async ({ app }) => {
    await trainerResets(app);
    // A sale from the customer's phone in its own tab (the app's own window under Electron), scanned into the cashier's window.
    const phone = await openAppWindow(app, '#/phone');
    await expect(phone.getByTestId('phone-panel')).toContainText('培训');
    await expect(phone.getByTestId('phone-balance')).toContainText('500.00');
    await app.bringToFront();
    await app.getByTestId('nav-checkout').click();
    await typeAmount(app, '10');
    await app.keyboard.press('F1');
    await phone.getByTestId('phone-paycode').click();
    await phone.getByTestId('phone-scan').click();
    await expect(phone.getByTestId('phone-notice')).toContainText('已发送到收银窗口');
    await expect(app.getByTestId('result')).toContainText('收款成功');
    await expect(phone.getByTestId('phone-balance')).toContainText('490.00');
    await shot(phone, 'training-phone-window');
    await app.keyboard.press('Enter');
    await app.keyboard.press('Alt+2');
    await expect(app.getByTestId('history-table')).toContainText('10.00');

    // Reset: every window reloads; the history is empty and the wallet is full again.
    const phoneReloaded = phone.waitForEvent('load');
    const appReloaded = app.waitForEvent('load');
    await app.getByTestId('nav-training').click();
    await app.getByTestId('reset-open').click();
    await app.getByTestId('reset-yes').click();
    await Promise.all([phoneReloaded, appReloaded]);
    await expect(app.getByTestId('operator-cashier1')).toBeVisible(); // nobody is logged in
    await login(app, 'trainer1', '4444');
    await expect(phone.getByTestId('phone-balance')).toContainText('500.00');
    await app.getByTestId('nav-history').click();
    await expect(app.getByTestId('history-table')).toHaveCount(0);
  });

  test('network control, fault buttons and large type', async ({ app }) => {
    await trainerResets(app);
    await expectAccessible(app, 'trainer console');
    await shot(app, 'training-console');
    await app.getByTestId('net-offline').click();
    await expect(app.getByTestId('console-notice')).toContainText('断网');
    await app.getByTestId('net-rtt').fill('1500');
    await app.getByTestId('net-apply').click();
    await expect(app.getByTestId('console-notice')).toContainText('1500 ms');
    await app.getByTestId('net-online').click();
    await app.getByTestId('fault-userpaying').click();
    await expect(app.getByTestId('console-notice')).toContainText('等待输入密码');
    await app.getByTestId('fault-paperOut').click();
    await expect(app.getByTestId('console-notice')).toContainText('打印机缺纸');
    await app.getByTestId('fault-paperIn').click();
    await app.getByTestId('fault-billerRefuse').click();
    await expect(app.getByTestId('console-notice')).toContainText('缴费单位拒绝缴费');
    await app.getByTestId('fault-clear').click();
    await expect(app.getByTestId('console-notice')).toContainText('缴费单位恢复受理');
    await setElder(app, true);
    await expectAccessible(app, 'trainer console, large type');
    await shot(app, 'training-console-elder');
    await app.getByTestId('start-normal-payment').click();
    await logout(app);
    await login(app, 'cashier1', '1111');
    await expect(guide(app)).toBeVisible();
    await shot(app, 'training-guide-elder');
    await setElder(app, false);
    // The same guide in English.
    await app.getByTestId('toggle-locale').click();
    await expect(guide(app)).toContainText('Step 2 of 3');
    await expect(guide(app).getByTestId('guide-instruction')).toContainText('The customer owes ¥12.50');
    await shot(app, 'training-guide-en');
    await app.getByTestId('toggle-locale').click();
    await guide(app).getByTestId('guide-abort').click();
    await expect(guide(app)).toHaveCount(0);
  });
});
