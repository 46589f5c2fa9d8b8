/**
 * One counter, several acquirers: the `Acquirer` the engine talks to when a counter has Alipay,
 * WeChat Pay, both, or the project's own protocol. Each scanned code goes to the acquirer of its
 * scheme (recognised by the caller's `recognise`, core/payments/codes.ts); a scheme no acquirer
 * takes is refused in plain words before anything is sent. The merchant QR goes to the wallet
 * the request names, else the configured one.
 *
 * Invariants:
 * - Later calls on an order (query, cancel, refund) reach the acquirer that took it: remembered
 *   while the app runs, asked of `tenderOf` (the payment's stored tender) after a restart, and
 *   only when neither knows, found by asking each acquirer (an order number is ours and unique,
 *   so at most one acquirer has it).
 * - Timings and refund rules are those safe for every routed acquirer (`mergeInfo`).
 * - A statement is the union of every acquirer's; if one is unavailable the whole is (a
 *   statement is never silently shortened).
 */
import type { Acquirer, AcquirerInfo, AcquirerTimings, CancelOutcome, PayOutcome, PayRequest, PrecreateOutcome, PrecreateRequest, QueryOutcome, RefundOutcome, RefundQueryOutcome, RefundRequest, Scheme, Statement } from './types';

export type Wallet = 'alipay' | 'wechat';

export interface RoutingOptions {
  /** The acquirer of each scheme this counter accepts. */
  byScheme: Partial<Record<Scheme, Acquirer>>;
  /** The wallet whose acquirer shows the merchant QR (null: no merchant QR on this counter). */
  qrWallet: Wallet | null;
  /** The scheme of a code (the engine's own recognition; throws on a code of no scheme). */
  recognise: (code: string) => Scheme;
  /** The stored tender of an order (`alipay`, `wechat`, `merchant_qr`, …), after a restart. */
  tenderOf?: (orderNo: string) => Promise<string | null>;
  /** The wallet a merchant-QR order was shown for, after a restart. */
  qrWalletOf?: (orderNo: string) => Promise<Wallet | null>;
}

const SCHEME_WORDS: Record<Scheme, { zh: string; en: string }> = {
  wechat: { zh: '微信', en: 'WeChat Pay' },
  alipay: { zh: '支付宝', en: 'Alipay' },
  unionpay: { zh: '云闪付', en: 'UnionPay' },
  face: { zh: '刷脸支付', en: 'face payment' },
};

/** Each timing safe for every acquirer: waits-before the longest, give-ups the earliest, counts the most. */
export function mergeTimings(all: AcquirerTimings[]): AcquirerTimings {
  const max = (k: keyof AcquirerTimings) => Math.max(...all.map((t) => t[k]));
  const min = (k: keyof AcquirerTimings) => Math.min(...all.map((t) => t[k]));
  return {
    requestTimeoutMs: max('requestTimeoutMs'),
    userpayingPollMs: max('userpayingPollMs'),
    // WeChat closes an unpaid code order sooner than Alipay: give up at the earlier limit.
    userpayingMaxWaitMs: min('userpayingMaxWaitMs'),
    unknownFirstQueryMs: max('unknownFirstQueryMs'),
    unknownQueryEveryMs: max('unknownQueryEveryMs'),
    unknownQueries: max('unknownQueries'),
    // WeChat: reverse no earlier than 15 s after the charge.
    cancelNotBeforeMs: max('cancelNotBeforeMs'),
    cancelAttempts: max('cancelAttempts'),
    cancelEveryMs: max('cancelEveryMs'),
    refundAttempts: max('refundAttempts'),
    refundEveryMs: max('refundEveryMs'),
    qrExpiryMs: min('qrExpiryMs'),
    qrPollMs: max('qrPollMs'),
    sweepEveryMs: min('sweepEveryMs'),
  };
}

export function mergeInfo(all: AcquirerInfo[]): AcquirerInfo {
  return {
    name: all.map((i) => i.name).join('+'),
    timings: mergeTimings(all.map((i) => i.timings)),
    refundWindowMs: Math.min(...all.map((i) => i.refundWindowMs)),
    maxRefundsPerPayment: Math.min(...all.map((i) => i.maxRefundsPerPayment)),
    training: all.some((i) => i.training),
  };
}

