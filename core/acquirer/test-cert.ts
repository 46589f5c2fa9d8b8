/**
 * Tests only: a self-signed certificate for 127.0.0.1 (made with the `selfsigned` package, fresh
 * for each run, so it never expires in the tree), for a simulator serving HTTPS as a live
 * acquirer does; a client trusts it only when given it (`ca`).
 */
import { generate } from 'selfsigned';

export async function testCertificate(): Promise<{ key: string; cert: string }> {
  const p = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: p.private, cert: p.cert };
}
