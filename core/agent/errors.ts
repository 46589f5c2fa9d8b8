/** Errors an agent can meet at the service point: plain words, what to do next, both languages. */
import { AppError } from '../api/errors';

const yuan = (fen: number) => `${Math.floor(fen / 100)}`;

export const AgentErrors = {
  withdrawStep: () =>
    new AppError('agent.withdraw_step', '取款金额须为 10 元的整数倍，至少 10 元。请改正金额。',
      'The withdrawal must be a multiple of ¥10, at least ¥10. Correct the amount.'),
  dailyLimit: (remainingFen: number) =>
    new AppError('agent.daily_limit',
      `超过每人每日 1000 元的取款限额。该客户今天还可取 ${yuan(remainingFen)} 元。`,
      `Over the ¥1,000 per customer per day withdrawal limit. This customer can still take ¥${yuan(remainingFen)} today.`,
      { remainingFen }),
  floatNotOpen: () =>
    new AppError('agent.float_not_open', '今天还没有清点备用金。请先在“备用金”里登记开班现金。',
      'Today’s cash float has not been counted yet. Record the opening count under “Cash float” first.'),
  floatAlreadyOpen: () =>
    new AppError('agent.float_open', '今天的开班现金已经登记过了。', 'Today’s opening count is already recorded.'),
  floatClosed: () =>
    new AppError('agent.float_closed', '今天已经结班，不能再动用备用金。', 'Today’s float is closed; no more cash movements today.'),
  notEnoughCash: (availableFen: number) =>
    new AppError('agent.not_enough_cash', `钱箱现金不足（可用 ${yuan(availableFen)} 元）。请先补充现金或减少金额。`,
      `Not enough cash in the drawer (¥${yuan(availableFen)} available). Add cash or lower the amount.`, { availableFen }),
  offline: () =>
    new AppError('agent.offline', '网络不通，此业务需要联网。请等网络恢复后再办理。',
      'No network: this service needs a connection. Try again when the network is back.'),
  unknownBiller: () => new AppError('agent.unknown_biller', '没有这个缴费单位，请重新选择。', 'No such biller; choose again.'),
  noSuchAccount: () =>
    new AppError('agent.no_such_account', '查不到这个户号，请核对后重新输入。', 'No such account number; check it and type it again.'),
  notFound: () => new AppError('agent.not_found', '没有这笔记录。', 'No such record.'),
  billNotRefused: () =>
    new AppError('agent.bill_not_refused', '这笔缴费没有被缴费单位拒绝，现金不退还客户。', 'The biller did not refuse this bill, so its cash is not given back.'),
  billRefused: () =>
    new AppError('agent.bill_refused', '缴费单位拒绝了这笔缴费（培训模拟：该户暂停代收）。',
      'The biller refused this bill (training simulation: the account takes no payments now).'),
  demoOnly: () => new AppError('demo.only', '此功能仅在培训模式下可用。', 'This is available in training (demo) mode only.'),
  serviceUnavailable: () =>
    new AppError('feature.unavailable', '收单机构尚未开通此项助农业务。', 'The acquirer does not offer this service-point service yet.'),
  chargeUnavailable: () =>
    new AppError('feature.unavailable', '扫码收款模块尚未启用，暂时不能办理取款。',
      'The payment module is not available yet, so withdrawals cannot be made.'),
};
