/**
 * The offline-refund crash test's child process: a real engine on the terminal's database file,
 * whose offline payments were forwarded to, and confirmed by, the offline acquirer the parent
 * runs (offline-refunds.crash.test.ts); refunds go to that acquirer's refund route, with the
 * named crash points armed by CRASH_AT (../crash.ts).
 * MODE=run: recover what is open, then refund every confirmed offline payment a third at a time
 * (at most 3 refunds per run, so the kills of later runs still find work). MODE=recover: recover
 * what is open and exit 0, as the app does on start.
 * Env: DATA_DIR, ACQ_URL, ACQ_KEY, MODE, CRASH_AT.
 */
import path from 'node:path';
import { SandboxAcquirer } from '../../acquirer/sandbox/adapter';
import { SandboxOfflineRefunds } from '../../acquirer/sandbox/offline-refunds';
import { EventBus } from '../../events';
import { OfflineStore } from '../../offline/store';
import { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { migrations } from '../../store/migrations';
import { crashProbe } from '../crash';
import { exitWhenDone } from './child';
import { PaymentEngine } from '../engine';
import { TINY_TIMINGS } from '../test-kit';

const TERMINAL = 'T0001';

async function main(): Promise<void> {
  const db = await Db.open({ filename: path.join(process.env.DATA_DIR!, 'terminal.sqlite') });
  await migrate(db, migrations);
  const baseUrl = process.env.ACQ_URL!;
  const key = process.env.ACQ_KEY!;
  const bus = new EventBus();
  const store = await OfflineStore.open(db, bus, { terminalId: TERMINAL, training: true });
  // The online adapter only supplies the acquirer's rules here (timings, refund window): no online payment is made.
  const acquirer = new SandboxAcquirer({ baseUrl, terminalId: TERMINAL, key, training: true, timings: TINY_TIMINGS });
  const offlineRefunds = new SandboxOfflineRefunds({ baseUrl, terminalId: TERMINAL, key, timeoutMs: 2_000, probe: crashProbe });
  const engine = new PaymentEngine({
    db, bus, acquirer, terminalId: TERMINAL, training: true, refundApprovalFen: 1_000_000, log: () => undefined, offline: store, offlineRefunds,
  });
  await engine.recover();
  if (process.env.MODE === 'run') {
    const items = await db.all<{ order_no: string; amount_fen: number }>("SELECT order_no, amount_fen FROM offline_items WHERE status = 'accepted' ORDER BY seq");
    let made = 0;
    for (const it of items) {
      const left = it.amount_fen - (await engine.get(it.order_no)).refunds.filter((r) => r.state !== 'failed').reduce((s, r) => s + r.amountFen, 0);
      if (left <= 0 || made >= 3) continue;
      await engine.refund({ orderNo: it.order_no, amountFen: Math.min(left, Math.ceil(it.amount_fen / 3)), reason: 'crash test' }, 'crash');
      made += 1;
    }
  }
  await engine.stop();
  acquirer.close();
  offlineRefunds.close();
  await db.close();
}

exitWhenDone(main);