export class RoutingAcquirer implements Acquirer {
  private readonly owner = new Map<string, Acquirer>();
  private readonly all: Acquirer[];
  private readonly info: AcquirerInfo;

  constructor(private readonly opts: RoutingOptions) {
    this.all = [...new Set(Object.values(opts.byScheme).filter((a): a is Acquirer => !!a))];
    if (this.all.length === 0) throw new Error('routing: no acquirer configured');
    this.info = mergeInfo(this.all.map((a) => a.config()));
  }

  config(): AcquirerInfo {
    return this.info;
  }

  /** The schemes this counter takes, in the order the refusal names them. */
  schemes(): Scheme[] {
    return (Object.keys(this.opts.byScheme) as Scheme[]).filter((s) => this.opts.byScheme[s]);
  }

  async pay(req: PayRequest): Promise<PayOutcome> {
    let scheme: Scheme;
    try {
      scheme = this.opts.recognise(req.code);
    } catch {
      return { status: 'failed', reason: 'CODE_UNRECOGNISED', zh: '无法识别的付款码，未扣款。', en: 'This is not a payment code we recognise; nothing was charged.' };
    }
    const a = this.opts.byScheme[scheme];
    if (!a) {
      const names = this.schemes().filter((s) => s !== 'face');
      const w = SCHEME_WORDS[scheme];
      return {
        status: 'failed',
        reason: 'SCHEME_NOT_ACCEPTED',
        zh: `本收银台未开通${w.zh}收款，未扣款。请顾客改用${names.map((s) => SCHEME_WORDS[s].zh).join('、') || '现金'}${names.length ? '付款码或现金' : ''}。`,
        en: `This counter does not take ${w.en}; nothing was charged. Ask for ${names.length ? `a ${names.map((s) => SCHEME_WORDS[s].en).join(' or ')} code, or ` : ''}cash.`,
      };
    }
    this.owner.set(req.orderNo, a);
    return a.pay(req);
  }

  async precreate(req: PrecreateRequest & { wallet?: Wallet }): Promise<PrecreateOutcome> {
    const wallet = req.wallet ?? this.opts.qrWallet;
    const a = wallet ? this.opts.byScheme[wallet] : undefined;
    if (!a) return { status: 'failed', reason: 'QR_NOT_OFFERED', zh: '本收银台未开通收款码（商户二维码），请扫顾客的付款码或收现金。', en: 'This counter shows no merchant QR; scan the customer’s code or take cash.' };
    this.owner.set(req.orderNo, a);
    return a.precreate(req);
  }

  /** The acquirer that has this order, or null when none has seen it. */
  private async ownerOf(orderNo: string): Promise<Acquirer | null> {
    const known = this.owner.get(orderNo);
    if (known) return known;
    const tender = (await this.opts.tenderOf?.(orderNo)) ?? null;
    let a: Acquirer | undefined;
    if (tender === 'merchant_qr') {
      const w = (await this.opts.qrWalletOf?.(orderNo)) ?? this.opts.qrWallet;
      a = w ? this.opts.byScheme[w] : undefined;
    } else if (tender && tender in this.opts.byScheme) {
      a = this.opts.byScheme[tender as Scheme];
    }
    if (a) {
      this.owner.set(orderNo, a);
      return a;
    }
    if (this.all.length === 1) return this.all[0];
    for (const c of this.all) {
      const q = await c.query(orderNo);
      if (q.status !== 'not_found' && q.status !== 'unknown') {
        this.owner.set(orderNo, c);
        return c;
      }
    }
    return null;
  }

  async query(orderNo: string): Promise<QueryOutcome> {
    const a = await this.ownerOf(orderNo);
    return a ? a.query(orderNo) : { status: 'not_found' };
  }

