import { describe, expect, it } from 'vitest';
import { messages } from './index';

type Tree = { [k: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}
function lookup(tree: Tree, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Tree)[part] : undefined), tree);
}

// Every source file of the renderer, as text, to find the keys it uses.
const sources = import.meta.glob(['../**/*.vue', '../**/*.ts', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('translations', () => {
  const zh = messages['zh-CN'] as unknown as Tree;
  const en = messages.en as unknown as Tree;

  it('has exactly the same keys in zh-CN and en', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
  });

  it('has no empty message in either language', () => {
    for (const k of keys(zh)) {
      expect(String(lookup(zh, k)).trim(), `zh ${k}`).not.toBe('');
      expect(String(lookup(en, k)).trim(), `en ${k}`).not.toBe('');
    }
  });

  it('has a message for every literal key the screens use', () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        if (typeof lookup(zh, m[1]) !== 'string') missing.push(`${file}: ${m[1]}`);
      }
      // Template keys with one interpolated part: every prefix must be a namespace that exists.
      for (const m of text.matchAll(/\bt\(\s*`([a-zA-Z0-9_.]+)\.\$\{/g)) {
        if (typeof lookup(zh, m[1]) !== 'object') missing.push(`${file}: ${m[1]}.*`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of keys(zh)) expect(ph(String(lookup(en, k))), k).toEqual(ph(String(lookup(zh, k))));
  });
});
