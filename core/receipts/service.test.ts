import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BillPayment, Withdrawal } from '../api/agent';
import type { PrintedReceipt, PrintJob } from '../api/devices';
import type { Payment } from '../api/payments';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { DeviceManager } from '../../drivers/manager';
import { receiptText } from '../../drivers/printer/decode';
import { encodeReceipt } from '../../drivers/printer/escpos';
import { parseReceipt } from '../../drivers/printer/receipt';
import { ReceiptService, type ReceiptPrinter, type WithdrawalLink } from './service';

const NOW = Date.UTC(2026, 10, 28, 4, 0, 0); // 12:00 in China, 2026-11-28
const FULL_CODE = '134567890123456789';

const payment = (over: Partial<Payment> = {}): Payment => ({
  orderNo: 'T000120261128000001', kind: 'sale', amountFen: 1250, tender: 'wechat', state: 'succeeded', maskedCode: '1345 **** **** 6789',
  message: { zh: '收款成功', en: 'Paid' }, error: null, createdAt: NOW, updatedAt: NOW, refundedFen: 0, training: false,
  qr: null, cash: null, creditName: null, operatorId: 'op1', ...over,
});

let dir: string;
let db: Db;
let devices: DeviceManager;
let printed: PrintedReceipt[];
let described: unknown[];
let drawerPulses: number;
let payments: Map<string, Payment>;
let link: WithdrawalLink;
let bills: Map<string, BillPayment>;
let service: ReceiptService;

async function boot(): Promise<void> {
  db = await Db.open({ filename: path.join(dir, 'till.sqlite') });
  await migrate(db, migrations);
  const store = new Map<string, string>();
  let jobEnded: (job: PrintJob) => void = () => undefined;
  devices = new DeviceManager({
    onReceiptJob: (job) => jobEnded(job),
    mode: 'demo',
    settings: { get: async (k) => store.get(k) ?? null, set: async (k, v) => void store.set(k, v) },
    emit: (name, payload) => {
      if (name === 'printer:printed') printed.push((payload as { receipt: PrintedReceipt }).receipt);
    },
  });
  await devices.start();
  // The real device manager, watched: which descriptions it was handed, how often the drawer opened.
  const printer: ReceiptPrinter = {
    printReceipt: (r) => {
      described.push(r);
      return devices.printReceipt(r);
    },
    openDrawer: () => {
      drawerPulses++;
      return devices.openDrawer();
    },
    get paperWidth() {
      return devices.paperWidth;
    },
  };
  service = new ReceiptService({
    db, printer, terminalId: 'T0001', merchantName: '示范村便民店',
    getPayment: async (o) => payments.get(o) ?? null,
    operatorName: async (id) => (id === 'op1' ? '张三' : null),
    withdrawalFor: async () => link,
    getBill: async (id) => (bills.has(id) ? { bill: bills.get(id)!, operatorId: 'op1' } : null),
    training: true,
    now: () => NOW,
    log: () => {},
  });
  await service.start();
  jobEnded = (job) => service.onReceiptJob(job);
}

/** Stops the process's objects and opens them again on the same database file. */
async function restart(): Promise<void> {
  await service.idle();
  await devices.stop();
  await db.close();
  await boot();
}

const text = (r: PrintedReceipt) => receiptText(r).join('\n');

/** The receipt an event brings meets a printer out of paper: nothing reaches paper. */
async function printWithoutPaper(fire: () => void): Promise<void> {
  await devices.simulate('paper_out');
  fire();
  await service.idle();
  expect(printed).toHaveLength(0);
}

