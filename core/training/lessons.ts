/**
 * The scripted lessons. Each is data (see lesson.ts): what to tell the trainee, what the engine
 * prepares, what done looks like and which wrong moves to catch. Written for a trainer in a
 * village hall: every sentence says what to do next, in plain words, in zh-CN and en.
 *
 * Lessons name the demo wallets the customer-phone panel should show by the ids the acquirer
 * simulator seeds (DEMO_WALLET below); a lesson still runs if the trainee picks another wallet
 * of the same kind, since steps judge what happened to the payment, not which button was used.
 */
import type { Role } from '../api/define';
import type { Message } from '../api/payments';
import type { LessonDef, SetupAction, StepDef, WrongMove } from './lesson';

/** Demo wallets of the simulator's seed, by what a lesson needs of them. */
export const DEMO_WALLET = {
  /** 张大爷: a plain WeChat wallet, ¥500, no password step. */
  plain: 'W01',
  /** 王叔: UnionPay, ¥1,000: enough for a day's full ¥1,000 of withdrawals. */
  rich: 'W03',
  /** 赵阿姨: asks its owner for the password (USERPAYING). */
  password: 'W04',
  /** 孙小明: nearly empty; his offline payment is declined when forwarded. */
  nearlyEmpty: 'W06',
} as const;

/**
 * The phone panel makes a wallet's offline code with `demo:offlineCode { wallet: n }`, n being the
 * wallet's place in the seeded list (W01 → 0 … W06 → 5), so a lesson can name the same customer.
 */
export const DEMO_OFFLINE_WALLET = { nearlyEmpty: 5 } as const;

/** The static "collection code" a fraudster prints and pastes over the shop's sticker. */
export const FAKE_STATIC_QR = 'https://qr.alipay.com/fkx19283746551234xyz';
/** What a genuine per-order dynamic QR looks like on the customer display (for the quiz picture). */
export const GENUINE_DYNAMIC_QR = 'https://sim.acquirer.example/qr/ORDER20261128XYZ?amount=2500&exp=120';

const ONLINE_TENDERS = ['wechat', 'alipay', 'unionpay', 'face'] as const;

/**
 * Before and after every lesson: the network up, no scripted fault left over from a trainer's
 * demonstration, the printer loaded and the scanner plugged in. A module not installed yet is
 * reported as setup feedback, never silently skipped.
 */
const CLEAN_SLATE: readonly SetupAction[] = [
  { call: 'demo:network', input: { preset: 'online' } },
  { call: 'demo:fault', input: { fault: 'clear' } },
  { call: 'devices:simulate', input: { action: 'paper_in' } },
  { call: 'devices:simulate', input: { action: 'scanner_replug' } },
];

const m = (zh: string, en: string): Message => ({ zh, en });

/** The first step of every lesson: log in as the lesson's role (done at once if already so). */
function loginStep(role: Role, who: Message): StepDef {
  return {
    id: 'login',
    instruction: m(`请以${who.zh}身份登录（演示 PIN 显示在登录界面上）。`, `Log in as ${who.en} (the demo PIN is shown on the login screen).`),
    // The trainer starts the lesson, then hands the till to the trainee, who logs in as the role.
    skipIfRole: [role],
    done: [{ event: 'session:changed', where: { 'operator.role': role } }],
    doneFeedback: { kind: 'good', message: m(`已以${who.zh}身份登录，开始练习。`, `Logged in as ${who.en}: let’s begin.`) },
    wrong: [
      {
        // The trainer logging back in to help is not the trainee's mistake.
        when: { event: 'session:changed', where: { 'operator.role': ['cashier', 'supervisor', 'agent', 'admin'].filter((r) => r !== role) } },
        message: m(`登录的身份不对：本课程请以${who.zh}登录。先退出，再选择正确的操作员。`,
          `That is the wrong operator for this lesson: log out and log in as ${who.en}.`),
      },
    ],
  };
}

const CASHIER = m('收银员“王芳”', 'the cashier “Wang Fang”');
const AGENT = m('助农代理“张秀兰”', 'the agent “Zhang Xiulan”');

