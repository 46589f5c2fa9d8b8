import { describe, expect, it } from 'vitest';
import { WedgeDetector } from './wedge';

function feed(d: WedgeDetector, keys: string[], gapMs: number, start = 1000) {
  return keys.map((k, i) => d.key(k, start + i * gapMs));
}

describe('scanner input by key timing', () => {
  it('recognises a fast burst closed by Enter as a scan and swallows its keys', () => {
    const d = new WedgeDetector();
    const v = feed(d, [...'134567890123456789', 'Enter'], 5);
    expect(v[0]).toEqual({ kind: 'pass', start: true });
    expect(v[1]).toEqual({ kind: 'pass' });
    expect(v.slice(2, -1).every((x) => x.kind === 'swallow')).toBe(true);
    expect(v.at(-1)).toEqual({ kind: 'scan', code: '134567890123456789', first: '1' });
  });
  it('never eats a person’s two-key roll', () => {
    const d = new WedgeDetector();
    expect(feed(d, ['1', '2'], 20)).toEqual([{ kind: 'pass', start: true }, { kind: 'pass' }]);
  });
  it('leaves a person typing alone', () => {
    const d = new WedgeDetector();
    const v = feed(d, [...'12345678', 'Enter'], 120);
    expect(v.every((x) => x.kind === 'pass')).toBe(true);
    expect(v.at(-1)).toEqual({ kind: 'pass' });
  });
  it('does not call a short fast burst a scan', () => {
    const d = new WedgeDetector();
    expect(feed(d, [...'123', 'Enter'], 5).at(-1)).toEqual({ kind: 'pass' });
  });
  it('starts afresh after a pause', () => {
    const d = new WedgeDetector();
    feed(d, [...'999'], 5, 0);
    expect(feed(d, [...'28765432109876543', 'Enter'], 5, 5000).at(-1)).toMatchObject({ code: '28765432109876543' });
  });
  it('lets a digit typed right after a function key through', () => {
    const d = new WedgeDetector();
    expect(d.key('F5', 1000)).toEqual({ kind: 'pass' });
    expect(d.key('2', 1001)).toEqual({ kind: 'pass', start: true });
  });
  it('keeps a burst whole across the Shift presses of capital letters', () => {
    const d = new WedgeDetector();
    const keys = ['O', 'Shift', 'C', '1', 'Shift', 'A', 'B', 'C', 'D', 'E', 'F', 'Enter'];
    expect(feed(d, keys, 3).at(-1)).toEqual({ kind: 'scan', code: 'OC1ABCDEF', first: 'O' });
  });
  it('keeps an established burst whole across a short hiccup', () => {
    const d = new WedgeDetector();
    feed(d, [...'OC1ABCDE'], 3, 0);
    expect(d.key('F', 100)).toEqual({ kind: 'swallow' });
    expect(d.key('Enter', 103)).toEqual({ kind: 'scan', code: 'OC1ABCDEF', first: 'O' });
  });
  it('lets the first key after Enter through, however soon it comes', () => {
    const d = new WedgeDetector();
    expect(d.key('Enter', 1000)).toEqual({ kind: 'pass' });
    expect(d.key('8', 1002)).toEqual({ kind: 'pass', start: true });
  });
});