/** Paper back in, the kept job printed from the Devices screen (the device manager's own reprint). */
async function reprintKeptJob(orderNo: string): Promise<void> {
  await devices.simulate('paper_in');
  const [job] = devices.list().failedJobs;
  expect(job?.orderNo).toBe(orderNo);
  expect((await devices.reprint(job!.id)).state).toBe('printed');
  await service.idle();
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receipts-'));
  printed = [];
  described = [];
  drawerPulses = 0;
  payments = new Map();
  link = 'none';
  bills = new Map();
  await boot();
});
afterEach(async () => {
  await service.idle();
  await devices.stop();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('automatic receipts', () => {
  it('prints once per order even when the event repeats, the state moves on, or the app restarts', async () => {
    const p = payment({ state: 'accepted_offline', tender: 'offline_code', maskedCode: 'OFF1 **** **** 0001' });
    payments.set(p.orderNo, p);
    service.onPayment(p);
    service.onPayment(p);
    service.onPayment({ ...p, state: 'succeeded' });
    await service.idle();
    expect(printed).toHaveLength(1);
    await restart();
    printed = [];
    service.onPayment({ ...p, state: 'succeeded' });
    await service.idle();
    expect(printed).toHaveLength(0); // nothing new after the restart
    expect((await service.stats()).printed).toBe(1);
  });

  it('prints nothing for payments that did not complete', async () => {
    for (const state of ['created', 'paying', 'userpaying', 'failed', 'cancelled', 'closed'] as const) service.onPayment(payment({ state }));
    await service.idle();
    expect(printed).toHaveLength(0);
    expect(described).toHaveLength(0);
  });

  it('puts the shop header, order number, tender in words and the training mark on the receipt', async () => {
    await service.setSettings({ header: ['示范村便民店', '电话 0871-1234567'] }, false);
    service.onPayment(payment({ training: true }));
    await service.idle();
    const t = receiptText(printed[0]!);
    expect(t[0]).toBe('培训 TRAINING');
    expect(t).toContain('示范村便民店');
    expect(t).toContain('电话 0871-1234567');
    expect(t.join('\n')).toContain('单号：T000120261128000001');
    expect(t.join('\n')).toContain('收银员：张三');
    expect(t.some((l) => l.startsWith('微信支付') && l.endsWith('12.50'))).toBe(true);
    expect(printed[0]!.blocks.some((b) => b.kind === 'barcode')).toBe(true);
  });

  it('prints the e-receipt link as a QR and the order number as a barcode, on the paper width of the device settings', async () => {
    await service.setSettings({ eReceiptBaseUrl: 'https://r.example.cn/e' }, true);
    await devices.select('printer:sim', 80);
    service.onPayment(payment());
    await service.idle();
    const blocks = printed[0]!.blocks;
    expect(printed[0]!.columns).toBe(48);
    expect(blocks.find((b) => b.kind === 'qr')).toMatchObject({ content: 'https://r.example.cn/e/T000120261128000001' });
    expect(blocks.find((b) => b.kind === 'barcode')).toMatchObject({ content: 'T000120261128000001' });
  });

  it('says pending, never paid, on the receipt of a payment accepted offline', async () => {
    service.onPayment(payment({ state: 'accepted_offline', tender: 'offline_code', maskedCode: 'OFF1 **** **** 0001' }));
    await service.idle();
    const t = text(printed[0]!);
    expect(t).toContain('离线受理，待上传');
    expect(t).toContain('Accepted offline, pending upload');
    expect(t).not.toMatch(/paid|已付|成功/i);
  });

  it('qr-only mode counts the paper saved and prints nothing, once per order', async () => {
    await service.setSettings({ mode: 'qr' }, false);
    const p = payment();
    service.onPayment(p);
    service.onPayment(p);
    service.onPayment(payment({ orderNo: 'T000120261128000002' }));
    await service.idle();
    expect(printed).toHaveLength(0);
    expect(described).toHaveLength(0);
    const s = await service.stats('2026-11-28');
    expect(s.paperSaved).toBe(2);
    expect(s.printed).toBe(0);
    expect((await service.stats('2026-11-27')).paperSaved).toBe(0);
  });

  it('gives back the paper saved when a qr-only customer asks for paper after all', async () => {
    await service.setSettings({ mode: 'qr' }, false);
    const p = payment();
    payments.set(p.orderNo, p);
    service.onPayment(p);
    await service.idle();
    expect((await service.stats()).paperSaved).toBe(1);
    expect(await service.print(p.orderNo)).toMatchObject({ printed: true, reprint: false });
    expect(await service.stats()).toMatchObject({ paperSaved: 0, printed: 1, reprinted: 0 });
  });

  it('kicks the drawer once after a cash sale, and never for other tenders', async () => {
    const cash = payment({ tender: 'cash', maskedCode: null, cash: { tenderedFen: 2000, changeFen: 750 } });
    service.onPayment(cash);
    service.onPayment(cash);
    service.onPayment(payment({ orderNo: 'T000120261128000002' }));
    service.onPayment(payment({ orderNo: 'T000120261128000003', tender: 'credit', maskedCode: null, creditName: '李四' }));
    await service.idle();
    expect(drawerPulses).toBe(1);
    const t = receiptText(printed[0]!);
    expect(t.some((l) => l.startsWith('现金') && l.endsWith('20.00'))).toBe(true);
    expect(t.some((l) => l.startsWith('找零') && l.endsWith('7.50'))).toBe(true);
  });

  it('still kicks the drawer for a cash sale in qr-only mode (change is due either way)', async () => {
    await service.setSettings({ mode: 'qr' }, false);
    service.onPayment(payment({ tender: 'cash', maskedCode: null, cash: { tenderedFen: 1250, changeFen: 0 } }));
    await service.idle();
    expect(drawerPulses).toBe(1);
    expect(printed).toHaveLength(0);
  });

  it('does not print old orders when a late event arrives (a refund, a forward after an upgrade)', async () => {
    service.onPayment(payment({ refundedFen: 100 }));
    service.onPayment(payment({ orderNo: 'T000120261126000001', createdAt: NOW - 2 * 24 * 3_600_000 }));
    await service.idle();
    expect(printed).toHaveLength(0);
  });
});

describe('receipts that fail to print', () => {
  it('keeps the job of a printer out of paper across a restart and prints it as the original', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    await printWithoutPaper(() => service.onPayment(p));
    expect(await service.stats()).toMatchObject({ failed: 1, printed: 0, unprinted: [p.orderNo] });

    await restart(); // the in-memory job list of the device manager is gone; ours is not
    expect((await service.stats()).unprinted).toEqual([p.orderNo]);
    const r = await service.print(p.orderNo);
    expect(r).toMatchObject({ printed: true, reprint: false, error: null });
    expect(text(printed[0]!)).not.toContain('REPRINT'); // no copy ever reached the customer
    expect(await service.stats()).toMatchObject({ printed: 1, unprinted: [] });
  });

  it('records a kept job reprinted from the Devices screen, so it is not printed again as an original', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    await printWithoutPaper(() => service.onPayment(p));
    await reprintKeptJob(p.orderNo);
    expect(await service.stats()).toMatchObject({ printed: 1, unprinted: [] });
    expect(await service.print(p.orderNo)).toMatchObject({ printed: true, reprint: true });
  });

  it('marks a second copy 重打 REPRINT and counts it as a reprint', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    service.onPayment(p);
    await service.idle();
    const r = await service.print(p.orderNo);
    expect(r).toMatchObject({ printed: true, reprint: true });
    expect(receiptText(printed[1]!)[0]).toBe('重打 REPRINT');
    expect(await service.stats()).toMatchObject({ printed: 1, reprinted: 1 });
  });

  it('reports a failed reprint without throwing, and the receipt stays printed once', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    service.onPayment(p);
    await service.idle();
    await devices.simulate('paper_out');
    const r = await service.print(p.orderNo);
    expect(r.printed).toBe(false);
    expect(r.error?.code).toBe('printer.paper_out');
    expect((await service.stats()).unprinted).toEqual([]); // the original reached paper
  });

  it('a crash mid-print leaves the order listed for reprinting, never printed again unasked', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    await db.run("INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES (?, 'sale', 'claimed', 0, '2026-11-28', 0, 0)", [p.orderNo]);
    await restart();
    service.onPayment(p);
    await service.idle();
    expect(printed).toHaveLength(0);
    expect((await service.stats()).unprinted).toEqual([p.orderNo]);
  });

  it('a receipt the paper ran out in the middle of is reprinted marked 重打, across a restart, and nothing of it resumes', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    devices.sim!.paperBlocks = 6; // the roll ends part-way through the receipt
    service.onPayment(p);
    await service.idle();
    expect(devices.sim!.printed.length).toBeGreaterThan(0); // its top is on paper
    expect(await service.stats()).toMatchObject({ printed: 0, unprinted: [p.orderNo] });
    await restart();
    await devices.simulate('paper_in');
    printed.length = 0;
    const r = await service.print(p.orderNo);
    expect(r).toMatchObject({ printed: true, reprint: true });
    expect(printed).toHaveLength(1);
    expect(receiptText(printed[0]!)[0]).toBe('重打 REPRINT');
  });

  it('a receipt sent but not confirmed says so, and its next copy is marked 重打', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    devices.sim!.confirms = false; // a printer with no way to say "done"
    service.onPayment(p);
    await service.idle();
    const again = await service.print(p.orderNo);
    expect(again).toMatchObject({ printed: false, reprint: true, error: { code: 'printer.unconfirmed' } });
    expect(receiptText(printed.at(-1)!)[0]).toBe('重打 REPRINT');
  });

  it('refuses to reprint an unknown or unpaid order, in both languages', async () => {
    await expect(service.print('T000120261128999999')).rejects.toMatchObject({ code: 'receipts.unknown_order', zh: expect.any(String), en: expect.any(String) });
    payments.set('T000120261128000009', payment({ orderNo: 'T000120261128000009', state: 'failed' }));
    await expect(service.print('T000120261128000009')).rejects.toMatchObject({ code: 'receipts.not_printable' });
  });
});

