import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBackend, type Backend } from '../core/app';
import { MemorySecretStore } from '../core/platform';
import { startBrowserShell, type BrowserShell } from './server';

let backend: Backend;
let shell: BrowserShell;
let dir: string;
let origin: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-shell-'));
  const stat = path.join(dir, 'static');
  fs.mkdirSync(stat);
  fs.writeFileSync(path.join(stat, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  // Symbolic links inside the renderer folder that lead out of it: a file, and the folder above.
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(stat, 'leak.js'));
  fs.symlinkSync(dir, path.join(stat, 'up'));
  fs.mkdirSync(path.join(stat, 'face-models'));
  fs.writeFileSync(path.join(stat, 'face-models', 'kernel.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d]));
  backend = await createBackend({ dataDir: path.join(dir, 'data'), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  shell = await startBrowserShell({ backend, staticDir: stat, port: 0 });
  origin = `http://127.0.0.1:${shell.port}`;
});
afterAll(async () => {
  await shell.close();
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A WebSocket to /rpc offering `protocols` (the page offers `vc-rpc` and `vc-token.<token>`). */
function connect(headers: Record<string, string>, protocols: string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/rpc`, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

const offered = () => ['vc-rpc', `vc-token.${shell.token}`];

function rpc(ws: WebSocket, raw: string | Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMsg = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString());
      if ('event' in m) return;
      ws.off('message', onMsg);
      resolve(m);
    };
    ws.on('message', onMsg);
    ws.send(raw);
  });
}

describe('browser shell', () => {
  it('prints a URL on 127.0.0.1 carrying the token', () => {
    expect(shell.url).toBe(`${origin}/?token=${shell.token}`);
    expect(shell.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the page with a strict CSP and never sets a cookie: another server on 127.0.0.1 would receive it (item 7)', async () => {
    for (const u of [shell.url, `${origin}/`, `${origin}/index.html`, `${origin}/?token=wrong`]) {
      const r = await fetch(u);
      expect(r.status, u).toBe(200);
      expect(r.headers.get('set-cookie'), u).toBeNull();
      expect(r.headers.get('content-security-policy'), u).toContain("default-src 'self'");
    }
  });

  it('takes the token only from the WebSocket handshake, never from a cookie or the address, and never echoes it (item 7)', async () => {
    await expect(connect({ origin, cookie: `vc_token=${shell.token}` })).rejects.toThrow(/401/);
    await expect(connect({ origin, cookie: `vc_token=${shell.token}` }, ['vc-rpc'])).rejects.toThrow(/401/);
    await expect(connect({ origin }, ['vc-rpc', 'vc-token.wrong-token-of-right-len'])).rejects.toThrow(/401/);
    const inAddress = new WebSocket(`ws://127.0.0.1:${shell.port}/rpc?token=${shell.token}`, ['vc-rpc'], { headers: { origin } });
    await expect(new Promise((resolve, reject) => {
      inAddress.once('open', resolve);
      inAddress.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    })).rejects.toThrow(/401/);
    const ws = await connect({ origin }, ['vc-rpc', `vc-token.${shell.token}`]);
    expect(ws.protocol).toBe('vc-rpc');
    ws.close();
  });

  it('never serves files outside the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt']) {
      const r = await fetch(`${origin}${p}`);
      expect(r.status, p).toBe(404);
    }
  });

  it('never follows a symbolic link out of the renderer folder, nor a backslash, NUL or malformed encoding', async () => {
    for (const p of ['/leak.js', '/up/secret.txt', '/..%5csecret.txt', '/index.html%00.png', '/%E0%A4%A', '/face-models', '/face-models/']) {
      const r = await fetch(`${origin}${p}`);
      expect(r.status, p).toBe(404);
      expect(await r.text(), p).not.toContain('outside');
      expect(r.headers.get('content-security-policy'), p).toContain("default-src 'self'");
    }
  });

  it('serves with the types the Electron shell uses: a wasm kernel as application/wasm', async () => {
    const r = await fetch(`${origin}/face-models/kernel.wasm`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/wasm');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await r.arrayBuffer())).toEqual(Buffer.from([0x00, 0x61, 0x73, 0x6d]));
  });

  it('refuses a WebSocket without the token or from another origin', async () => {
    await expect(connect({ origin })).rejects.toThrow(/401/);
    await expect(connect({ origin: 'https://evil.example' }, offered())).rejects.toThrow(/401/);
    await expect(connect({}, offered())).rejects.toThrow(/401/);
  });

  it('answers calls over the WebSocket and refuses malformed messages', async () => {
    const ws = await connect({ origin }, offered());
    const ok = await rpc(ws, JSON.stringify({ id: 1, method: 'system:info', input: {} }));
    expect(ok).toMatchObject({ id: 1, ok: true, value: { mode: 'demo', shell: 'browser' } });
    for (const bad of ['not json', '[]', 'null', '{"method":"system:info"}', '{"id":"1","method":"system:info"}', '{"id":1.5}']) {
      const r = await rpc(ws, bad);
      expect(r, bad).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    }
    const unknown = await rpc(ws, JSON.stringify({ id: 2, method: 'fs:read', input: {} }));
    expect(unknown).toMatchObject({ id: 2, ok: false, error: { code: 'rpc.unknown_method' } });
    const binary = await rpc(ws, Buffer.from([1, 2, 3]));
    expect(binary).toMatchObject({ ok: false, error: { code: 'rpc.bad_payload' } });
    ws.close();
  });

  it('pushes events to connected sockets', async () => {
    const ws = await connect({ origin }, offered());
    const got = new Promise((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.event === 'session:changed') resolve(m.payload);
      }),
    );
    await rpc(ws, JSON.stringify({ id: 3, method: 'session:login', input: { operatorId: 'cashier1', pin: '1111' } }));
    expect(await got).toMatchObject({ operator: { id: 'cashier1' } });
    ws.close();
  });
});
