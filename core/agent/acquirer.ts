/**
 * What the service point needs from the acquirer beyond card payments: the billers
 * catalogue, bill look-up and payment, balance enquiry and remittance. Every call needs the
 * network; an implementation throws AgentErrors.offline() when the link is down.
 *
 * `DemoAgentAcquirer` is the training twin (demo mode only, no real money): deterministic
 * answers so lessons can be scripted — an account ending in 0000 does not exist — and a
 * trainer's switch that makes the biller refuse bills.
 */
import { createHash } from 'node:crypto';
import type { Biller, BillerKind } from '../api/agent';
import type { ConnectivityMonitor } from '../connectivity/monitor';
import { AgentErrors } from './errors';

export interface AgentAcquirer {
  billers(): Promise<Array<Omit<Biller, 'syncedAt'>>>;
  lookupBill(billerId: string, account: string): Promise<{ holder: string; dueFen: number }>;
  payBill(billerId: string, account: string, amountFen: number, id: string): Promise<{ reference: string }>;
  balance(code: string): Promise<{ account: string; balanceFen: number }>;
  remit(toAccount: string, toName: string, amountFen: number): Promise<{ reference: string }>;
}

const CATALOGUE: Array<{ id: string; kind: BillerKind; zh: string; en: string; digits: number }> = [
  { id: 'water-county', kind: 'water', zh: '县自来水公司', en: 'County Water Company', digits: 8 },
  { id: 'power-grid', kind: 'power', zh: '国网电费', en: 'State Grid electricity', digits: 10 },
  { id: 'phone-topup', kind: 'phone', zh: '手机话费充值', en: 'Mobile phone top-up', digits: 11 },
  { id: 'social-pension', kind: 'social', zh: '城乡居民养老保险', en: 'Rural pension insurance', digits: 18 },
  { id: 'medical-coop', kind: 'medical', zh: '城乡居民医疗保险', en: 'Rural medical insurance', digits: 18 },
];

const HOLDERS = ['张秀兰', '李建国', '王桂英', '刘德明', '陈玉珍'];

function digest(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}

export class DemoAgentAcquirer implements AgentAcquirer {
  /**
   * The trainer's fault (`demo:billerRefuse`): the biller refuses every bill sent to it, so a
   * class can practise giving a queued bill's cash back. Off again on the training reset.
   */
  refuseBills = false;

  constructor(private readonly link: Pick<ConnectivityMonitor, 'get'>) {}

  private online(): void {
    if (this.link.get().state === 'offline') throw AgentErrors.offline();
  }

  async billers() {
    this.online();
    return CATALOGUE.map((b) => ({ id: b.id, kind: b.kind, name: { zh: b.zh, en: b.en }, accountDigits: b.digits }));
  }

  private account(billerId: string, account: string) {
    const b = CATALOGUE.find((c) => c.id === billerId);
    if (!b) throw AgentErrors.unknownBiller();
    if (account.length !== b.digits || account.endsWith('0000')) throw AgentErrors.noSuchAccount();
    const h = digest(`${billerId}:${account}`);
    return { holder: HOLDERS[h % HOLDERS.length], dueFen: b.kind === 'phone' ? 5_000 : 1_000 + (h % 30_000) };
  }

  async lookupBill(billerId: string, account: string) {
    this.online();
    return this.account(billerId, account);
  }

  async payBill(billerId: string, account: string, _amountFen: number, id: string) {
    this.online();
    this.account(billerId, account);
    if (this.refuseBills) throw AgentErrors.billRefused();
    return { reference: `B${digest(id).toString().padStart(10, '0')}` };
  }

  async balance(code: string) {
    this.online();
    const h = digest(code);
    return { account: `6217${String(h).padStart(12, '0').slice(-12)}`, balanceFen: 10_000 + (h % 5_000_000) };
  }

  async remit(toAccount: string, _toName: string, amountFen: number) {
    this.online();
    return { reference: `R${digest(`${toAccount}:${amountFen}:${Date.now()}`).toString().padStart(10, '0')}` };
  }
}

/** Live mode until a real acquirer adapter offers these services: says so plainly, never pretends. */
export const unavailableAgentAcquirer: AgentAcquirer = {
  billers: async () => { throw AgentErrors.serviceUnavailable(); },
  lookupBill: async () => { throw AgentErrors.serviceUnavailable(); },
  payBill: async () => { throw AgentErrors.serviceUnavailable(); },
  balance: async () => { throw AgentErrors.serviceUnavailable(); },
  remit: async () => { throw AgentErrors.serviceUnavailable(); },
};
