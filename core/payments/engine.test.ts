import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyJournal } from '../ledger/journal';
import { openKit, waitFor, type Kit } from './test-kit';

let kit: Kit;
beforeEach(async () => {
  kit = await openKit();
});
afterEach(async () => {
  await kit.close();
});

const simOrder = async (orderNo: string) => (await kit.control.orders()).orders.find((o) => o.out_trade_no === orderNo);
const debits = async (orderNo: string) => (await kit.control.orders()).ledger.filter((l) => l.out_trade_no === orderNo);
const state = (orderNo: string) => kit.engine.get(orderNo).then((r) => r.payment);

describe('online payment code', () => {
  it('charges a plain wallet once, journals it and keeps only a masked code', async () => {
    const before = await kit.balance('W01');
    const code = await kit.code('W01');
    const p = await kit.engine.charge({ amountFen: 1234, code }, 'cashier1');
    expect(p.state).toBe('created');
    expect(p.maskedCode).toBe(`${code.slice(0, 4)} **** **** ${code.slice(-4)}`);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('succeeded');
    expect(done.message.zh).toContain('收款成功');
    expect(done.message.en).toContain('Payment received');
    expect(await kit.balance('W01')).toBe(before - 1234);
    expect(await debits(p.orderNo)).toHaveLength(1);
    const j = await kit.db.all<{ kind: string; amount_fen: number }>('SELECT kind, amount_fen FROM journal');
    expect(j).toEqual([{ kind: 'payment.succeeded', amount_fen: 1234 }]);
    expect(await verifyJournal(kit.db)).toMatchObject({ ok: true, rows: 1 });
    // The full code is nowhere in the terminal's database.
    const dump = JSON.stringify([await kit.db.all('SELECT * FROM payments'), await kit.db.all('SELECT * FROM journal')]);
    expect(dump).not.toContain(code);
  });

  it('order numbers are terminal id + China date + sequence and never repeat', async () => {
    const a = await kit.engine.settled((await kit.engine.charge({ amountFen: 100, code: await kit.code('W01') }, null)).orderNo);
    const b = await kit.engine.settled((await kit.engine.charge({ amountFen: 100, code: await kit.code('W01') }, null)).orderNo);
    expect(a.orderNo).toMatch(/^T0001\d{8}000001$/);
    expect(b.orderNo).toMatch(/^T0001\d{8}000002$/);
  });

  it('emits payments:changed on every state change', async () => {
    const seen: string[] = [];
    const off = kit.bus.subscribe((name, payload) => {
      if (name === 'payments:changed') seen.push((payload as { state: string }).state);
    });
    const p = await kit.engine.charge({ amountFen: 500, code: await kit.code('W02') }, null);
    await kit.engine.settled(p.orderNo);
    off();
    expect(seen).toEqual(['created', 'paying', 'succeeded']);
  });

  it('USERPAYING: succeeds when the customer enters the password', async () => {
    const before = await kit.balance('W04');
    const p = await kit.engine.charge({ amountFen: 2000, code: await kit.code('W04') }, null);
    await waitFor(() => state(p.orderNo), (x) => x.state === 'userpaying');
    expect((await state(p.orderNo)).message.zh).toContain('支付密码');
    await kit.control.userPaying(p.orderNo, true);
    expect((await kit.engine.settled(p.orderNo)).state).toBe('succeeded');
    expect(await kit.balance('W04')).toBe(before - 2000);
  });

  it('USERPAYING: the customer refuses, the payment fails and nothing is charged', async () => {
    const before = await kit.balance('W05');
    const p = await kit.engine.charge({ amountFen: 2000, code: await kit.code('W05') }, null);
    await waitFor(() => state(p.orderNo), (x) => x.state === 'userpaying');
    await kit.control.userPaying(p.orderNo, false);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('failed');
    expect(done.error?.code).toBe('acquirer.user_cancelled');
    expect(await kit.balance('W05')).toBe(before);
  });

  it('USERPAYING forever: cancels when the wait runs out and the wallet is not charged', async () => {
    await kit.control.setFaults([{ kind: 'userpaying_forever', op: 'pay' }]);
    const before = await kit.balance('W01');
    const p = await kit.engine.charge({ amountFen: 700, code: await kit.code('W01') }, null);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('cancelled');
    expect(done.message.en).toContain('cancelled');
    expect((await simOrder(p.orderNo))?.status).toBe('CLOSED');
    expect(await kit.balance('W01')).toBe(before);
  });

  it('the cashier cancels a USERPAYING wait: cancelled at the acquirer, not charged', async () => {
    const before = await kit.balance('W04');
    const p = await kit.engine.charge({ amountFen: 300, code: await kit.code('W04') }, null);
    await waitFor(() => state(p.orderNo), (x) => x.state === 'userpaying');
    await kit.engine.cancel(p.orderNo);
    expect((await kit.engine.settled(p.orderNo)).state).toBe('cancelled');
    expect((await simOrder(p.orderNo))?.status).toBe('CLOSED');
    expect(await kit.balance('W04')).toBe(before);
  });

  it('does not charge twice when the response is lost', async () => {
    await kit.control.setFaults([{ kind: 'drop_response_after_commit', op: 'pay' }]);
    const before = await kit.balance('W01');
    const p = await kit.engine.charge({ amountFen: 999, code: await kit.code('W01') }, null);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('succeeded');
    expect(await debits(p.orderNo)).toHaveLength(1);
    expect(await kit.balance('W01')).toBe(before - 999);
  });

  it('a lost response and failing queries end cancelled, with the money returned', async () => {
    await kit.control.setFaults([
      { kind: 'drop_response_after_commit', op: 'pay' },
      { kind: 'http_500', op: 'query', times: -1 },
    ]);
    const before = await kit.balance('W02');
    const p = await kit.engine.charge({ amountFen: 1500, code: await kit.code('W02') }, null);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('cancelled');
    expect(done.message.zh).toContain('未被扣款');
    expect((await simOrder(p.orderNo))?.status).toBe('REVERSED');
    expect(await kit.balance('W02')).toBe(before);
    expect(await kit.count('journal')).toBe(0);
  });

  it('a dropped request is re-sent with the same order number and charged once', async () => {
    await kit.control.setFaults([{ kind: 'drop_request', op: 'pay' }]);
    const before = await kit.balance('W03');
    const p = await kit.engine.charge({ amountFen: 250, code: await kit.code('W03') }, null);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('succeeded');
    expect(await debits(p.orderNo)).toHaveLength(1);
    expect(await kit.balance('W03')).toBe(before - 250);
  });

  it('a reset connection, then a 500, still resolves to one charge', async () => {
    await kit.control.setFaults([{ kind: 'reset', op: 'pay' }, { kind: 'http_500', op: 'pay' }]);
    const p = await kit.engine.charge({ amountFen: 260, code: await kit.code('W03') }, null);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('succeeded');
    expect(await debits(p.orderNo)).toHaveLength(1);
  });

  it('reports a decline with the acquirer’s reason, in both languages', async () => {
    const p = await kit.engine.charge({ amountFen: 5000, code: await kit.code('W06') }, null);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('failed');
    expect(done.error?.code).toBe('acquirer.not_enough');
    expect(done.message.zh).toContain('余额不足');
    expect(done.message.en).toContain('balance');
  });

  it('a scheduled decline carries its reason', async () => {
    await kit.control.setFaults([{ kind: 'decline', op: 'pay', reason: 'LIMIT_EXCEEDED' }]);
    const done = await kit.engine.settled((await kit.engine.charge({ amountFen: 100, code: await kit.code('W01') }, null)).orderNo);
    expect(done.error?.code).toBe('acquirer.limit_exceeded');
  });

  it('a used code is refused by the acquirer and nothing is charged', async () => {
    const code = await kit.code('W01');
    await kit.engine.settled((await kit.engine.charge({ amountFen: 100, code }, null)).orderNo);
    const before = await kit.balance('W01');
    const again = await kit.engine.settled((await kit.engine.charge({ amountFen: 100, code }, null)).orderNo);
    expect(again.state).toBe('failed');
    expect(again.error?.code).toBe('acquirer.code_used');
    expect(await kit.balance('W01')).toBe(before);
  });

  it('refuses a second charge while one is unfinished, and never starts it', async () => {
    await kit.control.setFaults([{ kind: 'userpaying_forever', op: 'pay' }]);
    const p = await kit.engine.charge({ amountFen: 100, code: await kit.code('W01') }, null);
    const rows = await kit.count('payments');
    const orders = (await kit.control.orders()).orders.length;
    await expect(kit.engine.charge({ amountFen: 100, code: await kit.code('W02') }, null)).rejects.toMatchObject({ code: 'payment.busy' });
    await expect(kit.engine.precreate({ amountFen: 100 }, null)).rejects.toMatchObject({ code: 'payment.busy' });
    expect(await kit.count('payments')).toBe(rows);
    expect((await kit.control.orders()).orders.length).toBe(orders);
    await kit.engine.settled(p.orderNo);
  });

  it('refuses an unrecognised code before any network call', async () => {
    const orders = (await kit.control.orders()).orders.length;
    await expect(kit.engine.charge({ amountFen: 100, code: '9912345678901234' }, null)).rejects.toMatchObject({ code: 'code.unrecognised' });
    expect(await kit.count('payments')).toBe(0);
    expect((await kit.control.orders()).orders.length).toBe(orders);
  });

  it('manual query after an unknown outcome applies what the acquirer says', async () => {
    await kit.control.setFaults([
      { kind: 'drop_response_after_commit', op: 'pay' },
      { kind: 'http_500', op: 'query', times: 3 },
    ]);
    // Cancel refused by the schedule too, so the payment stays open for the manual look-up.
    await kit.control.setFaults([{ kind: 'http_500', op: 'cancel', times: 3 }], true);
    const p = await kit.engine.charge({ amountFen: 410, code: await kit.code('W01') }, null);
    const left = await kit.engine.settled(p.orderNo);
    expect(left.state).toBe('cancelling');
    const q = await kit.engine.query(p.orderNo);
    expect(q.state).toBe('succeeded');
  });
});

