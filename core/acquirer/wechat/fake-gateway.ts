/**
 * Tests only (never shipped, never imported by app code): a fake WeChat Pay v2 gateway over
 * local HTTPS answering as the published 付款码支付 API documents, so the adapter and the engine
 * can be driven through every outcome without a real sandbox (none is reachable here).
 *
 * Independent of the adapter's side: XML is read with fast-xml-parser directly and written by
 * hand; MD5 and HMAC-SHA256 signatures are computed here with Node's crypto from WeChat's
 * published rule (sorted non-empty fields, `&key=`, upper-case hex), not with the library the
 * adapter uses. `secapi/*` needs the merchant's client certificate (mutual TLS), as WeChat does.
 * `next()` scripts what the following call of a path meets: any documented reply, a delay, the
 * reply lost after the work was committed, a wrong signature, an HTTP error.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { XMLParser } from 'fast-xml-parser';
import { generate } from 'selfsigned';
import { formatFen } from '../../money';
import { FakeGateway, type GatewayScript } from '../fake-kit';
import { testCertificate } from '../test-cert';

export interface WechatScript extends GatewayScript {
  /** Reply these fields (over return_code/result_code SUCCESS) instead of doing the work. */
  answer?: Record<string, string>;
}

interface Order {
  fen: number;
  state: 'SUCCESS' | 'USERPAYING' | 'CLOSED' | 'REVOKED' | 'PAYERROR' | 'REFUND';
  txId: string;
  paidAt?: number;
  refundedFen: number;
  /** The customer's payment code (`auth_code`) the order was charged with. */
  code?: string;
}

interface Refund {
  orderNo: string;
  refundNo: string;
  fen: number;
  at: number;
  status: 'SUCCESS' | 'PROCESSING' | 'CHANGE' | 'REFUNDCLOSE';
}

/** WeChat's v2 signature, written from the published rule. */
export function wechatSign(fields: Record<string, string>, key: string, type: string): string {
  const s = Object.keys(fields).filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] !== undefined).sort().map((k) => `${k}=${fields[k]}`).join('&') + `&key=${key}`;
  const h = type === 'HMAC-SHA256' ? crypto.createHmac('sha256', key).update(s, 'utf8') : crypto.createHash('md5').update(s, 'utf8');
  return h.digest('hex').toUpperCase();
}

