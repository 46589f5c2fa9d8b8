/**
 * "Test connection" for the wallets' acquirers: a signed query of an order number that cannot
 * exist (`CONNTEST` + random). The documented "not found" answer (Alipay `ACQ.TRADE_NOT_EXIST`,
 * WeChat `ORDERNOTEXIST`), signed by the platform and verified here, proves the address, the
 * app or merchant ids, our signing key, the platform's key and the clock at once. WeChat also
 * gets a reverse of that number over mutual TLS, which proves the API client certificate (it
 * closes a number nobody will use). Each failure is told apart, in words naming who fixes it.
 *
 * Invariants: nothing here moves money; keys are used to sign and verify only, never in a
 * result (`detail` is an error code or a wire code).
 */
import crypto from 'node:crypto';
import type { AlipayAcquirer } from './alipay/adapter';
import type { WechatAcquirer } from './wechat/adapter';

export type WalletTestOutcome =
  | 'ok'
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'clock_skew'
  /** Our signature was refused: the app private key (Alipay) or the API key (WeChat). */
  | 'key_refused'
  /** The answer's signature does not verify: Alipay's public key or certificate, or WeChat's API key. */
  | 'platform_key_wrong'
  /** The app id or merchant id is not known, or they do not belong together. */
  | 'wrong_app'
  /** The product (当面付 / 付款码支付) is not activated for this app or merchant. */
  | 'no_permission'
  /** WeChat refused the API client certificate. */
  | 'client_cert_refused'
  /** Something answered, but not the platform's API. */
  | 'not_acquirer'
  | 'server_error';

export interface WalletTestResult {
  outcome: WalletTestOutcome;
  rttMs: number | null;
  detail: string;
  zh: string;
  en: string;
}

const WORDS: Record<WalletTestOutcome, { zh: string; en: string }> = {
  ok: { zh: '连接正常：密钥、证书和时钟都已被确认。', en: 'Connected: keys, certificates and clock confirmed.' },
  unreachable: { zh: '无法连接：请检查网络。', en: 'Cannot connect: check the network.' },
  timeout: { zh: '连接超时：网络太慢或不通，请稍后再试。', en: 'Timed out: the network is slow or down; try again later.' },
  tls: { zh: '安全连接（证书）失败：请检查电脑时间和网络（是否被代理拦截）。', en: 'The secure connection (certificate) failed: check the PC’s clock and whether a proxy intercepts the network.' },
  clock_skew: { zh: '电脑时间不准，请求被拒绝：请校准时间后重试。', en: 'The PC’s clock is off and the request was refused: set the time and try again.' },
  key_refused: { zh: '平台拒绝了本机签名：请核对应用私钥（支付宝）或 API 密钥（微信支付）。', en: 'The platform refused our signature: check the app private key (Alipay) or the API key (WeChat Pay).' },
  platform_key_wrong: { zh: '平台应答的签名无法验证：请核对支付宝公钥/证书（支付宝）或 API 密钥（微信支付）。', en: 'The platform’s answer does not verify: check Alipay’s public key or certificates (Alipay) or the API key (WeChat Pay).' },
  wrong_app: { zh: 'AppID 或商户号不正确，或两者不匹配：请核对平台发放的编号。', en: 'The app id or merchant id is wrong, or they do not belong together: check the ids the platform issued.' },
  no_permission: { zh: '该应用/商户未开通当面付或付款码支付：请在平台开通产品后再试。', en: 'Face-to-Face or code payment is not activated for this app or merchant: activate it on the platform, then try again.' },
  client_cert_refused: { zh: '微信支付拒绝了 API 证书：请核对 apiclient_cert.pem 和 apiclient_key.pem。', en: 'WeChat Pay refused the API certificate: check apiclient_cert.pem and apiclient_key.pem.' },
  not_acquirer: { zh: '该地址有应答，但不是支付平台的接口：请核对网关地址。', en: 'Something answers at this address, but not the payment platform’s API: check the gateway address.' },
  server_error: { zh: '支付平台暂时不可用，请稍后再试。', en: 'The payment platform is unavailable for now; try again later.' },
};

function result(outcome: WalletTestOutcome, rttMs: number | null, detail: string): WalletTestResult {
  return { outcome, rttMs, detail: detail.slice(0, 80), ...WORDS[outcome] };
}

