import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentType, resolveStaticFile, staticSegments } from './static-files';

// A renderer build folder beside a secret neither shell may ever serve.
let top = '';
let root = '';

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-static-'));
  root = path.join(top, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(root, 'assets', 'a b.js'), 'export {}');
  fs.writeFileSync(path.join(top, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(top, 'secret.txt'), path.join(root, 'leak.js'));
  fs.symlinkSync(top, path.join(root, 'up'));
  // A link that stays inside the folder is followed: it leads nowhere it should not.
  fs.symlinkSync(path.join(root, 'assets', 'a b.js'), path.join(root, 'alias.js'));
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe('the renderer folder both shells serve', () => {
  it('names files by their decoded segments; the bare folder is the page', () => {
    expect(staticSegments('')).toEqual(['index.html']);
    expect(staticSegments('/')).toEqual(['index.html']);
    expect(staticSegments('/assets/a%20b.js')).toEqual(['assets', 'a b.js']);
  });

  it.each(['/..', '/a/../b', '/%2e%2e/x', '/a/%2E/b', '/a//b', '/a/', 'a', '/a%5cb', '/a\\b', '/a%00b', '/C:/x', '/C%3A%5Cx', '/%E0%A4%A'])(
    'refuses %s as it is, never normalising it',
    (p) => expect(staticSegments(p)).toBeNull(),
  );

  it('resolves a file inside by its real path, and an inside link to its target', async () => {
    expect(await resolveStaticFile(root, '/')).toBe(fs.realpathSync(path.join(root, 'index.html')));
    expect(await resolveStaticFile(root, '/assets/a%20b.js')).toBe(fs.realpathSync(path.join(root, 'assets', 'a b.js')));
    expect(await resolveStaticFile(root, '/alias.js')).toBe(fs.realpathSync(path.join(root, 'assets', 'a b.js')));
  });

  it('refuses symbolic links out, folders and missing files', async () => {
    for (const p of ['/leak.js', '/up/secret.txt', '/assets', '/nope.js', '/..%2fsecret.txt']) {
      expect(await resolveStaticFile(root, p), p).toBeNull();
    }
  });

  it('types a file by its extension, whatever its case; unknown ones are plain bytes', () => {
    expect(contentType('k.WASM')).toBe('application/wasm');
    expect(contentType('index.html')).toBe('text/html; charset=utf-8');
    expect(contentType('m.mjs')).toBe('text/javascript; charset=utf-8');
    expect(contentType('x.exe')).toBe('application/octet-stream');
  });
});
