/**
 * The acquirer simulator: a real HTTP server speaking the sandbox protocol (PROTOCOL.md) over
 * its own SQLite file, so its state survives a restart. Used stand-alone (`npm run acquirer`),
 * embedded in demo mode (127.0.0.1, ephemeral port) and by the tests.
 *
 * Invariants:
 * - every request is signed by a known terminal's key; a stale timestamp or a nonce seen
 *   before is refused before anything else happens, and the nonce is recorded durably first;
 * - each route's effect (order, balance, ledger row) commits in one transaction, before any
 *   answer is written — so "response dropped after commit" really means committed;
 * - faults change what the transport does around a request, never the money rules.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Socket } from 'node:net';
import { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { MAX_CLOCK_SKEW_MS, newTerminalKey, sign, signatureMatches, SIGNATURE_HEADERS } from '../signing';
import type { Route, RouteGroup, SimContext, SimOptions, SimResponse } from './context';
import { FaultKind, FaultPlan, FaultRule } from './faults';
import { routeGroups as defaultGroups } from './routes';
import { simMigrations } from './schema';
import { seedSimulator } from './seed';
import { OfflineAcquirer, offlineHttpHandler } from './offline-routes';

export interface SimulatorOptions {
  /** SQLite file of the simulator's own state. */
  file: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  now?: () => number;
  routeGroups?: RouteGroup[];
  codeLifeMs?: number;
  userpayingTimeoutMs?: number;
  /** Seed the demo merchant, terminal and wallets when the file is new (default true). */
  seed?: boolean;
  /**
   * Serve HTTPS with this key and certificate (PEM), as a live acquirer does: `npm run acquirer`
   * with SIM_TLS_CERT/SIM_TLS_KEY, and the tests of a terminal's TLS checks.
   */
  tls?: { key: string; cert: string };
  /**
   * What `/v1/ping` answers for `training` (default true: no real money moves here). False only
   * where a test needs a stand-in for a live acquirer; the terminal's live mode refuses any
   * acquirer that says true.
   */
  training?: boolean;
}

