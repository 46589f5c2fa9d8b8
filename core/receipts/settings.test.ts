import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { readSettings, writeSettings } from './settings';
import { ReceiptService } from './service';

let dir: string;
let db: Db;
let service: ReceiptService;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receipt-settings-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
  service = new ReceiptService({
    db,
    printer: { printReceipt: async () => { throw new Error('not used'); }, openDrawer: async () => ({ ok: true, error: null }), paperWidth: 58 },
    terminalId: 'T0001', merchantName: '示范村便民店',
    getPayment: async () => null, operatorName: async () => null, withdrawalFor: async () => 'none',
    getBill: async () => null, training: false,
  });
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const receiptRows = () => db.all("SELECT key, value FROM settings WHERE key LIKE 'receipts.%' ORDER BY key");

async function refused(input: Record<string, unknown>, code: string, mayChangeUrl = false): Promise<void> {
  const before = await receiptRows();
  const e = await service.setSettings(input, mayChangeUrl).then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe(code);
  expect((e as AppError).zh).toMatch(/[\u4e00-\u9fff]/);
  expect((e as AppError).en).toMatch(/Nothing was changed/);
  expect(await receiptRows()).toEqual(before);
}

describe('receipt settings', () => {
  it('defaults to both, with the shop name as the header and no e-receipt link', async () => {
    expect(await service.getSettings()).toEqual({ mode: 'both', header: ['示范村便民店'], eReceiptBaseUrl: null });
  });

  it('lets a cashier change the mode and the header; lines are trimmed', async () => {
    const s = await service.setSettings({ mode: 'qr', header: ['  张家小卖部 ', '村口大槐树下'] }, false);
    expect(s).toEqual({ mode: 'qr', header: ['张家小卖部', '村口大槐树下'], eReceiptBaseUrl: null });
    expect(await service.getSettings()).toEqual(s);
  });

  it('refuses hostile header lines with bilingual errors and writes nothing', async () => {
    await service.setSettings({ mode: 'print', header: ['原来的店名'] }, false);
    await refused({ header: ['店\u001b@'] }, 'receipts.bad_header'); // ESC @ would reset the printer
    await refused({ header: ['店\u0085名'] }, 'receipts.bad_header'); // C1 control
    await refused({ header: ['店\u202e名'] }, 'receipts.bad_header'); // right-to-left override
    await refused({ header: ['店\u200b名'] }, 'receipts.bad_header'); // zero-width space
    await refused({ header: ['   '] }, 'receipts.bad_header');
    await refused({ header: [] }, 'receipts.bad_header');
    await refused({ header: ['a', 'b', 'c', 'd', 'e'] }, 'receipts.bad_header');
    await refused({ header: ['长'.repeat(33)] }, 'receipts.bad_header');
    await refused({ header: [42] }, 'receipts.bad_header');
    await refused({ header: '店名' }, 'receipts.bad_header');
    await refused({ mode: 'pdf' }, 'receipts.bad_mode');
  });

  it('writes nothing when one field of several is refused', async () => {
    await service.setSettings({ mode: 'print', header: ['原来的店名'] }, false);
    await refused({ mode: 'qr', header: ['好的', '坏的\u0007'] }, 'receipts.bad_header');
    expect(await service.getSettings()).toMatchObject({ mode: 'print', header: ['原来的店名'] });
  });

  it('accepts only a plain https e-receipt link, and only from a supervisor or administrator', async () => {
    await refused({ eReceiptBaseUrl: 'https://r.example.cn/e/' }, 'receipts.url_role', false);
    for (const bad of ['http://r.example.cn/e/', 'javascript:alert(1)', 'https://r.example.cn/e /x', 'https://user:pw@r.example.cn/',
      'https://r.example.cn/e?x=1', `https://r.example.cn/${'a'.repeat(200)}`, 'https://r.example.cn/\u0000']) {
      await refused({ eReceiptBaseUrl: bad }, 'receipts.bad_url', true);
    }
    const s = await service.setSettings({ eReceiptBaseUrl: 'https://r.example.cn/e/' }, true);
    expect(s.eReceiptBaseUrl).toBe('https://r.example.cn/e/');
    // Sending the unchanged link along with a mode change is fine for a cashier.
    expect((await service.setSettings({ mode: 'qr', eReceiptBaseUrl: 'https://r.example.cn/e/' }, false)).mode).toBe('qr');
  });

  it('stores a non-ASCII e-receipt address as a plain URI (percent-encoded path, punycode host), so the QR holds what a phone opens', async () => {
    // The printer library writes QR data as ISO-8859-1: 小票 would be printed as ??.
    expect((await service.setSettings({ eReceiptBaseUrl: 'https://r.example.cn/小票/' }, true)).eReceiptBaseUrl).toBe('https://r.example.cn/%E5%B0%8F%E7%A5%A8/');
    expect((await service.setSettings({ eReceiptBaseUrl: 'https://例子.cn/e/' }, true)).eReceiptBaseUrl).toBe('https://xn--fsqu00a.cn/e/');
    expect((await service.getSettings()).eReceiptBaseUrl).toBe('https://xn--fsqu00a.cn/e/');
  });

  it('refuses a non-ASCII address whose plain form would be too long, or whose host has no punycode form, changing nothing', async () => {
    await service.setSettings({ eReceiptBaseUrl: 'https://r.example.cn/e/' }, true);
    // 60 characters typed, 540 once percent-encoded: too long for the receipt's QR.
    await refused({ eReceiptBaseUrl: `https://r.example.cn/${'票'.repeat(60)}/` }, 'receipts.bad_url', true);
    await refused({ eReceiptBaseUrl: 'https://xn--zz.cn/e/' }, 'receipts.bad_url', true);
    expect((await service.getSettings()).eReceiptBaseUrl).toBe('https://r.example.cn/e/');
  });

  it('falls back to defaults for stored values that no longer pass the checks', async () => {
    await writeSettings(db, { mode: 'print' });
    await db.run("UPDATE settings SET value = 'fax' WHERE key = 'receipts.mode'");
    await db.run("INSERT INTO settings (key, value) VALUES ('receipts.header', ?)", [JSON.stringify(['店\u001b'])]);
    expect(await readSettings(db, '示范村便民店')).toEqual({ mode: 'both', header: ['示范村便民店'], eReceiptBaseUrl: null });
  });
});
