import { describe, expect, it } from 'vitest';
import { WedgeDetector } from './wedge';

function feed(d: WedgeDetector, keys: string[], gapMs: number, start = 1000) {
  return keys.map((k, i) => d.key(k, start + i * gapMs));
}

describe('scanner input by key timing', () => {
  it('recognises a fast burst closed by Enter as a scan and swallows its keys', () => {
    const d = new WedgeDetector();
    const v = feed(d, [...'134567890123456789', 'Enter'], 5);
    expect(v[0]).toEqual({ kind: 'pass' });
    expect(v.slice(1, -1).every((x) => x.kind === 'swallow')).toBe(true);
    expect(v.at(-1)).toEqual({ kind: 'scan', code: '134567890123456789', first: '1' });
  });
  it('leaves a person typing alone', () => {
    const d = new WedgeDetector();
    const v = feed(d, [...'12345678', 'Enter'], 150);
    expect(v.every((x) => x.kind === 'pass')).toBe(true);
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
});
