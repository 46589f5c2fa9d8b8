import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Payment } from '../api/payments';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import { verifyJournal } from '../ledger/journal';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { DemoAgentAcquirer } from './acquirer';
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
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
  bus = new EventBus();
  link = new ConnectivityMonitor(bus);
  link.ok(5);
  charges = 0;
  nextState = 'succeeded';
  service = new AgentService(db, bus, new DemoAgentAcquirer(link), charge);
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