describe('payment codes on receipts', () => {
  it('puts only the masked code in the receipt bytes and the kept job, never the full code', async () => {
    const p = payment();
    payments.set(p.orderNo, p);
    await devices.simulate('paper_out');
    service.onPayment(p);
    // A record that (by a bug elsewhere) held the full code: it must still never reach paper.
    const leaked = payment({ orderNo: 'T000120261128000002', maskedCode: FULL_CODE });
    service.onPayment(leaked);
    await service.idle();
    expect(described).toHaveLength(2);
    for (const d of described) {
      const bytes = Buffer.from(encodeReceipt(parseReceipt(d)));
      expect(bytes.includes(Buffer.from(FULL_CODE))).toBe(false);
      expect(bytes.includes(Buffer.from('1345 **** **** 6789')) || d === described[1]).toBe(true);
    }
    const kept = await db.all<{ description: string | null }>('SELECT description FROM receipt_prints');
    expect(kept.length).toBe(2);
    for (const k of kept) expect(k.description ?? '').not.toContain(FULL_CODE);
  });
});

describe('withdrawal receipts', () => {
  const w: Withdrawal = {
    id: 'W1', amountFen: 50_000, state: 'paid', orderNo: 'T000120261128000005', maskedCode: '6217 **** **** 1234',
    maskedPhone: '138****5678', message: { zh: '已付', en: 'paid' }, createdAt: NOW, remainingTodayFen: 50_000,
  };

  it('prints one signed withdrawal receipt instead of a sale receipt, even in qr-only mode', async () => {
    await service.setSettings({ mode: 'qr' }, false);
    const charge = payment({ orderNo: w.orderNo!, amountFen: 50_000, tender: 'unionpay', maskedCode: w.maskedCode });
    payments.set(charge.orderNo, charge);
    link = 'pending'; // the withdrawal has not recorded its order number yet
    service.onPayment(charge);
    link = w;
    service.onWithdrawal(w);
    service.onWithdrawal(w);
    await service.idle();
    expect(printed).toHaveLength(1);
    const t = receiptText(printed[0]!);
    expect(t).toContain('客户签名 Signature:');
    expect(t).toContain('现金已付给客户');
    expect(t.join('\n')).toContain('138****5678');
    expect((await service.stats()).paperSaved).toBe(0);
  });

  it('reprints a withdrawal receipt with its signature line', async () => {
    const charge = payment({ orderNo: w.orderNo!, amountFen: 50_000, tender: 'unionpay', maskedCode: w.maskedCode });
    payments.set(charge.orderNo, charge);
    link = w;
    service.onWithdrawal(w);
    await service.idle();
    await service.print(w.orderNo!);
    const t = receiptText(printed[1]!);
    expect(t[0]).toBe('重打 REPRINT');
    expect(t).toContain('客户签名 Signature:');
  });
});