export interface Simulator {
  url: string;
  port: number;
  db: Db;
  faults: FaultPlan;
  /** The key of a terminal, creating the terminal (bound to the demo merchant) when new. */
  provisionTerminal(terminalId: string, keyHex?: string): Promise<string>;
  /**
   * A key of the terminal's own for the offline routes (`/offline/v1/*`), instead of the one it
   * signs the protocol routes with (PROTOCOL.md, "Offline routes"). Returns it.
   */
  provisionOfflineKey(terminalId: string, keyHex?: string): Promise<string>;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

function header(req: http.IncomingMessage, name: string): string {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  const db = await Db.open({ filename: opts.file });
  await migrate(db, simMigrations);
  if (opts.seed !== false) await seedSimulator(db);
  const faults = new FaultPlan();
  const options: SimOptions = { codeLifeMs: opts.codeLifeMs ?? 60_000, userpayingTimeoutMs: opts.userpayingTimeoutMs ?? 180_000, training: opts.training ?? true };
  const now = opts.now ?? Date.now;
  const ctx: SimContext = { db, faults, options, now };
  const table = new Map<string, Route>();
  for (const group of opts.routeGroups ?? defaultGroups) {
    for (const r of group(ctx)) table.set(`${r.method} ${r.path}`, r);
  }
  /** Connections held open by drop_request, closed when the simulator stops. */
  const hanging = new Set<Socket>();

  const send = (res: http.ServerResponse, r: SimResponse) => {
    const body = JSON.stringify(r.body);
    res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const authenticate = async (req: http.IncomingMessage, signPath: string, body: string, skewMs = 0): Promise<{ terminalId: string } | SimResponse> => {
    const terminalId = header(req, SIGNATURE_HEADERS.terminal);
    const ts = header(req, SIGNATURE_HEADERS.timestamp);
    const nonce = header(req, SIGNATURE_HEADERS.nonce);
    const sig = header(req, SIGNATURE_HEADERS.signature);
    const refuse = (code: string, en: string, extra: Record<string, unknown> = {}): SimResponse => ({ status: 401, body: { result: 'FAIL', err_code: code, err_en: en, ...extra } });
    if (!/^[A-Z0-9]{4,16}$/.test(terminalId) || !/^\d{1,16}$/.test(ts) || !/^[0-9a-f]{16,64}$/.test(nonce)) return refuse('AUTH_FAILED', 'missing signature headers');
    const t = await db.get<{ key_hex: string }>('SELECT key_hex FROM terminals WHERE id = ?', [terminalId]);
    // Its own code, so an installer is told "wrong terminal id" rather than "wrong key".
    if (!t) return refuse('TERMINAL_UNKNOWN', 'unknown terminal');
    if (!signatureMatches(t.key_hex, sign(t.key_hex, req.method ?? '', signPath, ts, nonce, body), sig)) return refuse('AUTH_FAILED', 'bad signature');
    const at = now() + skewMs;
    // The acquirer's time goes with the refusal, so the terminal can say how far off its clock is.
    if (Math.abs(at - Number(ts)) > MAX_CLOCK_SKEW_MS) return refuse('STALE_REQUEST', 'timestamp outside the allowed window', { server_time: at });
    // The nonce is recorded before the request runs: a replay is refused even mid-flight.
    const r = await db.run('INSERT OR IGNORE INTO nonces (terminal_id, nonce, at) VALUES (?, ?, ?)', [terminalId, nonce, at]);
    if (r.changes !== 1) return refuse('REPLAYED_REQUEST', 'nonce already used');
    return { terminalId };
  };

  let lastPrune = 0;
  const pruneNonces = async () => {
    const at = now();
    if (at - lastPrune < 60_000) return;
    lastPrune = at;
    // Older than twice the skew window: a replay of them is refused as stale anyway.
    await db.run('DELETE FROM nonces WHERE at < ?', [at - 2 * MAX_CLOCK_SKEW_MS]);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const route = table.get(`${req.method} ${url.pathname}`);
    if (!route) return send(res, { status: 404, body: { result: 'FAIL', err_code: 'BAD_REQUEST', err_en: 'no such route' } });
    let fault: FaultRule | null = null;
    if (route.op) {
      const perRequest = header(req, 'x-sim-fault');
      const parsedKind = FaultKind.safeParse(perRequest);
      fault = parsedKind.success ? FaultRule.parse({ kind: parsedKind.data, op: 'any' }) : faults.take(route.op);
    }
    // A skewed acquirer clock judges the signature's timestamp (the only place its time meets the terminal's).
    const auth = await authenticate(req, url.pathname + url.search, raw, fault?.kind === 'clock_skew' ? (fault.skewMs ?? 0) : 0);
    if (!('terminalId' in auth)) return send(res, auth);
    void pruneNonces().catch(() => undefined);
    // Refusals after the signature check, as an acquirer refuses: nothing processed.
    if (fault?.kind === 'refuse_400') return send(res, { status: 400, body: { result: 'FAIL', err_code: 'BAD_REQUEST', err_en: 'refused (fault)' } });
    if (fault?.kind === 'refuse_auth') return send(res, { status: 401, body: { result: 'FAIL', err_code: 'AUTH_FAILED', err_en: 'bad signature (fault)' } });
    if (fault?.kind === 'refuse_stale') {
      return send(res, { status: 401, body: { result: 'FAIL', err_code: 'STALE_REQUEST', err_en: 'timestamp outside the allowed window (fault)', server_time: now() } });
    }
    if (fault?.kind === 'latency') await new Promise((r) => setTimeout(r, fault!.latencyMs));
    if (fault?.kind === 'drop_request') {
      hanging.add(req.socket);
      req.socket.once('close', () => hanging.delete(req.socket));
      return;
    }
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'http_500') return send(res, { status: 500, body: { result: 'FAIL', err_code: 'SYSTEM_ERROR' } });
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return send(res, { status: 400, body: { result: 'FAIL', err_code: 'BAD_REQUEST', err_en: 'body is not JSON' } });
    }
    const out = await route.handle({ terminalId: auth.terminalId, body, query: url.searchParams, fault });
    if (fault?.kind === 'drop_response_after_commit') {
      // The route committed; the client never learns it.
      req.socket.destroy();
      return;
    }
    send(res, out);
  };

  // Offline store-and-forward (issue 4): binary batches and its own tables, served beside the protocol routes.
  const offlineAcquirer = await OfflineAcquirer.open(db, { now });
  const offline = offlineHttpHandler(offlineAcquirer);
  const listener: http.RequestListener = (req, res) => {
    if (req.url?.startsWith('/offline/v1/')) return void offline(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(res, { status: 413, body: { result: 'FAIL', err_code: 'BAD_REQUEST', err_en: 'body too large' } });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        console.error('[simulator]', e instanceof Error ? e.message : e);
        if (!res.headersSent) send(res, { status: 500, body: { result: 'FAIL', err_code: 'SYSTEM_ERROR' } });
      });
    });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : http.createServer(listener);
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `${opts.tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    db,
    faults,
    async provisionTerminal(terminalId, keyHex) {
      const row = await db.get<{ key_hex: string }>('SELECT key_hex FROM terminals WHERE id = ?', [terminalId]);
      if (row && (!keyHex || keyHex === row.key_hex)) return row.key_hex;
      const key = keyHex ?? newTerminalKey();
      await db.run('INSERT INTO terminals (id, merchant_id, key_hex) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET key_hex = excluded.key_hex', [terminalId, 'M0001', key]);
      return key;
    },
    async provisionOfflineKey(terminalId, keyHex) {
      // A terminal's own offline key, once made, is kept (a restart prints the same one).
      const own = await db.get<{ key_hex: string }>('SELECT key_hex FROM sim_offline_terminals WHERE terminal_id = ?', [terminalId]);
      if (own && !keyHex) return own.key_hex;
      return offlineAcquirer.provisionTerminal(terminalId, keyHex ?? newTerminalKey());
    },
    async close() {
      for (const s of hanging) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
