/**
 * Tests only: the WeChat Pay adapter as a money-test harness (core/payments/harness.ts): the
 * fake gateway is the acquirer's side, the engine's fault rules are played on it (what WeChat
 * would reply for each), and its books come from the fake's orders (../wallet-harness.ts).
 * WeChat v2 code payment shows no merchant QR here, so the QR steps end at "not offered".
 * Not imported by production code.
 */
import type { AcquirerHarness } from '../../payments/harness';
import type { FaultOp, FaultRule } from '../simulator/faults';
import { customerOver, playTransportFault, startWalletSide } from '../wallet-harness';
import { WechatAcquirer } from './adapter';
import { FakeWechatGateway, type WechatScript } from './fake-gateway';
import { WECHAT_API_KEY, WECHAT_APP_ID, WECHAT_MCH_ID } from './test-kit';

const OP_OF: Record<string, FaultOp> = {
  '/pay/micropay': 'pay',
  '/pay/orderquery': 'query',
  '/secapi/pay/reverse': 'cancel',
  '/secapi/pay/refund': 'refund',
  '/pay/refundquery': 'refund_query',
};

/** A fault rule as WeChat's gateway would meet it; undefined: the call goes through. */
function play(r: FaultRule, op: FaultOp): WechatScript | undefined {
  const common = playTransportFault(r, op);
  if (common !== null) return common;
  switch (r.kind) {
    case 'decline':
      return op === 'pay' ? { answer: { result_code: 'FAIL', err_code: r.reason === 'NOT_ENOUGH' ? 'NOTENOUGH' : 'TRADE_ERROR' } } : undefined;
    case 'refuse_auth':
      return { answer: { return_code: 'FAIL', return_msg: '签名错误' } };
    case 'refuse_stale':
      // v2 requests carry no timestamp: the nearest refusal of the request itself.
      return { answer: { result_code: 'FAIL', err_code: 'INVALID_REQUEST', err_code_des: '参数错误' } };
    default:
      // clock_skew: v2 requests carry no timestamp, so no clock can be off for WeChat.
      return undefined;
  }
}

export const wechatHarness: AcquirerHarness = {
  name: 'wechat',
  async start() {
    const fake = await new FakeWechatGateway({ appId: WECHAT_APP_ID, mchId: WECHAT_MCH_ID, apiKey: WECHAT_API_KEY }).start();
    return startWalletSide({
      fake,
      codePrefix: '13',
      wallets: { plain: ['W01', 'W02', 'W03', 'W04'], password: ['W05', 'W06'] },
      play,
      opOf: OP_OF,
      link: { url: fake.url, ca: fake.ca, cert: fake.clientCert.cert, key: fake.clientCert.key },
      orders: () => [...fake.orders].map(([orderNo, o]) => ({
        orderNo, amountFen: o.fen, paid: !!o.paidAt, reversed: !!o.paidAt && o.state === 'REVOKED', refundedFen: o.refundedFen, tradeNo: o.txId, code: o.code, status: o.state,
      })),
      refunds: () => fake.refunds.map((r) => ({ orderNo: r.orderNo, refNo: r.refundNo, amountFen: r.fen })),
      payQr: null,
    });
  },
  connect(link, timings, probe) {
    const acquirer = new WechatAcquirer({
      appId: WECHAT_APP_ID,
      mchId: WECHAT_MCH_ID,
      apiKey: WECHAT_API_KEY,
      signType: 'HMAC-SHA256',
      clientCert: { cert: link.cert, key: link.key },
      baseUrl: link.url,
      timings,
      probe,
      ca: link.ca,
    });
    return { acquirer, customer: customerOver(link.control) };
  },
};
