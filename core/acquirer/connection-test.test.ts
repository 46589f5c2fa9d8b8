/**
 * "Test connection" against a real simulator on 127.0.0.1 (plain and HTTPS), with its faults:
 * each outcome an installer can meet is told apart, and no result ever carries a key.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testConnection, type ConnectionTestInput } from './connection-test';
import { newTerminalKey } from './signing';
import { startSimulator, type Simulator } from './simulator/server';
import { testCertificate } from './test-cert';

const dirs: string[] = [];
const sims: Simulator[] = [];
let cert: { key: string; cert: string };

beforeAll(async () => {
  cert = await testCertificate();
});
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});
afterAll(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function sim(opts: Partial<Parameters<typeof startSimulator>[0]> = {}): Promise<{ sim: Simulator; input: ConnectionTestInput }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-conn-'));
  dirs.push(dir);
  const s = await startSimulator({ file: path.join(dir, 'sim.sqlite'), ...opts });
  sims.push(s);
  const key = await s.provisionTerminal('T0001');
  return { sim: s, input: { baseUrl: s.url, merchantId: 'M0001', terminalId: 'T0001', signingKey: key, offlineKey: key, timeoutMs: 2_000 } };
}

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('test connection', () => {
  it('says OK with the round trip and clock offset when both keys are accepted, and that the simulator moves no real money', async () => {
    const { input } = await sim();
    const r = await testConnection(input);
    expect(r).toMatchObject({ outcome: 'ok', training: true, detail: 'ok' });
    expect(r.rttMs).toBeGreaterThanOrEqual(0);
    expect(r.rttMs).toBeLessThan(2_000);
    expect(Math.abs(r.clockOffsetMs!)).toBeLessThan(2_000);
    expect(JSON.stringify(r)).not.toContain(input.signingKey);
  });

  it('tells a refused signing key, an unknown terminal and another merchant’s terminal apart', async () => {
    const { input } = await sim();
    expect((await testConnection({ ...input, signingKey: newTerminalKey() })).outcome).toBe('key_refused');
    expect((await testConnection({ ...input, terminalId: 'T0999' })).outcome).toBe('wrong_terminal');
    expect((await testConnection({ ...input, merchantId: 'M0002' })).outcome).toBe('wrong_merchant');
  });

  it('checks the offline-route key on its own: a wrong one is named, a separate right one passes', async () => {
    const { sim: s, input } = await sim();
    const wrong = newTerminalKey();
    const r = await testConnection({ ...input, offlineKey: wrong });
    expect(r).toMatchObject({ outcome: 'offline_key_refused', training: true });
    expect(JSON.stringify(r)).not.toContain(wrong);
    const own = await s.provisionOfflineKey('T0001');
    expect(own).not.toBe(input.signingKey);
    expect((await testConnection({ ...input, offlineKey: own })).outcome).toBe('ok');
    // Now the terminal's offline routes take only their own key.
    expect((await testConnection(input)).outcome).toBe('offline_key_refused');
  });

  it('says the clock is off, and by how much, when the acquirer refuses the timestamp', async () => {
    const { input } = await sim({ now: () => Date.now() + 10 * 60_000 });
    const r = await testConnection(input);
    expect(r.outcome).toBe('clock_skew');
    expect(r.clockOffsetMs).toBeGreaterThan(9 * 60_000);
    expect(r.clockOffsetMs).toBeLessThan(11 * 60_000);
  });

  it('tells cannot reach, no answer in time and a server error apart', async () => {
    const { sim: s, input } = await sim();
    expect(await testConnection({ ...input, baseUrl: `http://127.0.0.1:${await deadPort()}` })).toMatchObject({ outcome: 'unreachable', rttMs: null, detail: 'ECONNREFUSED' });
    s.faults.set([{ kind: 'drop_request', op: 'ping', times: 1, latencyMs: 0, reason: 'DECLINED' }]);
    expect((await testConnection({ ...input, timeoutMs: 1_000 })).outcome).toBe('timeout');
    s.faults.set([{ kind: 'http_500', op: 'ping', times: 1, latencyMs: 0, reason: 'DECLINED' }]);
    expect((await testConnection(input)).outcome).toBe('server_error');
    // The faults were the ping's only: the next test passes.
    expect((await testConnection(input)).outcome).toBe('ok');
  });

  it('says something answers but not the acquirer protocol (a web page, a missing route)', async () => {
    const web = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not here</h1>'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const { input } = await sim();
      const r = await testConnection({ ...input, baseUrl: `http://127.0.0.1:${(web.address() as net.AddressInfo).port}` });
      expect(r).toMatchObject({ outcome: 'not_acquirer', detail: 'ping 404' });
    } finally {
      await new Promise<void>((r) => web.close(() => r()));
    }
  });

  it('over HTTPS: an untrusted certificate and a plain-HTTP port are TLS failures; the trusted certificate passes', async () => {
    const { input } = await sim({ tls: cert });
    expect(input.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const untrusted = await testConnection(input);
    expect(untrusted).toMatchObject({ outcome: 'tls', rttMs: null });
    expect(untrusted.detail).toMatch(/SELF_SIGNED|CERT/);
    expect((await testConnection({ ...input, ca: cert.cert })).outcome).toBe('ok');
    const { input: plain } = await sim();
    expect((await testConnection({ ...plain, baseUrl: plain.baseUrl.replace('http:', 'https:') })).outcome).toBe('tls');
  });

  it('is harmless: the ping leaves no order and moves no money at the acquirer', async () => {
    const { sim: s, input } = await sim();
    await testConnection(input);
    expect(await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM orders')).toEqual({ n: 0 });
    expect(await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM ledger')).toEqual({ n: 0 });
  });
});
