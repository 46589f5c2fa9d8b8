/**
 * Issue 11, item 8, at the service point: the ¥1,000-a-day withdrawal limit is keyed by the
 * trusted clock's counter day (core/clock), so setting the PC clock back or forward a day does
 * not give a customer a fresh day.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrustedClock } from '../clock/trusted-clock';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { DemoAgentAcquirer } from './acquirer';
import { AgentService, type ChargePort } from './service';

const H = 3_600_000;
let dir: string;
let db: Db;
let n = 0;
const charge: ChargePort = {
  async charge() {
    n += 1;
    return { orderNo: `ORDER${String(n).padStart(6, '0')}`, state: 'succeeded', maskedCode: '1345 **** 6789', message: { zh: '成功', en: 'Paid' } };
  },
};

beforeEach(async () => {
  n = 0;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-clock-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function counter() {
  const m = { wall: Date.parse('2026-12-06T10:00:00+08:00'), mono: 1_000_000 };
  const bus = new EventBus();
  const link = new ConnectivityMonitor(bus);
  link.ok(5);
  const clock = await TrustedClock.open(db, bus, { wall: () => m.wall, mono: () => m.mono });
  const service = new AgentService(db, bus, new DemoAgentAcquirer(link), charge, () => m.wall, () => clock.counterDay());
  await service.floatOpen(500_000, 'agent1');
  expect((await service.withdraw({ amountFen: 100_000, code: 'c', customerPhone: '13812345678' }, 'agent1')).state).toBe('paid');
  return { m, clock, service };
}

describe('the withdrawal day limit and the PC clock', () => {
  it('does not reopen a customer’s used-up day when the PC clock is set back a day', async () => {
    const { m, clock, service } = await counter();
    m.wall -= 24 * H;
    await expect(service.withdraw({ amountFen: 10_000, code: 'c', customerPhone: '13812345678' }, 'agent1')).rejects.toMatchObject({ code: 'agent.daily_limit' });
    expect(clock.status().state).toBe('jumped_back');
  });

  it('does not reopen it when the PC clock is moved forward to tomorrow either', async () => {
    const { m, clock, service } = await counter();
    m.wall += 24 * H;
    await expect(service.withdraw({ amountFen: 10_000, code: 'c', customerPhone: '13812345678' }, 'agent1')).rejects.toMatchObject({ code: 'agent.daily_limit' });
    expect(clock.status().state).toBe('jumped_forward');
    expect(n).toBe(1);
  });
});
