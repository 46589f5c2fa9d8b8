import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEDGE, explainBurst, scanRefusal, TAIL_WINDOW_MS, WedgeDetector, wedgeConfigProblem, WedgeRecorder,
  type WedgeBurst, type WedgeConfig, type WedgeProfileConfig, type WedgeResult,
} from './wedge';

/** Plays keys at a fixed interval (or given times) and collects what the detector decided. */
function play(keys: string[], gapMs: number | number[], config: Partial<WedgeConfig> = {}, start = 1000) {
  const scans: string[] = [];
  const discards: string[] = [];
  const d = new WedgeDetector({ ...DEFAULT_WEDGE, ...config }, (c) => scans.push(c), (r) => discards.push(r));
  let t = start;
  const verdicts = keys.map((k, i) => {
    if (i > 0) t += Array.isArray(gapMs) ? gapMs[i - 1]! : gapMs;
    return d.key(k, t);
  });
  d.flush(t + 1000);
  return { scans, discards, verdicts, d };
}
const chars = (s: string) => [...s];
const CODE = '134567890123456789';

describe('keyboard-wedge scanner detection', () => {
  it('recognises a scan at 5 ms per key ending in Enter', () => {
    expect(play([...chars(CODE), 'Enter'], 5).scans).toEqual([CODE]);
  });

  it('never takes a fast typist (60 ms per key) for a scanner', () => {
    const r = play([...chars(CODE), 'Enter'], 60);
    expect(r.scans).toEqual([]);
    expect(r.verdicts.every((v) => v.action === 'pass')).toBe(true);
  });

  it('never eats a typist\'s occasional two-key roll', () => {
    const r = play(chars('hello world'), [60, 20, 80, 60, 15, 70, 60, 25, 60, 60]);
    expect(r.verdicts.every((v) => v.action === 'pass')).toBe(true);
    expect(r.scans).toEqual([]);
  });

  it('discards a burst with one slow key in the middle rather than send half a code', () => {
    const gaps = Array(CODE.length).fill(5);
    gaps[9] = 200;
    const r = play([...chars(CODE), 'Enter'], gaps);
    expect(r.scans).toEqual([]);
    expect(r.discards.length).toBeGreaterThan(0);
  });

  it('discards the tail of an interrupted scan, and still takes the next whole scan', () => {
    const gaps = [...Array(17).fill(5)];
    gaps[9] = 200; // the scanner stalls mid-code: the last 8 digits must not pass as a code
    gaps.push(5, 500, ...Array(8).fill(5)); // its Enter, a pause, then a clean scan
    const r = play([...chars(CODE), 'Enter', ...chars('87654321'), 'Enter'], gaps);
    expect(r.scans).toEqual(['87654321']);
    expect(r.discards).toEqual(['slow key', 'tail of an interrupted burst']);
  });

  it('ends the tail at a lone suffix after a second stall', () => {
    const gaps = [...Array(17).fill(5)];
    gaps[9] = 200;
    gaps.push(300, 5, ...Array(8).fill(5)); // the Enter comes late and alone; then a clean scan at once
    const r = play([...chars(CODE), 'Enter', ...chars('87654321'), 'Enter'], gaps);
    expect(r.scans).toEqual(['87654321']);
  });

  it('takes a scan that starts well after a cut-short burst: only what follows within a second is its tail', () => {
    const junk = play([...chars('12345')], 5);
    expect(junk.discards).toEqual(['no suffix']);
    const keys = [...chars('12345'), ...chars(CODE), 'Enter'];
    expect(play(keys, [5, 5, 5, 5, TAIL_WINDOW_MS + 200, ...Array(CODE.length).fill(5)]).scans).toEqual([CODE]);
    expect(play(keys, [5, 5, 5, 5, TAIL_WINDOW_MS - 200, ...Array(CODE.length).fill(5)]).scans).toEqual([]);
  });

  it('discards a burst that never gets its suffix', () => {
    const r = play(chars(CODE), 5);
    expect(r.scans).toEqual([]);
    expect(r.discards).toEqual(['no suffix']);
  });

  it('discards a code shorter than the minimum', () => {
    expect(play([...chars('12345'), 'Enter'], 5).scans).toEqual([]);
  });

  it('keeps upper case and ignores the Shift presses in between', () => {
    const keys = ['Shift', 'F', 'Shift', 'P', '1', '2', '3', '4', '5', '6', 'Enter'];
    expect(play(keys, 4).scans).toEqual(['FP123456']);
  });

  it('recognises a 24-digit code', () => {
    const c = '281234567890123456789012';
    expect(play([...chars(c), 'Enter'], 8).scans).toEqual([c]);
  });

  it('recognises two scans in a row', () => {
    const r = play([...chars('12345678'), 'Enter', ...chars('87654321'), 'Enter'], [...Array(8).fill(5), 500, ...Array(8).fill(5)]);
    expect(r.scans).toEqual(['12345678', '87654321']);
  });

  it('strips a configured prefix and refuses bursts without it', () => {
    expect(play([...chars('~]' + CODE), 'Enter'], 5, { prefix: '~]' }).scans).toEqual([CODE]);
    expect(play([...chars(CODE), 'Enter'], 5, { prefix: '~]' }).scans).toEqual([]);
  });

  it('swallows every key of a prefixed scan, the first one included', () => {
    const r = play([...chars('~]' + CODE), 'Enter'], 5, { prefix: '~]' });
    expect(r.verdicts.every((v) => v.action === 'swallow')).toBe(true);
  });

  it('swallows an unprefixed scan from its third key, and its Enter, and marks where it began', () => {
    const r = play([...chars(CODE), 'Enter'], 5);
    expect(r.verdicts.slice(0, 2).map((v) => v.action)).toEqual(['pass', 'pass']);
    expect(r.verdicts.slice(2).every((v) => v.action === 'swallow')).toBe(true);
    expect(r.verdicts[0]!.burstStart).toBe(true);
    expect(r.verdicts.slice(1).some((v) => v.burstStart)).toBe(false);
  });

  it('ends a suffix-less scan after the configured silence', () => {
    const scans: string[] = [];
    const d = new WedgeDetector({ ...DEFAULT_WEDGE, suffix: 'none', endTimeoutMs: 50 }, (c) => scans.push(c));
    chars(CODE).forEach((k, i) => d.key(k, 100 + i * 5));
    d.flush(100 + 17 * 5 + 20);
    expect(scans).toEqual([]);
    d.flush(100 + 17 * 5 + 60);
    expect(scans).toEqual([CODE]);
  });

  it('discards a burst broken by a non-printable key (an arrow, Backspace, IME)', () => {
    const keys = [...chars('123456'), 'Backspace', ...chars('789'), 'Enter'];
    expect(play(keys, 5).scans).toEqual([]);
  });

  it('treats Tab as the suffix when so configured', () => {
    expect(play([...chars(CODE), 'Tab'], 5, { suffix: 'Tab' }).scans).toEqual([CODE]);
    expect(play([...chars(CODE), 'Enter'], 5, { suffix: 'Tab' }).scans).toEqual([]);
  });

  it('refuses a code longer than the maximum', () => {
    expect(play([...chars('1'.repeat(30)), 'Enter'], 5, { maxLength: 24 }).scans).toEqual([]);
  });

  it('refuses unusable configurations', () => {
    expect(wedgeConfigProblem({ ...DEFAULT_WEDGE, maxGapMs: 80 })).toMatch(/typist/);
    expect(wedgeConfigProblem({ ...DEFAULT_WEDGE, prefix: '\u001b' })).toMatch(/prefix/);
    expect(wedgeConfigProblem({ ...DEFAULT_WEDGE, minLength: 10, maxLength: 5 })).toMatch(/lengths/);
    expect(() => new WedgeDetector({ ...DEFAULT_WEDGE, maxGapMs: 0 }, () => {})).toThrow();
    expect(wedgeConfigProblem(DEFAULT_WEDGE)).toBeNull();
  });

  it('survives a clock that goes backwards by starting a new burst', () => {
    const r = play([...chars(CODE), 'Enter'], [...Array(5).fill(5), -100, ...Array(12).fill(5)]);
    expect(r.scans).toEqual([]);
  });
});