/** Taking cash when the customer is paying by phone: the most common slip in the first lessons. */
const tookCashInstead: WrongMove = {
  when: { call: 'payments:cash', ok: true },
  message: m('这笔记成了现金收款，但顾客是用手机付款的。现金收款不会从顾客钱包扣款。请用扫码收款，扫描顾客的付款码。',
    'That was recorded as a cash sale, but the customer is paying by phone: cash takes nothing from the wallet. Take a scan payment and scan the customer’s code.'),
};

const scannedNotACode: WrongMove = {
  when: { call: 'payments:charge', ok: false, errorCode: 'code.*' },
  message: m('扫到的不是付款码，未扣款。请扫描顾客手机上显示的付款码（手机面板上的条码/二维码）。',
    'What was scanned is not a payment code; nothing was charged. Scan the payment code on the customer’s phone (the phone panel).'),
};

const normalPayment: LessonDef = {
  id: 'normal-payment',
  title: m('一笔普通扫码收款', 'A normal scan payment'),
  goal: m('输入金额，扫描顾客的付款码，看到“收款成功”再交货。', 'Type the amount, scan the customer’s payment code, and hand over the goods only after “paid”.'),
  role: 'cashier',
  needs: ['payments:charge', 'demo:paymentCode', 'demo:network'],
  prepare: CLEAN_SLATE,
  cleanup: CLEAN_SLATE,
  steps: [
    loginStep('cashier', CASHIER),
    {
      id: 'show-code',
      instruction: m('顾客要付 12.50 元。请顾客打开付款码：在“顾客手机”面板里选择钱包并点“付款码”。',
        'The customer owes ¥12.50. Ask them to open their payment code: in the “Customer phone” panel pick the wallet and press “Payment code”.'),
      phoneWallet: DEMO_WALLET.plain,
      done: [{ call: 'demo:paymentCode', ok: true }],
      wrong: [tookCashInstead],
    },
    {
      id: 'charge',
      instruction: m('在收银界面输入 12.50，然后扫描顾客的付款码（手机面板上点“扫入收银台”，或用扫码枪扫屏幕）。',
        'On the checkout type 12.50, then scan the customer’s code (“Scan into checkout” on the phone panel, or a USB scanner at the screen).'),
      done: [{ event: 'payments:changed', where: { state: 'succeeded', tender: ONLINE_TENDERS, amountFen: 1250 } }],
      remember: [{ key: 'order', path: 'orderNo' }],
      wrong: [
        tookCashInstead,
        scannedNotACode,
        {
          when: { event: 'payments:changed', where: { state: 'succeeded', tender: ONLINE_TENDERS, amountFen: { lte: 1249 } } },
          message: m('收款金额不对：应收 12.50 元。金额输错时先清除再输入，收款前核对屏幕上的金额。',
            'The amount was wrong: ¥12.50 was due. Clear and retype a wrong amount, and check the amount on screen before scanning.'),
        },
        {
          when: { event: 'payments:changed', where: { state: 'succeeded', tender: ONLINE_TENDERS, amountFen: { gte: 1251 } } },
          message: m('多收了：应收 12.50 元。多收的钱要在“交易记录”里退给顾客。收款前核对屏幕上的金额。',
            'You charged too much: ¥12.50 was due. Refund the difference under History, and check the amount on screen before scanning.'),
        },
      ],
    },
  ],
  takeaway: m('先核对金额，再扫码；看到（听到）“收款成功”再交货。', 'Check the amount, then scan; hand over the goods only when you see (and hear) “paid”.'),
};

