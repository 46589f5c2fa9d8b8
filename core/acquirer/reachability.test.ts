/**
 * The wallet counter's link probe: any HTTP answer of the gateway over trusted TLS is "up" (with
 * its round trip); an untrusted certificate, a closed port or silence past the timeout is "down".
 */
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayProbe } from './reachability';
import { testCertificate } from './test-cert';

let server: https.Server;
let url: string;
let ca: string;
const heads: string[] = [];
beforeAll(async () => {
  const c = await testCertificate();
  ca = c.cert;
  server = https.createServer({ key: c.key, cert: c.cert }, (req, res) => {
    heads.push(`${req.method} ${req.url}`);
    // A gateway answers an unsigned request with an error: still an answer.
    res.writeHead(405).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('gatewayProbe', () => {
  it('is up on any answer over trusted TLS, sending only a HEAD of the gateway address', async () => {
    const ms = await gatewayProbe([url], { ca })();
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(heads.at(-1)).toBe('HEAD /gateway.do');
  });

  it('is down when the certificate is not trusted', async () => {
    await expect(gatewayProbe([url])()).rejects.toThrow();
  });

  it('is down when one of the gateways does not answer', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const quiet = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    try {
      await expect(gatewayProbe([url, quiet], { ca, timeoutMs: 300 })()).rejects.toThrow();
    } finally {
      silent.close();
    }
  });
});
