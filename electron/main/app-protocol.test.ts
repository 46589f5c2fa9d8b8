import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../core/api/csp';
import { APP_INDEX_URL, contentType, resolveAppFile, serveAppRequest } from './app-protocol';

// A renderer build folder beside a secret the handler must never serve.
let top = '';
let root = '';
const SECRET = 'TOP-SECRET-terminal-key';
const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-proto-'));
  root = path.join(top, 'out', 'renderer');
  const put = (rel: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  };
  put('index.html', '<!doctype html><title>村店收银台</title>');
  put('assets/index-abc.js', 'export {}');
  put('face-models/wasm/tfjs-backend-wasm-simd.wasm', WASM);
  put('face-models/faceres.json', '{"modelTopology":{}}');
  put('face-models/faceres.bin', Buffer.alloc(64, 7));
  put('assets/ok.wav', Buffer.from('RIFF0000WAVEfmt '));
  fs.writeFileSync(path.join(top, 'secret.txt'), SECRET);
  fs.writeFileSync(path.join(top, 'out', 'secret.txt'), SECRET);
  fs.symlinkSync(path.join(top, 'secret.txt'), path.join(root, 'leak.js'));
  fs.symlinkSync(top, path.join(root, 'up'));
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

const get = (url: string, init?: RequestInit) => serveAppRequest(root, new Request(url, init));

describe('the app:// handler', () => {
  it('serves index.html for the page and for the bare origin, with the strict CSP', async () => {
    for (const url of [APP_INDEX_URL, `${APP_INDEX_URL}#/checkout`, 'app://cashier/', 'app://cashier']) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await r.text()).toContain('村店收银台');
    }
  });

  it('serves a wasm kernel as application/wasm with the CSP and nosniff, byte for byte', async () => {
    const r = await get('app://cashier/face-models/wasm/tfjs-backend-wasm-simd.wasm');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/wasm');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    // The policy lets the page compile WebAssembly and nothing more (no eval, no inline script).
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(r.headers.get('content-security-policy')).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await r.arrayBuffer())).toEqual(WASM);
  });

  it('serves the model files with their types', async () => {
    const json = await get('app://cashier/face-models/faceres.json');
    expect(json.headers.get('content-type')).toBe('application/json');
    const bin = await get('app://cashier/face-models/faceres.bin');
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect((await bin.arrayBuffer()).byteLength).toBe(64);
    expect((await get('app://cashier/assets/index-abc.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(contentType('x.WASM')).toBe('application/wasm');
    expect(contentType('x.unknown')).toBe('application/octet-stream');
  });

  it.each([
    'app://cashier/../secret.txt',
    'app://cashier/../../secret.txt',
    'app://cashier/%2e%2e/secret.txt',
    'app://cashier/%2e%2e/%2e%2e/secret.txt',
    'app://cashier/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://cashier/..%2f..%2fsecret.txt',
    'app://cashier/..%2F..%2Fsecret.txt',
    'app://cashier/..\\..\\secret.txt',
    'app://cashier/..%5c..%5csecret.txt',
    'app://cashier/assets/..%5C..%5C..%5Csecret.txt',
    'app://cashier/%2F..%2Fsecret.txt',
    `app://cashier/${encodeURIComponent(path.join(top, 'secret.txt'))}`,
    `app://cashier/${path.join(top, 'secret.txt').split(path.sep).map(encodeURIComponent).join('/')}`,
    'app://cashier/C:%5CWindows%5Cwin.ini',
    'app://cashier/C:/Windows/win.ini',
    'app://cashier//etc/passwd',
    'app://cashier/index.html%00.png',
    'app://cashier/leak.js',
    'app://cashier/up/secret.txt',
    'app://cashier/up/out/secret.txt',
    'app://cashier/%E0%A4%A',
  ])('refuses %s with a 404 that still carries the CSP', async (url) => {
    const r = await get(url);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await r.text()).not.toContain(SECRET);
  });

  it.each([
    'app://evil/index.html',
    'app://cashier.evil.example/index.html',
    'app://evil.example/cashier/index.html',
    'app://cashier:8080/index.html',
    'app://user@cashier/index.html',
    'app://user:pw@cashier/index.html',
    'file:///etc/passwd',
    'https://cashier/index.html',
  ])('refuses the unknown origin %s', async (url) => {
    // Chromium hands the handler such URLs as they are; a Node Request refuses credentials itself.
    expect(await resolveAppFile(root, url)).toBeNull();
  });

  it('refuses a missing file and a folder', async () => {
    expect((await get('app://cashier/nope.js')).status).toBe(404);
    expect((await get('app://cashier/assets')).status).toBe(404);
    expect((await get('app://cashier/assets/')).status).toBe(404);
    expect(await resolveAppFile(root, 'app://cashier/face-models')).toBeNull();
  });

  it('answers only GET and HEAD; HEAD without a body', async () => {
    const post = await get('app://cashier/index.html', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const head = await get('app://cashier/face-models/faceres.bin', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('64');
    expect(head.body).toBeNull();
  });

  it('answers a byte range as a web server would, and refuses one past the end', async () => {
    const part = await get('app://cashier/assets/ok.wav', { headers: { Range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-3/16');
    expect(await part.text()).toBe('RIFF');
    const tail = await get('app://cashier/assets/ok.wav', { headers: { Range: 'bytes=-4' } });
    expect(await tail.text()).toBe('fmt ');
    const past = await get('app://cashier/assets/ok.wav', { headers: { Range: 'bytes=99-' } });
    expect(past.status).toBe(416);
    // A range it does not understand is ignored: the whole file, as HTTP allows.
    const odd = await get('app://cashier/assets/ok.wav', { headers: { Range: 'bytes=0-1,4-5' } });
    expect(odd.status).toBe(200);
    expect((await odd.arrayBuffer()).byteLength).toBe(16);
  });
});
