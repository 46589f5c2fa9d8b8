/**
 * No request of any shape stops the browser shell (issue 13, item 2): malformed request lines,
 * targets, headers and methods, over plain HTTP and the WebSocket upgrade, sent on raw sockets
 * to a real server. Each is answered (400 or another refusal) or closed, and the server still
 * serves the page and the WebSocket afterwards.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
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
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-shell-fuzz-'));
  const stat = path.join(dir, 'static');
  fs.mkdirSync(stat);
  fs.writeFileSync(path.join(stat, 'index.html'), '<!doctype html><title>t</title>');
  backend = await createBackend({ dataDir: path.join(dir, 'data'), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  shell = await startBrowserShell({ backend, staticDir: stat, port: 0 });
  origin = `http://127.0.0.1:${shell.port}`;
});
afterAll(async () => {
  await shell?.close();
  await backend?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and returns what came back before the server closed (or 2 s passed). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(shell.port, '127.0.0.1');
    const got: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(Buffer.concat(got).toString('latin1'));
    };
    const timer = setTimeout(done, 2_000);
    sock.on('data', (d) => got.push(d));
    sock.on('error', done);
    sock.on('close', done);
    sock.write(bytes);
  });
}

const status = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
const upgradeHeaders = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: ${origin}\r\n` +
  `Sec-WebSocket-Protocol: vc-rpc, vc-token.${shell.token}\r\n${extra}\r\n`;

/** The server is up: the page is served and a call over the WebSocket is answered. */
async function stillServing(): Promise<void> {
  expect((await fetch(`${origin}/`)).status).toBe(200);
  const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/rpc`, ['vc-rpc', `vc-token.${shell.token}`], { headers: { origin } });
  const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, method: 'system:info', input: {} })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.id === 1) resolve(m);
    });
    ws.once('error', reject);
  });
  ws.close();
  expect(reply).toMatchObject({ ok: true });
}

describe('malformed requests (item 2)', () => {
  const targets = [
    '//a:99999/', '//a:99999/rpc', '//[::1', '//user:pass@host/', 'http://a:99999/', 'http://[zz]/', '*', 'a', '',
    '/%', '/%zz', '/%E0%A4%A', '/\u0000', '/a b', '/\u00ff\u00fe', `/${'a'.repeat(20_000)}`, '/..\\..\\x', '/?a=%', '/#frag',
  ];

  it('answers every malformed request target on plain HTTP without stopping', async () => {
    for (const t of targets) {
      const reply = await raw(`GET ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      // A good path with a malformed query or fragment is simply served.
      expect([200, 400, 404, 431, 0], JSON.stringify(t)).toContain(status(reply));
    }
    // The request line from the review, exactly: 400.
    expect(status(await raw('GET //a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(400);
    await stillServing();
  });

  it('answers every malformed target, header and handshake on the WebSocket upgrade without stopping', async () => {
    for (const t of targets) {
      const reply = await raw(upgradeHeaders(t));
      expect([400, 401, 404, 431, 0], JSON.stringify(t)).toContain(status(reply));
    }
    expect(status(await raw(upgradeHeaders('//a:99999/')))).toBe(400);
    const bad = [
      upgradeHeaders('/rpc').replace('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Key: nope'),
      upgradeHeaders('/rpc').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 99'),
      upgradeHeaders('/rpc').replace(`vc-rpc, vc-token.${shell.token}`, `vc-token.${shell.token}`),
      upgradeHeaders('/rpc').replace(`vc-rpc, `, 'bad protocol, ,,, '),
      upgradeHeaders('/rpc').replace('Upgrade: websocket', 'Upgrade: h2c'),
      upgradeHeaders('/rpc', 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99; x=\u0001\r\n'),
      upgradeHeaders('/rpc').replace(`Origin: ${origin}`, 'Origin: null'),
      upgradeHeaders('/rpc').replace('GET', 'POST'),
    ];
    for (const b of bad) expect([400, 401, 404, 405, 426, 0], b).toContain(status(await raw(b)));
    // A handshake cut off half way, and one reset by the client at once.
    await raw(upgradeHeaders('/rpc').slice(0, 60));
    const sock = net.connect(shell.port, '127.0.0.1', () => {
      sock.write(upgradeHeaders('/rpc'));
      sock.resetAndDestroy();
    });
    sock.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    await stillServing();
  });

  it('answers malformed request lines, methods and headers without stopping', async () => {
    const lines = [
      'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET / FOO/1.1\r\n\r\n', ' / HTTP/1.1\r\n\r\n', '\r\n\r\n\r\n',
      'G\u0000T / HTTP/1.1\r\n\r\n', 'DELETE / HTTP/1.1\r\nHost: x\r\n\r\n', 'PATCH /rpc HTTP/1.1\r\nHost: x\r\n\r\n',
      'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 'BREW / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nX: \u0001\u0002\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(100_000)}\r\n\r\n`, 'GET / HTTP/1.1\nHost: x\n\n', 'GET /rpc HTTP/1.1\r\nUpgrade: websocket\r\n\r\n',
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00]), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]),
    ];
    for (const l of lines) {
      const reply = await raw(l);
      expect([0, 400, 404, 405, 413, 431, 505], JSON.stringify(l.toString().slice(0, 60))).toContain(status(reply));
    }
    await stillServing();
  });

  it('survives random request lines and headers, on both paths', async () => {
    const token = fc.string({ minLength: 0, maxLength: 40, unit: 'binary' });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'HEAD', 'POST', 'X', ''), token, token, fc.boolean(), async (method, target, header, upgrade) => {
        const head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-F: ${header}\r\n`;
        const reply = await raw(upgrade ? upgradeHeaders(target).replace('GET', method) : `${head}\r\n`);
        expect(status(reply) === 0 || status(reply) >= 200).toBe(true);
      }),
      { numRuns: 150 },
    );
    await stillServing();
  });
});
