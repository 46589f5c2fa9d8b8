/**
 * Tests only: what the Alipay and WeChat money-test harnesses (alipay/harness.ts,
 * wechat/harness.ts; listed in core/payments/harness.ts `HARNESSES`) share. Their acquirer side
 * is a fake gateway in the test's process; a crash test's child process reaches the customer's
 * hands (a fresh code, the password entered, a QR scanned) over a small loopback control server,
 * and the engine's fault rules (simulator/faults.ts) are played on the gateway through its
 * `planner`. The books are read from the fake's orders and refunds: a payment line for every
 * order paid, a reversal for every paid order cancelled, a refund line per refund number.
 * Not imported by production code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcquirerBooks, BookLine, BookOrder, Customer, HarnessLink, HarnessSide } from '../payments/harness';
import type { FakeGateway, GatewayScript } from './fake-kit';
import { FaultPlan, FaultRule, type FaultOp, type FaultRuleInput } from './simulator/faults';

/** Every wallet starts with this much (fen); balances are what the books say moved since. */
export const WALLET_START_FEN = 100_000_000;

/** One order as a fake gateway holds it, in the books' terms (`wallet` filled in here). */
export interface FakeOrder {
  orderNo: string;
  amountFen: number;
  /** Money was taken (at some point). */
  paid: boolean;
  /** Paid, then cancelled: the money went back whole. */
  reversed: boolean;
  refundedFen: number;
  tradeNo: string;
  /** The wallet that paid (by its code, or the QR it scanned). */
  wallet: string | null;
  /** The fake's own status word, for an order not paid. */
  status: string;
}

/** The rules both fakes play alike; null: a kind the wallet's own harness words (a refusal, a decline). */
export function playTransportFault(r: FaultRule, op: FaultOp): GatewayScript | undefined | null {
  switch (r.kind) {
    case 'latency':
      return { delayMs: r.latencyMs };
    case 'drop_request':
      return { hang: true };
    case 'drop_response_after_commit':
      return { dropAfterCommit: true };
    case 'http_500':
      return { httpStatus: 500 };
    case 'reset':
      return { reset: true };
    case 'refuse_400':
      return { httpStatus: 400 };
    case 'userpaying_forever':
      return op === 'pay' ? { userpaying: true } : undefined;
    default:
      return null;
  }
}

/** The fault plan of one harness side, played on a gateway key by key. */
export class FaultPlayer<S> {
  private readonly plan = new FaultPlan();

  constructor(
    private readonly opOf: Record<string, FaultOp>,
    private readonly play: (rule: FaultRule, op: FaultOp) => S | undefined,
  ) {}

  set(rules: FaultRuleInput[]): void {
    this.plan.set(rules.map((r) => FaultRule.parse(r)));
  }

  clear(): void {
    this.plan.clear();
  }

  /** The script for the next call of `key` (a method or path), consuming one use of a rule. */
  next = (key: string): S | undefined => {
    const op = this.opOf[key];
    if (!op) return undefined;
    const rule = this.plan.take(op);
    return rule ? this.play(rule, op) : undefined;
  };
}

/** The customer's hands, run in the test process, for a child process too. */
export interface CustomerHands {
  code(wallet: string): string;
  confirm(orderNo: string): void;
  payQr(orderNo: string, wallet: string): void;
}

/** A loopback server the `Customer` of `customerOver` talks to. */
export async function startCustomerControl(hands: CustomerHands): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const q = (k: string) => u.searchParams.get(k) ?? '';
    try {
      let body: unknown = { ok: true };
      if (u.pathname === '/code') body = { code: hands.code(q('wallet')) };
      else if (u.pathname === '/confirm') hands.confirm(q('order'));
      else if (u.pathname === '/pay-qr') hands.payQr(q('order'), q('wallet'));
      else throw new Error(`no route ${u.pathname}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (e) {
      res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** The customer's side as the money tests use it, over the control server at `url`. */
export function customerOver(url: string): Customer {
  const call = async (path: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${url}${path}`, { method: 'POST' });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(String(body.error));
    return body;
  };
  return {
    code: async (wallet) => String((await call(`/code?wallet=${encodeURIComponent(wallet)}`)).code),
    userPaying: (orderNo, confirm) => (confirm ? call(`/confirm?order=${encodeURIComponent(orderNo)}`) : Promise.resolve(null)),
    payQr: (orderNo, wallet) => call(`/pay-qr?order=${encodeURIComponent(orderNo)}&wallet=${encodeURIComponent(wallet)}`),
    close: () => undefined,
  };
}