describe('service-point bill receipts', () => {
  const bill = (over: Partial<BillPayment> = {}): BillPayment => ({
    id: 'BP1TEST0001', billerId: 'ELEC', billerName: { zh: '国网电费', en: 'State Grid electricity' }, maskedAccount: '**** 4321',
    amountFen: 8_650, state: 'queued', provisional: true, reference: null, message: { zh: '', en: '' }, refusal: null,
    createdAt: NOW, returnedAt: null, returnedBy: null, ...over,
  });

  it('prints the provisional receipt of a queued bill once: a repeated event, forwarding and a restart print nothing more', async () => {
    const b = bill();
    bills.set(b.id, b);
    service.onBill(b);
    service.onBill(b);
    await service.idle();
    expect(printed).toHaveLength(1);
    const t = receiptText(printed[0]!);
    expect(t).toContain('待缴费机构确认');
    expect(t).toContain('pending biller confirmation');
    expect(t.join('\n')).toContain('**** 4321');
    expect(t[0]).toBe('培训 TRAINING'); // demo mode
    // Forwarded later and confirmed: the customer has gone, no second paper.
    const paid = bill({ state: 'paid', provisional: false, reference: 'B0000012345' });
    bills.set(b.id, paid);
    service.onBill(paid);
    await restart();
    service.onBill(paid);
    await service.idle();
    expect(printed).toHaveLength(1);
    expect(await db.all('SELECT order_no, kind, copies FROM receipt_prints')).toEqual([{ order_no: 'bill:BP1TEST0001', kind: 'bill', copies: 1 }]);
  });

  it('a bill the biller confirmed at once prints its reference and says paid, with no provisional mark', async () => {
    const b = bill({ state: 'paid', provisional: false, reference: 'B0000012345' });
    bills.set(b.id, b);
    service.onBill(b);
    await service.idle();
    expect(printed).toHaveLength(1);
    const t = receiptText(printed[0]!);
    expect(t).toContain('缴费成功，缴费单位已确认');
    expect(t.some((l) => l.startsWith('凭证号 Ref.') && l.endsWith('B0000012345'))).toBe(true);
    expect(t.join('\n')).not.toContain('待缴费机构确认');
  });

  it('a crash mid-print leaves the bill receipt listed, never printed again unasked; asked, it prints as the original', async () => {
    const b = bill();
    bills.set(b.id, b);
    await db.run("INSERT INTO receipt_prints (order_no, kind, outcome, copies, day, created_at, updated_at) VALUES ('bill:BP1TEST0001', 'bill', 'claimed', 0, '2026-11-28', 0, 0)");
    await restart();
    service.onBill(b);
    await service.idle();
    expect(printed).toHaveLength(0);
    expect((await service.stats()).unprinted).toEqual(['bill:BP1TEST0001']);
    const r = await service.printBill(b.id, 'bill');
    expect(r).toMatchObject({ printed: true, reprint: false });
    expect(receiptText(printed[0]!)).not.toContain('重打 REPRINT');
  });

  it('a provisional receipt that met a printer out of paper is kept; printed from the Devices screen, it is recorded under the bill', async () => {
    const b = bill();
    bills.set(b.id, b);
    await printWithoutPaper(() => service.onBill(b));
    expect((await service.stats()).unprinted).toEqual(['bill:BP1TEST0001']);
    await reprintKeptJob(b.id);
    expect(receiptText(printed[0]!)).toContain('待缴费机构确认');
    expect(await service.stats()).toMatchObject({ printed: 1, unprinted: [] });
    // It reached paper: a copy asked for now is marked 重打.
    expect(await service.printBill(b.id, 'bill')).toMatchObject({ printed: true, reprint: true });
  });

  it('prints the signed cash-returned receipt of a refused bill once, and reprints it marked 重打', async () => {
    const b = bill({
      state: 'returned', provisional: false, returnedAt: NOW, returnedBy: 'op1',
      refusal: { zh: '户号 13812345678 已销户', en: 'Account closed' },
    });
    bills.set(b.id, b);
    service.onBill(b);
    service.onBill(b);
    await service.idle();
    expect(printed).toHaveLength(1);
    const t = receiptText(printed[0]!);
    expect(t).toContain('退还现金回单');
    expect(t).toContain('客户签名 Signature:');
    expect(t).toContain('Account closed');
    // The biller's words held a phone number: that line is left off, never printed.
    expect(t.join('\n')).not.toContain('13812345678');
    await service.printBill(b.id, 'bill_return');
    expect(receiptText(printed[1]!)).toContain('重打 REPRINT');
    // The first receipt of a refused bill would show a payment the biller refused: not reprinted.
    await expect(service.printBill(b.id, 'bill')).rejects.toMatchObject({ code: 'receipts.not_printable' });
    await expect(service.printBill('BPNONE', 'bill')).rejects.toMatchObject({ code: 'receipts.unknown_order' });
  });

  it('never prints a bill account that reached it unmasked', async () => {
    const b = bill({ maskedAccount: '6217000012344321' });
    bills.set(b.id, b);
    service.onBill(b);
    await service.idle();
    // The builder prints only a mask that passes the printer's check: never the number.
    for (const d of described) expect(JSON.stringify(d)).not.toContain('6217000012344321');
    expect(printed.map((r) => receiptText(r).join('\n')).join('')).not.toContain('6217000012344321');
  });
});