const passwordPayment: LessonDef = {
  id: 'password-payment',
  title: m('需要顾客输入密码的付款', 'A payment that needs the customer’s password'),
  goal: m('遇到“等待顾客输入密码”时耐心等待，不要重复扫码，也不要取消。', 'When the terminal says it is waiting for the customer’s password, wait: do not scan again and do not cancel.'),
  role: 'cashier',
  needs: ['payments:charge', 'demo:paymentCode', 'demo:userPaying'],
  prepare: CLEAN_SLATE,
  cleanup: CLEAN_SLATE,
  steps: [
    loginStep('cashier', CASHIER),
    {
      id: 'charge',
      instruction: m('赵阿姨要付 88.00 元。在收银界面输入 88，请她出示付款码并扫入。',
        'Auntie Zhao owes ¥88.00. Type 88 on the checkout, ask for her payment code and scan it.'),
      phoneWallet: DEMO_WALLET.password,
      done: [{ event: 'payments:changed', where: { state: 'userpaying' } }],
      remember: [{ key: 'order', path: 'orderNo' }],
      doneFeedback: {
        kind: 'expected',
        message: m('屏幕显示“等待顾客输入密码”：金额较大，钱包要求顾客输入密码。这是正常的，请等待。',
          'The screen says “waiting for the customer’s password”: for a large amount the wallet asks for it. This is normal: wait.'),
      },
      wrong: [tookCashInstead, scannedNotACode],
    },
    {
      id: 'customer-confirms',
      instruction: m('请顾客在手机上输入密码（手机面板上点“输入密码并确认”）。收银界面会自动显示结果，不要再扫码。',
        'Ask the customer to enter the password on the phone (“Enter password and confirm” on the phone panel). The checkout shows the result by itself: do not scan again.'),
      done: [{ event: 'payments:changed', where: { state: 'succeeded', orderNo: { mem: 'order' } } }],
      wrong: [
        {
          when: { call: 'payments:cancel', ok: true },
          message: m('你取消了这笔付款，而顾客正在输入密码。取消后要重新收款。遇到“等待输入密码”时请耐心等待，系统会自动查询结果。',
            'You cancelled the payment while the customer was entering the password; it has to be taken again. When it says “waiting for the password”, wait: the terminal checks the result by itself.'),
        },
        {
          when: { call: 'payments:charge', ok: false, errorCode: 'payment.busy' },
          message: m('不要重复扫码：上一笔还在等待顾客输入密码。重复收款可能扣两次钱，系统已拒绝。',
            'Do not scan again: the first payment is still waiting for the password. A second charge could take the money twice; the terminal refused it.'),
        },
        {
          when: { event: 'payments:changed', where: { state: ['cancelled', 'failed', 'closed'], orderNo: { mem: 'order' } } },
          message: m('这笔付款没有成功（顾客未确认或已取消）。货先别给，请顾客重新付款。',
            'This payment did not go through (not confirmed, or cancelled). Keep the goods and ask the customer to pay again.'),
        },
      ],
    },
  ],
  takeaway: m('“等待输入密码”不是失败：等顾客在手机上确认，结果会自动出来；不要重复扫码。',
    '“Waiting for the password” is not a failure: let the customer confirm on the phone and the result arrives by itself; never scan twice.'),
};

const onlineCodeWhileOffline: WrongMove = {
  when: { call: 'payments:charge' },
  message: m('网络已断开，在线付款码无法完成（它只在约一分钟内有效，需要联网）。请顾客改出示“离线付款码”，或收现金。',
    'The network is down, so an online payment code cannot go through (it lives about a minute and needs the network). Ask for the customer’s offline payment code, or take cash.'),
};

