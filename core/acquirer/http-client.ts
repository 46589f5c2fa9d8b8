/**
 * A signed JSON-over-HTTP exchange, as the sandbox protocol (and the real acquirers it mimics)
 * need it. It reports exactly what it knows: an answer with its HTTP status, or a transport
 * failure together with whether the request can have reached the acquirer at all.
 *
 * Why `maybeDelivered` matters: a connection that was refused or never established cannot
 * have charged anyone, so the engine may say "not charged" at once; anything later (a reset,
 * a timeout, a dropped response) may have been processed and must be resolved by query.
 */
import http from 'node:http';
import https from 'node:https';
import type { Probe } from './types';
import { bodyDigest, signedHeaders } from './signing';

export interface HttpClientOptions {
  baseUrl: string;
  terminalId: string;
  /** The terminal's HMAC key (hex), or a function that reads it when first needed. */
  key: string | (() => Promise<string | null>);
  timeoutMs: number;
  probe?: Probe;
  /**
   * What the signature covers: the body itself (the protocol routes, `/v1/*`), or its SHA-256
   * digest (the offline routes, `/offline/v1/*`, PROTOCOL.md).
   */
  signs?: 'body' | 'body_digest';
  /**
   * Certificates to trust for HTTPS instead of the system's (PEM). Tests only: a live terminal
   * trusts what the operating system trusts, and nothing else is configurable.
   */
  ca?: string;
}

export type Exchange =
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'transport'; why: string; maybeDelivered: boolean };

export class SignedHttpClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private key: string | null = null;

  constructor(private readonly opts: HttpClientOptions) {
    this.base = new URL(opts.baseUrl);
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 8, ca: opts.ca }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  private async keyHex(): Promise<string | null> {
    if (this.key) return this.key;
    this.key = typeof this.opts.key === 'string' ? this.opts.key : await this.opts.key();
    return this.key;
  }

  /** `onSent`: called once the request is written (it may reach the server from then on). */
  async request(op: string, method: 'GET' | 'POST', path: string, payload?: unknown, onSent?: () => void): Promise<Exchange> {
    const key = await this.keyHex();
    if (!key) return { kind: 'transport', why: 'no terminal key configured', maybeDelivered: false };
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const url = new URL(path, this.base);
    const signPath = url.pathname + url.search;
    const headers: Record<string, string> = {
      ...signedHeaders(this.opts.terminalId, key, method, signPath, this.opts.signs === 'body_digest' ? bodyDigest(body) : body),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    };
    const lib = url.protocol === 'https:' ? https : http;
    const started = performance.now();
    const probe = this.opts.probe;
    return new Promise<Exchange>((resolve) => {
      let connected = false;
      let settled = false;
      const done = (x: Exchange) => {
        if (settled) return;
        settled = true;
        const healthy = x.kind === 'answer' && x.status > 0 && x.status < 500;
        probe?.(healthy ? 'round_trip' : 'transport_failed', op, performance.now() - started);
        resolve(x);
      };
      const req = lib.request(url, { method, headers, agent: this.agent, timeout: this.opts.timeoutMs }, (res) => {
        probe?.('response_headers', op);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => done({ kind: 'transport', why: 'response aborted', maybeDelivered: true }));
        res.on('aborted', () => done({ kind: 'transport', why: 'response aborted', maybeDelivered: true }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // An unreadable body is as good as no body: the status decides, or it is unknown.
            parsed = null;
          }
          done({ kind: 'answer', status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('socket', (s) => {
        // A reused keep-alive socket is connected already.
        if (!s.connecting) connected = true;
        else s.once('connect', () => (connected = true));
      });
      req.on('timeout', () => {
        req.destroy(new Error('timeout'));
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        const neverConnected = !connected && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(e.code ?? '');
        done({ kind: 'transport', why: e.code ?? e.message, maybeDelivered: !neverConnected });
      });
      req.end(body, () => {
        probe?.('request_sent', op);
        onSent?.();
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