/** Plays keys (each a key name, or [key, KeyboardEvent.code, shift]) against several profiles. */
function playProfiles(profiles: WedgeProfileConfig[], keys: (string | [string, string, boolean])[], gapMs: number | number[], start = 1000) {
  const scans: { code: string; profileId: string | null }[] = [];
  const discards: WedgeResult[] = [];
  const d = new WedgeDetector(profiles, (code, r) => scans.push({ code, profileId: r.profileId }), (_reason, r) => discards.push(r));
  let t = start;
  const verdicts = keys.map((k, i) => {
    if (i > 0) t += Array.isArray(gapMs) ? gapMs[i - 1]! : gapMs;
    return Array.isArray(k) ? d.key(k[0], t, { code: k[1], shift: k[2] }) : d.key(k, t);
  });
  d.flush(t + 1000);
  return { scans, discards, verdicts };
}
const profile = (id: string, over: Partial<WedgeProfileConfig> = {}): WedgeProfileConfig => ({ ...DEFAULT_WEDGE, id, ...over });
const PAY = '281234567890123456';

describe('keyboard-wedge detection against scanner profiles', () => {
  it('strips a profile’s prefix and names the profile that took the scan', () => {
    const r = playProfiles([profile('left', { prefix: '~]' })], [...chars('~]' + PAY), 'Enter'], 5);
    expect(r.scans).toEqual([{ code: PAY, profileId: 'left' }]);
    expect(r.verdicts.every((v) => v.action === 'swallow')).toBe(true);
  });

  it('takes a burst ending in Tab for a Tab profile, and swallows the Tab so focus does not move', () => {
    const r = playProfiles([profile('tab', { suffix: 'Tab' })], [...chars(PAY), 'Tab'], 5);
    expect(r.scans).toEqual([{ code: PAY, profileId: 'tab' }]);
    expect(r.verdicts.at(-1)).toEqual({ action: 'swallow', burstStart: false });
    const enter = playProfiles([profile('tab', { suffix: 'Tab' })], [...chars(PAY), 'Enter'], 5);
    expect(enter.scans).toEqual([]);
    expect(enter.discards[0]!.matches[0]!.mismatch).toEqual({ reason: 'suffix', expected: 'Tab', got: 'Enter' });
  });

  it('with two profiles active, takes a burst matching either, and refuses one matching neither', () => {
    const two = [profile('left', { prefix: '#', suffix: 'Tab', minLength: 16, maxLength: 24 }), profile('right', { suffix: 'Enter', minLength: 8, maxLength: 8 })];
    expect(playProfiles(two, [...chars('#' + PAY), 'Tab'], 5).scans).toEqual([{ code: PAY, profileId: 'left' }]);
    expect(playProfiles(two, [...chars('69012345'), 'Enter'], 5).scans).toEqual([{ code: '69012345', profileId: 'right' }]);
    const neither = playProfiles(two, [...chars(PAY), 'Enter'], 5);
    expect(neither.scans).toEqual([]);
    expect(neither.discards[0]!.matches).toEqual([
      { profileId: 'left', code: null, mismatch: { reason: 'suffix', expected: 'Tab', got: 'Enter' } },
      { profileId: 'right', code: null, mismatch: { reason: 'length', length: 18, min: 8, max: 8 } },
    ]);
  });

  it('checks each profile’s own gap: a slower scanner matches only the profile that allows it', () => {
    const two = [profile('fast', { maxGapMs: 10 }), profile('slow', { maxGapMs: 40 })];
    const r = playProfiles(two, [...chars(PAY), 'Enter'], 20);
    expect(r.scans).toEqual([{ code: PAY, profileId: 'slow' }]);
    const explained = playProfiles([profile('fast', { maxGapMs: 10 }), profile('other', { maxGapMs: 40, prefix: '$' })], [...chars(PAY), 'Enter'], 20);
    expect(explained.discards[0]!.matches[0]).toEqual({ profileId: 'fast', code: null, mismatch: { reason: 'gap', index: 1, gapMs: 20, maxGapMs: 10 } });
  });

  it('discards a burst that is not a whole code, whatever profile would have taken its parts', () => {
    const two = [profile('a', { minLength: 4 }), profile('b', { suffix: 'Tab', minLength: 4 })];
    const gaps = Array(PAY.length).fill(5);
    gaps[8] = 300; // a stall in the middle: neither the head nor the tail is a code
    const r = playProfiles(two, [...chars(PAY), 'Enter'], gaps);
    expect(r.scans).toEqual([]);
    expect(r.discards.map((d) => d.matches[0]!.mismatch!.reason)).toEqual(['suffix', 'tail']);
  });

  it('never takes a fast typist (60 ms per key) even with a 50 ms profile active', () => {
    const r = playProfiles([profile('a'), profile('loose', { maxGapMs: 50, minLength: 1 })], [...chars(PAY), 'Enter'], 60);
    expect(r.scans).toEqual([]);
    expect(r.verdicts.every((v) => v.action === 'pass')).toBe(true);
  });

  it('refuses a code shorter than the minimum or longer than the maximum, and says by how much', () => {
    const p = [profile('p', { minLength: 16, maxLength: 20 })];
    expect(playProfiles(p, [...chars('123456789012345'), 'Enter'], 5).discards[0]!.matches[0]!.mismatch).toEqual({ reason: 'length', length: 15, min: 16, max: 20 });
    expect(playProfiles(p, [...chars('1'.repeat(21)), 'Enter'], 5).scans).toEqual([]);
    expect(playProfiles(p, [...chars('1'.repeat(16)), 'Enter'], 5).scans).toHaveLength(1);
    expect(playProfiles(p, [...chars('1'.repeat(20)), 'Enter'], 5).scans).toHaveLength(1);
  });

  it('swallows from the first key when a burst starts like any active profile’s prefix', () => {
    const r = playProfiles([profile('plain'), profile('pre', { prefix: '~]' })], [...chars('~]' + PAY), 'Enter'], 5);
    expect(r.scans).toEqual([{ code: PAY, profileId: 'pre' }]);
    expect(r.verdicts[0]).toEqual({ action: 'swallow', burstStart: true });
    const plain = playProfiles([profile('plain'), profile('pre', { prefix: '~]' })], [...chars(PAY), 'Enter'], 5);
    expect(plain.scans).toEqual([{ code: PAY, profileId: 'plain' }]);
    expect(plain.verdicts[0]).toEqual({ action: 'pass', burstStart: true });
  });

  it('decodes the physical keys for a scanner set to another keyboard country than the computer', () => {
    // A scanner left at "US" on a computer with a French layout: the digit row types &é"'(…
    const azerty = ['&', 'é', '"', "'", '(', '-', 'è', '_', 'ç', 'à'];
    const keys = [...'1234567890'].map((c): [string, string, boolean] => [azerty[(Number(c) + 9) % 10]!, `Digit${c}`, false]);
    expect(playProfiles([profile('os')], [...keys, 'Enter'], 5).scans).toEqual([]);
    expect(playProfiles([profile('us', { layout: 'us' })], [...keys, 'Enter'], 5).scans).toEqual([{ code: '1234567890', profileId: 'us' }]);
    // A scanner set to "France" on a US computer: it holds Shift for digits, which the US layout types as !@#…
    const shifted = '!@#$%^&*()';
    const fr = [...'1234567890'].map((c, i): [string, string, boolean] => [shifted[i]!, `Digit${c}`, true]);
    expect(playProfiles([profile('fr', { layout: 'fr' })], [...fr, 'Enter'], 5).scans).toEqual([{ code: '1234567890', profileId: 'fr' }]);
  });

  it('refuses a profile list that is empty or holds an unusable profile', () => {
    expect(() => new WedgeDetector([], () => {})).toThrow(/no profile/);
    expect(() => new WedgeDetector([profile('ok'), profile('bad', { maxGapMs: 70 })], () => {})).toThrow(/bad/);
  });

  it('waits for the longest silence any suffix-less profile needs before ending a burst', () => {
    const scans: string[] = [];
    const d = new WedgeDetector([profile('enter'), profile('quiet', { suffix: 'none', endTimeoutMs: 120 })], (c) => scans.push(c));
    expect(d.flushAfterMs).toBe(121);
    chars(PAY).forEach((k, i) => d.key(k, 100 + i * 5));
    const last = 100 + (PAY.length - 1) * 5;
    d.flush(last + 60);
    expect(scans).toEqual([]);
    d.flush(last + 121);
    expect(scans).toEqual([PAY]);
  });
});