  async cancel(orderNo: string): Promise<CancelOutcome> {
    const a = await this.ownerOf(orderNo);
    if (a) return a.cancel(orderNo);
    // Nobody has seen it: close the number everywhere, so a request still on its way cannot pay.
    const outs = await Promise.all(this.all.map((c) => c.cancel(orderNo)));
    return outs.find((o) => o.status !== 'cancelled') ?? { status: 'cancelled', reversed: false };
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    const a = await this.ownerOf(req.orderNo);
    if (!a) return { status: 'unknown', why: 'no acquirer has this order yet' };
    return a.refund(req);
  }

  async queryRefund(orderNo: string, refundNo: string): Promise<RefundQueryOutcome> {
    const a = await this.ownerOf(orderNo);
    // No acquirer has the order: none can have taken a refund of it.
    return a ? a.queryRefund(orderNo, refundNo) : { status: 'not_found' };
  }

  close(): void {
    for (const a of this.all) (a as { close?(): void }).close?.();
  }

  async statement(date: string): Promise<Statement> {
    const parts = await Promise.all(this.all.map((a) => a.statement(date)));
    return { date, lines: parts.flatMap((p) => p.lines), totalFen: parts.reduce((s, p) => s + p.totalFen, 0) };
  }
}

/** Why a tender is off on this counter, in plain words, or null when it works. */
export interface TenderAvailability {
  offlineCode: { zh: string; en: string } | null;
  merchantQr: { zh: string; en: string } | null;
}

/**
 * The offline-code tender needs an acquirer that implements PROTOCOL.md's offline routes (only
 * the project's own protocol does); Alipay and WeChat Pay do not. Said with what still works in
 * an outage.
 */
export function tenderAvailability(kinds: ReadonlyArray<'sandbox' | 'alipay' | 'wechat'>, qrWallet: Wallet | null): TenderAvailability {
  const offline = kinds.includes('sandbox')
    ? null
    : kinds.length === 0
    ? {
      zh: '离线付款码不可用：本收银台尚未连接收单机构（请安装人员在“设置 → 收单机构”中配置）。断网时仍可收现金、记赊账。',
      en: 'Offline codes are off: this counter has no acquirer connected yet (the installer sets one up in Settings → Acquirer). In an outage you can still take cash or record credit.',
    }
    : {
      zh: '离线付款码不可用：本店的收单机构（支付宝、微信支付）不支持离线付款码。断网时仍可：在付款码有效期内（约一分钟）重试在线付款码、收现金、记赊账。',
      en: 'Offline codes are off: this counter’s acquirers (Alipay, WeChat Pay) do not take them. In an outage you can still retry an online code within its life (about a minute), take cash, or record credit.',
    };
  // WeChat Pay v2 code payment has no merchant QR here (wechat/adapter.ts): Alipay or the sandbox.
  const qrWorks = kinds.includes('sandbox') || (qrWallet === 'alipay' && kinds.includes('alipay'));
  const qr = qrWorks ? null : { zh: '收款码不可用：本店没有能显示收款码的收单机构（需开通支付宝当面付）。', en: 'Merchant QR is off: no acquirer on this counter shows one (it needs Alipay Face-to-Face).' };
  return { offlineCode: offline, merchantQr: qr };
}

/**
 * What still works while the link to the acquirer is down, by whether the offline-code tender
 * works on this counter: an online code already scanned is retried within its life (about a
 * minute, then released: core/payments/release.ts), cash and credit always, offline codes only
 * where the acquirer has the offline routes.
 */
export function outageWords(offlineCodeWorks: boolean): { zh: string; en: string } {
  return offlineCodeWorks
    ? {
      zh: '网络已断开。仍可：收离线付款码、收现金、记赊账；已扫的在线付款码在有效期内（约一分钟）继续重试。',
      en: 'The network is down. Still working: offline payment codes, cash and credit; an online code already scanned keeps being tried within its life (about a minute).',
    }
    : {
      zh: '网络已断开，本店不支持离线付款码。仍可：已扫的在线付款码在有效期内（约一分钟）继续重试、收现金、记赊账。',
      en: 'The network is down and this counter takes no offline codes. Still working: an online code already scanned keeps being tried within its life (about a minute), cash and credit.',
    };
}
