/**
 * Tests only: a fake WeChat Pay v2 gateway (fake-gateway.ts) with its merchant's client
 * certificate, and an adapter pointed at it. Not imported by production code.
 */
import type { AcquirerTimings } from '../types';
import { WechatAcquirer, type WechatOptions } from './adapter';
import { FakeWechatGateway } from './fake-gateway';

export const WECHAT_APP_ID = 'wx0000000000000001';
export const WECHAT_MCH_ID = '1900000109';
export const WECHAT_API_KEY = 'k'.repeat(16) + '0123456789abcdef';

export interface WechatKit {
  fake: FakeWechatGateway;
  acquirer: WechatAcquirer;
  adapter(over?: Partial<WechatOptions>): WechatAcquirer;
  close(): Promise<void>;
}

export async function openWechatKit(timings: AcquirerTimings, signType: WechatOptions['signType'] = 'HMAC-SHA256'): Promise<WechatKit> {
  const fake = await new FakeWechatGateway({ appId: WECHAT_APP_ID, mchId: WECHAT_MCH_ID, apiKey: WECHAT_API_KEY }).start();
  const made: WechatAcquirer[] = [];
  const adapter = (over: Partial<WechatOptions> = {}) => {
    const a = new WechatAcquirer({ appId: WECHAT_APP_ID, mchId: WECHAT_MCH_ID, apiKey: WECHAT_API_KEY, signType, clientCert: fake.clientCert, baseUrl: fake.url, timings, ca: fake.ca, ...over });
    made.push(a);
    return a;
  };
  return {
    fake,
    acquirer: adapter(),
    adapter,
    async close() {
      for (const a of made) a.close();
      await fake.stop();
    },
  };
}
