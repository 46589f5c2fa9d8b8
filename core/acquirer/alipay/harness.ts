/**
 * Tests only: the Alipay adapter as a money-test harness (core/payments/harness.ts): the fake
 * gateway is the acquirer's side, the engine's fault rules are played on it (what Alipay would
 * answer for each), and its books come from the fake's trades (../wallet-harness.ts).
 * Not imported by production code.
 */
import type { AcquirerHarness } from '../../payments/harness';
import type { FaultOp, FaultRule } from '../simulator/faults';
import { customerOver, playTransportFault, startWalletSide } from '../wallet-harness';
import { AlipayAcquirer } from './adapter';
import { FakeAlipayGateway, type AlipayScript } from './fake-gateway';
import { ALIPAY_APP_ID, rsaPair } from './test-kit';

const OP_OF: Record<string, FaultOp> = {
  'alipay.trade.pay': 'pay',
  'alipay.trade.query': 'query',
  'alipay.trade.cancel': 'cancel',
  'alipay.trade.refund': 'refund',
  'alipay.trade.fastpay.refund.query': 'refund_query',
  'alipay.trade.precreate': 'precreate',
};

const DECLINE_SUB: Record<string, string> = { NOT_ENOUGH: 'ACQ.BUYER_BALANCE_NOT_ENOUGH', LIMIT_EXCEEDED: 'ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR' };
const refusal = (sub: string): AlipayScript => ({ answer: { code: '40002', msg: 'Invalid Arguments', sub_code: sub } });

/** A fault rule as Alipay's gateway would meet it; undefined: the call goes through. */
function play(r: FaultRule, op: FaultOp): AlipayScript | undefined {
  const common = playTransportFault(r, op);
  if (common !== null) return common;
  switch (r.kind) {
    case 'decline':
      return op === 'pay' ? { answer: { code: '40004', msg: 'Business Failed', sub_code: DECLINE_SUB[r.reason] ?? 'ACQ.PAYMENT_FAIL' } } : undefined;
    case 'refuse_auth':
      return refusal('isv.invalid-signature');
    case 'refuse_stale':
      return refusal('isv.invalid-timestamp');
    case 'clock_skew':
      // Alipay's window is a few minutes; within it the skew changes nothing.
      return Math.abs(r.skewMs ?? 0) > 5 * 60_000 ? refusal('isv.invalid-timestamp') : undefined;
    default:
      return undefined;
  }
}

export const alipayHarness: AcquirerHarness = {
  name: 'alipay',
  async start() {
    const app = rsaPair();
    const platform = rsaPair();
    const fake = await new FakeAlipayGateway({ appId: ALIPAY_APP_ID, appPublicKey: app.publicPem, platformPrivateKey: platform.privatePem }).start();
    return startWalletSide({
      fake,
      codePrefix: '28',
      wallets: { plain: ['A01', 'A02', 'A03', 'A04'], password: ['A05', 'A06'] },
      play,
      opOf: OP_OF,
      link: { url: fake.url, ca: fake.ca, appPrivateKey: app.privatePem, alipayPublicKey: platform.publicPem },
      orders: () => [...fake.orders].map(([orderNo, o]) => ({
        orderNo, amountFen: o.amountFen, paid: !!o.paidAt, reversed: !!o.reversed, refundedFen: o.refundedFen, tradeNo: o.tradeNo, code: o.code, status: o.status,
      })),
      refunds: () => fake.refunds.map((r) => ({ orderNo: r.orderNo, refNo: r.requestNo, amountFen: r.amountFen })),
      payQr: (orderNo) => fake.buyerPays(orderNo),
    });
  },
  connect(link, timings, probe) {
    const acquirer = new AlipayAcquirer({
      appId: ALIPAY_APP_ID,
      keys: { mode: 'public_key', appPrivateKey: link.appPrivateKey, alipayPublicKey: link.alipayPublicKey },
      gateway: link.url,
      timings,
      probe,
      ca: link.ca,
    });
    return { acquirer, customer: customerOver(link.control) };
  },
};
