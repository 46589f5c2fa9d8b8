/**
 * Tests only (never shipped, never imported by app code): a fake Alipay open-platform gateway
 * over local HTTPS that answers as Alipay's published 当面付 API documents it, so the adapter and
 * the engine can be driven through every outcome without a real sandbox (none is reachable here).
 *
 * Independent of the adapter's side: every request's RSA2 signature is checked by the official
 * SDK's own verification in a SEPARATE instance holding the platform-side keys (the app's public
 * key), as Alipay does; answers are signed with the platform's private key by Node's crypto over
 * the exact `*_response` text, as Alipay does. Orders, refunds and the day's bill are kept in
 * memory. `next()` scripts what the following call of a method meets: any documented answer, a
 * delay, the answer lost after the work was committed, a wrong signature, an HTTP error.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { AlipaySdk } from 'alipay-sdk';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { formatFen } from '../../money';
import { FakeGateway, type GatewayScript } from '../fake-kit';
import { testCertificate } from '../test-cert';
import { yuanToFen } from '../yuan';

export interface FakeAlipayOptions {
  appId: string;
  /** The app's public key as the platform holds it (public-key mode, or from the app certificate). */
  appPublicKey: string;
  /** The platform's private key: signs every answer. */
  platformPrivateKey: string;
  /** Certificate mode: the serial numbers a request must carry, and the one answers name. */
  certSn?: { app: string; root: string; alipay: string };
  /** Serve plain HTTP instead of HTTPS (one test of the unverified path only). */
  plain?: boolean;
}

/** What the next call of one method meets (`userpaying`: answer 10003, trade WAIT_BUYER_PAY). */
export interface AlipayScript extends GatewayScript {
  /** Answer this body (merged over `{code, msg}`) instead of doing the work. */
  answer?: Record<string, string>;
}

interface Order {
  amountFen: number;
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';
  tradeNo: string;
  /** A precreated QR exists at Alipay only once scanned. */
  scanned: boolean;
  qr?: string;
  paidAt?: number;
  refundedFen: number;
  /** The customer's payment code (`auth_code`) the order was charged with. */
  code?: string;
  /** Paid, then cancelled (action refund): the money went back. */
  reversed?: boolean;
}

interface Refund {
  orderNo: string;
  requestNo: string;
  amountFen: number;
  at: number;
}

const OK = { code: '10000', msg: 'Success' };
/** Pay `40004` sub_codes that are not a decision about the order (the caller must ask). */
const PAY_NOT_DECIDED = new Set(['ACQ.SYSTEM_ERROR', 'ACQ.TRADE_HAS_SUCCESS', 'ACQ.CONTEXT_INCONSISTENT']);
const biz = (sub: string, msg = 'Business Failed') => ({ code: '40004', msg, sub_code: sub, sub_msg: sub });

