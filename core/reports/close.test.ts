/**
 * A closed day stays closed: money movements count on the day they happen, a closed day's report
 * is its stored, numbered snapshot (hash in the journal), and what happens after the close shows
 * on the day it happened without changing the snapshot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { ZReport } from '../api/reports';
import { MemorySecretStore } from '../platform';
import { chinaDay } from './z';

const DAY = 86_400_000;
let dir: string;
let b: Backend;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-zclose-'));
  b = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
});
afterAll(async () => {
  await b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
const call = async (m: string, i: unknown = {}) => {
  const r = await b.dispatcher.dispatch(m, i);
  if (!r.ok) throw Object.assign(new Error(`${m}: ${r.error.code}`), { rpc: r.error });
  return r.value;
};
const z = async (day?: string) => ZReport.parse(await call('reports:z', day ? { day } : {}));
let n = 0;
const rid = () => `req-zclose-${String(++n).padStart(4, '0')}-aaaaaaaa`;

describe('a closed day stays closed', () => {
  const today = chinaDay(Date.now());
  const yesterday = chinaDay(Date.now() - DAY);

  it('counts a refund on the day it is made, not on the day of its sale, net by tender', async () => {
    await call('session:login', { operatorId: 'super1', pin: '2222' });
    const sale = (await call('payments:cash', { amountFen: 3_000, tenderedFen: 3_000, requestId: rid() })) as { orderNo: string };
    // The sale was yesterday (moved back in the file, as if made then).
    await b.db.run('UPDATE payments SET created_at = created_at - ?, updated_at = updated_at - ? WHERE order_no = ?', [DAY, DAY, sale.orderNo]);
    const before = await z(yesterday);
    expect(before).toMatchObject({ totalFen: 3_000, refundedFen: 0 });
    await call('payments:refund', { orderNo: sale.orderNo, amountFen: 1_000, reason: '退货', requestId: rid() });

    expect(await z(yesterday)).toEqual(before);
    const t = await z(today);
    expect(t).toMatchObject({ totalFen: 0, refundedFen: 1_000, netFen: -1_000 });
    expect(t.refundsByTender).toEqual([{ tender: 'cash', count: 1, fen: 1_000 }]);
    expect(t.netByTender).toEqual([{ tender: 'cash', fen: -1_000 }]);
  });

  it('stores the closed day as a numbered snapshot with its hash in the journal; a reprint shows the stored one', async () => {
    const closed = ZReport.parse(await call('reports:close', { day: yesterday }));
    expect(closed.closed).toMatchObject({ number: 1, by: 'super1', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const row = await b.db.get<{ kind: string; ref: string; body: string }>("SELECT kind, ref, body FROM journal WHERE kind = 'z.closed'");
    expect(row).toMatchObject({ ref: 'Z000001' });
    expect(JSON.parse(row!.body)).toMatchObject({ day: yesterday, number: 1, hash: closed.closed!.hash });
    expect(await z(yesterday)).toEqual(closed);
    await expect(call('reports:close', { day: yesterday })).rejects.toMatchObject({ rpc: { code: 'reports.already_closed', zh: expect.stringMatching(/已关账/) } });
    await expect(call('reports:close', { day: chinaDay(Date.now() + 2 * DAY) })).rejects.toMatchObject({ rpc: { code: 'reports.future_day' } });
  });

  it('shows what happened after the close on the day it happened, beside the unchanged snapshot', async () => {
    await call('payments:cash', { amountFen: 500, tenderedFen: 500, requestId: rid() });
    const closed = ZReport.parse(await call('reports:close', {}));
    expect(closed).toMatchObject({ day: today, totalFen: 500, closed: { number: 2 }, afterClose: null });
    await new Promise((r) => setTimeout(r, 5));
    await call('payments:cash', { amountFen: 700, tenderedFen: 700, requestId: rid() });
    const after = await z(today);
    expect(after).toMatchObject({ totalFen: 500, closed: { number: 2 }, afterClose: { sales: { count: 1, fen: 700 }, refunds: { count: 0, fen: 0 } } });
    // A cashier sees the same snapshot, without the float.
    await call('session:login', { operatorId: 'cashier1', pin: '1111' });
    expect(await z(today)).toMatchObject({ totalFen: 500, float: null, closed: { number: 2 } });
    await expect(call('reports:close', {})).rejects.toMatchObject({ rpc: { code: 'auth.role_required' } });
  });

  it('refuses a snapshot altered in the file', async () => {
    await b.db.exec('DROP TRIGGER z_closings_no_update');
    const stored = await b.db.get<{ report_json: string }>('SELECT report_json FROM z_closings WHERE number = 1');
    const forged = stored!.report_json.replace('"totalFen":3000', '"totalFen":300');
    const hash = (await import('node:crypto')).createHash('sha256').update(forged).digest('hex');
    await b.db.run('UPDATE z_closings SET report_json = ?, hash = ? WHERE number = 1', [forged, hash]);
    await expect(z(yesterday)).rejects.toMatchObject({ rpc: { code: 'reports.snapshot_altered' } });
  });
});
