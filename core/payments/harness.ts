/**
 * Acquirer harnesses for the money tests: the property test (faults.property.test.ts) and the
 * crash tests (crash/) run against every adapter listed in `HARNESSES`, not only the sandbox
 * one. A harness starts the acquirer's side (a simulator or a fake gateway, its files in a
 * folder), builds the adapter and the customer's hands from a serialisable `link` (so a crash
 * test's child process can too), injects faults in the sandbox protocol's terms
 * (simulator/faults.ts: a harness maps each kind onto its gateway, or ignores one it cannot
 * play), and reads the acquirer's books for the invariants (invariants.ts).
 * Adding an adapter: write its harness beside it and add it to `HARNESSES` (README.md).
 * Test support only; not imported by production code.
 */
import path from 'node:path';
import { SimulatorControl } from '../acquirer/simulator/control-client';
import type { FaultRuleInput } from '../acquirer/simulator/faults';
import { startSimulator, type Simulator } from '../acquirer/simulator/server';
import { SandboxAcquirer } from '../acquirer/sandbox/adapter';
import { alipayHarness } from '../acquirer/alipay/harness';
import { wechatHarness } from '../acquirer/wechat/harness';
import type { Acquirer, AcquirerTimings, Probe } from '../acquirer/types';
import type { Db } from '../store/db';

/** What a harness's child process needs to reach the acquirer side (strings: it travels in env). */
export type HarnessLink = Record<string, string>;

/** The customer's side: a wallet's fresh code, the password prompt, a shown QR. */
export interface Customer {
  code(walletId: string): Promise<string>;
  userPaying(orderNo: string, confirm: boolean): Promise<unknown>;
  payQr(orderNo: string, walletId: string): Promise<unknown>;
  close(): void;
}

/** One acquirer order and one movement of money, as the invariants read them. */
export interface BookOrder {
  orderNo: string;
  /** SUCCESS when the money is taken and kept; anything else is not paid. */
  status: string;
  refundedFen: number;
}
export interface BookLine {
  orderNo: string;
  refNo: string;
  kind: 'payment' | 'refund' | 'reversal';
  /** Signed: a debit of the wallet positive, a credit negative. */
  amountFen: number;
}

/** The acquirer's books for one terminal: its truth about money. */
export interface AcquirerBooks {
  orders(): Promise<BookOrder[]>;
  ledger(): Promise<BookLine[]>;
  /** Every wallet's balance, by wallet id. */
  balances(): Promise<Map<string, number>>;
}

export interface HarnessSide {
  link: HarnessLink;
  /** Plain wallets (pay at once) and wallets that ask for a password (USERPAYING). */
  wallets: { plain: string[]; password: string[] };
  setFaults(rules: FaultRuleInput[]): Promise<void>;
  clearFaults(): Promise<void>;
  books: AcquirerBooks;
  close(): Promise<void>;
}

export interface AcquirerHarness {
  readonly name: string;
  start(dir: string, terminalId: string): Promise<HarnessSide>;
  connect(link: HarnessLink, timings: AcquirerTimings, probe?: Probe): { acquirer: Acquirer & { close(): void }; customer: Customer };
}

/** The sandbox adapter against the acquirer simulator (PROTOCOL.md). */
export const sandboxHarness: AcquirerHarness & { simulator(side: HarnessSide): Simulator } = {
  name: 'sandbox',
  async start(dir, terminalId) {
    const sim = await startSimulator({ file: path.join(dir, 'sim.sqlite') });
    const key = await sim.provisionTerminal(terminalId);
    const control = new SimulatorControl({ baseUrl: sim.url, terminalId, key });
    const side: HarnessSide & { sim: Simulator } = {
      sim,
      link: { url: sim.url, key, terminalId },
      wallets: { plain: ['W01', 'W02', 'W03', 'W07', 'W06'], password: ['W04', 'W05'] },
      setFaults: (rules) => control.setFaults(rules),
      clearFaults: () => control.clearFaults(),
      books: simulatorBooks(sim.db, terminalId),
      async close() {
        control.close();
        await sim.close();
      },
    };
    return side;
  },
  connect(link, timings, probe) {
    const acquirer = new SandboxAcquirer({ baseUrl: link.url, terminalId: link.terminalId, key: link.key, training: true, timings, probe });
    const control = new SimulatorControl({ baseUrl: link.url, terminalId: link.terminalId, key: link.key });
    const customer: Customer = {
      code: async (walletId) => (await control.issueCode(walletId)).code,
      userPaying: (orderNo, confirm) => control.userPaying(orderNo, confirm),
      payQr: (orderNo, walletId) => control.payQr(orderNo, walletId),
      close: () => control.close(),
    };
    return { acquirer, customer };
  },
  simulator(side) {
    return (side as HarnessSide & { sim: Simulator }).sim;
  },
};

/** The simulator's own tables as books (its ledger is written with every balance change). */
export function simulatorBooks(sim: Db, terminalId: string): AcquirerBooks {
  return {
    orders: async () =>
      (await sim.all<{ out_trade_no: string; status: string; refunded_fen: number }>('SELECT out_trade_no, status, refunded_fen FROM orders WHERE terminal_id = ?', [terminalId]))
        .map((o) => ({ orderNo: o.out_trade_no, status: o.status, refundedFen: o.refunded_fen })),
    ledger: async () =>
      (await sim.all<{ out_trade_no: string; ref_no: string; kind: BookLine['kind']; amount_fen: number }>('SELECT out_trade_no, ref_no, kind, amount_fen FROM ledger WHERE terminal_id = ? ORDER BY seq', [terminalId]))
        .map((l) => ({ orderNo: l.out_trade_no, refNo: l.ref_no, kind: l.kind, amountFen: l.amount_fen })),
    balances: async () => new Map((await sim.all<{ id: string; balance_fen: number }>('SELECT id, balance_fen FROM wallets')).map((w) => [w.id, w.balance_fen])),
  };
}

/**
 * Every acquirer adapter the money tests run against: the sandbox one, and the wallet adapters
 * on their fake gateways (core/acquirer/alipay|wechat/harness.ts).
 */
export const HARNESSES: readonly AcquirerHarness[] = [sandboxHarness, alipayHarness, wechatHarness];

/** A harness by name (a crash test's child process gets the name in its environment). */
export function harnessNamed(name: string | undefined): AcquirerHarness {
  const h = HARNESSES.find((x) => x.name === (name ?? 'sandbox'));
  if (!h) throw new Error(`no acquirer harness named ${name}`);
  return h;
}