const offlineForward: LessonDef = {
  id: 'offline-forward',
  title: m('断网时收离线付款码，联网后自动上传', 'Offline: accept an offline code, then it forwards'),
  goal: m('断网时改收离线付款码，告诉顾客“离线受理，待上传”；网络恢复后看它上传成功。',
    'When the network drops, take an offline payment code and tell the customer “accepted offline, pending”; when the network returns, watch it forward.'),
  role: 'cashier',
  needs: ['offline:accept', 'demo:offlineCode', 'demo:network'],
  prepare: CLEAN_SLATE,
  cleanup: CLEAN_SLATE,
  steps: [
    loginStep('cashier', CASHIER),
    {
      id: 'accept-offline',
      instruction: m('网络断了（状态栏显示“离线”）。顾客要付 8.00 元：请他在手机面板上点“离线码”，然后在收银界面用离线付款码收款。',
        'The network is down (the status bar says “Offline”). The customer owes ¥8.00: ask them to press “Offline code” on the phone panel, then take it as an offline code payment on the checkout.'),
      setup: [{ call: 'demo:network', input: { preset: 'offline' } }],
      done: [{ call: 'offline:accept', ok: true, where: { state: 'accepted_offline' } }],
      remember: [{ key: 'order', path: 'orderNo' }],
      wrong: [onlineCodeWhileOffline, tookCashInstead],
      expected: [
        {
          when: { call: 'offline:accept', ok: false, errorCode: 'offline.risk.*' },
          message: m('离线额度不允许这笔：超出了单笔或当天的离线风险额度。请收现金，或等网络恢复。',
            'The offline budget does not allow this one (per payment or per day). Take cash, or wait for the network.'),
        },
      ],
    },
    {
      id: 'see-pending',
      instruction: m('告诉顾客“离线受理，待上传”。然后打开“待上传”页面，找到这笔状态为“待上传”的付款。',
        'Tell the customer “accepted offline, pending”. Then open the Forwarding screen and find this payment marked pending.'),
      done: [{ call: 'outbox:list', ok: true }],
      wrong: [
        {
          when: { call: 'payments:cash', ok: true },
          message: m('这笔顾客已经用离线码付过了，不要再收现金，否则就收了两次。它会在联网后自动上传。',
            'The customer has already paid this one with the offline code: do not take cash as well, that would be paying twice. It forwards by itself once online.'),
        },
      ],
    },
    {
      id: 'forwarded',
      instruction: m('网络恢复了。打开“待上传”，点“立即上传”（或等它自动上传），看这笔变成“已成功”。',
        'The network is back. Open “Forwarding” and press “Send now” (or wait for it to go by itself) until the payment shows as paid.'),
      setup: [{ call: 'demo:network', input: { preset: 'online' } }],
      done: [{ event: 'payments:changed', where: { state: 'succeeded', orderNo: { mem: 'order' } } }],
      wrong: [
        {
          when: { call: 'payments:cash', ok: true },
          message: m('这笔顾客已经用离线码付过了，不要再收现金，否则就收了两次。它会在联网后自动上传。',
            'The customer has already paid this one with the offline code: do not take cash as well, that would be paying twice. It forwards by itself once online.'),
        },
      ],
    },
  ],
  takeaway: m('断网时在线码收不了：改收离线码（或现金），告诉顾客“离线受理，待上传”；联网后在“待上传”里看它成功。',
    'Offline, online codes cannot work: take the offline code (or cash), tell the customer “accepted offline, pending”, and check it forwards under “Forwarding”.'),
};