const testOrderNo = () => `CONNTEST${crypto.randomBytes(8).toString('hex').toUpperCase()}`;

function transport(why: string, maybeDelivered: boolean): WalletTestOutcome {
  if (/CERT|SELF_SIGNED|TLS|SSL|certificate/i.test(why)) return 'tls';
  if (/timeout|TIMEOUT/.test(why)) return 'timeout';
  return maybeDelivered ? 'timeout' : 'unreachable';
}

export async function testAlipay(a: AlipayAcquirer): Promise<WalletTestResult> {
  const started = performance.now();
  const r = await a.call('alipay.trade.query', 'connection_test', { out_trade_no: testOrderNo() });
  const rtt = Math.round(performance.now() - started);
  if (r.kind === 'transport') return result(transport(r.why, r.maybeDelivered), null, r.why);
  // An HTTP 4xx: something answered that refuses gateway requests; as before, not Alipay's gateway.
  if (r.kind === 'rejected') return result('not_acquirer', rtt, `http ${r.httpStatus}`);
  if (r.kind === 'unverified') {
    if (/验签/.test(r.why)) return result('platform_key_wrong', rtt, 'answer signature');
    if (/HTTP 请求错误, status: 5/.test(r.why)) return result('server_error', rtt, r.why);
    return result('not_acquirer', rtt, r.why);
  }
  const b = r.body;
  const sub = b.sub_code ?? '';
  if (b.code === '40004' && sub === 'ACQ.TRADE_NOT_EXIST') return result('ok', rtt, sub);
  if (/invalid-signature|invalid-sign/.test(sub)) return result('key_refused', rtt, sub);
  if (/timestamp/.test(sub)) return result('clock_skew', rtt, sub);
  if (/app-id|app_id|cert-sn|appid/.test(sub)) return result('wrong_app', rtt, sub);
  if (b.code === '40006' || /permission|ACCESS_FORBIDDEN/i.test(sub)) return result('no_permission', rtt, sub);
  if (b.code === '20000' || sub === 'ACQ.SYSTEM_ERROR') return result('server_error', rtt, sub || String(b.code));
  return result('not_acquirer', rtt, `${String(b.code)} ${sub}`.trim());
}

export async function testWechat(w: WechatAcquirer): Promise<WalletTestResult> {
  const no = testOrderNo();
  const started = performance.now();
  const q = await w.call('/pay/orderquery', 'connection_test', { out_trade_no: no });
  const rtt = Math.round(performance.now() - started);
  const judge = (r: typeof q, expectNotFound: boolean): WalletTestResult | null => {
    if (r.kind === 'transport') return result(transport(r.why, r.maybeDelivered), null, r.why);
    if (r.kind === 'rejected') return result('not_acquirer', rtt, `http ${r.httpStatus}`);
    if (r.kind === 'unverified') return result(/signature/.test(r.why) ? 'platform_key_wrong' : /http 5/.test(r.why) ? 'server_error' : 'not_acquirer', rtt, r.why);
    const b = r.body;
    if (b.return_code === 'FAIL') {
      const m = b.return_msg ?? '';
      if (/证书/.test(m)) return result('client_cert_refused', rtt, 'return_code FAIL');
      if (/签名/.test(m)) return result('key_refused', rtt, 'return_code FAIL');
      if (/appid|mch_id|商户号/i.test(m)) return result('wrong_app', rtt, 'return_code FAIL');
      return result('not_acquirer', rtt, 'return_code FAIL');
    }
    const code = b.err_code ?? '';
    if (['SIGNERROR'].includes(code)) return result('key_refused', rtt, code);
    if (['APPID_NOT_EXIST', 'MCHID_NOT_EXIST', 'APPID_MCHID_NOT_MATCH'].includes(code)) return result('wrong_app', rtt, code);
    if (code === 'NOAUTH') return result('no_permission', rtt, code);
    if (code === 'SYSTEMERROR') return result('server_error', rtt, code);
    if (expectNotFound && code !== 'ORDERNOTEXIST') return result('not_acquirer', rtt, code || String(b.result_code));
    return null;
  };
  const first = judge(q, true);
  if (first) return first;
  // The API client certificate: a reverse of the same never-used number over mutual TLS.
  const rev = await w.call('/secapi/pay/reverse', 'connection_test', { out_trade_no: no }, true);
  return judge(rev, false) ?? result('ok', rtt, 'ORDERNOTEXIST');
}
