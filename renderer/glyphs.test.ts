/**
 * The screens' state glyphs must be in the fonts the app names (Noto Sans CJK SC first, DejaVu on
 * Linux, Microsoft YaHei / Segoe UI Symbol on Windows). A character with emoji presentation (⏳,
 * ⌛, ✅ …) needs a colour-emoji font a village PC often lacks, and showed as an empty box
 * (issue 12). The waiting glyph is "…", which Noto Sans CJK SC has.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(vue|ts)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('glyphs on screen', () => {
  it('no renderer source shows a character that needs an emoji font', () => {
    const files = sources(path.resolve(__dirname, 'src'));
    expect(files.length).toBeGreaterThan(50);
    const found = files
      .map((f) => [path.relative(__dirname, f), [...new Set(fs.readFileSync(f, 'utf8').match(/\p{Emoji_Presentation}/gu) ?? [])].join(' ')])
      .filter(([, m]) => m);
    expect(found).toEqual([]);
  });
});
