/**
 * The link probe of a counter on wallet acquirers (Alipay, WeChat Pay). The sandbox protocol has
 * a signed ping (PROTOCOL.md); the wallets' APIs have none, and a signed query every few seconds
 * would spend the merchant's API quota. So the probe is an unsigned HEAD request to each
 * configured gateway: any HTTP answer proves the name resolves, the route is up and the TLS
 * certificate is trusted — what the cashier needs to know before scanning a code. No merchant
 * data is sent. Resolves with the slowest round trip; rejects when any gateway does not answer.
 */
import https from 'node:https';

export function gatewayProbe(urls: readonly string[], opts: { ca?: string; timeoutMs?: number } = {}): () => Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const one = (url: string) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = https.request(url, { method: 'HEAD', timeout: timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
        res.resume();
        resolve(performance.now() - started);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  return async () => Math.max(...(await Promise.all(urls.map(one))));
}
