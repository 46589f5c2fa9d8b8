/**
 * The browser shell: serves the built renderer on 127.0.0.1 and carries the same contract over
 * a WebSocket, for machines without Electron (and for a trainer projecting the demo from a
 * browser on the same machine).
 *
 * Security, since any local process and any web page the user opens can reach 127.0.0.1:
 * - the back end is reached only over the WebSocket, which needs the per-launch random token:
 *   the page takes it from the URL the shell prints, keeps it for its tab and presents it in the
 *   handshake as a subprotocol (core/api/browser-token.ts). Never a cookie: cookies are not
 *   bound to a port, so the browser would send it to every other server on 127.0.0.1;
 * - the static files need no token: they are the renderer's public code, with nothing secret
 *   and no way to act without the WebSocket;
 * - the WebSocket also requires the Origin to be this server's own, so another site cannot
 *   drive the till through the user's browser (cross-site WebSocket hijacking);
 * - no request of any shape stops the server: the target is parsed defensively and anything
 *   malformed (request line, headers, method, upgrade) is answered 400 or refused, never thrown;
 * - every message goes through the same dispatcher as Electron's IPC (size, schema, access),
 *   behind the page gate (core/auth/page-gate.ts): the session belongs to the page that entered
 *   the PIN, known by the key it keeps per tab (`vc-page.<key>`), so a new tab or window starts
 *   locked and cannot call what needs an operator until its own PIN;
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
import { pageKeyFromProtocols, RPC_PROTOCOL, TOKEN_PATTERN, tokenFromProtocols } from '../core/api/browser-token';
import type { SessionState } from '../core/api/session';
import { createPageGate } from '../core/auth/page-gate';
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

/**
 * The path of a request target, or null when it is not a plain origin-form path (`/…`): `//a:99999/`,
 * absolute URLs, `*`, control characters. `new URL` throws on some of these; nothing here may.
 */
function targetPath(raw: string | undefined): string | null {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || /[\p{Cc}\s]/u.test(raw)) return null;
  try {
    return new URL(raw, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

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
  if (!TOKEN_PATTERN.test(token)) throw new Error('CASHIER_TOKEN: 16–128 characters of A–Z, a–z, 0–9, - and _.');
  const host = opts.host ?? '127.0.0.1';
  const root = path.resolve(opts.staticDir);
  let origin = '';

  const headers = (): Record<string, string> => ({
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Cache-Control': 'no-store',
  });

  const serveStatic = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const pathname = targetPath(req.url);
    if (pathname === null) {
      res.writeHead(400, headers()).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers()).end();
      return;
    }
    // The same resolver and types as the Electron shell's app:// handler (core/static-files.ts).
    const file = await resolveStaticFile(root, pathname);
    const body = file ? await fs.promises.readFile(file).catch(() => null) : null;
    if (!file || !body) {
      res.writeHead(404, headers()).end();
      return;
    }
    res.writeHead(200, { ...headers(), 'Content-Type': contentType(file) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = http.createServer((req, res) => {
    serveStatic(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400, headers()).end();
      else res.destroy();
    });
  });
  // A request line or header Node's parser refuses: 400, and the server goes on.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end(BAD_REQUEST);
    else socket.destroy();
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES + 1024,
    // Answer with the RPC protocol only, never echoing the token's entry.
    handleProtocols: (offered) => (offered.has(RPC_PROTOCOL) ? RPC_PROTOCOL : false),
  });
  /** Each open socket and the page it belongs to (its key, or one of its own when it sent none). */
  const sockets = new Map<WebSocket, string>();
  const gate = createPageGate(opts.backend.dispatcher);

  /** The page's handshake: the token's subprotocol, right, beside the RPC one the server answers with. */
  const authorised = (req: http.IncomingMessage): boolean => {
    const offered = req.headers['sec-websocket-protocol'];
    const t = tokenFromProtocols(offered);
    return t !== null && safeEqual(t, token) && offered!.split(',').some((p) => p.trim() === RPC_PROTOCOL);
  };

  server.on('upgrade', (req, socket, head) => {
    // A reset mid-handshake must not become an unhandled 'error' that ends the process.
    socket.on('error', () => socket.destroy());
    try {
      const pathname = targetPath(req.url);
      if (pathname === null) {
        socket.end(BAD_REQUEST);
        return;
      }
      if (pathname !== '/rpc' || req.headers.origin !== origin || !authorised(req)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      // ws answers a malformed handshake (key, version, protocols) with 400 itself.
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      if (socket.writable) socket.end(BAD_REQUEST);
      else socket.destroy();
    }
  });

  const unsubscribe = opts.backend.bus.subscribe((event, payload) => {
    if (event === 'session:changed') {
      // Each page is told the session as it may see it: a live one only by the page that owns it.
      const state = payload as SessionState;
      gate.sessionChanged(state);
      for (const [ws, key] of sockets) if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload: gate.view(key, state) }));
      return;
    }
    const msg = JSON.stringify({ event, payload });
    for (const ws of sockets.keys()) if (ws.readyState === ws.OPEN) ws.send(msg);
  });
  const stopHandOver = gate.onHandOver((tell) => {
    for (const [ws, key] of sockets) if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: 'session:changed', payload: tell(key) }));
  });

  wss.on('connection', (ws, req: http.IncomingMessage) => {
    const pageKey = pageKeyFromProtocols(req.headers['sec-websocket-protocol']) ?? `socket.${randomBytes(16).toString('base64url')}`;
    sockets.set(ws, pageKey);
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
      reply(call.id, await gate.dispatch(pageKey, call.method, call.input));
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
      stopHandOver();
      for (const ws of sockets.keys()) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
