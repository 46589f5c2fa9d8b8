import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract';
import { SettingsUpdate } from '../api/settings';
import { OperatorService } from '../auth/operators';
import { EventBus } from '../events';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { cleanTempDirs, newWallet, openAcquirer, openSyncedStore, openTerminalDb, tempDir } from '../offline/test-kit';
import type { OfflineStore } from '../offline/store';
import { DEFAULT_POLICY } from '../risk/policy';
import type { Db } from '../store/db';
import { LOCAL_LIMITS_KEY, REFUND_APPROVAL_KEY, SettingsService } from './service';

afterAll(cleanTempDirs);

let db: Db;
let acqDb: Db;
let acq: OfflineAcquirer;
let store: OfflineStore;
let ops: OperatorService;
let refunds: { refundApprovalFen: number; refundDailyApprovalFen: number };
let svc: SettingsService;

const cashier: CallContext = { operator: { id: 'c1', name: 'Cashier', role: 'cashier' } };
const supervisor: CallContext = { operator: { id: 's1', name: 'Super', role: 'supervisor' } };

beforeEach(async () => {
  const dir = tempDir('settings');
  db = await openTerminalDb(dir);
  ({ acq, db: acqDb } = await openAcquirer(dir));
  store = await openSyncedStore(db, acq);
  ops = new OperatorService(db, new EventBus(), 600_000);
  await ops.create({ id: 'c1', name: 'Cashier', role: 'cashier' }, '1111');
  await ops.create({ id: 'c2', name: 'Cashier 2', role: 'cashier' }, '1212');
  await ops.create({ id: 's1', name: 'Super', role: 'supervisor' }, '2222');
  await ops.create({ id: 'a1', name: 'Admin', role: 'admin' }, '5555');
  refunds = { refundApprovalFen: 100_00, refundDailyApprovalFen: 500_00 };
  svc = await SettingsService.create({
    db,
    config: { mode: 'demo', terminalId: 'T0001', acquirer: { kind: 'embedded' } },
    approve: (id, pin) => ops.approve(id, pin),
    offline: store,
    refunds,
  });
});
afterEach(async () => {
  await db.close();
  await acqDb.close();
});

/** Everything a refused update could have touched. */
async function written() {
  return {
    settings: await db.all("SELECT key, value FROM settings WHERE key IN (?, ?) ORDER BY key", [LOCAL_LIMITS_KEY, REFUND_APPROVAL_KEY]),
    audit: await db.all("SELECT * FROM audit_log WHERE action = 'settings.update'"),
    policy: store.policy,
    threshold: refunds.refundApprovalFen,
  };
}

/** The input as the dispatcher hands it over: parsed by the contract's schema, with a fresh request id (each call a new change). */
let requests = 0;
const newRequestId = () => `settings-test-${String(++requests).padStart(8, '0')}`;
const parsed = (raw: unknown) => SettingsUpdate.parse({ requestId: newRequestId(), ...(raw as object) });

