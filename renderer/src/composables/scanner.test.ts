// @vitest-environment happy-dom
/**
 * The glue between DOM keys and the drivers' wedge detector: what reaches the page, what is
 * swallowed, the focused field put back, the counter's profiles followed. Key timestamps are
 * scripted (each event's `timeStamp`), as a scanner's and a typist's would arrive.
 */
import { mount } from '@vue/test-utils';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { CashierBridge } from '../../../core/api/bridge';
import type { RpcResult } from '../../../core/api/dispatcher';
import { methodNames } from '../../../core/api/names';
import type { WedgeProfile } from '../../../core/api/settings';
import type { WedgeBurst } from '../../../drivers/scanner/wedge';
import { defaultWedgeProfiles, profileFromPreset } from '../../../drivers/scanner/wedge-profiles';
import { setBridge } from '../api/transport';
import { installScanner, useScanner, useWedgeBursts } from './scanner';

let stored: WedgeProfile[] | null = null;
let emit: (event: string, payload: unknown) => void = () => undefined;
const scans: Array<[string, boolean]> = [];
const refused: Array<{ reason: string; zh: string; en: string }> = [];
let starts = 0;
const bursts: WedgeBurst[] = [];

// One install for the file, as the app has one: the listener is window-wide.
beforeAll(() => {
  const handlers = new Map<string, Set<(p: unknown) => void>>();
  emit = (event, payload) => handlers.get(event)?.forEach((l) => l(payload));
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (): Promise<RpcResult> => {
      if (m === 'settings:wedgeProfiles' && stored) return { ok: true, value: { profiles: stored } };
      return { ok: false, error: { code: 'rpc.disconnected', zh: '断开', en: 'disconnected' } };
    }]),
  ) as CashierBridge['call'];
  setBridge({
    call,
    on: (event, l) => {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event)!.add(l);
      return () => handlers.get(event)!.delete(l);
    },
  });
  installScanner();
  // A screen listening, as the checkout and the Devices screen do.
  mount(defineComponent({
    setup() {
      useScanner((c, viaKeys) => scans.push([c, viaKeys]), () => starts++, (w, reason) => refused.push({ reason: reason ?? '', ...w }));
      useWedgeBursts((b) => bursts.push(b));
      return () => h('input', { id: 'amount' });
    },
  }), { attachTo: document.body });
});
beforeEach(() => {
  scans.length = 0;
  refused.length = 0;
  bursts.length = 0;
  starts = 0;
  stored = null;
  emit('settings:wedgeProfilesChanged', { profiles: defaultWedgeProfiles() });
});

let clock = 10_000;
/** One keydown at a scripted time; returns whether it was swallowed. */
function key(k: string, gapMs: number, extra: Partial<KeyboardEventInit> = {}): boolean {
  clock += gapMs;
  const e = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...extra });
  Object.defineProperty(e, 'timeStamp', { value: clock });
  (document.activeElement ?? window).dispatchEvent(e);
  return e.defaultPrevented;
}
/** Types a string; its first key comes after a long pause, so every call starts a fresh burst. */
const type = (s: string, gapMs: number) => [...s].map((c, i) => key(c, i === 0 ? 5000 : gapMs));

