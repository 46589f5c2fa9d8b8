/**
 * The crash tests' child process: a real engine on a real database file, talking to the
 * simulator (run by the parent test) over HTTP, with the named crash points armed by CRASH_AT.
 * MODE=run: recover what is open, then a stream of payments (plain and password wallets) and
 * refunds. MODE=recover: recover what is open and exit 0 — as the app does on start.
 * Env: DATA_DIR, HARNESS (harness.ts: which adapter) and its LINK and WALLETS (JSON), COUNT
 * (payments in the stream), CRASH_AT (see ../crash.ts).
 */
import path from 'node:path';
import { EventBus } from '../../events';
import { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { migrations } from '../../store/migrations';
import { crashProbe } from '../crash';
import { exitWhenDone } from './child';
import { PaymentEngine } from '../engine';
import { harnessNamed, type HarnessSide } from '../harness';
import { TINY_TIMINGS } from '../test-kit';

const TERMINAL = 'T0001';

async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR!;
  const wallets = JSON.parse(process.env.WALLETS!) as HarnessSide['wallets'];
  // Plain wallets, and one asking for a password every fourth payment.
  const stream = [wallets.plain[0], wallets.plain[1 % wallets.plain.length], wallets.plain[2 % wallets.plain.length], wallets.password[0], wallets.plain[3 % wallets.plain.length]];
  const db = await Db.open({ filename: path.join(dataDir, 'terminal.sqlite') });
  await migrate(db, migrations);
  const { acquirer, customer } = harnessNamed(process.env.HARNESS).connect(JSON.parse(process.env.LINK!), { ...TINY_TIMINGS, userpayingMaxWaitMs: 3_000 }, crashProbe);
  const engine = new PaymentEngine({
    db, bus: new EventBus(), acquirer, terminalId: TERMINAL, training: true, refundApprovalFen: 1_000_000, refundDailyApprovalFen: 1_000_000, log: () => undefined,
  });
  await engine.recover();
  if (process.env.MODE === 'run') {
    const count = Number(process.env.COUNT ?? 8);
    for (let i = 0; i < count; i += 1) {
      const wallet = stream[i % stream.length];
      const code = await customer.code(wallet);
      const p = await engine.charge({ amountFen: 100 + i * 7, code }, 'crash');
      if (wallets.password.includes(wallet)) {
        // The customer enters the password when the wallet asks for it.
        for (let t = 0; t < 200; t += 1) {
          const s = (await engine.get(p.orderNo)).payment.state;
          if (s === 'userpaying') {
            await customer.userPaying(p.orderNo, true).catch(() => undefined);
            break;
          }
          if (s !== 'created' && s !== 'paying') break;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      const done = await engine.settled(p.orderNo);
      if (done.state === 'succeeded' && i % 2 === 0) {
        await engine.refund({ orderNo: p.orderNo, amountFen: Math.floor(done.amountFen / 3), reason: 'crash test' }, 'crash');
        if (i % 4 === 0) await engine.refund({ orderNo: p.orderNo, amountFen: done.amountFen - Math.floor(done.amountFen / 3), reason: 'crash test' }, 'crash');
      }
    }
  }
  await engine.stop();
  acquirer.close();
  customer.close();
  await db.close();
}

exitWhenDone(main);