const declineFollowUp: LessonDef = {
  id: 'decline-follow-up',
  title: m('上传后被拒付，联系顾客补款', 'Declined after forwarding: follow up'),
  goal: m('离线受理时留下顾客联系方式；上传被拒后在“需跟进”里找到这笔，联系顾客，收回货款。',
    'Take the customer’s contact when accepting offline; after a decline find it under follow-ups, contact the customer and collect the money.'),
  role: 'cashier',
  needs: ['offline:accept', 'outbox:followUps', 'demo:offlineCode', 'demo:network', 'demo:offlineDecline'],
  prepare: CLEAN_SLATE,
  cleanup: CLEAN_SLATE,
  steps: [
    loginStep('cashier', CASHIER),
    {
      id: 'accept-with-contact',
      instruction: m('网络断了。孙小明用离线付款码付 20.00 元：收款时请在“顾客联系方式”里填上他的手机号（13800138000），以便被拒付时联系他。',
        'The network is down. Sun Xiaoming pays ¥20.00 with an offline code: when accepting, fill in his phone number (13800138000) as the contact, so he can be reached if it is declined.'),
      phoneWallet: DEMO_WALLET.nearlyEmpty,
      setup: [{ call: 'demo:network', input: { preset: 'offline' } }],
      done: [{ call: 'offline:accept', ok: true, where: { state: 'accepted_offline' } }],
      remember: [
        { key: 'order', path: 'orderNo' },
        { key: 'amount', path: 'amountFen' },
      ],
      wrong: [onlineCodeWhileOffline],
      expected: [
        {
          when: { call: 'offline:accept', ok: false, errorCode: 'offline.risk.*' },
          message: m('离线额度不允许这笔：请收现金，或等网络恢复。', 'The offline budget does not allow this one: take cash, or wait for the network.'),
        },
      ],
    },
    {
      id: 'see-pending',
      instruction: m('告诉顾客“离线受理，待上传”。打开“待上传”页面，找到这笔待上传的付款。',
        'Tell the customer “accepted offline, pending”. Open the Forwarding screen and find the payment waiting there.'),
      done: [{ call: 'outbox:list', ok: true }],
    },
    {
      id: 'declined',
      instruction: m('网络恢复了。打开“待上传”，点“立即上传”，看这笔的结果。', 'The network is back. Open “Forwarding”, press “Send now”, and see what happens to the payment.'),
      // His wallet turns out empty at the acquirer (the phone panel's offline wallet for 孙小明),
      // then the link returns: the payment is forwarded and declined, as it would be in the field.
      setup: [
        { call: 'demo:offlineDecline', input: { wallet: DEMO_OFFLINE_WALLET.nearlyEmpty } },
        { call: 'demo:network', input: { preset: 'online' } },
      ],
      done: [{ event: 'payments:changed', where: { state: 'declined_after_forwarding', orderNo: { mem: 'order' } } }],
      doneFeedback: {
        kind: 'expected',
        message: m('收单机构拒绝了这笔离线付款（顾客钱包余额不足）。货已给出，钱没收到：需要联系顾客补款。',
          'The acquirer declined this offline payment (the wallet had too little money). The goods are gone and the money is not in: the customer must be contacted.'),
      },
    },
    {
      id: 'open-follow-ups',
      instruction: m('打开“需跟进”列表，找到这笔被拒的付款和顾客的联系方式。', 'Open the follow-up list and find the declined payment with the customer’s contact.'),
      done: [{ call: 'outbox:followUps', ok: true }],
    },
    {
      id: 'collect',
      instruction: m('顾客回到店里，用现金补付同样的金额。请记一笔现金收款，金额与被拒的那笔相同。',
        'The customer comes back and pays the same amount in cash. Record a cash sale of the same amount as the declined one.'),
      done: [{ call: 'payments:cash', ok: true, where: { amountFen: { mem: 'amount' } } }],
      wrong: [
        {
          when: { call: 'payments:cash', ok: true },
          message: m('金额不对：补款应与被拒的那笔金额相同（20.00 元）。', 'The amount is wrong: the customer makes good the declined amount (¥20.00).'),
        },
      ],
    },
  ],
  takeaway: m('离线收款有被拒的风险：留下联系方式，在“需跟进”里跟踪，补款后记账。',
    'Offline payments can be declined later: take a contact, follow up under follow-ups, and record the repayment.'),
};