describe('dynamic merchant QR', () => {
  it('is paid by the customer and succeeds', async () => {
    const p = await kit.engine.precreate({ amountFen: 880 }, null);
    const shown = await waitFor(() => state(p.orderNo), (x) => x.state === 'awaiting_scan');
    expect(shown.qr?.content).toMatch(/^https:\/\/qr\.sim\.invalid\//);
    await kit.control.payQr(p.orderNo, 'W02');
    expect((await kit.engine.settled(p.orderNo)).state).toBe('succeeded');
  });

  it('closes when it expires unpaid, also at the acquirer', async () => {
    const p = await kit.engine.precreate({ amountFen: 880 }, null);
    const done = await kit.engine.settled(p.orderNo);
    expect(done.state).toBe('closed');
    expect((await simOrder(p.orderNo))?.status).toBe('CLOSED');
    await expect(kit.control.payQr(p.orderNo, 'W02')).rejects.toThrow(/NOT_PAYABLE/);
  });

  it('the cashier cancels it', async () => {
    const p = await kit.engine.precreate({ amountFen: 880 }, null);
    await waitFor(() => state(p.orderNo), (x) => x.state === 'awaiting_scan');
    await kit.engine.cancel(p.orderNo);
    expect((await kit.engine.settled(p.orderNo)).state).toBe('cancelled');
  });
});

describe('cash and credit', () => {
  it('records a cash sale with change, journaled at once', async () => {
    const p = await kit.engine.cash({ amountFen: 1250, tenderedFen: 2000 }, 'cashier1');
    expect(p).toMatchObject({ state: 'succeeded', tender: 'cash', cash: { tenderedFen: 2000, changeFen: 750 } });
    expect(await kit.count('journal')).toBe(1);
  });
  it('refuses cash short of the amount, writing nothing', async () => {
    await expect(kit.engine.cash({ amountFen: 1250, tenderedFen: 1000 }, null)).rejects.toMatchObject({ code: 'cash.short' });
    expect(await kit.count('payments')).toBe(0);
  });
  it('records a credit sale in the customer’s name', async () => {
    const p = await kit.engine.credit({ amountFen: 300, customerName: ' 王大爷 ' }, null);
    expect(p).toMatchObject({ state: 'succeeded', creditName: '王大爷' });
  });
});

describe('list', () => {
  it('finds payments by order-number fragment and amount, newest first', async () => {
    await kit.engine.cash({ amountFen: 100, tenderedFen: 100 }, null);
    const b = await kit.engine.cash({ amountFen: 200, tenderedFen: 200 }, null);
    const all = await kit.engine.list({ limit: 10, offset: 0 });
    expect(all.map((p) => p.amountFen)).toEqual([200, 100]);
    expect(await kit.engine.list({ amountFen: 200, limit: 10, offset: 0 })).toHaveLength(1);
    expect(await kit.engine.list({ text: b.orderNo.slice(-6), limit: 10, offset: 0 })).toHaveLength(1);
    expect(await kit.engine.list({ text: '%', limit: 10, offset: 0 })).toHaveLength(0);
  });
});
