/**
 * Issue 11, item 8, in store-and-forward: a wallet's offline day total (behind the policy's,
 * the certificate's and the regulator's day caps) is keyed by the trusted clock's counter day
 * (core/clock), so a PC clock set back or forward neither reopens the wallet's day nor loses
 * its counter; the acquirer's time, brought by a sync, moves the day.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrustedClock } from '../clock/trusted-clock';
import { EventBus } from '../events';
import type { Db } from '../store/db';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { OfflineStore } from './store';
import { cleanTempDirs, newWallet, openAcquirer, openTerminalDb, tempDir } from './test-kit';

afterAll(cleanTempDirs);
const H = 3_600_000;

let db: Db;
let acqDb: Db;
let acq: OfflineAcquirer;
beforeEach(async () => {
  const dir = tempDir('clock');
  db = await openTerminalDb(dir);
  ({ acq, db: acqDb } = await openAcquirer(dir));
});
afterEach(async () => {
  await db.close();
  await acqDb.close();
});

/** A terminal whose PC clock anyone can set; `real` is the true time (the customer's phone has it). */
async function terminal() {
  const m = { real: Date.now(), wall: Date.now(), mono: 1_000_000 };
  const bus = new EventBus();
  const clock = await TrustedClock.open(db, bus, { wall: () => m.wall, mono: () => m.mono });
  const store = await OfflineStore.open(db, bus, { terminalId: 'T0001', training: true, now: () => m.wall, clock });
  const s = await acq.sync();
  await store.applySync({ issuerKeys: s.issuerKeys, revoked: s.revoked, policy: s.policy, offsetMs: 0 });
  const w = await newWallet(acq);
  // The wallet's day used up: ¥500 is the default day cap (policy and certificate).
  for (const amountFen of [20_000, 20_000, 10_000]) await store.accept({ amountFen, code: w.nextCode(m.real), operatorId: 'c1' });
  return { m, clock, store, w };
}

describe('offline wallet day counters and the PC clock', () => {
  it('keeps a wallet’s used-up day when the PC clock is set back a day', async () => {
    const { m, clock, store, w } = await terminal();
    m.wall -= 24 * H;
    await expect(store.accept({ amountFen: 100, code: w.nextCode(m.real), operatorId: 'c1' })).rejects.toMatchObject({ code: 'offline.risk.wallet_daily_cap' });
    expect(store.budget(w.walletId).wallet?.todayFen).toBe(50_000);
    expect(clock.status().state).toBe('jumped_back');
  });

  it('keeps it when the PC clock is moved forward a day; the wallet’s next day comes with the real one', async () => {
    const { m, clock, store, w } = await terminal();
    m.wall += 24 * H;
    await expect(store.accept({ amountFen: 100, code: w.nextCode(m.real), operatorId: 'c1' })).rejects.toMatchObject({ code: 'offline.risk.wallet_daily_cap' });
    expect(store.budget(w.walletId).wallet?.todayFen).toBe(50_000);
    expect(clock.status().state).toBe('jumped_forward');
    // A day later for real (the PC clock agrees again): a fresh day for the wallet.
    m.real += 24 * H;
    m.mono += 24 * H;
    expect((await store.accept({ amountFen: 100, code: w.nextCode(m.real), operatorId: 'c1' })).state).toBe('accepted_offline');
    expect(store.budget(w.walletId).wallet?.todayFen).toBe(100);
    expect(clock.status().state).toBe('ok');
  });
});
