// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { useCheckoutStore } from './store';

const msgs = { busy: 'busy', enterAmount: 'enter amount' };
let charged: unknown[] = [];
/** What the fake core answers a cash sale: the connection dropped, or nothing said. */
let cashAnswer: () => Promise<unknown>;
const cashSent: Array<{ requestId: string }> = [];

beforeEach(() => {
  setActivePinia(createPinia());
  charged = [];
  cashSent.length = 0;
  cashAnswer = async () => ({ ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } });
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (input: unknown) => {
      if (m === 'payments:charge') charged.push(input);
      if (m === 'payments:cash') {
        cashSent.push(input as { requestId: string });
        return cashAnswer();
      }
      return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
    }]),
  ) as CashierBridge['call'];
  setBridge({ call, on: () => () => undefined });
});

describe('a scan at the checkout', () => {
  it('charges the typed amount even though the scan’s first keys reached the numpad', () => {
    const co = useCheckoutStore();
    for (const k of ['1', '2', '.', '3']) co.key(k);
    co.maybeScanStart(); // the scanner's first key may open a scan …
    co.key('2'); // … and reaches the numpad before the burst is recognised
    co.key('8');
    co.scanned('281234567890123456', true, msgs);
    expect(charged).toEqual([{ amountFen: 1230, code: '281234567890123456', requestId: expect.stringMatching(/^[A-Za-z0-9_-]{16,64}$/) }]);
  });

  it('leaves the amount alone for a scan from a USB scanner, whatever an earlier key snapshotted', () => {
    const co = useCheckoutStore();
    co.key('1');
    co.maybeScanStart();
    for (const k of ['2', '3', '.', '4']) co.key(k);
    co.scanned('134567890123456789', false, msgs);
    expect(charged).toEqual([{ amountFen: 12340, code: '134567890123456789', requestId: expect.any(String) }]);
  });

  it('refuses a scan before any amount, charging nothing', () => {
    const co = useCheckoutStore();
    co.scanned('134567890123456789', false, msgs);
    expect(co.notice).toBe('enter amount');
    expect(charged).toEqual([]);
  });
});

describe('the checkout keypad', () => {
  it.each(['-1', '1e3', '12.3.4', '1/2', '0x10', '12,34'])('keeps %j as typed and refuses it in words: nothing is charged', (text) => {
    const co = useCheckoutStore();
    for (const k of text) co.key(k);
    expect(co.buffer).toBe(text);
    expect(co.amountFen).toBe(0);
    expect(co.amountRefusal).not.toBe('');
    co.code('134567890123456789', msgs);
    expect(co.notice).toBe(co.amountRefusal);
    expect(charged).toEqual([]);
  });
});

describe('one request id per intended payment', () => {
  const cashPaid = (orderNo: string) => ({
    ok: true,
    value: { orderNo, kind: 'sale', amountFen: 500, tender: 'cash', state: 'succeeded', maskedCode: null, message: { zh: '收款成功', en: 'Paid' }, error: null,
      createdAt: 0, updatedAt: 0, refundedFen: 0, training: true, qr: null, cash: { tenderedFen: 500, changeFen: 0 }, creditName: null, operatorId: null },
  });
  function cashOf5(co: ReturnType<typeof useCheckoutStore>) {
    co.key('5');
    co.chooseTender('cash', msgs);
    co.key('5');
  }

  it('a double Enter sends once; a retry after the connection dropped sends the same id; the next sale a new one', async () => {
    const co = useCheckoutStore();
    cashOf5(co);
    let release!: (v: unknown) => void;
    cashAnswer = () => new Promise((r) => (release = r));
    co.payCash({ notEnough: 'not enough' });
    co.payCash({ notEnough: 'not enough' }); // the second Enter, while the first is on its way
    expect(cashSent).toHaveLength(1);
    release({ ok: false, error: { code: 'rpc.disconnected', zh: '连接中断', en: 'dropped' } });
    await vi.waitFor(() => expect(co.notice).toBe('连接中断'));
    cashAnswer = async () => cashPaid('T1');
    co.payCash({ notEnough: 'not enough' }); // the retry
    await vi.waitFor(() => expect(co.phase).toBe('result'));
    expect(cashSent).toHaveLength(2);
    expect(cashSent[1]!.requestId).toBe(cashSent[0]!.requestId);
    co.newSale();
    cashOf5(co);
    co.payCash({ notEnough: 'not enough' });
    await vi.waitFor(() => expect(cashSent).toHaveLength(3));
    expect(cashSent[2]!.requestId).not.toBe(cashSent[0]!.requestId);
  });
});

describe('a second scan while the result is shown', () => {
  it('keeps the result, charges nothing and says what happened to the scan', async () => {
    const co = useCheckoutStore();
    co.key('5');
    co.chooseTender('cash', msgs);
    co.key('5');
    cashAnswer = async () => ({
      ok: true,
      value: { orderNo: 'T9', kind: 'sale', amountFen: 500, tender: 'cash', state: 'succeeded', maskedCode: null, message: { zh: '收款成功', en: 'Paid' }, error: null,
        createdAt: 0, updatedAt: 0, refundedFen: 0, training: true, qr: null, cash: { tenderedFen: 500, changeFen: 0 }, creditName: null, operatorId: null },
    });
    co.payCash({ notEnough: 'not enough' });
    await vi.waitFor(() => expect(co.phase).toBe('result'));
    co.scanned('134567890123456789', false, { ...msgs, afterResult: 'not charged: result kept' });
    expect(co.phase).toBe('result');
    expect(co.payment?.orderNo).toBe('T9');
    expect(co.notice).toBe('not charged: result kept');
    expect(charged).toEqual([]);
  });
});