describe('the test box’s recorder', () => {
  it('keeps a burst too slow for every profile whole, with each gap, so the installer can see why and tune it', () => {
    const bursts: WedgeBurst[] = [];
    const rec = new WedgeRecorder((b) => bursts.push(b));
    chars(PAY).forEach((k, i) => rec.key(k, 1000 + i * 42));
    rec.key('Enter', 1000 + PAY.length * 42);
    expect(bursts).toHaveLength(1);
    const b = bursts[0]!;
    expect(b.keys.map((k) => k.gapMs)).toEqual([null, ...Array(PAY.length).fill(42)]);
    expect(b.end).toEqual({ by: 'suffix', key: 'Enter' });
    expect(explainBurst(b, [profile('default')])[0]!.mismatch).toEqual({ reason: 'gap', index: 1, gapMs: 42, maxGapMs: 30 });
    expect(explainBurst(b, [profile('tuned', { maxGapMs: 45 })])[0]).toEqual({ profileId: 'tuned', code: PAY, mismatch: null });
  });

  it('ends a burst at a long silence, ignores Shift, and shows nothing for a lone Enter', () => {
    const bursts: WedgeBurst[] = [];
    const rec = new WedgeRecorder((b) => bursts.push(b), 500);
    rec.key('Enter', 0);
    rec.key('Shift', 1000);
    rec.key('A', 1003);
    rec.key('b', 1010);
    rec.flush(1400);
    expect(bursts).toEqual([]);
    rec.flush(1600);
    expect(bursts).toMatchObject([{ keys: [{ key: 'A', gapMs: null }, { key: 'b', gapMs: 7 }], end: { by: 'silence', ms: 590 } }]);
    expect(explainBurst(bursts[0]!, [profile('p')])[0]!.mismatch).toEqual({ reason: 'suffix', expected: 'Enter', got: 'none' });
  });

  it('explains a key no scanner sends, and a character outside printable ASCII', () => {
    const burst: WedgeBurst = { keys: [{ key: '1', t: 0, gapMs: null }, { key: 'Backspace', t: 5, gapMs: 5 }, { key: 'Enter', t: 10, gapMs: 5 }], end: { by: 'suffix', key: 'Enter' } };
    expect(explainBurst(burst, [profile('p')])[0]!.mismatch).toEqual({ reason: 'key', index: 1, key: 'Backspace' });
    const wide: WedgeBurst = { keys: [{ key: '１', t: 0, gapMs: null }, { key: 'Enter', t: 5, gapMs: 5 }], end: { by: 'suffix', key: 'Enter' } };
    expect(explainBurst(wide, [profile('p')])[0]!.mismatch).toEqual({ reason: 'char', index: 0, key: '１' });
    expect(explainBurst(wide, [profile('p')], true)[0]!.mismatch).toEqual({ reason: 'tail' });
  });
});