function xml(fields: Record<string, string>): string {
  return `<xml>${Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;
}

/** micropay `err_code`s that are WeChat's decision about the order (not charged, kept). */
const PAY_DECIDED = new Set(['AUTHCODEEXPIRE', 'AUTH_CODE_ERROR', 'AUTH_CODE_INVALID', 'NOTENOUGH', 'NOTSUPORTCARD', 'BUYER_MISMATCH', 'TRADE_ERROR']);

const parser = new XMLParser({ parseTagValue: false, processEntities: false });

function beijingText(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export interface FakeWechatOptions {
  appId: string;
  mchId: string;
  apiKey: string;
}

export class FakeWechatGateway extends FakeGateway<WechatScript> {
  readonly orders = new Map<string, Order>();
  readonly refunds: Refund[] = [];
  readonly calls: string[] = [];
  private seq = 0;
  url = '';
  ca = '';
  /** The merchant's API client certificate, as the merchant platform issues it. */
  clientCert = { cert: '', key: '' };

  constructor(private readonly opts: FakeWechatOptions) {
    super();
  }

  async start(): Promise<this> {
    const tls = await testCertificate();
    const root = await generate([{ name: 'commonName', value: 'Fake Tenpay Root CA' }], { keyType: 'ec', algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: true }] });
    const client = await generate([{ name: 'commonName', value: this.opts.mchId }], { keyType: 'ec', algorithm: 'sha256', ca: { key: root.private, cert: root.cert } });
    this.clientCert = { cert: client.cert, key: client.private };
    this.ca = tls.cert;
    const server = https.createServer({ key: tls.key, cert: tls.cert, ca: [root.cert], requestCert: true, rejectUnauthorized: false }, (req, res) => void this.handle(req, res));
    this.url = `https://127.0.0.1:${await this.listen(server)}`;
    return this;
  }

  /** The customer enters the password: USERPAYING → SUCCESS. */
  buyerPays(orderNo: string): void {
    const o = this.orders.get(orderNo);
    if (!o || o.state !== 'USERPAYING') throw new Error(`fake wechat: ${orderNo} is not waiting`);
    Object.assign(o, { state: 'SUCCESS', paidAt: Date.now() });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.calls.push(path);
    const script = await this.begin(path, req, res);
    if (!script) return;
    const send = (text: string): void => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(text);
    };
    const fail = (msg: string): void => send(xml({ return_code: 'FAIL', return_msg: msg }));
    if (path.startsWith('/secapi/')) {
      const s = req.socket as TLSSocket;
      if (!s.authorized || s.getPeerCertificate().subject?.CN !== this.opts.mchId) return fail('证书验证失败');
    }
    let p: Record<string, string>;
    try {
      const parsed = parser.parse(Buffer.concat(chunks).toString('utf8')) as { xml?: Record<string, string> };
      if (!parsed.xml || typeof parsed.xml !== 'object') return fail('XML格式错误');
      p = Object.fromEntries(Object.entries(parsed.xml).map(([k, v]) => [k, String(v)]));
    } catch {
      return fail('XML格式错误');
    }
    const type = p.sign_type || 'MD5';
    if (p.appid !== this.opts.appId || p.mch_id !== this.opts.mchId) return fail('appid和mch_id不匹配');
    if (!['MD5', 'HMAC-SHA256'].includes(type) || wechatSign(p, this.opts.apiKey, type) !== p.sign) return fail('签名错误');
    if (path === '/pay/downloadbill') return this.bill(p, res);
    const out = script.answer ? this.scripted(path, p, { result_code: 'SUCCESS', ...script.answer }) : this.work(path, p, script);
    if (script.dropAfterCommit) {
      res.socket?.destroy();
      return;
    }
    const reply: Record<string, string> = { return_code: 'SUCCESS', return_msg: 'OK', appid: this.opts.appId, mch_id: this.opts.mchId, nonce_str: crypto.randomBytes(8).toString('hex'), ...out };
    reply.sign = wechatSign(reply, script.wrongSignature ? 'x'.repeat(32) : this.opts.apiKey, type);
    send(xml(reply));
  }

  /**
   * A scripted reply stands for WeChat's own: a micropay declined (one of `PAY_DECIDED`) is
   * WeChat's decision under that order number, so it is kept (PAYERROR), and a late copy of the
   * same micropay (one delayed in flight) meets it instead of charging.
   */
  private scripted(path: string, p: Record<string, string>, out: Record<string, string>): Record<string, string> {
    const fen = Number(p.total_fee);
    if (path === '/pay/micropay' && out.result_code === 'FAIL' && PAY_DECIDED.has(out.err_code ?? '') && p.out_trade_no && !this.orders.has(p.out_trade_no) && Number.isSafeInteger(fen)) {
      this.orders.set(p.out_trade_no, { fen, state: 'PAYERROR', txId: `42000${String(++this.seq).padStart(23, '0')}`, refundedFen: 0 });
    }
    return out;
  }

  private work(path: string, p: Record<string, string>, script: WechatScript): Record<string, string> {
    const err = (code: string, des = code) => ({ result_code: 'FAIL', err_code: code, err_code_des: des });
    const o = this.orders.get(p.out_trade_no ?? '');
    switch (path) {
      case '/pay/micropay': {
        const fen = Number(p.total_fee);
        if (!p.out_trade_no || !p.auth_code || !Number.isSafeInteger(fen) || fen <= 0 || !p.spbill_create_ip || !p.body) return err('PARAM_ERROR');
        if (o) {
          if (o.fen !== fen) return err('INVALID_REQUEST', '201 商户订单号重复');
          if (o.state === 'SUCCESS' || o.state === 'REFUND') return err('ORDERPAID');
          if (o.state === 'CLOSED') return err('ORDERCLOSED');
          if (o.state === 'REVOKED') return err('ORDERREVERSED');
          if (o.state === 'USERPAYING') return { ...err('USERPAYING', '需要用户输入支付密码'), transaction_id: o.txId };
          return err('TRADE_ERROR');
        }
        const txId = `42000${String(++this.seq).padStart(23, '0')}`;
        const paid = !script.userpaying && !this.passwordCodes.has(p.auth_code);
        this.orders.set(p.out_trade_no, { fen, state: paid ? 'SUCCESS' : 'USERPAYING', txId, paidAt: paid ? Date.now() : undefined, refundedFen: 0, code: p.auth_code });
        if (!paid) return err('USERPAYING', '需要用户输入支付密码');
        return { result_code: 'SUCCESS', transaction_id: txId, out_trade_no: p.out_trade_no, total_fee: String(fen), trade_type: 'MICROPAY', time_end: beijingText(Date.now()).replace(/\D/g, '') };
      }
      case '/pay/orderquery': {
        if (!o) return err('ORDERNOTEXIST', '此交易订单号不存在');
        return { result_code: 'SUCCESS', trade_state: o.state, transaction_id: o.txId, out_trade_no: p.out_trade_no, total_fee: String(o.fen) };
      }
      case '/secapi/pay/reverse': {
        if (!o) {
          // Closing the number: a pay still on its way cannot succeed afterwards.
          this.orders.set(p.out_trade_no, { fen: 0, state: 'REVOKED', txId: '', refundedFen: 0 });
          return { result_code: 'SUCCESS', recall: 'N' };
        }
        if (o.refundedFen > 0) return { ...err('REVERSE_EXPIRE', '订单已退款，不能撤销'), recall: 'N' };
        o.state = 'REVOKED';
        return { result_code: 'SUCCESS', recall: 'N' };
      }
      case '/secapi/pay/refund': {
        const fen = Number(p.refund_fee);
        if (!p.out_refund_no || !Number.isSafeInteger(fen) || fen <= 0) return err('PARAM_ERROR');
        if (!o) return err('ORDERNOTEXIST', '订单不存在');
        const seen = this.refunds.find((r) => r.refundNo === p.out_refund_no);
        if (seen) return seen.fen === fen && seen.orderNo === p.out_trade_no ? { result_code: 'SUCCESS', out_refund_no: seen.refundNo, refund_fee: String(fen) } : err('INVALID_REQUEST', '退款单号与之前请求不一致');
        if (o.state !== 'SUCCESS' && o.state !== 'REFUND') return err('ERROR', '订单状态错误');
        if (Number(p.total_fee) !== o.fen) return err('PARAM_ERROR', '订单金额不一致');
        if (o.refundedFen + fen > o.fen) return err('ERROR', '申请退款金额超过订单可退金额');
        o.refundedFen += fen;
        o.state = 'REFUND';
        this.refunds.push({ orderNo: p.out_trade_no, refundNo: p.out_refund_no, fen, at: Date.now(), status: 'SUCCESS' });
        return { result_code: 'SUCCESS', out_refund_no: p.out_refund_no, refund_fee: String(fen), transaction_id: o.txId };
      }
      case '/pay/refundquery': {
        const r = this.refunds.find((x) => x.refundNo === p.out_refund_no);
        if (!r) return err('REFUNDNOTEXIST', '退款订单查询失败');
        return { result_code: 'SUCCESS', refund_count: '1', out_refund_no_0: r.refundNo, refund_fee_0: String(r.fen), refund_status_0: r.status };
      }
      default:
        return err('PARAM_ERROR', 'unknown path');
    }
  }

  /** `downloadbill` ALL: backtick-prefixed UTF-8 CSV with a summary, or "No Bill Exist". */
  private bill(p: Record<string, string>, res: http.ServerResponse): void {
    const date = `${p.bill_date.slice(0, 4)}-${p.bill_date.slice(4, 6)}-${p.bill_date.slice(6, 8)}`;
    const day = (ms: number) => beijingText(ms).slice(0, 10) === date;
    const head = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
    const row = (cells: string[]) => cells.map((c) => `\`${c}`).join(',');
    const rows: string[] = [];
    for (const [orderNo, o] of this.orders) {
      if (!o.paidAt || !day(o.paidAt)) continue;
      const y = formatFen(o.fen);
      rows.push(row([beijingText(o.paidAt), this.opts.appId, this.opts.mchId, '0', '', o.txId, orderNo, 'oUser', 'MICROPAY', o.state === 'REVOKED' ? 'REVOKED' : 'SUCCESS', 'OTHERS', 'CNY', y, '0.00', '0', '0', '0.00', '0.00', '', '', '收银', '', '0.00', '0.60%', y, '0.00', '']));
    }
    for (const r of this.refunds.filter((x) => day(x.at))) {
      const o = this.orders.get(r.orderNo)!;
      rows.push(row([beijingText(r.at), this.opts.appId, this.opts.mchId, '0', '', o.txId, r.orderNo, 'oUser', 'MICROPAY', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', `50000${r.refundNo}`, r.refundNo, formatFen(r.fen), '0.00', 'ORIGINAL', 'SUCCESS', '收银', '', '0.00', '0.60%', formatFen(o.fen), formatFen(r.fen), '']));
    }
    if (rows.length === 0) {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(xml({ return_code: 'FAIL', return_msg: 'No Bill Exist', error_code: '20002' }));
      return;
    }
    const text = ['\uFEFF' + head, ...rows, '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额', row([String(rows.length), '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'])].join('\r\n');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  }
}