const refundApproval: LessonDef = {
  id: 'refund-approval',
  title: m('需要主管复核的退款', 'A refund with supervisor approval'),
  goal: m('大额退款要主管复核：主管本人选择自己并输入 PIN，收银员不能代替。', 'A large refund needs a supervisor’s approval: the supervisor picks themself and types their own PIN.'),
  role: 'cashier',
  needs: ['payments:charge', 'payments:refund', 'demo:paymentCode'],
  prepare: CLEAN_SLATE,
  cleanup: CLEAN_SLATE,
  steps: [
    loginStep('cashier', CASHIER),
    {
      id: 'sale',
      instruction: m('先收一笔 300.00 元的扫码付款（手机面板出示付款码并扫入）。', 'First take a ¥300.00 scan payment (payment code on the phone panel, scanned in).'),
      phoneWallet: DEMO_WALLET.plain,
      done: [{ event: 'payments:changed', where: { state: 'succeeded', amountFen: 30000 } }],
      remember: [{ key: 'order', path: 'orderNo' }],
      wrong: [tookCashInstead, scannedNotACode],
    },
    {
      id: 'refund',
      instruction: m('顾客退货。在“交易记录”里找到这笔 300.00 元，全额退款，原因填“退货”。超过限额时请主管（李强，PIN 2222）在同一界面复核。',
        'The customer returns the goods. Find the ¥300.00 payment under History and refund it in full, reason “returned”. Above the limit the supervisor (Li Qiang, PIN 2222) approves on the same screen.'),
      done: [{ event: 'refunds:changed', where: { state: 'succeeded', orderNo: { mem: 'order' }, approverId: { present: true } } }],
      expected: [
        {
          when: { call: 'payments:refund', ok: false, errorCode: 'auth.approval_required' },
          message: m('退款被拒：这个金额需要主管复核。请主管本人选择自己的名字并输入 PIN，再提交一次。',
            'Refused: this amount needs a supervisor’s approval. The supervisor picks their own name and types their PIN, then submit again.'),
        },
      ],
      wrong: [
        {
          when: { call: 'payments:refund', ok: false, errorCode: 'auth.approver_invalid' },
          message: m('复核无效：复核人必须是另一位主管或管理员，并输入他自己的 PIN。收银员不能替主管输入。',
            'The approval is not valid: the approver must be a different supervisor or admin typing their own PIN. A cashier never types it for them.'),
        },
        {
          when: { call: 'payments:refund', ok: false, errorCode: 'refund.exceeds' },
          message: m('退款金额超过了可退金额。全额退款就是 300.00 元，不能更多。', 'The refund is more than was paid. A full refund is ¥300.00, no more.'),
        },
        {
          when: { event: 'refunds:changed', where: { state: 'succeeded', approverId: { present: false } } },
          message: m('这笔退款没有主管复核。按本店规定，大额退款必须主管复核。', 'This refund went through without a supervisor’s approval; by the shop’s rule a large refund needs one.'),
        },
      ],
    },
  ],
  takeaway: m('大额退款必须双人复核：主管本人到场输入 PIN，退款只能退回原付款方式，且不超过原金额。',
    'A large refund is dual-controlled: the supervisor is present and types their own PIN; the refund goes back to the original payment, never more than it.'),
};