describe('why a refused burst is not a payment code (the screens say it)', () => {
  /** Plays keys (gaps per key, or one gap) and returns every refusal reason, in order. */
  function refusals(keys: string[], gapMs: number | number[]) {
    const out: Array<string | null> = [];
    const d = new WedgeDetector(DEFAULT_WEDGE, () => out.push('scan'), (_why, r) => out.push(scanRefusal(r)));
    let t = 1000;
    keys.forEach((k, i) => {
      if (i > 0) t += Array.isArray(gapMs) ? gapMs[i - 1]! : gapMs;
      d.key(k, t);
    });
    d.flush(t + 1000);
    return out;
  }

  it.each([
    ['NUL inside the code', [...chars('1345678'), '\u0000', ...chars('90123456789'), 'Enter'], 'control'],
    ['a Tab inside the code', [...chars('1345678'), 'Tab', ...chars('90123456789'), 'Enter'], 'control'],
    ['full-width digits', [...chars('１３４５６７８９０１２３４５６７８９'), 'Enter'], 'full_width'],
    ['a right-to-left override', ['1', '3', '4', '\u202e', ...chars('567890123456789'), 'Enter'], 'bidi'],
    ['too short', [...chars('12345'), 'Enter'], 'too_short'],
    ['too long', [...'1'.repeat(513), 'Enter'], 'too_long'],
    ['ended with Tab for an Enter profile', [...chars(CODE), 'Tab'], 'suffix'],
  ])('%s', (_name, keys, reason) => {
    expect(refusals(keys as string[], 3)).toEqual([reason]);
  });

  it('swallows a Tab inside a scan-like burst and the rest of it, so nothing moves the focus or lands in a field', () => {
    const d = new WedgeDetector(DEFAULT_WEDGE, () => undefined);
    const keys = [...chars('1345678'), 'Tab', ...chars('90123456789'), 'Enter'];
    const verdicts = keys.map((k, i) => d.key(k, 1000 + i * 3).action);
    expect(verdicts.slice(0, 2)).toEqual(['pass', 'pass']);
    expect(verdicts.slice(2).every((v) => v === 'swallow')).toBe(true);
    // Early in a burst it is a person's key: it and the rest pass.
    const e = new WedgeDetector(DEFAULT_WEDGE, () => undefined);
    expect(['1', 'Backspace', '2', '3', '4'].map((k, i) => e.key(k, 5000 + i * 3).action)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  it('a burst with a pause part-way: its head and its tail are both refused as slow', () => {
    const gaps = [...Array<number>(8).fill(3), 200, ...Array<number>(10).fill(3)];
    expect(refusals([...chars(CODE), 'Enter'], gaps)).toEqual(['slow', 'slow']);
  });

  it('says nothing of a person’s keys: slow typing, a two-key roll, a fast burst edited with Backspace', () => {
    expect(refusals([...chars(CODE), 'Enter'], 60)).toEqual([]);
    expect(refusals(['1', '2', 'Enter'], 10)).toEqual([null]);
    expect(refusals(['1', '2', '3', 'Backspace', '4', 'Enter'], 10)).toEqual([null]);
  });
});
