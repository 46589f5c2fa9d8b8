/**
 * The terminal side of the AML crash tests, run as a child process so it can be killed with
 * SIGKILL at a named point (crash-point.ts). Modes:
 * - `pay`: opens the float, then makes `VC_N` withdrawals of ¥290 for one phone, each paid
 *   (durable) before the AML store reads the journal after it (as the app's watcher does after
 *   the withdrawal's event).
 * - `watch`: only reads whatever is waiting (a restart's catch-up).
 * It exits 0 when done (payments/crash/child.ts); a crash point ends it with SIGKILL.
 * The charge of a withdrawal is answered at once by a double: the payment engine's own crash
 * tests cover the charge; here what matters is the commit of the withdrawal and the flag after it.
 */
import path from 'node:path';
import { DemoAgentAcquirer } from '../agent/acquirer';
import { AgentService, type ChargePort } from '../agent/service';
import { exitWhenDone } from '../payments/crash/child';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import { DEFAULT_POLICY } from '../risk/policy';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { thresholds } from './rules';
import { AmlStore } from './store';

let charged = 0;
const charge: ChargePort = {
  async charge() {
    charged++;
    return { orderNo: `T0001CRASH${process.pid}${String(charged).padStart(3, '0')}`, state: 'succeeded', maskedCode: '6200 **** **** 0001', message: { zh: '成功', en: 'Paid' } };
  },
};

async function catchUp(aml: AmlStore): Promise<void> {
  while ((await aml.step()).read) {
    // until nothing is waiting
  }
}

async function main(): Promise<void> {
  const db = await Db.open({ filename: path.join(process.env.VC_DIR!, 'terminal.sqlite') });
  await migrate(db, migrations);
  const bus = new EventBus();
  const link = new ConnectivityMonitor(bus);
  link.ok(5);
  const aml = new AmlStore(db, { terminalId: 'T0001', thresholds: () => thresholds(DEFAULT_POLICY) });
  if (process.env.VC_MODE === 'pay') {
    const agent = new AgentService(db, bus, new DemoAgentAcquirer(link), charge);
    await agent.floatOpen(500_000, 'agent1');
    for (let i = 0; i < Number(process.env.VC_N ?? '3'); i++) {
      const w = await agent.withdraw({ amountFen: 29_000, code: 'c', customerPhone: '13812345678' }, 'agent1');
      if (w.state !== 'paid') throw new Error(`withdrawal ${w.id} is ${w.state}`);
      await catchUp(aml);
    }
  } else {
    await catchUp(aml);
  }
  await db.close();
}

exitWhenDone(main);