const withdrawalLimit: LessonDef = {
  id: 'withdrawal-limit',
  title: m('助农取款碰到每日限额', 'Assisted withdrawal hits the daily limit'),
  goal: m('助农取款每人每天最多 1,000 元，10 元的整数倍；超限时告诉村民今天还能取多少。',
    'Assisted withdrawal is at most ¥1,000 per person per day, in multiples of ¥10; over the limit, tell the villager how much is still allowed today.'),
  role: 'agent',
  needs: ['agent:withdraw', 'agent:floatOpen', 'payments:charge', 'demo:paymentCode'],
  prepare: CLEAN_SLATE,
  cleanup: CLEAN_SLATE,
  steps: [
    loginStep('agent', AGENT),
    {
      id: 'open-float',
      instruction: m('开班：在“助农服务 → 备用金”里登记钱箱里的现金 2,000.00 元。', 'Open the day: under Service point → Cash float, record ¥2,000.00 counted in the drawer.'),
      done: [
        { call: 'agent:floatOpen', ok: true },
        // Already opened earlier today in this class: the step is met.
        { call: 'agent:floatOpen', ok: false, errorCode: 'agent.float_open' },
      ],
    },
    {
      id: 'withdraw-800',
      instruction: m('村民王叔（手机 13800138000）要取 800 元：输入手机号和金额，请他出示付款码并扫入，确认成功后付现金。',
        'Uncle Wang (phone 13800138000) wants ¥800: type the phone number and amount, scan his payment code, and hand out cash once it succeeds.'),
      phoneWallet: DEMO_WALLET.rich,
      done: [{ event: 'agent:withdrawalChanged', where: { state: 'paid', amountFen: 80000 } }],
      wrong: [
        {
          when: { call: 'agent:withdraw', ok: false, errorCode: 'agent.withdraw_step' },
          message: m('取款金额必须是 10 元的整数倍，至少 10 元。请改成 800。', 'A withdrawal must be a multiple of ¥10, at least ¥10. Make it 800.'),
        },
      ],
    },
    {
      id: 'withdraw-300',
      instruction: m('下午王叔又来了，要再取 300 元。请照常办理。', 'In the afternoon Uncle Wang comes back for another ¥300. Go ahead as usual.'),
      done: [{ call: 'agent:withdraw', ok: false, errorCode: 'agent.daily_limit' }],
      doneFeedback: {
        kind: 'expected',
        message: m('系统拒绝了：每人每天最多取 1,000 元，他今天已取 800 元，只能再取 200 元。请如实告诉他。',
          'Refused: at most ¥1,000 per person per day; he has taken ¥800, so only ¥200 more today. Tell him so plainly.'),
      },
      wrong: [
        {
          when: { event: 'agent:withdrawalChanged', where: { state: 'paid' } },
          message: m('这笔取款办成了，但没有用王叔的手机号，限额就查不到他今天已取的钱。同一位村民要用同一个手机号。',
            'That withdrawal went through because it was not under Uncle Wang’s phone number, so his earlier withdrawal was not counted. Use the same customer’s phone number.'),
        },
      ],
    },
    {
      id: 'withdraw-200',
      instruction: m('王叔同意今天先取 200 元。请为他办理 200 元。', 'Uncle Wang agrees to take ¥200 today. Make the ¥200 withdrawal for him.'),
      done: [{ event: 'agent:withdrawalChanged', where: { state: 'paid', amountFen: 20000 } }],
      wrong: [
        {
          when: { call: 'agent:withdraw', ok: false, errorCode: 'agent.daily_limit' },
          message: m('还是超过了限额：他今天只剩 200 元可取。请把金额改成 200。', 'Still over the limit: he has only ¥200 left today. Make the amount 200.'),
        },
      ],
    },
  ],
  takeaway: m('助农取款：每人每日 1,000 元、10 元整数倍；确认付款成功后再付现金，请村民在收据上签字。',
    'Assisted withdrawal: ¥1,000 per person per day, multiples of ¥10; hand out cash only after the payment succeeds, and have the villager sign the receipt.'),
};