function beijingText(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export class FakeAlipayGateway extends FakeGateway<AlipayScript> {
  readonly orders = new Map<string, Order>();
  readonly refunds: Refund[] = [];
  /** Every request that reached the gateway, by method (verified or not). */
  readonly calls: string[] = [];
  private readonly verifier: AlipaySdk;
  private readonly wrongKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private seq = 0;
  /** Added to the gateway's clock when it checks a request's timestamp. */
  clockSkewMs = 0;
  url = '';
  ca = '';

  constructor(private readonly opts: FakeAlipayOptions) {
    super();
    // The platform side: the official SDK's verification, with the app's public key.
    this.verifier = new AlipaySdk({ appId: opts.appId, privateKey: opts.platformPrivateKey, keyType: 'PKCS8', alipayPublicKey: opts.appPublicKey });
  }

  async start(): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    let server: http.Server;
    if (this.opts.plain) {
      server = http.createServer(handler);
    } else {
      const tls = await testCertificate();
      this.ca = tls.cert;
      server = https.createServer({ key: tls.key, cert: tls.cert }, handler);
    }
    const port = await this.listen(server);
    this.url = `${this.opts.plain ? 'http' : 'https'}://127.0.0.1:${port}/gateway.do`;
    return this;
  }

  /** The customer confirms on the phone (WAIT_BUYER_PAY → paid), or scans and pays a QR. */
  buyerPays(orderNo: string, at = Date.now()): void {
    const o = this.orders.get(orderNo);
    if (!o || o.status !== 'WAIT_BUYER_PAY') throw new Error(`fake alipay: ${orderNo} is not waiting`);
    Object.assign(o, { status: 'TRADE_SUCCESS', scanned: true, paidAt: at });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname.startsWith('/bill/')) return this.serveBill(url.pathname.slice(6).replace(/\.zip$/, ''), res);
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params[k] = v;
    const method = params.method ?? '';
    this.calls.push(method);
    const key = `${method.replaceAll('.', '_')}_response`;
    const script = await this.begin(method, req, res);
    if (!script) return;
    const refusal = this.checkRequest(params);
    const body = refusal ?? (script.answer ? this.scripted(method, params, { ...OK, ...script.answer }) : this.work(method, params, script));
    if (script.dropAfterCommit) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(this.signed(key, body, script.wrongSignature === true));
  }

  /** What Alipay's gateway refuses before any business logic (40002 and friends). */
  private checkRequest(p: Record<string, string>): Record<string, string> | null {
    if (p.app_id !== this.opts.appId) return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-app-id', sub_msg: '无效的AppID参数' };
    if (p.sign_type !== 'RSA2' || !this.verifier.checkNotifySign(p, true)) return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: '验签出错' };
    const sent = new Date((p.timestamp ?? '').replace(' ', 'T')).getTime();
    if (!Number.isFinite(sent) || Math.abs(Date.now() + this.clockSkewMs - sent) > 10 * 60_000) {
      return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-timestamp', sub_msg: '非法的时间戳参数' };
    }
    if (this.opts.certSn && (p.app_cert_sn !== this.opts.certSn.app || p.alipay_root_cert_sn !== this.opts.certSn.root)) {
      return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.app-cert-sn-not-match', sub_msg: '应用公钥证书序列号不匹配' };
    }
    return null;
  }

  /**
   * A scripted answer stands for Alipay's own: a pay declined (`40004`, not a "please ask"
   * code) is Alipay's decision under that order number, so it is kept, and a late copy of the
   * same pay (one delayed in flight) meets a closed trade instead of charging.
   */
  private scripted(method: string, p: Record<string, string>, body: Record<string, string>): Record<string, string> {
    if (method !== 'alipay.trade.pay' || body.code !== '40004' || PAY_NOT_DECIDED.has(body.sub_code ?? '')) return body;
    let b: Record<string, unknown> = {};
    try {
      b = JSON.parse(p.biz_content ?? '{}') as Record<string, unknown>;
    } catch {
      return body;
    }
    const orderNo = typeof b.out_trade_no === 'string' ? b.out_trade_no : '';
    const fen = yuanToFen(typeof b.total_amount === 'string' ? b.total_amount : '');
    if (orderNo && fen !== null && !this.orders.has(orderNo)) {
      this.orders.set(orderNo, { amountFen: fen, status: 'TRADE_CLOSED', tradeNo: `2026${String(++this.seq).padStart(24, '0')}`, scanned: true, refundedFen: 0 });
    }
    return body;
  }

  private signed(key: string, body: Record<string, string>, wrong: boolean): string {
    const inner = JSON.stringify(body);
    const sign = crypto.sign('RSA-SHA256', Buffer.from(inner, 'utf8'), wrong ? this.wrongKey : this.opts.platformPrivateKey).toString('base64');
    const sn = this.opts.certSn ? `,"alipay_cert_sn":"${this.opts.certSn.alipay}"` : '';
    return `{"${key}":${inner}${sn},"sign":"${sign}"}`;
  }

  private work(method: string, p: Record<string, string>, script: AlipayScript): Record<string, string> {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(p.biz_content ?? '{}') as Record<string, unknown>;
    } catch {
      return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-biz-content', sub_msg: 'biz_content 格式错误' };
    }
    const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
    const orderNo = s('out_trade_no');
    const o = this.orders.get(orderNo);
    switch (method) {
      case 'alipay.trade.pay': {
        const fen = yuanToFen(s('total_amount'));
        if (!orderNo || !s('auth_code') || s('scene') !== 'bar_code' || fen === null || fen <= 0) return { code: '40001', msg: 'Missing Required Arguments', sub_code: 'isv.missing-required-arguments' };
        if (o) {
          if (o.status === 'TRADE_CLOSED') return biz('ACQ.TRADE_HAS_CLOSE');
          if (o.amountFen !== fen) return biz('ACQ.CONTEXT_INCONSISTENT');
          if (o.status === 'TRADE_SUCCESS') return biz('ACQ.TRADE_HAS_SUCCESS');
          return { code: '10003', msg: 'order success pay inprocess', trade_no: o.tradeNo, out_trade_no: orderNo };
        }
        const tradeNo = `2026${String(++this.seq).padStart(24, '0')}`;
        const paid = !script.userpaying && !this.passwordCodes.has(s('auth_code'));
        this.orders.set(orderNo, { amountFen: fen, status: paid ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY', tradeNo, scanned: true, paidAt: paid ? Date.now() : undefined, refundedFen: 0, code: s('auth_code') });
        if (!paid) return { code: '10003', msg: 'order success pay inprocess', trade_no: tradeNo, out_trade_no: orderNo };
        return { ...OK, trade_no: tradeNo, out_trade_no: orderNo, total_amount: formatFen(fen), receipt_amount: formatFen(fen), gmt_payment: beijingText(Date.now()) };
      }
      case 'alipay.trade.precreate': {
        const fen = yuanToFen(s('total_amount'));
        if (!orderNo || fen === null || fen <= 0) return { code: '40001', msg: 'Missing Required Arguments', sub_code: 'isv.missing-required-arguments' };
        if (o?.status === 'TRADE_CLOSED') return biz('ACQ.TRADE_HAS_CLOSE');
        if (o && o.amountFen !== fen) return biz('ACQ.CONTEXT_INCONSISTENT');
        if (o?.status === 'TRADE_SUCCESS') return biz('ACQ.TRADE_HAS_SUCCESS');
        const order = o ?? { amountFen: fen, status: 'WAIT_BUYER_PAY' as const, tradeNo: `2026${String(++this.seq).padStart(24, '0')}`, scanned: false, qr: `https://qr.alipay.com/bax0${this.seq}`, refundedFen: 0 };
        this.orders.set(orderNo, order);
        return { ...OK, out_trade_no: orderNo, qr_code: order.qr ?? '' };
      }
      case 'alipay.trade.query': {
        if (!o || !o.scanned) return biz('ACQ.TRADE_NOT_EXIST');
        const out: Record<string, string> = { ...OK, trade_no: o.tradeNo, out_trade_no: orderNo, trade_status: o.status, total_amount: formatFen(o.amountFen) };
        if (o.paidAt) out.send_pay_date = beijingText(o.paidAt);
        return out;
      }
      case 'alipay.trade.cancel': {
        if (!o) {
          // Cancelling an order Alipay has not seen closes its number: a late pay cannot succeed.
          this.orders.set(orderNo, { amountFen: 0, status: 'TRADE_CLOSED', tradeNo: '', scanned: true, refundedFen: 0 });
          return { ...OK, out_trade_no: orderNo, retry_flag: 'N', action: 'close' };
        }
        const wasPaid = o.status === 'TRADE_SUCCESS';
        if (o.paidAt && o.refundedFen > 0) return biz('ACQ.TRADE_STATUS_ERROR');
        o.status = 'TRADE_CLOSED';
        o.scanned = true;
        if (o.paidAt) o.reversed = true;
        return { ...OK, trade_no: o.tradeNo, out_trade_no: orderNo, retry_flag: 'N', action: wasPaid || o.paidAt ? 'refund' : 'close' };
      }
      case 'alipay.trade.refund': {
        const fen = yuanToFen(s('refund_amount'));
        const requestNo = s('out_request_no') || orderNo;
        if (fen === null || fen <= 0) return { code: '40001', msg: 'Missing Required Arguments', sub_code: 'isv.missing-required-arguments' };
        if (!o || !o.scanned) return biz('ACQ.TRADE_NOT_EXIST');
        const seen = this.refunds.find((r) => r.orderNo === orderNo && r.requestNo === requestNo);
        if (seen) return seen.amountFen === fen ? { ...OK, trade_no: o.tradeNo, out_trade_no: orderNo, fund_change: 'N', refund_fee: formatFen(o.refundedFen) } : biz('ACQ.DISCORDANT_REPEAT_REQUEST');
        // Nothing to refund of a trade never paid, or paid and reversed whole.
        if (!o.paidAt || o.reversed) return biz('ACQ.TRADE_STATUS_ERROR');
        if (o.refundedFen + fen > o.amountFen) return biz('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL');
        o.refundedFen += fen;
        if (o.refundedFen === o.amountFen) o.status = 'TRADE_CLOSED';
        this.refunds.push({ orderNo, requestNo, amountFen: fen, at: Date.now() });
        return { ...OK, trade_no: o.tradeNo, out_trade_no: orderNo, fund_change: 'Y', refund_fee: formatFen(o.refundedFen) };
      }
      case 'alipay.trade.fastpay.refund.query': {
        const requestNo = s('out_request_no') || orderNo;
        if (!o) return biz('ACQ.TRADE_NOT_EXIST');
        const r = this.refunds.find((x) => x.orderNo === orderNo && x.requestNo === requestNo);
        if (!r) return { ...OK };
        return { ...OK, trade_no: o.tradeNo, out_trade_no: orderNo, out_request_no: requestNo, total_amount: formatFen(o.amountFen), refund_amount: formatFen(r.amountFen), refund_status: 'REFUND_SUCCESS' };
      }
      case 'alipay.data.dataservice.bill.downloadurl.query': {
        if (s('bill_type') !== 'trade' || !/^\d{4}-\d{2}-\d{2}$/.test(s('bill_date'))) return biz('isp.bill_not_exist');
        return { ...OK, bill_download_url: `${this.url.replace('/gateway.do', '')}/bill/${s('bill_date')}.zip` };
      }
      default:
        return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' };
    }
  }

  /** The day's bill as Alipay ships it: a zip of GBK CSV files, detail and summary. */
  billZip(date: string): Uint8Array {
    const day = (ms: number) => beijingText(ms).slice(0, 10) === date;
    const head = '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注';
    const rows: string[] = [];
    for (const [orderNo, o] of this.orders) {
      if (!o.paidAt || !day(o.paidAt)) continue;
      const t = beijingText(o.paidAt);
      rows.push(`${o.tradeNo}\t,${orderNo}\t,交易,收银,${t},${t},,,,,buyer***@example.com,${formatFen(o.amountFen)},${formatFen(o.amountFen)},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,0.00,0.00,`);
    }
    for (const r of this.refunds.filter((x) => day(x.at))) {
      const o = this.orders.get(r.orderNo)!;
      const t = beijingText(r.at);
      rows.push(`${o.tradeNo}\t,${r.orderNo}\t,退款,收银,${t},${t},,,,,buyer***@example.com,-${formatFen(r.amountFen)},-${formatFen(r.amountFen)},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,${r.requestNo}\t,0.00,0.00,`);
    }
    const detail = ['#支付宝业务明细查询', '#账号：[20880000000000000156]', `#起始日期：[${date} 00:00:00]   终止日期：[${date} 23:59:59]`, '#-----------------------------------------业务明细列表----------------------------------------', head, ...rows, '#-----------------------------------------业务明细列表结束------------------------------------', `#导出时间：[${beijingText(Date.now())}]`].join('\r\n');
    const summary = ['#支付宝业务汇总查询', '门店编号,门店名称,交易订单总笔数,退款订单总笔数,交易订单金额（元）', `合计,,${rows.length},0,0.00`].join('\r\n');
    const stamp = date.replaceAll('-', '');
    return zipSync({
      [`20880000000000000156${stamp}_业务明细.csv`]: new Uint8Array(iconv.encode(detail, 'gbk')),
      [`20880000000000000156${stamp}_业务明细(汇总).csv`]: new Uint8Array(iconv.encode(summary, 'gbk')),
    });
  }

  private serveBill(date: string, res: http.ServerResponse): void {
    const zip = this.billZip(date);
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length }).end(Buffer.from(zip));
  }
}