describe('settings:update under dual control', () => {
  it('is refused without approval, and writes nothing', async () => {
    const before = await written();
    await expect(svc.update(parsed({ perPaymentCapFen: 10_000 }), cashier)).rejects.toMatchObject({ code: 'auth.approval_required' });
    await expect(svc.update(parsed({ perPaymentCapFen: 10_000, approverId: 's1' }), cashier)).rejects.toMatchObject({ code: 'auth.approval_required' });
    expect(await written()).toEqual(before);
  });

  it('refuses self-approval, and writes nothing', async () => {
    await ops.login('s1', '2222');
    const before = await written();
    await expect(svc.update(parsed({ perPaymentCapFen: 10_000, approverId: 's1', approverPin: '2222' }), supervisor)).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    expect(await written()).toEqual(before);
  });

  it('refuses a cashier as approver, and writes nothing', async () => {
    await ops.login('c1', '1111');
    const before = await written();
    await expect(svc.update(parsed({ perPaymentCapFen: 10_000, approverId: 'c2', approverPin: '1212' }), cashier)).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    expect(await written()).toEqual(before);
  });

  it('refuses a wrong approver PIN', async () => {
    await expect(svc.update(parsed({ perPaymentCapFen: 10_000, approverId: 's1', approverPin: '9999' }), cashier)).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    expect((await written()).audit).toEqual([]);
  });

  it('is refused when nobody is logged in', async () => {
    await expect(svc.update(parsed({ perPaymentCapFen: 10_000, approverId: 's1', approverPin: '2222' }), { operator: null })).rejects.toMatchObject({ code: 'auth.not_logged_in' });
  });

  it('refuses a limit above the synced cap, explaining the bound in both languages, before asking for the PIN', async () => {
    const before = await written();
    const e = await svc.update(parsed({ perPaymentCapFen: DEFAULT_POLICY.perPaymentCapFen + 1, approverId: 's1', approverPin: '9999' }), cashier).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'settings.above_bound', detail: { field: 'perPaymentCapFen', max: DEFAULT_POLICY.perPaymentCapFen, source: 'acquirer' } });
    expect((e as { zh: string }).zh).toContain('¥200.00');
    expect((e as { en: string }).en).toMatch(/only tighten/);
    expect(await written()).toEqual(before);
    // The wrong PIN was never tried: no failure counted against the supervisor.
    expect((await db.get<{ failed_attempts: number }>("SELECT failed_attempts FROM operators WHERE id = 's1'"))!.failed_attempts).toBe(0);
  });

  it('refuses a limit above the regulator even when the synced policy is looser', async () => {
    store.setPolicyOverride((p) => p); // no local values
    await store.applySync({ issuerKeys: [], revoked: [], policy: { ...DEFAULT_POLICY, version: 2, walletDailyCapFen: 2_000_000 }, offsetMs: 0 });
    await expect(svc.update(parsed({ walletDailyCapFen: 600_000, approverId: 's1', approverPin: '2222' }), cashier))
      .rejects.toMatchObject({ code: 'settings.above_bound', detail: { max: 500_000, source: 'regulator' } });
  });

  it('refuses a refund threshold above ¥1,000 and any acquirer change (demo mode: never a live acquirer)', async () => {
    const before = await written();
    await expect(svc.update(parsed({ refundApprovalFen: 100_001, approverId: 's1', approverPin: '2222' }), cashier)).rejects.toMatchObject({ code: 'settings.above_bound' });
    await expect(svc.update(parsed({ acquirer: { kind: 'http', baseUrl: 'https://api.mch.weixin.qq.com' }, approverId: 's1', approverPin: '2222' }), cashier))
      .rejects.toMatchObject({ code: 'settings.acquirer_live_refused' });
    expect(await written()).toEqual(before);
  });

  it('keeps the per-cashier daily refund total at most ¥5,000 and changes it only with a supervisor', async () => {
    const before = await written();
    await expect(svc.update(parsed({ refundDailyApprovalFen: 500_001, approverId: 's1', approverPin: '2222' }), cashier))
      .rejects.toMatchObject({ code: 'settings.above_bound', detail: { field: 'refundDailyApprovalFen', max: 500_000, source: 'product' } });
    await expect(svc.update(parsed({ refundDailyApprovalFen: 200_00 }), cashier)).rejects.toMatchObject({ code: 'auth.approval_required' });
    expect(await written()).toEqual(before);
    await ops.login('c1', '1111');
    const view = await svc.update(parsed({ refundDailyApprovalFen: 200_00, approverId: 's1', approverPin: '2222' }), cashier);
    expect(view).toMatchObject({ refundDailyApprovalFen: 200_00, refundDailyApprovalMaxFen: 500_000 });
    expect(refunds.refundDailyApprovalFen).toBe(200_00);
    expect(await db.get("SELECT value FROM settings WHERE key = 'payments.refund_daily_approval_fen'")).toEqual({ value: '20000' });
  });

  it('accepts with approval, audits both ids with old → new, and takes effect in the risk engine at once', async () => {
    await ops.login('c1', '1111');
    const w = await newWallet(acq);
    const view = await svc.update(parsed({ perPaymentCapFen: 5_000, velocityPerHour: 5, refundApprovalFen: 50_00, approverId: 's1', approverPin: '2222' }), cashier);
    expect(view.offline).toMatchObject({ perPaymentCapFen: 5_000, velocityPerHour: 5 });
    expect(view.localOverrides).toEqual(['perPaymentCapFen', 'velocityPerHour']);
    expect(view.refundApprovalFen).toBe(50_00);
    expect(refunds.refundApprovalFen).toBe(50_00);
    const rows = await db.all<{ operator_id: string; approver_id: string; detail: string }>("SELECT * FROM audit_log WHERE action = 'settings.update'");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operator_id: 'c1', approver_id: 's1' });
    expect(JSON.parse(rows[0].detail)).toEqual({
      changes: {
        perPaymentCapFen: { from: 20_000, to: 5_000 },
        velocityPerHour: { from: 10, to: 5 },
        refundApprovalFen: { from: 100_00, to: 50_00 },
      },
    });
    expect(store.budget().perPaymentCapFen).toBe(5_000);
    // The risk engine refuses an offline accept above the new cap, by that rule.
    await expect(store.accept({ amountFen: 5_001, code: w.nextCode(), operatorId: 'c1' })).rejects.toMatchObject({ code: 'offline.risk.per_payment_cap' });
    await expect(store.accept({ amountFen: 5_000, code: w.nextCode(), operatorId: 'c1' })).resolves.toMatchObject({ state: 'accepted_offline' });
  });

  it('keeps the local limit across a restart and after a sync; a stricter sync still wins', async () => {
    await svc.update(parsed({ perPaymentCapFen: 5_000, approverId: 'a1', approverPin: '5555' }), cashier);
    const again = await SettingsService.create({ db, config: { mode: 'demo', terminalId: 'T0001', acquirer: { kind: 'embedded' } }, approve: (id, pin) => ops.approve(id, pin), offline: store, refunds });
    await store.applySync({ issuerKeys: [], revoked: [], policy: { ...DEFAULT_POLICY, version: 3 }, offsetMs: 0 });
    expect((await again.get()).offline.perPaymentCapFen).toBe(5_000);
    await store.applySync({ issuerKeys: [], revoked: [], policy: { ...DEFAULT_POLICY, version: 4, perPaymentCapFen: 3_000 }, offsetMs: 0 });
    expect((await again.get()).offline.perPaymentCapFen).toBe(3_000);
  });

  it('refuses hostile inputs at the contract and writes nothing', async () => {
    const before = await written();
    const ok = { approverId: 's1', approverPin: '2222', requestId: newRequestId() };
    const hostile: unknown[] = [
      { approverId: 's1', approverPin: '2222', perPaymentCapFen: 100 },
      { ...ok, perPaymentCapFen: 100, requestId: 'short' },
      { ...ok, perPaymentCapFen: -1 },
      { ...ok, perPaymentCapFen: 0 },
      { ...ok, perPaymentCapFen: 100.5 },
      { ...ok, perPaymentCapFen: 1e300 },
      { ...ok, perPaymentCapFen: Number.NaN },
      { ...ok, perPaymentCapFen: '100' },
      { ...ok, walletDailyCapFen: '1e3' },
      { ...ok, refundApprovalFen: null },
      { ...ok, perPaymentCapFen: 100, extra: true },
      { ...ok, perPaymentCapFen: 100, perPaymentCap: 1 },
      { ...ok, perPaymentCapFen: 100, approverPin: '22 22' },
      { ...ok, perPaymentCapFen: 100, approverId: "s1'; DROP TABLE settings;--" },
      [{ ...ok, perPaymentCapFen: 100 }],
      null,
    ];
    for (const h of hostile) expect(SettingsUpdate.safeParse(h).success, JSON.stringify(h)).toBe(false);
    // Values the schema lets through but the bounds do not.
    await expect(svc.update(parsed({ ...ok, exposureLimitFen: 100_000_000_00 }), cashier)).rejects.toMatchObject({ code: 'settings.above_bound' });
    await expect(svc.update(parsed({ ...ok, maxPendingAgeMin: 24 * 60 + 1 }), cashier)).rejects.toMatchObject({ code: 'settings.above_bound' });
    await expect(svc.update(parsed(ok), cashier)).rejects.toMatchObject({ code: 'settings.nothing_to_change' });
    expect(await written()).toEqual(before);
  });

  it('shows the acquirer connection as safe fields only', async () => {
    const live = await SettingsService.create({
      db, config: { mode: 'live', terminalId: 'T0001', acquirer: { kind: 'http', baseUrl: 'https://user:secret@acq.example.cn:8443/v1/', simulator: false } },
      approve: (id, pin) => ops.approve(id, pin), offline: store, refunds,
    });
    const v = await live.get();
    expect(v.acquirer).toEqual({ kind: 'http', host: 'acq.example.cn:8443', terminalId: 'T0001', simulator: false, editable: false });
    expect(JSON.stringify(v)).not.toContain('secret');
    await expect(live.update(parsed({ acquirer: { baseUrl: 'https://x' }, approverId: 's1', approverPin: '2222' }), cashier)).rejects.toMatchObject({ code: 'settings.acquirer_read_only' });
  });
});
