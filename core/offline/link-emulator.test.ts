import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LINK_PRESETS, LinkEmulator } from './link-emulator';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A tiny HTTP server answering its own name, standing in for one of the acquirer's hosts. */
async function host(name: string): Promise<number> {
  const s = http.createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => s.close(() => resolve())));
  return (s.address() as AddressInfo).port;
}

/** A fresh connection each time (no keep-alive): the body, or the error code. */
function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('the link emulator', () => {
  it('carries several destinations over one switch: down refuses every new connection, up serves them again on the same ports', async () => {
    const link = new LinkEmulator(await host('offline-routes'), LINK_PRESETS.online);
    await link.start();
    closers.push(() => link.stop());
    const online = await link.route(await host('online-routes'));
    expect([await get(link.port), await get(online)]).toEqual(['offline-routes', 'online-routes']);

    link.setProfile(LINK_PRESETS.offline);
    await link.settled();
    // Refused, not accepted and reset: a request that provably never left (http-client.ts).
    expect([await get(link.port), await get(online)]).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);

    link.setProfile(LINK_PRESETS.online);
    await link.settled();
    expect([await get(link.port), await get(online)]).toEqual(['offline-routes', 'online-routes']);
  });

  it('delays every destination by the round trip set, and a route added while down stays down until the link is up', async () => {
    const link = new LinkEmulator(await host('a'), { ...LINK_PRESETS.online, rttMs: 300 });
    await link.start();
    closers.push(() => link.stop());
    const b = await link.route(await host('b'));
    const t0 = performance.now();
    expect(await get(b)).toBe('b');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);

    link.setProfile({ up: false });
    const c = await link.route(await host('c'));
    expect(await get(c)).toBe('ECONNREFUSED');
    link.setProfile({ up: true, rttMs: 0 });
    await link.settled();
    expect(await get(c)).toBe('c');
  });
});
