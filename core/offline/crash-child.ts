/**
 * The terminal side of the offline crash tests, run as a child process so it can be killed
 * with SIGKILL at a named crash point (crash-point.ts). Modes:
 * - `accept`: sync trust material, then accept the codes in codes.json in order, printing
 *   `ACCEPTED <index> <orderNo>` only after each accept has resolved (i.e. is durable).
 * - `burst`: the same, but every code is handed over at once (many verifications in flight on
 *   the pool's threads, accepts queued behind a commit).
 * - `forward`: forward everything pending until the outbox is empty, then print `DRAINED`.
 * The parent (offline.crash.test.ts) owns the acquirer simulator and checks the outcome.
 * Signatures are checked on the worker pool, as in the app, so a kill also lands while codes
 * are being verified on other threads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { OfflineClient } from '../forward/client';
import { Forwarder } from '../forward/forwarder';
import { OfflineStore } from './store';
import { VerifyPool } from './verify-pool';

async function main(): Promise<void> {
  const dir = process.env.VC_DIR!;
  const url = process.env.VC_ACQ_URL!;
  const mode = process.env.VC_MODE!;
  const db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  await migrate(db, migrations);
  const store = await OfflineStore.open(db, null, { terminalId: 'T0001', training: true, signatures: new VerifyPool() });
  const client = new OfflineClient({ baseUrl: url, terminalId: 'T0001', key: process.env.VC_TERMINAL_KEY!, minTimeoutMs: 5_000 });
  if (mode === 'accept' || mode === 'burst') {
    const { reply, offsetMs } = await client.sync();
    await store.applySync({ issuerKeys: reply.issuerKeys, revoked: reply.revoked, policy: reply.policy, offsetMs });
    const codes = JSON.parse(fs.readFileSync(path.join(dir, 'codes.json'), 'utf8')) as Array<{ code: string; amountFen: number }>;
    const one = async (i: number) => {
      try {
        const p = await store.accept({ amountFen: codes[i].amountFen, code: codes[i].code, operatorId: 'c1' });
        process.stdout.write(`ACCEPTED ${i} ${p.orderNo}\n`);
      } catch (e) {
        process.stdout.write(`REFUSED ${i} ${(e as { code?: string }).code ?? 'error'}\n`);
      }
    };
    if (mode === 'burst') await Promise.all(codes.map((_, i) => one(i)));
    else for (let i = 0; i < codes.length; i++) await one(i);
  } else if (mode === 'forward') {
    const fwd = new Forwarder(store, client, null, { terminalId: 'T0001', initialBatch: 7, minBatch: 5, maxBatch: 7, baseBackoffMs: 10, maxBackoffMs: 50 });
    await fwd.drain();
    process.stdout.write('DRAINED\n');
  }
  client.close();
  await store.close();
  await db.close();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
