/**
 * Store-and-forward benchmark, all in one run (`npm run bench offline`):
 * - one bare durable commit (BEGIN IMMEDIATE; INSERT ~300 bytes; COMMIT, synchronous=FULL) as
 *   the baseline, then offline accept (parse → verify → risk → one commit) against it;
 * - sustained accepts per second with many callers submitting at once;
 * - the risk decision alone;
 * - forwarding 10,000 offline payments through the link emulator at 64 kbit/s, 600 ms RTT,
 *   3% loss (core/offline/link-emulator.ts: its loss model is documented there), against the
 *   floor of total bytes ÷ bandwidth; and bytes per payment against the naive protocol of one
 *   JSON request per item (a real endpoint of the simulator, measured on a sample of 300
 *   items through the same proxy, unshaped, with keep-alive — generous to the naive side).
 *
 * Wallet mix of the accept figures: the measured accepts are 90% returning wallets (key warmed
 * in idle time, as between customers) and 10% first-seen; both are also reported separately.
 * Codes are made beforehand (the phone's work, not the terminal's). The bench's policy raises
 * velocity and exposure limits so 10,000 accepts are possible; the rules still run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchModule, BenchResult } from './run';
import { Db } from '../core/store/db';
import { startOfflineAcquirerServer } from '../core/acquirer/simulator/offline-routes';
import { newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from '../core/offline/test-kit';
import type { OfflineWallet } from '../core/offline/wallet';
import { DEFAULT_POLICY } from '../core/risk/policy';
import { LinkEmulator, LINK_PRESETS } from '../core/offline/link-emulator';
import { OfflineClient } from '../core/forward/client';
import { Forwarder } from '../core/forward/forwarder';
import { offlineOrderNo, parseCode } from '../core/offline/code';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function bareCommit(dir: string, n: number): Promise<number[]> {
  const db = await Db.open({ filename: path.join(dir, 'bare.sqlite') });
  await db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const body = 'x'.repeat(300);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await db.tx(async (q) => {
      await q.run('INSERT INTO t (body) VALUES (?)', [body]);
    });
    out.push(performance.now() - t);
  }
  await db.close();
  return out;
}

export const bench: BenchModule = {
  name: 'offline',
  async run(): Promise<BenchResult> {
    const dir = tempDir('bench-offline');
    const { acq, db: acqDb } = await openAcquirer(dir);
    acq.policy = { ...DEFAULT_POLICY, version: 1, velocityPerWalletPerHour: 100, exposureLimitFen: 100_000_000, walletDailyCapFen: 500_000 };
    const db = await openTerminalDb(dir);
    const store = await openSyncedStore(db, acq, { bus: null });
    const wallets: OfflineWallet[] = [];
    for (let i = 0; i < 500; i++) wallets.push(await newWallet(acq));
    const amount = (i: number) => 100 + (i % 400);
    let accepted = 0;
    const accept = async (code: string) => {
      await store.accept({ amountFen: amount(accepted), code, operatorId: 'c1' });
      accepted += 1;
    };

    // Interleave baseline and subject in rounds, so machine noise hits both alike.
    const bare: number[] = [];
    const returning: number[] = [];
    const firstSeen: number[] = [];
    const mixed: number[] = [];
    let nextNew = 0;
    // 300 wallets become "returning": seen once, then warmed in idle time.
    for (; nextNew < 300; nextNew++) await accept(wallets[nextNew].nextCode());
    store.verifier.warmIdle(Number.POSITIVE_INFINITY);
    for (let round = 0; round < 5; round++) {
      bare.push(...(await bareCommit(dir, 100)));
      const codes: Array<{ code: string; first: boolean }> = [];
      for (let i = 0; i < 100; i++) {
        const first = i % 10 === 9;
        const w = first ? wallets[nextNew++] : wallets[(round * 90 + i) % 300];
        codes.push({ code: w.nextCode(), first });
      }
      for (const c of codes) {
        const t = performance.now();
        await accept(c.code);
        const ms = performance.now() - t;
        mixed.push(ms);
        (c.first ? firstSeen : returning).push(ms);
      }
      store.verifier.warmIdle(Number.POSITIVE_INFINITY);
    }

    // Risk decision alone (pure, in memory), against the live counters.
    const sample = store.verify(wallets[1].nextCode());
    const risk: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const t = performance.now();
      store.decideFor(sample, 100 + (i % 1000), 'sale');
      risk.push(performance.now() - t);
    }

    // Sustained: 2,000 accepts submitted at once (many callers), returning wallets only (every
    // wallet seen once and warmed first, as after a morning of trade), then on to 10,000 in all.
    for (; nextNew < 500; nextNew++) await accept(wallets[nextNew].nextCode());
    store.verifier.warmIdle(Number.POSITIVE_INFINITY);
    const batchCodes: string[] = [];
    for (let i = 0; i < 2000; i++) batchCodes.push(wallets[i % 500].nextCode());
    store.verifier.warmIdle(Number.POSITIVE_INFINITY);
    const t0 = performance.now();
    await Promise.all(batchCodes.map((c) => accept(c)));
    const sustainedPerS = 2000 / ((performance.now() - t0) / 1000);
    while (accepted < 10_000) {
      const codes: string[] = [];
      for (let i = 0; i < 500 && accepted + codes.length < 10_000; i++) codes.push(wallets[(accepted + i) % 500].nextCode());
      await Promise.all(codes.map((c) => accept(c)));
    }

    // Forwarding 10,000 through the shaped link.
    const server = await startOfflineAcquirerServer(acq);
    const link = new LinkEmulator(server.port, LINK_PRESETS.weak);
    await link.start();
    const client = new OfflineClient({ baseUrl: `http://127.0.0.1:${link.port}`, terminalId: 'T0001', key: await acq.provisionTerminal('T0001'), minTimeoutMs: 30_000 });
    let batches = 0;
    let failures = 0;
    const errors = new Set<string>();
    const fwd = new Forwarder(store, client, null, {
      terminalId: 'T0001',
      onBatch: (b) => {
        batches += 1;
        if (!b.ok) {
          failures += 1;
          errors.add(b.error ?? 'unknown');
        }
      },
    });
    const pending = await store.pendingCount();
    const f0 = performance.now();
    await fwd.drain();
    const wall = (performance.now() - f0) / 1000;
    const bytes = link.bytesUp + link.bytesDown;
    const floor = bytes / LINK_PRESETS.weak.bandwidthBps;
    const counts = await acq.applyCounts('T0001');
    const exactlyOnce = counts.size === accepted && [...counts.values()].every((n) => n === 1);

    // Naive baseline: one JSON request per item, through the same proxy (unshaped).
    link.setProfile(LINK_PRESETS.online);
    link.resetCounters();
    const naiveN = 300;
    // Its own terminal (so its orders do not mix with the batches'), signing as itself.
    const naiveClient = new OfflineClient({ baseUrl: `http://127.0.0.1:${link.port}`, terminalId: 'T0002', key: await acq.provisionTerminal('T0002'), minTimeoutMs: 30_000 });
    for (let i = 0; i < naiveN; i++) {
      const w = wallets[i % 500];
      const code = w.nextCode();
      const body = JSON.stringify({ terminalId: 'T0002', orderNo: offlineOrderNo(parseCode(code).bytes), amountFen: amount(i), purpose: 'sale', acceptedAt: Date.now(), code });
      const r = await naiveClient.request('POST', '/offline/v1/item', Buffer.from(body), 'application/json');
      if (r.status !== 200) throw new Error(`naive item refused: ${r.status}`);
    }
    const naivePer = (link.bytesUp + link.bytesDown) / naiveN;

    naiveClient.close();
    client.close();
    await link.stop();
    await server.close();
    await db.close();
    await acqDb.close();
    fs.rmSync(dir, { recursive: true, force: true });

    const bareP50 = pct(bare, 50);
    const bareP99 = pct(bare, 99);
    const acceptP50 = pct(mixed, 50);
    const acceptP99 = pct(mixed, 99);
    const perPayment = bytes / pending;
    return {
      bare_commit_p50_ms: r3(bareP50),
      bare_commit_p99_ms: r3(bareP99),
      offline_accept_mix: '90% returning (warmed) / 10% first-seen wallets',
      offline_accept_p50_ms: r3(acceptP50),
      offline_accept_p99_ms: r3(acceptP99),
      offline_accept_returning_p50_ms: r3(pct(returning, 50)),
      offline_accept_returning_p99_ms: r3(pct(returning, 99)),
      offline_accept_first_seen_p50_ms: r3(pct(firstSeen, 50)),
      offline_accept_first_seen_p99_ms: r3(pct(firstSeen, 99)),
      offline_accept_p99_ratio_to_bare: r3(acceptP99 / bareP99),
      offline_accept_p50_overhead_ms: r3(acceptP50 - bareP50),
      offline_accept_goal_met: acceptP99 <= 1.5 * bareP99 && acceptP50 - bareP50 <= 2,
      offline_accepts_per_s: Math.round(sustainedPerS),
      offline_accepts_goal_met: sustainedPerS >= 300,
      risk_decision_p50_ms: r3(pct(risk, 50)),
      risk_decision_p99_ms: r3(pct(risk, 99)),
      risk_decision_goal_met: pct(risk, 99) <= 1,
      link: `loopback proxy: 64 kbit/s each way, 600 ms RTT, 3% segment loss (retransmitted, +1 RTT), ${link.resets} resets`,
      forward_10k_items: pending,
      forward_10k_wall_s: r3(wall),
      forward_10k_floor_s: r3(floor),
      forward_10k_ratio: r3(wall / floor),
      forward_10k_goal_met: wall <= 1.3 * floor,
      forward_10k_batches: batches,
      forward_10k_failed_batches: failures,
      forward_10k_failure_causes: [...errors].join('; ') || 'none',
      forward_10k_exactly_once: exactlyOnce,
      forward_bytes_per_payment: r3(perPayment),
      naive_bytes_per_payment: r3(naivePer),
      forward_bytes_ratio: r3(naivePer / perPayment),
      forward_bytes_goal_met: naivePer / perPayment >= 10,
    };
  },
};
