/**
 * Tests only: fresh RSA key pairs for an Alipay app and for the platform, a fake gateway
 * (fake-gateway.ts) and an adapter pointed at it. Not imported by production code.
 */
import crypto from 'node:crypto';
import type { AcquirerTimings } from '../types';
import { AlipayAcquirer, type AlipayKeys } from './adapter';
import { FakeAlipayGateway } from './fake-gateway';

export interface RsaPair {
  privatePem: string;
  publicPem: string;
}

export function rsaPair(): RsaPair {
  const k = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicPem: k.publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

export const ALIPAY_APP_ID = '2021000000000001';

export interface AlipayKit {
  fake: FakeAlipayGateway;
  acquirer: AlipayAcquirer;
  app: RsaPair;
  platform: RsaPair;
  /** An adapter to the same gateway with other keys or timings. */
  adapter(over?: { keys?: AlipayKeys; timings?: Partial<AcquirerTimings>; gateway?: string }): AlipayAcquirer;
  close(): Promise<void>;
}

/** One app and one platform key pair per test file: RSA key generation is slow, and many kits need no fresh keys. */
let pairs: { app: RsaPair; platform: RsaPair } | null = null;

export async function openAlipayKit(timings: AcquirerTimings): Promise<AlipayKit> {
  pairs ??= { app: rsaPair(), platform: rsaPair() };
  const { app, platform } = pairs;
  const fake = await new FakeAlipayGateway({ appId: ALIPAY_APP_ID, appPublicKey: app.publicPem, platformPrivateKey: platform.privatePem }).start();
  const made: AlipayAcquirer[] = [];
  const adapter: AlipayKit['adapter'] = (over = {}) => {
    const a = new AlipayAcquirer({
      appId: ALIPAY_APP_ID,
      keys: over.keys ?? { mode: 'public_key', appPrivateKey: app.privatePem, alipayPublicKey: platform.publicPem },
      gateway: over.gateway ?? fake.url,
      timings: { ...timings, ...over.timings },
      ca: fake.ca,
    });
    made.push(a);
    return a;
  };
  return {
    fake,
    acquirer: adapter(),
    app,
    platform,
    adapter,
    async close() {
      for (const a of made) a.close();
      await fake.stop();
    },
  };
}
