/**
 * What the cashier is told, in zh-CN and en, for each state of a payment: what happened and
 * what to do next. One place, so the words for "not charged" and "charged" never get mixed up.
 */
import type { Message, PaymentState } from '../api/payments';
import { formatFen } from '../money';

export function messageFor(state: PaymentState, amountFen: number, detail?: { zh: string; en: string } | null): Message {
  const y = formatFen(amountFen);
  switch (state) {
    case 'created':
      return { zh: `正在发起收款 ¥${y}…`, en: `Starting the charge of ¥${y}…` };
    case 'paying':
      return { zh: `正在收款 ¥${y}，请稍候…`, en: `Charging ¥${y}, please wait…` };
    case 'userpaying':
      return { zh: `请顾客在手机上输入支付密码（¥${y}）。`, en: `Ask the customer to enter their wallet password (¥${y}).` };
    case 'unknown':
      return {
        zh: `网络异常，结果未知，正在查询（¥${y}）。请勿重复收款。`,
        en: `Network trouble: the result is not known yet; checking (¥${y}). Do not charge again.`,
      };
    case 'cancelling':
      return {
        zh: `未能确认支付结果，正在撤销订单（¥${y}）。请勿重复收款。`,
        en: `The payment could not be confirmed; cancelling the order (¥${y}). Do not charge again.`,
      };
    case 'awaiting_scan':
      return { zh: `请顾客扫描屏幕上的二维码付款 ¥${y}。`, en: `Ask the customer to scan the QR code on screen to pay ¥${y}.` };
    case 'accepted_offline':
      return { zh: `已离线受理 ¥${y}，待联网后确认。`, en: `Accepted offline (¥${y}); to be confirmed when back online.` };
    case 'succeeded':
      return { zh: `收款成功 ¥${y}。`, en: `Payment received: ¥${y}.` };
    case 'failed':
      return detail
        ? { zh: `收款失败，未扣款：${detail.zh}`, en: `Payment failed, nothing was charged: ${detail.en}` }
        : { zh: '收款失败，未扣款。', en: 'Payment failed; nothing was charged.' };
    case 'cancelled':
      return {
        zh: `订单已撤销，顾客未被扣款（如已扣款将原路退回）。可重新收款 ¥${y}；网络不通时请顾客出示离线付款码，或改用现金/赊账。`,
        en: `The order was cancelled; the customer is not charged (any charge is returned). Charge ¥${y} again; if the network is down, take the customer's offline payment code, cash or credit.`,
      };
    case 'closed':
      return { zh: '二维码已过期，未收款。', en: 'The QR code expired unpaid.' };
    case 'declined_after_forwarding':
      return { zh: `离线受理的 ¥${y} 被拒付，请联系顾客。`, en: `The offline payment of ¥${y} was declined later; contact the customer.` };
  }
}

/**
 * A charge still unresolved once the customer's code is past its life (release.ts): the
 * cashier takes another tender now; this one is cancelled in the background and, if it turns
 * out paid, reversed automatically and listed for follow-up. Never kept as a second payment.
 */
export function releasedMessage(amountFen: number): Message {
  const y = formatFen(amountFen);
  return {
    zh: `付款码已失效，这笔 ¥${y} 仍未确认。请改收现金、离线付款码或赊账；这笔会在后台撤销，如顾客已被扣款将自动退回，并列入待跟进。`,
    en: `The payment code has expired and this ¥${y} is still unconfirmed. Take cash, the offline payment code or credit instead; this one is cancelled in the background, and any charge is returned automatically and listed for follow-up.`,
  };
}
