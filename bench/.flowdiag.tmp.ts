// Temporary diagnostic (deleted after use): where does an accept after an idle gap spend its time?
import path from 'node:path';
import { Db } from '../core/store/db';
import { newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from '../core/offline/test-kit';
import { VerifyPool } from '../core/offline/verify-pool';
import { DEFAULT_POLICY } from '../core/risk/policy';
const gap = () => new Promise((r) => setTimeout(r, 300));
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return Math.round(s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))] * 1000) / 1000; };
async function main() {
  const dir = tempDir('flowdiag');
  const { acq } = await openAcquirer(dir);
  acq.policy = { ...DEFAULT_POLICY, version: 1, velocityPerWalletPerHour: 100, exposureLimitFen: 100_000_000, walletDailyCapFen: 500_000 };
  const pool = await new VerifyPool().start();
  const db = await openTerminalDb(dir);
  const store = await openSyncedStore(db, acq, { bus: null, signatures: pool });
  const bare = await Db.open({ filename: path.join(dir, 'b.sqlite') });
  await bare.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const five = await Db.open({ filename: path.join(dir, 'f.sqlite') });
  await five.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const ws = []; for (let i = 0; i < 10; i++) ws.push(await newWallet(acq));
  for (const w of ws) await store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c' });
  const A: number[] = [], B: number[] = [], F: number[] = [], H: number[] = [];
  for (let i = 0; i < 40; i++) {
    const code = ws[i % 10].nextCode();
    store.precheck(code);
    await gap();
    let t = performance.now(); await store.accept({ amountFen: 100, code, operatorId: 'c' }); A.push(performance.now() - t);
    await gap();
    t = performance.now(); await bare.tx(async (q) => { await q.run('INSERT INTO t (body) VALUES (?)', ['x'.repeat(300)]); }); B.push(performance.now() - t);
    await gap();
    t = performance.now(); await five.tx(async (q) => { await q.run('INSERT INTO t (body) VALUES (?)', ['x'.repeat(300)]); await q.get('SELECT * FROM t ORDER BY id DESC LIMIT 1'); await q.run('INSERT INTO t (body) VALUES (?)', ['y'.repeat(300)]); }); F.push(performance.now() - t);
    // hot: right after, no gap
    const code2 = ws[(i + 5) % 10].nextCode(); store.precheck(code2); await new Promise((r) => setTimeout(r, 10));
    t = performance.now(); await store.accept({ amountFen: 100, code: code2, operatorId: 'c' }); H.push(performance.now() - t);
  }
  console.log(JSON.stringify({ accept_after_gap: [pct(A, 50), pct(A, 90)], bare_after_gap: [pct(B, 50), pct(B, 90)], three_stmt_after_gap: [pct(F, 50), pct(F, 90)], accept_10ms_after_check: [pct(H, 50), pct(H, 90)], hits: store.verdicts.hits }));
  await store.close(); await db.close(); await bare.close(); await five.close();
}
void main();