/** Books read from a fake's orders and refunds (see the header). */
export function fakeBooks(orders: () => FakeOrder[], refunds: () => Array<{ orderNo: string; refNo: string; amountFen: number }>, wallets: string[]): AcquirerBooks {
  const ledger = (): BookLine[] => {
    const lines: BookLine[] = [];
    for (const o of orders()) {
      if (!o.paid) continue;
      lines.push({ orderNo: o.orderNo, refNo: o.tradeNo, kind: 'payment', amountFen: o.amountFen });
      if (o.reversed) lines.push({ orderNo: o.orderNo, refNo: o.tradeNo, kind: 'reversal', amountFen: -(o.amountFen - o.refundedFen) });
    }
    for (const r of refunds()) lines.push({ orderNo: r.orderNo, refNo: r.refNo, kind: 'refund', amountFen: -r.amountFen });
    return lines;
  };
  return {
    orders: async (): Promise<BookOrder[]> => orders().map((o) => ({ orderNo: o.orderNo, status: o.paid && !o.reversed ? 'SUCCESS' : o.status, refundedFen: o.refundedFen })),
    ledger: async () => ledger(),
    balances: async () => {
      const byOrder = new Map(orders().map((o) => [o.orderNo, o.wallet]));
      const b = new Map(wallets.map((w) => [w, WALLET_START_FEN]));
      for (const l of ledger()) {
        const w = byOrder.get(l.orderNo);
        if (w && b.has(w)) b.set(w, b.get(w)! - l.amountFen);
      }
      return b;
    },
  };
}

export interface WalletSideOptions<S extends GatewayScript> {
  fake: FakeGateway<S> & { buyerPays(orderNo: string): void };
  /** The two digits a code of this wallet starts with. */
  codePrefix: string;
  wallets: { plain: string[]; password: string[] };
  play: (rule: FaultRule, op: FaultOp) => S | undefined;
  /** Gateway key (method or path) → the fault rules' op. */
  opOf: Record<string, FaultOp>;
  /** What the adapter needs besides the control server's address. */
  link: HarnessLink;
  /** The fake's orders, each with the customer's code it was charged with (none for a QR). */
  orders: () => Array<Omit<FakeOrder, 'wallet'> & { code?: string }>;
  refunds: () => Array<{ orderNo: string; refNo: string; amountFen: number }>;
  /** Null when the wallet shows no merchant QR. */
  payQr: ((orderNo: string) => void) | null;
}

/** A fake gateway as a harness side: faults, the customer's hands, the books. */
export async function startWalletSide<S extends GatewayScript>(o: WalletSideOptions<S>): Promise<HarnessSide> {
  const faults = new FaultPlayer<S>(o.opOf, o.play);
  o.fake.planner = faults.next;
  const walletOfCode = new Map<string, string>();
  const walletOfQr = new Map<string, string>();
  let seq = 0;
  const control = await startCustomerControl({
    code(wallet) {
      const code = `${o.codePrefix}${String(Date.now() % 1e9).padStart(9, '0')}${String(++seq).padStart(7, '0')}`;
      walletOfCode.set(code, wallet);
      if (o.wallets.password.includes(wallet)) o.fake.passwordCodes.add(code);
      return code;
    },
    confirm: (orderNo) => o.fake.buyerPays(orderNo),
    payQr(orderNo, wallet) {
      if (!o.payQr) throw new Error('this wallet shows no merchant QR');
      walletOfQr.set(orderNo, wallet);
      o.payQr(orderNo);
    },
  });
  const orders = (): FakeOrder[] => o.orders().map(({ code, ...x }) => ({ ...x, wallet: (code ? walletOfCode.get(code) : walletOfQr.get(x.orderNo)) ?? null }));
  return {
    link: { ...o.link, control: control.url },
    wallets: o.wallets,
    setFaults: async (rules) => faults.set(rules),
    clearFaults: async () => faults.clear(),
    books: fakeBooks(orders, o.refunds, [...o.wallets.plain, ...o.wallets.password]),
    async close() {
      await control.close();
      await o.fake.stop();
    },
  };
}
