// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { useCheckoutStore } from './store';

const msgs = { busy: 'busy', enterAmount: 'enter amount' };
let charged: unknown[] = [];

beforeEach(() => {
  setActivePinia(createPinia());
  charged = [];
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (input: unknown) => {
      if (m === 'payments:charge') charged.push(input);
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
    expect(charged).toEqual([{ amountFen: 1230, code: '281234567890123456' }]);
  });

  it('leaves the amount alone for a scan from a USB scanner, whatever an earlier key snapshotted', () => {
    const co = useCheckoutStore();
    co.key('1');
    co.maybeScanStart();
    for (const k of ['2', '3', '.', '4']) co.key(k);
    co.scanned('134567890123456789', false, msgs);
    expect(charged).toEqual([{ amountFen: 12340, code: '134567890123456789' }]);
  });

  it('refuses a scan before any amount, charging nothing', () => {
    const co = useCheckoutStore();
    co.scanned('134567890123456789', false, msgs);
    expect(co.notice).toBe('enter amount');
    expect(charged).toEqual([]);
  });
});
