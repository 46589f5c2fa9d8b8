import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BillPayment } from '../api/agent';
import type { Payment } from '../api/payments';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import { verifyJournal } from '../ledger/journal';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { DemoAgentAcquirer } from './acquirer';
import { agentDemoHandlers } from './handlers';
import { AgentService, businessDay, type ChargePort } from './service';

let dir: string;
let db: Db;
let bus: EventBus;
let link: ConnectivityMonitor;
let charges: number;
let nextState: Payment['state'];

/** A charge engine double: records calls, answers with the state the test chose. */
const charge: ChargePort = {
  async charge(_amountFen, code) {
    charges++;
    if (code === 'refuse') throw new Error('boom');
    return { orderNo: `ORDER${String(charges).padStart(6, '0')}`, state: nextState, maskedCode: '1345 **** 6789', message: { zh: '处理中', en: 'In progress' } };
  },
};

const payment = (orderNo: string, state: Payment['state']): Payment => ({
  orderNo, kind: 'withdrawal', amountFen: 1000, tender: 'wechat', state, maskedCode: null, message: { zh: '失败', en: 'failed' }, error: null,
  createdAt: 0, updatedAt: 0, refundedFen: 0, training: true, qr: null, cash: null, creditName: null, operatorId: null,
});

let service: AgentService;
let biller: DemoAgentAcquirer;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
  bus = new EventBus();
  link = new ConnectivityMonitor(bus);
  link.ok(5);
  charges = 0;
  nextState = 'succeeded';
  biller = new DemoAgentAcquirer(link);
  service = new AgentService(db, bus, biller, charge);
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const phone = '13812345678';