describe('the scanner glue', () => {
  it('takes a 5 ms burst as a scan whatever has focus, swallows it from the third key, and puts the focused field back', () => {
    const input = document.getElementById('amount') as HTMLInputElement;
    input.focus();
    input.value = '12.3';
    // What a browser does with a key that reaches the field: it types into it.
    input.addEventListener('keydown', (e) => (input.value += e.key.length === 1 ? e.key : ''));
    const swallowed = [...type('281234567890123456', 5), key('Enter', 5)];
    expect(swallowed.slice(0, 2)).toEqual([false, false]);
    expect(swallowed.slice(2).every(Boolean)).toBe(true);
    expect(scans).toEqual([['281234567890123456', true]]);
    expect(input.value).toBe('12.3');
    expect(starts).toBe(1);
  });

  it('says why a refused scan is not a payment code, never with the code, and puts the focused field back', () => {
    const input = document.getElementById('amount') as HTMLInputElement;
    input.focus();
    input.value = '8.8';
    input.addEventListener('keydown', (e) => (input.value += e.key.length === 1 ? e.key : ''));
    for (const [burst, reason] of [
      ['2812345\u000067890123456', 'control'],
      ['２８１２３４５６７８９０１２３４５６', 'full_width'],
      ['\u202e281234567890123456', 'bidi'],
      ['28123', 'too_short'],
    ] as const) {
      refused.length = 0;
      type(burst, 5);
      key('Enter', 5);
      expect(refused.map((r) => r.reason)).toEqual([reason]);
      expect(refused[0]!.zh).toMatch(/^不是付款码：/);
      expect(refused[0]!.en).toMatch(/^Not a payment code: /);
      expect(refused[0]!.zh + refused[0]!.en).not.toContain('2812');
      expect(input.value).toBe('8.8');
    }
    expect(scans).toEqual([]);
    // A person's keys are no scan: nothing said.
    refused.length = 0;
    type('12', 60);
    key('Enter', 60);
    expect(refused).toEqual([]);
  });

  it('leaves a fast typist (60 ms per key) alone: nothing swallowed, no scan', () => {
    const swallowed = [...type('281234567890123456', 60), key('Enter', 60)];
    expect(swallowed.some(Boolean)).toBe(false);
    expect(scans).toEqual([]);
  });

  it('never counts a held key’s auto-repeat or a shortcut as a scanner’s keys', () => {
    const held = [...type('0', 5), ...Array.from({ length: 12 }, () => key('0', 5, { repeat: true })), key('Enter', 5)];
    expect(held.some(Boolean)).toBe(false);
    expect([...type('1', 5), key('c', 5, { ctrlKey: true }), key('v', 5, { ctrlKey: true }), key('Enter', 5)].some(Boolean)).toBe(false);
    expect(scans).toEqual([]);
  });

  it('follows the profiles a supervisor saves: only a prefixed burst is a scan, its prefix stripped', () => {
    emit('settings:wedgeProfilesChanged', { profiles: [{ ...profileFromPreset('custom', 'p1'), prefix: '~]' }] });
    type('281234567890123456', 5);
    key('Enter', 5);
    expect(scans).toEqual([]);
    type('~]281234567890123456', 5);
    expect(key('Enter', 5)).toBe(true);
    expect(scans).toEqual([['281234567890123456', true]]);
  });

  it('loads the stored profiles at each login', async () => {
    stored = [{ ...profileFromPreset('custom', 'p1'), suffix: 'Tab' }];
    emit('session:changed', { operator: { id: 'super1', name: 'S', role: 'supervisor' }, lockAt: null });
    await vi.waitFor(() => {
      type('281234567890123456', 5);
      key('Tab', 5);
      expect(scans).toEqual([['281234567890123456', true]]);
    });
  });

  it('swallows the Enter that completes even a short scan, so it cannot submit a form', () => {
    emit('settings:wedgeProfilesChanged', { profiles: [{ ...profileFromPreset('custom', 'p1'), minLength: 2 }] });
    type('12', 5);
    expect(key('Enter', 5)).toBe(true);
    expect(scans).toEqual([['12', true]]);
  });

  it('hands the test box every burst with its gaps, even one too slow to be a scan', () => {
    type('2812345678', 40);
    key('Enter', 40);
    expect(scans).toEqual([]);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.keys.map((k) => k.gapMs)).toEqual([null, ...Array(10).fill(40)]);
  });

  it('ends a suffix-less scan on silence, with a timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      emit('settings:wedgeProfilesChanged', { profiles: [profileFromPreset('zebra', 'z')] });
      type('281234567890123456', 5);
      expect(scans).toEqual([]);
      vi.advanceTimersByTime(100);
      expect(scans).toEqual([['281234567890123456', true]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
