/**
 * Words for the cashier when a wallet's acquirer (Alipay, WeChat Pay) declines: each wire code
 * is mapped in that adapter's mapping file onto one of these plain reasons, so the cashier reads
 * the same sentence whatever wallet the customer used. The reason code kept on the payment is the
 * wire code itself (e.g. `ACQ.BUYER_BALANCE_NOT_ENOUGH`), so support can still look it up.
 */
import { decline } from './sandbox/mapping';
import type { Decline } from './types';

const EXTRA: Record<string, { zh: string; en: string }> = {
  ORDER_CLOSED: { zh: '收单机构已关闭该订单，未扣款。', en: 'The acquirer closed the order; nothing was charged.' },
  MERCHANT_SETUP: {
    zh: '收款账户配置或权限有问题，未扣款。请联系维护人员检查收单机构连接。',
    en: 'The merchant account’s setup or permissions were refused; nothing was charged. Ask support to check the acquirer connection.',
  },
  REFUND_PAST_WINDOW: { zh: '已超过可退款期限，未退款。', en: 'Past the refund window; nothing was refunded.' },
  REFUND_MERCHANT_BALANCE: { zh: '商户可用余额不足，未退款。请补足余额后重试。', en: 'The merchant balance is too low; nothing was refunded. Top it up and try again.' },
  REFUND_NUMBER_REUSED: { zh: '退款单号已被另一笔退款用过，未退款。', en: 'The refund number was already used for another refund; nothing was refunded.' },
  REFUND_ABNORMAL: {
    zh: '退款未能退回顾客账户（如银行卡已注销），需在商户平台人工处理。',
    en: 'The refund could not reach the customer’s account (e.g. a closed bank card); settle it by hand on the merchant platform.',
  },
  NOT_OFFERED: { zh: '该收单机构不提供此项服务。', en: 'This acquirer does not offer this service.' },
};

/** Generic words (`CODE_INVALID`, `NOT_ENOUGH`, …, or one above) under the wire code `wire`. */
export function walletDecline(generic: string, wire: string): Decline {
  const w = EXTRA[generic] ?? decline(generic);
  return { reason: wire, zh: w.zh, en: w.en };
}
