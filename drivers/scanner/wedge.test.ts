import { describe, expect, it } from 'vitest';
import { DEFAULT_WEDGE, WedgeDetector, wedgeConfigProblem, type WedgeConfig } from './wedge';

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
    gaps.push(500, ...Array(8).fill(5)); // Enter, pause, then a clean scan
    const r = play([...chars(CODE), 'Enter', ...chars('87654321'), 'Enter'], gaps);
    expect(r.scans).toEqual(['87654321']);
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
