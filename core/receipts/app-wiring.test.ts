/**
 * The receipt service as the composition root wires it: a payment through the contract prints
 * on the simulated printer, and the `receipts:*` methods answer through the dispatcher (so the
 * contract's schemas and access rules apply).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import type { PrintedReceipt } from '../api/devices';
import { MemorySecretStore } from '../platform';
import { receiptText } from '../../drivers/printer/decode';
import { waitFor } from '../payments/test-kit';

const until = (pred: () => boolean) => waitFor(async () => pred(), (v) => v);

type Rpc = { ok: boolean; value?: unknown; error?: { code: string; zh: string; en: string } };

describe('receipts in the composition root', () => {
  let dir: string;
  let b: Backend;
  const printed: PrintedReceipt[] = [];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-receipts-'));
    b = await createBackend({ dataDir: path.join(dir, 'demo'), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    b.bus.subscribe((name, payload) => {
      if (name === 'printer:printed') printed.push((payload as { receipt: PrintedReceipt }).receipt);
    });
    await b.operators.login('cashier1', '1111');
  });
  afterAll(async () => {
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const call = (m: string, input: unknown) => b.dispatcher.dispatch(m, input) as Promise<Rpc>;

  it('prints the receipt of a cash sale made through the contract, marked training in demo mode, and reprints it', async () => {
    const sale = await call('payments:cash', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 1250, tenderedFen: 2000 });
    expect(sale.ok).toBe(true);
    const orderNo = (sale.value as { orderNo: string }).orderNo;
    await until(() => printed.length === 1);
    const t = receiptText(printed[0]!);
    expect(t[0]).toBe('培训 TRAINING');
    expect(t.join('\n')).toContain(orderNo);
    expect(((await call('receipts:stats', {})).value as { printed: number }).printed).toBe(1);
    const again = await call('receipts:print', { orderNo });
    expect(again).toMatchObject({ ok: true, value: { printed: true, reprint: true } });
    await until(() => printed.length === 2);
    expect(receiptText(printed[1]!)).toContain('重打 REPRINT');
  });

  it('offers copies of bill receipts to service-point roles only', async () => {
    const r = await call('receipts:printBill', { id: 'BP1', copy: 'bill' });
    expect(r.ok).toBe(false);
    expect(r.error!.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(printed).toHaveLength(2); // nothing printed
  });

  it('refuses hostile settings through the dispatcher with bilingual errors and keeps the old ones', async () => {
    const before = (await call('receipts:getSettings', {})).value;
    for (const input of [{ header: ['店\u001b@'] }, { mode: 'fax' }, { header: ['x'], extra: 1 }, { eReceiptBaseUrl: 'https://r.example.cn/e/' }]) {
      const r = await call('receipts:setSettings', input);
      expect(r.ok).toBe(false);
      expect(r.error!.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.error!.en.length).toBeGreaterThan(10);
    }
    expect((await call('receipts:getSettings', {})).value).toEqual(before);
    const ok = await call('receipts:setSettings', { mode: 'qr', header: ['张家小卖部'] });
    expect(ok).toMatchObject({ ok: true, value: { mode: 'qr', header: ['张家小卖部'] } });
  });
});