const fakeStaticQr: LessonDef = {
  id: 'fake-static-qr',
  title: m('识别被替换的静态收款码', 'Spot a fake or pasted-over static QR'),
  goal: m('只让顾客扫收银台为这笔订单生成的动态二维码；静态收款贴纸可能被人覆盖替换。',
    'Only let customers scan the dynamic QR the terminal makes for this order; a static sticker can be pasted over by a fraudster.'),
  role: 'cashier',
  needs: ['payments:charge', 'payments:precreate'],
  prepare: CLEAN_SLATE,
  cleanup: CLEAN_SLATE,
  steps: [
    loginStep('cashier', CASHIER),
    {
      id: 'which-qr',
      instruction: m('看下面两张图：顾客要付 25.00 元。应该让顾客扫哪一个二维码？', 'Look at the two pictures: the customer owes ¥25.00. Which QR should the customer scan?'),
      quiz: {
        question: m('应该让顾客扫哪一个？', 'Which one should the customer scan?'),
        choices: [
          {
            id: 'dynamic',
            label: m('顾客显示屏上的二维码：显示金额 25.00 元和倒计时', 'The QR on the customer display, showing ¥25.00 and a countdown'),
            picture: { kind: 'dynamic_qr', content: GENUINE_DYNAMIC_QR, amountFen: 2500 },
          },
          {
            id: 'sticker',
            label: m('柜台上贴着的收款二维码贴纸', 'The QR sticker stuck on the counter'),
            picture: { kind: 'static_sticker', content: FAKE_STATIC_QR, amountFen: null },
          },
        ],
        correct: 'dynamic',
        explain: {
          sticker: m('不对。静态贴纸谁都能复制或覆盖，钱可能付到骗子的账户，而且不带金额和有效期。请使用收银台为这笔订单生成的动态二维码。',
            'No. Anyone can copy or cover a static sticker, so the money may go to a fraudster, and it carries no amount or expiry. Use the dynamic QR the terminal makes for this order.'),
        },
        because: m('对！动态码每笔订单都不同，带金额和有效期，过期作废，复制了也没用。', 'Right! A dynamic code is new for every order, carries the amount and an expiry, and is useless once copied.'),
      },
    },
    {
      id: 'spot-sticker',
      instruction: m('再看那张贴纸：哪一点说明它可能被人覆盖替换了？', 'Look at the sticker again: what shows it may have been pasted over?'),
      quiz: {
        question: m('哪一点说明贴纸可能被替换？', 'What gives the pasted-over sticker away?'),
        choices: [
          { id: 'edges', label: m('贴纸边缘有另一张贴纸的痕迹，收款人不是本店', 'The edges of a second sticker show, and the payee is not this shop'), picture: null },
          { id: 'colour', label: m('二维码是黑白的', 'The QR is black and white'), picture: null },
          { id: 'square', label: m('二维码是方形的', 'The QR is square'), picture: null },
        ],
        correct: 'edges',
        explain: {
          colour: m('不对：所有二维码都是黑白的。要看贴纸有没有叠贴的边缘、收款人名字是不是本店。',
            'No: every QR is black and white. Look for the edge of a sticker on top of another and whether the payee is this shop.'),
          square: m('不对：所有二维码都是方形的。要看贴纸有没有叠贴的边缘、收款人名字是不是本店。',
            'No: every QR is square. Look for the edge of a sticker on top of another and whether the payee is this shop.'),
        },
        because: m('对！叠贴的边缘、收款人不是本店，都是被替换的迹象。发现后撕掉贴纸并报告收单机构。',
          'Right! A sticker edge on top of another and a payee that is not the shop are the signs. Remove it and tell the acquirer.'),
      },
    },
    {
      id: 'scan-sticker',
      instruction: m('有人拿来一张静态收款码的照片，要你“扫一下收钱”。在手机面板点“静态贴纸”，再扫入收银台，看看会怎样（输入任意金额）。',
        'Someone shows a photo of a static collection code and asks you to “scan it to get paid”. On the phone panel choose “Static sticker” and scan it into the checkout (any amount).'),
      done: [{ call: 'payments:charge', ok: false, errorCode: 'code.*' }],
      doneFeedback: {
        kind: 'expected',
        message: m('收银台拒绝了：静态收款码不是顾客的付款码，联网之前就被拦下，没有扣款也没有付款。',
          'The terminal refused it: a static collection code is not a customer’s payment code. It was stopped before any network call: nothing was charged or paid.'),
      },
    },
    {
      id: 'show-dynamic',
      instruction: m('现在用正确的方法：在收银界面输入 25.00，选“出示收款码”，让顾客扫顾客显示屏上的动态二维码。',
        'Now the right way: type 25.00 on the checkout and choose “Show QR to customer”, so the customer scans the dynamic QR on the customer display.'),
      done: [
        { call: 'payments:precreate', ok: true },
        { event: 'payments:changed', where: { state: 'awaiting_scan' } },
      ],
    },
  ],
  takeaway: m('只用收银台生成的动态码收款；发现柜台贴纸被覆盖，立即撕掉并报告。静态收款码扫进收银台不会收到钱。',
    'Take payment only with the terminal’s dynamic code; if a counter sticker has been pasted over, remove it and report it. A static code scanned into the till takes no money.'),
};

export const LESSONS: readonly LessonDef[] = [
  normalPayment,
  passwordPayment,
  offlineForward,
  declineFollowUp,
  refundApproval,
  withdrawalLimit,
  fakeStaticQr,
];
