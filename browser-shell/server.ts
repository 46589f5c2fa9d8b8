/**
 * The browser shell: serves the built renderer on 127.0.0.1 and carries the same contract over
 * a WebSocket, for machines without Electron (and for a trainer projecting the demo from a
 * browser on the same machine).
 *
 * Security, since any local process and any web page the user opens can reach 127.0.0.1:
 * - a per-launch random token is required: in the URL the shell prints, then in an HttpOnly,
 *   SameSite=Strict cookie; requests without it get 401 and the WebSocket is refused;
 * - the WebSocket also requires the Origin to be this server's own, so another site cannot
 *   drive the till through the user's browser (cross-site WebSocket hijacking);
 * - every message goes through the same dispatcher as Electron's IPC (size, schema, access);
 * - responses carry a strict CSP and no-sniff; only files under the renderer folder are served,
 *   by the resolver the Electron shell uses too (core/static-files.ts: traversal in any
 *   spelling, NUL, backslashes and symbolic links leading out are refused).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Backend } from '../core/app';
import { AppErrorShape, RpcErrors } from '../core/api/errors';
import { MAX_PAYLOAD_BYTES } from '../core/api/names';
import { CONTENT_SECURITY_POLICY } from '../core/api/csp';
import { contentType, resolveStaticFile } from '../core/static-files';

export interface BrowserShellOptions {
  backend: Backend;
  staticDir: string;
  port: number;
  host?: string;
  token?: string;
}

export interface BrowserShell {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'vc_token') return v.join('=');
  }
  return null;
}

/** A client message: `{ id, method, input }`. Anything else is refused without reaching core. */
function parseCall(raw: string): { id: number | null; method: unknown; input: unknown } | null {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return null;
  const m = msg as Record<string, unknown>;
  const id = typeof m.id === 'number' && Number.isSafeInteger(m.id) ? m.id : null;
  if (id === null) return null;
  return { id, method: m.method, input: m.input };
}

export async function startBrowserShell(opts: BrowserShellOptions): Promise<BrowserShell> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const root = path.resolve(opts.staticDir);
  let origin = '';

  const authorised = (req: http.IncomingMessage, url: URL): boolean => {
    const t = url.searchParams.get('token') ?? cookieToken(req.headers.cookie);
    return t !== null && safeEqual(t, token);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': 'no-store',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    if (!authorised(req, url)) {
      const e = RpcErrors.unauthorized();
      res.writeHead(401, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`${e.zh}\n${e.en}\n`);
      return;
    }
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `vc_token=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    // The same resolver and types as the Electron shell's app:// handler (core/static-files.ts).
    void resolveStaticFile(root, url.pathname).then(async (file) => {
      const body = file ? await fs.promises.readFile(file).catch(() => null) : null;
      if (!file || !body) {
        res.writeHead(404, headers).end();
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': contentType(file) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES + 1024 });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/rpc' || req.headers.origin !== origin || !authorised(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  const unsubscribe = opts.backend.bus.subscribe((event, payload) => {
    const msg = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg);
  });

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
    ws.on('message', async (data, isBinary) => {
      const reply = (id: number | null, body: { ok: true; value: unknown } | { ok: false; error: AppErrorShape }) =>
        ws.readyState === ws.OPEN && ws.send(JSON.stringify({ id, ...body }));
      if (isBinary) return reply(null, { ok: false, error: RpcErrors.badPayload().toShape() });
      const text = data.toString();
      if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES + 1024) {
        return reply(null, { ok: false, error: RpcErrors.tooLarge().toShape() });
      }
      const call = parseCall(text);
      if (!call) return reply(null, { ok: false, error: RpcErrors.badPayload().toShape() });
      reply(call.id, await opts.backend.dispatcher.dispatch(call.method, call.input));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  origin = `http://${host}:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    token,
    port,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
