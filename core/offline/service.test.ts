import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppConfig } from '../config';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import type { Db } from '../store/db';
import type { CallContext } from '../api/contract';
import { DEMO_REVOKED_WALLET, OfflineService } from './service';
import { cleanTempDirs, countRows, openTerminalDb, tempDir } from './test-kit';

// Removes the vc-* folders this file made (after its own hooks have closed the databases).
afterAll(cleanTempDirs);

const ctx: CallContext = { operator: { id: 'cashier1', name: 'c', role: 'cashier' } };

describe('store-and-forward service (demo mode, embedded acquirer behind the link emulator)', () => {
  let dir: string;
  let db: Db;
  let svc: OfflineService;
  let bus: EventBus;
  let connectivity: ConnectivityMonitor;

  beforeEach(async () => {
    dir = tempDir('svc');
    db = await openTerminalDb(dir);
    bus = new EventBus();
    connectivity = new ConnectivityMonitor(bus);
    svc = await OfflineService.create({ db, bus, connectivity, config: AppConfig.parse({ dataDir: dir, mode: 'demo', shell: 'browser' }), probeEveryMs: 200 });
    await svc.sync();
  });
  afterEach(async () => {
    await svc.close();
    await db.close();
  });

  it('accepts a demo code during an outage, shows it pending, and forwards it when the link returns', async () => {
    const h = svc.handlers();
    await h['demo:network']({ preset: 'offline' }, ctx);
    const { code } = await h['demo:offlineCode']({ wallet: 0, variant: 'good' }, ctx);
    const p = await h['offline:accept']({ amountFen: 800, code, purpose: 'sale', contact: '13600001111' }, ctx);
    expect(p.state).toBe('accepted_offline');
    await expect.poll(() => connectivity.get().state, { timeout: 5_000 }).toBe('offline');
    const budget = await h['offline:budget']({ code }, ctx);
    expect(budget).toMatchObject({ exposureFen: 800, pendingCount: 1, wallet: { todayFen: 800 } });
    await h['demo:network']({ preset: 'online' }, ctx);
    await h['outbox:sendNow']({}, ctx);
    await expect.poll(async () => (await h['outbox:list']({ limit: 10, offset: 0 }, ctx)).items[0].status, { timeout: 10_000 }).toBe('accepted');
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const report = await h['reconcile:run']({ date: day }, ctx);
    expect(report.counts.matched).toBe(1);
    expect((await h['reconcile:export']({ date: day }, ctx)).csv).toContain(p.orderNo);
  });

  it('begins a scanned code’s signature checks at the budget, and the accept uses that verdict', async () => {
    const h = svc.handlers();
    await h['demo:network']({ preset: 'offline' }, ctx); // offline codes are taken in an outage
    await expect.poll(() => connectivity.get().state, { timeout: 5_000 }).toBe('offline');
    const { code } = await h['demo:offlineCode']({ wallet: 2, variant: 'good' }, ctx);
    await h['offline:budget']({ code }, ctx);
    expect(svc.store.verdicts.size).toBe(1);
    const p = await h['offline:accept']({ amountFen: 300, code, purpose: 'sale' }, ctx);
    expect(p.state).toBe('accepted_offline');
    expect(svc.store.verdicts.hits).toBe(1);
    // The budget without a code, or with junk, begins nothing.
    const checks = vi.spyOn(svc.store.signatures, 'check');
    await h['offline:budget']({}, ctx);
    await h['offline:budget']({ code: 'OC1AAAA' }, ctx);
    expect(checks).not.toHaveBeenCalled();
  });

  it('names the refusal of each bad demo variant', async () => {
    const h = svc.handlers();
    await h['offline:accept']({ amountFen: 100, code: (await h['demo:offlineCode']({ wallet: 1, variant: 'good' }, ctx)).code, purpose: 'sale' }, ctx);
    for (const [variant, code] of [['replayed', 'offline.code.replayed'], ['future', 'offline.code.code_from_future'], ['stale', 'offline.code.code_expired']] as const) {
      const c = await h['demo:offlineCode']({ wallet: 1, variant }, ctx);
      await expect(h['offline:accept']({ amountFen: 100, code: c.code, purpose: 'sale' }, ctx)).rejects.toMatchObject({ code });
    }
    const t = await h['demo:offlineCode']({ wallet: 1, variant: 'tampered' }, ctx);
    await expect(h['offline:accept']({ amountFen: 100, code: t.code, purpose: 'sale' }, ctx)).rejects.toMatchObject({ code: expect.stringMatching(/^offline\.code\./) });
  });

  it('refuses the seeded revoked demo wallet offline by reason revoked after a sync, writing nothing', async () => {
    const h = svc.handlers();
    const before = await countRows(db);
    const { code } = await h['demo:offlineCode']({ wallet: DEMO_REVOKED_WALLET, variant: 'good' }, ctx);
    await expect(h['offline:accept']({ amountFen: 100, code, purpose: 'sale' }, ctx)).rejects.toMatchObject({
      code: 'offline.code.revoked', zh: expect.any(String), en: expect.any(String),
    });
    expect(await countRows(db)).toEqual(before);
  });

  it('refuses the demo methods in live mode', async () => {
    const liveDir = tempDir('svc-live');
    const liveDb = await openTerminalDb(liveDir);
    const live = await OfflineService.create({
      db: liveDb, bus, connectivity: new ConnectivityMonitor(bus),
      config: AppConfig.parse({ dataDir: liveDir, mode: 'live', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'http://127.0.0.1:9' } }),
    });
    await expect(live.handlers()['demo:offlineCode']({ wallet: 0, variant: 'good' }, ctx)).rejects.toMatchObject({ code: 'demo.only' });
    await expect(live.handlers()['demo:network']({ preset: 'offline' }, ctx)).rejects.toMatchObject({ code: 'demo.only' });
    await expect(live.resetDemo()).rejects.toMatchObject({ code: 'training.reset_refused' });
    await live.close();
    await liveDb.close();
  });
});