describe('assisted withdrawal', () => {
  it('refuses amounts that are not a multiple of ¥10 or under ¥10 before charging', async () => {
    await service.floatOpen(500_000, 'agent1');
    await expect(service.withdraw({ amountFen: 1_050, code: 'c', customerPhone: phone }, 'agent1')).rejects.toMatchObject({ code: 'agent.withdraw_step' });
    await expect(service.withdraw({ amountFen: 500, code: 'c', customerPhone: phone }, 'agent1')).rejects.toMatchObject({ code: 'agent.withdraw_step' });
    expect(charges).toBe(0);
  });

  it('stops a customer at ¥1,000 a day and says how much is left, without charging', async () => {
    await service.floatOpen(500_000, 'agent1');
    const w = await service.withdraw({ amountFen: 80_000, code: 'c', customerPhone: phone }, 'agent1');
    expect(w.state).toBe('paid');
    expect(w.remainingTodayFen).toBe(20_000);
    await expect(service.withdraw({ amountFen: 30_000, code: 'c', customerPhone: phone }, 'agent1')).rejects.toMatchObject({
      code: 'agent.daily_limit', detail: { remainingFen: 20_000 },
    });
    expect(charges).toBe(1);
    // Another customer has their own limit.
    expect((await service.withdraw({ amountFen: 30_000, code: 'c', customerPhone: '13900000000' }, 'agent1')).state).toBe('paid');
  });

  it('lets only one of two racing withdrawals through the limit', async () => {
    await service.floatOpen(500_000, 'agent1');
    nextState = 'paying';
    const results = await Promise.allSettled([
      service.withdraw({ amountFen: 60_000, code: 'c', customerPhone: phone }, 'agent1'),
      service.withdraw({ amountFen: 60_000, code: 'c', customerPhone: phone }, 'agent1'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(charges).toBe(1);
  });

  it('releases the limit and keeps the cash when the charge fails', async () => {
    await service.floatOpen(100_000, 'agent1');
    nextState = 'paying';
    const w = await service.withdraw({ amountFen: 100_000, code: 'c', customerPhone: phone }, 'agent1');
    expect(w.state).toBe('charging');
    bus.emit('payments:changed', payment(w.orderNo!, 'failed'));
    await new Promise((r) => setTimeout(r, 50));
    expect((await service.withdrawal(w.id)).state).toBe('failed');
    expect((await service.float()).expectedFen).toBe(100_000);
    nextState = 'succeeded';
    expect((await service.withdraw({ amountFen: 100_000, code: 'c', customerPhone: phone }, 'agent1')).state).toBe('paid');
    expect((await service.float()).expectedFen).toBe(0);
  });

  it('releases the limit when the charge cannot even start', async () => {
    await service.floatOpen(100_000, 'agent1');
    await expect(service.withdraw({ amountFen: 10_000, code: 'refuse', customerPhone: phone }, 'agent1')).rejects.toBeTruthy();
    const w = await service.withdraw({ amountFen: 100_000, code: 'c', customerPhone: phone }, 'agent1');
    expect(w.remainingTodayFen).toBe(0);
  });

  it('pays cash out of the float only after the charge succeeds, and never more than the drawer holds', async () => {
    await service.floatOpen(20_000, 'agent1');
    await expect(service.withdraw({ amountFen: 30_000, code: 'c', customerPhone: phone }, 'agent1')).rejects.toMatchObject({ code: 'agent.not_enough_cash' });
    nextState = 'userpaying';
    const w = await service.withdraw({ amountFen: 10_000, code: 'c', customerPhone: phone }, 'agent1');
    expect((await service.float()).expectedFen).toBe(20_000);
    bus.emit('payments:changed', payment(w.orderNo!, 'succeeded'));
    await new Promise((r) => setTimeout(r, 50));
    expect((await service.float()).expectedFen).toBe(10_000);
    expect((await verifyJournal(db)).ok).toBe(true);
  });

  it('refuses a withdrawal before the float is counted', async () => {
    await expect(service.withdraw({ amountFen: 1_000, code: 'c', customerPhone: phone }, 'agent1')).rejects.toMatchObject({ code: 'agent.float_not_open' });
  });
});

describe('cash float', () => {
  it('reports the variance of the closing count against the movements', async () => {
    await service.floatOpen(50_000, 'agent1');
    await service.floatMove('in', 10_000, '补充零钱', 'agent1');
    await service.floatMove('out', 5_000, '交回银行', 'agent1');
    const closed = await service.floatClose(54_900, 'agent1');
    expect(closed.expectedFen).toBe(55_000);
    expect(closed.varianceFen).toBe(-100);
    await expect(service.floatMove('in', 100, 'late', 'agent1')).rejects.toMatchObject({ code: 'agent.float_closed' });
  });

  it('opens once per business day and refuses taking out more than is there', async () => {
    await service.floatOpen(1_000, 'agent1');
    await expect(service.floatOpen(1_000, 'agent1')).rejects.toMatchObject({ code: 'agent.float_open' });
    await expect(service.floatMove('out', 2_000, 'x', 'agent1')).rejects.toMatchObject({ code: 'agent.not_enough_cash' });
  });

  it('counts business days in China time', () => {
    expect(businessDay(Date.UTC(2026, 0, 1, 15, 59))).toBe('2026-01-01');
    expect(businessDay(Date.UTC(2026, 0, 1, 16, 0))).toBe('2026-01-02');
  });
});

describe('bill payment', () => {
  it('pays online and takes the cash into the float', async () => {
    await service.floatOpen(0, 'agent1');
    const billers = await service.billers();
    expect(billers.map((b) => b.kind)).toEqual(['water', 'power', 'phone', 'social', 'medical']);
    const look = await service.billLookup('water-county', '12345678');
    expect(look.maskedAccount).toBe('**** 5678');
    const p = await service.billPay({ billerId: 'water-county', account: '12345678', amountFen: look.dueFen }, 'agent1');
    expect(p).toMatchObject({ state: 'paid', provisional: false });
    expect((await service.float()).expectedFen).toBe(look.dueFen);
  });

  it('queues a bill offline with a provisional receipt and sends it when the link returns', async () => {
    await service.floatOpen(0, 'agent1');
    await service.billers();
    link.failed();
    link.failed();
    await expect(service.billLookup('water-county', '12345678')).rejects.toMatchObject({ code: 'agent.offline' });
    const p = await service.billPay({ billerId: 'water-county', account: '12345678', amountFen: 3_000 }, 'agent1');
    expect(p).toMatchObject({ state: 'queued', provisional: true });
    expect(p.message.zh).toContain('临时收据');
    link.ok(5);
    await new Promise((r) => setTimeout(r, 50));
    const row = await db.get<{ state: string }>('SELECT state FROM agent_bills WHERE id = ?', [p.id]);
    expect(row?.state).toBe('paid');
  });

  it('says plainly that balance enquiry and remittance need the network', async () => {
    await service.floatOpen(0, 'agent1');
    link.failed();
    link.failed();
    await expect(service.balance('134567890123456789', 'agent1')).rejects.toMatchObject({ code: 'agent.offline' });
    await expect(service.remit({ toAccount: '621700001234', toName: '张三', amountFen: 1_000 }, 'agent1')).rejects.toMatchObject({ code: 'agent.offline' });
  });
});

describe('a queued bill the biller refuses', () => {
  const account = '3300112233';
  /** A bill taken in cash while offline, then refused by the biller when the link returns. */
  async function refusedBill(amountFen = 8_650): Promise<BillPayment> {
    await service.billers();
    link.failed();
    link.failed();
    const queued = await service.billPay({ billerId: 'power-grid', account, amountFen }, 'agent1');
    expect(queued.state).toBe('queued');
    biller.refuseBills = true;
    link.ok(5); // the link is back: the queued bill is sent, and refused
    await vi.waitFor(async () => expect((await service.billsToReturn()).map((b) => b.id)).toContain(queued.id));
    return (await service.billsToReturn()).find((b) => b.id === queued.id)!;
  }
  const moves = (kind: string) => db.all<{ amount_fen: number; operator_id: string | null }>('SELECT amount_fen, operator_id FROM agent_float_moves WHERE kind = ?', [kind]);
  const audits = (action: string) => db.all<{ operator_id: string | null; detail: string }>('SELECT operator_id, detail FROM audit_log WHERE action = ?', [action]);

  it('shows on the service point’s list with what the biller said and what to do, the cash still counted in the drawer', async () => {
    await service.floatOpen(100_000, 'agent1');
    const changed: BillPayment[] = [];
    bus.subscribe((name, payload) => {
      if (name === 'agent:billChanged') changed.push(payload as BillPayment);
    });
    const b = await refusedBill();
    expect(b).toMatchObject({ state: 'failed', amountFen: 8_650, provisional: false, returnedAt: null, billerName: { zh: '国网电费', en: 'State Grid electricity' } });
    expect(b.refusal?.zh).toContain('缴费单位拒绝了这笔缴费');
    expect(b.message.zh).toMatch(/¥86\.50 还在钱箱里.*退还现金给客户.*签字/);
    expect(b.message.en).toMatch(/¥86\.50 in cash is still in the drawer.*Return cash to customer.*sign/);
    // Taken (queued: the receipt service prints the provisional receipt from this event), then refused.
    expect(changed.map((x) => [x.id, x.state])).toEqual([[b.id, 'queued'], [b.id, 'failed']]);
    // The refusal changes no cash: the customer's money is in the drawer until it is handed back.
    expect((await service.float()).expectedFen).toBe(108_650);
    expect(await audits('bill.declined')).toHaveLength(1);
  });

  it('returns the cash once: one movement out of the float, one journal and audit row, however often it is asked', async () => {
    await service.floatOpen(100_000, 'agent1');
    const b = await refusedBill();
    const changed: BillPayment[] = [];
    bus.subscribe((name, payload) => {
      if (name === 'agent:billChanged') changed.push(payload as BillPayment);
    });
    // A double press and a retry after a lost answer: the same answer, one return.
    const [x, y] = await Promise.all([service.billReturn(b.id, 'agent1'), service.billReturn(b.id, 'agent2')]);
    const z = await service.billReturn(b.id, 'agent1');
    for (const r of [x, y, z]) expect(r).toMatchObject({ id: b.id, state: 'returned', returnedBy: 'agent1', returnedAt: x.returnedAt });
    expect(x.message.zh).toContain('已退还客户');
    expect(await moves('bill_return')).toEqual([{ amount_fen: -8_650, operator_id: 'agent1' }]);
    expect(await audits('bill.return')).toEqual([expect.objectContaining({ operator_id: 'agent1' })]);
    expect(JSON.parse((await audits('bill.return'))[0].detail)).toMatchObject({ id: b.id, amountFen: 8_650 });
    expect(changed.map((c) => c.state)).toEqual(['returned']);
    expect(await service.billsToReturn()).toEqual([]);
    expect((await verifyJournal(db)).ok).toBe(true);
    expect((await db.all<{ kind: string }>("SELECT kind FROM journal WHERE ref = ? ORDER BY seq", [b.id])).map((j) => j.kind)).toEqual(['float.bill', 'float.bill_return']);
    // The database keeps it once too, whoever writes.
    await expect(db.run('UPDATE agent_bills SET returned_at = returned_at + 1 WHERE id = ?', [b.id])).rejects.toThrow(/returned once/);
  });

  it('keeps the float true: counted after the cash went back, no variance', async () => {
    await service.floatOpen(100_000, 'agent1');
    const b = await refusedBill();
    // Had the agent handed the cash back without recording it, the count would come up short.
    expect((await service.float()).expectedFen - 100_000).toBe(8_650);
    await service.billReturn(b.id, 'agent1');
    const f = await service.floatClose(100_000, 'agent1');
    expect(f).toMatchObject({ expectedFen: 100_000, varianceFen: 0 });
    expect(f.movements.map((m) => [m.kind, m.amountFen])).toEqual([['open', 100_000], ['bill', 8_650], ['bill_return', -8_650], ['close', 0]]);
  });

  it('refuses, writing nothing, a bill that was not refused, an unknown one, a drawer short of the cash, and a closed float', async () => {
    await service.floatOpen(100_000, 'agent1');
    await service.billers();
    const paid = await service.billPay({ billerId: 'water-county', account: '12345678', amountFen: 3_000 }, 'agent1');
    await expect(service.billReturn(paid.id, 'agent1')).rejects.toMatchObject({ code: 'agent.bill_not_refused' });
    link.failed();
    link.failed();
    const queued = await service.billPay({ billerId: 'water-county', account: '12345678', amountFen: 2_000 }, 'agent1');
    await expect(service.billReturn(queued.id, 'agent1')).rejects.toMatchObject({ code: 'agent.bill_not_refused' });
    await expect(service.billReturn('BPNOSUCH', 'agent1')).rejects.toMatchObject({ code: 'agent.not_found' });
    const b = await refusedBill(5_000);
    const expected = (await service.float()).expectedFen;
    await service.floatMove('out', expected - 4_999, '交回银行', 'agent1');
    await expect(service.billReturn(b.id, 'agent1')).rejects.toMatchObject({ code: 'agent.not_enough_cash', detail: { availableFen: 4_999 } });
    await service.floatMove('in', 1, '补足', 'agent1');
    await service.floatClose(5_000, 'agent1');
    await expect(service.billReturn(b.id, 'agent1')).rejects.toMatchObject({ code: 'agent.float_closed' });
    expect(await moves('bill_return')).toEqual([]);
    expect(await audits('bill.return')).toEqual([]);
    // Both still to give back (the queued one was sent with it when the link returned, and refused too).
    expect((await service.billsToReturn()).map((x) => x.id)).toEqual([queued.id, b.id]);
  });

  it('is switched by the trainer in demo mode only', async () => {
    const on = agentDemoHandlers(biller)['demo:billerRefuse'];
    await on({ refuse: true }, { operator: null });
    expect(biller.refuseBills).toBe(true);
    await expect(service.billPay({ billerId: 'water-county', account: '12345678', amountFen: 1_000 }, 'agent1').catch((e) => e)).resolves.toMatchObject({ code: 'agent.float_not_open' });
    await service.floatOpen(0, 'agent1');
    // Online, the refusal comes at the counter: nothing is recorded, no cash is counted in.
    await expect(service.billPay({ billerId: 'water-county', account: '12345678', amountFen: 1_000 }, 'agent1')).rejects.toMatchObject({ code: 'agent.bill_refused' });
    expect((await service.float()).expectedFen).toBe(0);
    await on({ refuse: false }, { operator: null });
    expect(biller.refuseBills).toBe(false);
    await expect(agentDemoHandlers(null)['demo:billerRefuse']({ refuse: true }, { operator: null })).rejects.toMatchObject({ code: 'demo.only' });
  });
});

describe('one action per request id (a double press, a retry after a reconnect, a restart)', () => {
  const rid = (n: number) => `req-agent-test-${String(n).padStart(4, '0')}`;

  it('a withdrawal sent twice with one id charges once and answers the same withdrawal, even while the first is running', async () => {
    await service.floatOpen(500_000, 'agent1', rid(1));
    const input = { amountFen: 20_000, code: 'c', customerPhone: phone, requestId: rid(2) };
    const [a, b] = await Promise.all([service.withdraw(input, 'agent1'), service.withdraw(input, 'agent1')]);
    const c = await service.withdraw(input, 'agent1');
    expect(charges).toBe(1);
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    expect((await service.float()).movements.filter((m) => m.kind === 'withdrawal')).toHaveLength(1);
    // The same id with another amount is a different action: refused, nothing charged.
    await expect(service.withdraw({ ...input, amountFen: 30_000 }, 'agent1')).rejects.toMatchObject({ code: 'request.mismatch', zh: expect.any(String), en: expect.any(String) });
    expect(charges).toBe(1);
  });

  it('a float movement, bill and remittance happen once per id; a new service over the same file (a restart) still knows the id', async () => {
    await service.floatOpen(100_000, 'agent1', rid(10));
    expect((await service.floatOpen(100_000, 'agent1', rid(10))).openingFen).toBe(100_000); // a repeat, not "already open"
    await Promise.all([service.floatMove('in', 5_000, '补零钱', 'agent1', rid(11)), service.floatMove('in', 5_000, '补零钱', 'agent1', rid(11))]);
    const bill = { billerId: 'water-county', account: '12345678', amountFen: 3_000, requestId: rid(12) };
    const b1 = await service.billPay(bill, 'agent1');
    const restarted = new AgentService(db, bus, biller, charge);
    const b2 = await restarted.billPay(bill, 'agent1');
    expect(b2.id).toBe(b1.id);
    const remit = { toAccount: '621700001234', toName: '张三', amountFen: 1_000, requestId: rid(13) };
    const r1 = await service.remit(remit, 'agent1');
    expect(await restarted.remit(remit, 'agent1')).toEqual(r1);
    const kinds = (await service.float()).movements.map((m) => m.kind);
    expect(kinds).toEqual(['open', 'in', 'bill', 'in']);
    await expect(service.floatMove('out', 5_000, '补零钱', 'agent1', rid(11))).rejects.toMatchObject({ code: 'request.mismatch' });
    await expect(service.floatClose(100_000, 'agent1', rid(12))).rejects.toMatchObject({ code: 'request.mismatch' });
  });

  it('a refused action leaves no id behind: the same id may try again once the cause is fixed', async () => {
    await expect(service.floatMove('in', 5_000, 'x', 'agent1', rid(20))).rejects.toMatchObject({ code: 'agent.float_not_open' });
    await service.floatOpen(0, 'agent1', rid(21));
    expect((await service.floatMove('in', 5_000, 'x', 'agent1', rid(20))).expectedFen).toBe(5_000);
  });
});
