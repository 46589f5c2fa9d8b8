/**
 * Issue 11, item 6: the acquirer enforces every limit the offline certificate signs, whatever
 * the till says. A "modified till" here is the real terminal store with its risk decision
 * patched to always accept, forwarding through the real forwarder and the signed offline routes.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { Db } from '../../store/db';
import { OfflineClient } from '../../forward/client';
import { Forwarder } from '../../forward/forwarder';
import { encodeBatch, decodeResults } from '../../forward/wire';
import { offlineOrderNo, parseCode } from '../../offline/code';
import { reasonText } from '../../offline/reasons';
import { cleanTempDirs, newWallet, openAcquirerRig, tempDir, type AcquirerRig } from '../../offline/test-kit';
import type { RiskDecision } from '../../risk/policy';
import { OfflineAcquirer } from './offline-routes';

afterAll(cleanTempDirs);

const ALWAYS_ACCEPT: RiskDecision = { accept: true, rule: 'within_budget', limitFen: null, remainingFen: null, flags: [], nearLimit: false };

describe('acquirer obligations: the offline certificate’s signed limits', () => {
  let rig: AcquirerRig & { key: string };
  let client: OfflineClient;
  beforeEach(async () => {
    rig = await openAcquirerRig('limits');
    client = new OfflineClient({ baseUrl: rig.url, terminalId: 'T0001', key: rig.key, minTimeoutMs: 2_000 });
    // The modified till: its own limits never refuse.
    vi.spyOn(rig.store, 'decideFor').mockReturnValue(ALWAYS_ACCEPT);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    client.close();
    await rig.close();
  });

  it('declines an item above the certificate’s per-payment cap pushed by a modified till, and the follow-up list says why', async () => {
    const w = await newWallet(rig.acq, { perPaymentCapFen: 1_000, balanceFen: 100_000 });
    const p = await rig.store.accept({ amountFen: 5_000, code: w.nextCode(), operatorId: 'c1', contact: '13912345678' });
    await new Forwarder(rig.store, client, null, { terminalId: 'T0001' }).drain();
    const follow = await rig.store.followUps();
    expect(follow).toHaveLength(1);
    expect(follow[0]).toMatchObject({ orderNo: p.orderNo, status: 'declined', reason: 'over_payment_cap' });
    expect(follow[0].reasonText?.zh).toContain('单笔限额');
    expect(follow[0].reasonText?.en).toContain('per-payment cap');
    // No money moved at the acquirer.
    expect((await rig.acq.applyCounts('T0001')).size).toBe(0);
  });

  it('declines the item that would pass the certificate’s daily cap, counted across terminals by the code’s signed day', async () => {
    const w = await newWallet(rig.acq, { perPaymentCapFen: 2_000, dailyCapFen: 3_000, balanceFen: 100_000 });
    await rig.store.accept({ amountFen: 1_500, code: w.nextCode(), operatorId: 'c1' });
    await rig.store.accept({ amountFen: 1_500, code: w.nextCode(), operatorId: 'c1' });
    await rig.store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1' });
    await new Forwarder(rig.store, client, null, { terminalId: 'T0001' }).drain();
    const verdicts = [...(await rig.acq.verdicts('T0001')).values()].sort();
    expect(verdicts).toEqual(['accepted', 'accepted', 'declined']);
    expect((await rig.store.followUps())[0]).toMatchObject({ reason: 'over_daily_cap' });
  });

  it('declines codes made outside the certificate’s validity, by the code’s signed time', async () => {
    const dir = tempDir('limits-validity');
    const db = await Db.open({ filename: path.join(dir, 'acq.sqlite') });
    let now = Date.UTC(2026, 10, 1, 4);
    const acq = await OfflineAcquirer.open(db, { now: () => now, certLifeS: 86_400 });
    const w = await newWallet(acq);
    const expired = w.codeWith({ codeTimeMs: now + 2 * 86_400_000, counter: 1 });
    const early = w.codeWith({ codeTimeMs: now - 3_600_000, counter: 2 });
    now += 2 * 86_400_000 + 10_000;
    const items = [expired, early].map((c) => {
      const bytes = parseCode(c).bytes;
      return { orderNo: offlineOrderNo(bytes), amountFen: 100, purpose: 'sale' as const, acceptedAt: now, flags: 0, code: bytes };
    });
    const out = decodeResults(await acq.forward(encodeBatch({ terminalId: 'T0001', batchId: 'B1', items }, { fullCerts: true })));
    expect(out.verdicts.map((v) => v.reason)).toEqual(['cert_expired', 'cert_not_yet_valid']);
    expect(reasonText('cert_expired')?.en).toContain('expired');
    await db.close();
  });
});
