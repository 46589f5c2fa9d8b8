import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlipayKit, ALIPAY_APP_ID, rsaPair, type AlipayKit } from '../acquirer/alipay/test-kit';
import { WALLET_TEST_TIMINGS } from '../acquirer/fake-kit';
import { openWechatKit, WECHAT_API_KEY, WECHAT_APP_ID, WECHAT_MCH_ID, type WechatKit } from '../acquirer/wechat/test-kit';
import { recogniseCode } from '../payments/codes';
import { MemorySecretStore } from '../platform';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { routedWallets, secretFingerprint, WALLETS_KEY, WalletProfileService, type WalletDeps } from './wallet-profile';

const T = WALLET_TEST_TIMINGS;

let ali: AlipayKit;
let wx: WechatKit;
let dir: string;
beforeAll(async () => {
  [ali, wx] = await Promise.all([openAlipayKit(T), openWechatKit(T)]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-wallets-'));
});
afterAll(async () => {
  await Promise.all([ali.close(), wx.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function service(over: Partial<WalletDeps> = {}) {
  const db = await Db.open({ filename: path.join(dir, `${Math.random().toString(36).slice(2)}.sqlite`) });
  await migrate(db, migrations);
  const secrets = new MemorySecretStore();
  const approvals: string[] = [];
  const s = new WalletProfileService({
    db, secrets, timings: { alipay: T, wechat: T }, ca: { alipay: ali.fake.ca, wechat: wx.fake.ca },
    approve: async (id, pin) => {
      if (id !== 'super1' || pin !== '2222') throw new Error('approval refused');
      approvals.push(id);
      return id;
    },
    ...over,
  });
  await s.load();
  return { s, db, secrets, approvals };
}

const alipayDraft = () => ({ kind: 'alipay' as const, appId: ALIPAY_APP_ID, gateway: ali.fake.url, keyMode: 'public_key' as const, appPrivateKey: ali.app.privatePem, alipayPublicKey: ali.platform.publicPem });
const wechatDraft = () => ({ kind: 'wechat' as const, appId: WECHAT_APP_ID, mchId: WECHAT_MCH_ID, baseUrl: `${wx.fake.url}/`, signType: 'HMAC-SHA256' as const, apiKey: WECHAT_API_KEY, clientCert: wx.fake.clientCert.cert, clientKey: wx.fake.clientCert.key });

describe('wallet kinds of the acquirer connection (Alipay, WeChat Pay)', () => {
  it('tests each kind with a signed query of an order that cannot exist', async () => {
    const { s } = await service();
    const r = await s.test({ wallets: [alipayDraft(), wechatDraft()], qrWallet: 'alipay' });
    expect(r.map((x) => [x.kind, x.outcome])).toEqual([['alipay', 'ok'], ['wechat', 'ok']]);
  });

  it('saves under dual control: secrets only in the secret store, fingerprints in the row, the audit and the view', async () => {
    const { s, db, secrets } = await service();
    await expect(s.save({ wallets: [alipayDraft(), wechatDraft()], qrWallet: 'alipay' }, { approverId: 'admin1', approverPin: '1111' }, 'admin1')).rejects.toMatchObject({ code: 'auth.approver_invalid' });
    expect(await db.get('SELECT value FROM settings WHERE key = ?', [WALLETS_KEY])).toBeUndefined();
    const view = await s.save({ wallets: [alipayDraft(), wechatDraft()], qrWallet: 'alipay' }, { approverId: 'super1', approverPin: '2222' }, 'admin1');
    expect(view.wallets[0].fingerprints.appPrivateKey).toBe(secretFingerprint(ali.app.privatePem));
    expect(view.wallets[1].fingerprints.apiKey).toBe(secretFingerprint(WECHAT_API_KEY));
    expect(view.wallets[1].fields).toMatchObject({ appId: WECHAT_APP_ID, mchId: WECHAT_MCH_ID });
    const row = (await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [WALLETS_KEY]))!.value;
    const audit = (await db.all<{ detail: string }>("SELECT detail FROM audit_log WHERE action = 'acquirer.wallets_saved'")).map((r) => r.detail).join();
    for (const secret of [ali.app.privatePem, WECHAT_API_KEY, wx.fake.clientCert.key, 'PRIVATE KEY']) {
      expect(row).not.toContain(secret);
      expect(audit).not.toContain(secret);
      expect(JSON.stringify(view)).not.toContain(secret);
    }
    expect(await secrets.get(`acquirer.wallet.apiKey.${secretFingerprint(WECHAT_API_KEY).replace(/ /g, '')}`)).toBe(WECHAT_API_KEY);
  });

  it('keeps the saved secrets when a later save leaves them out, and the running acquirer routes each code', async () => {
    const { s, db, secrets } = await service();
    await s.save({ wallets: [alipayDraft(), wechatDraft()], qrWallet: 'alipay' }, { approverId: 'super1', approverPin: '2222' }, 'admin1');
    const again = new WalletProfileService({ db, secrets, timings: { alipay: T, wechat: T }, ca: { alipay: ali.fake.ca, wechat: wx.fake.ca }, approve: async () => 'super1' });
    await again.load();
    const { apiKey: _k, clientCert: _c, clientKey: _ck, ...noSecrets } = wechatDraft();
    expect((await again.test({ wallets: [noSecrets], qrWallet: null }))[0].outcome).toBe('ok');
    const start = (await again.startupWallets())!;
    const acq = routedWallets(start.wallets, start.qrWallet, recogniseCode, { timings: { alipay: T, wechat: T }, ca: { alipay: ali.fake.ca, wechat: wx.fake.ca } });
    expect((await acq.pay({ orderNo: 'T9-W1', amountFen: 100, code: '134567890123456789', subject: 's' })).status).toBe('succeeded');
    expect((await acq.pay({ orderNo: 'T9-A1', amountFen: 100, code: '287654321098765432', subject: 's' })).status).toBe('succeeded');
    expect(wx.fake.orders.has('T9-W1') && ali.fake.orders.has('T9-A1')).toBe(true);
  });

  it('refuses to save when a kind’s test fails, and writes nothing', async () => {
    const { s, db, secrets, approvals } = await service();
    const bad = { ...alipayDraft(), alipayPublicKey: rsaPair().publicPem };
    await expect(s.save({ wallets: [bad], qrWallet: 'alipay' }, { approverId: 'super1', approverPin: '2222' }, 'admin1')).rejects.toMatchObject({ code: 'acquirer.test_failed', detail: { outcome: 'platform_key_wrong' } });
    expect(approvals).toEqual([]);
    expect(await db.get('SELECT value FROM settings WHERE key = ?', [WALLETS_KEY])).toBeUndefined();
    expect(await secrets.get(`acquirer.wallet.alipayPublicKey.${secretFingerprint(bad.alipayPublicKey).replace(/ /g, '')}`)).toBeNull();
  });

  it.each([
    ['an Alipay app id that is not 16 digits', () => ({ wallets: [{ ...alipayDraft(), appId: '2021' }], qrWallet: null }), 'appId'],
    ['a private key that is not one', () => ({ wallets: [{ ...alipayDraft(), appPrivateKey: 'hello' }], qrWallet: null }), 'appPrivateKey'],
    ['an http gateway', () => ({ wallets: [{ ...alipayDraft(), gateway: 'http://openapi.alipay.com/gateway.do' }], qrWallet: null }), 'gateway'],
    ['a WeChat API key of the wrong length', () => ({ wallets: [{ ...wechatDraft(), apiKey: 'short' }], qrWallet: null }), 'apiKey'],
    ['a WeChat merchant QR', () => ({ wallets: [wechatDraft()], qrWallet: 'wechat' }), 'qrWallet'],
    ['the same wallet twice', () => ({ wallets: [wechatDraft(), wechatDraft()], qrWallet: null }), 'wallets'],
    ['a first save without its keys', () => ({ wallets: [{ kind: 'wechat', appId: WECHAT_APP_ID, mchId: WECHAT_MCH_ID, signType: 'MD5' }], qrWallet: null }), 'apiKey'],
  ])('refuses %s in both languages, naming the field', async (_, make, field) => {
    const draft = make();
    const { s } = await service();
    const e = await s.test(draft).then(() => null, (x: unknown) => x as { code: string; zh: string; en: string; detail: { field: string } });
    expect(e).toMatchObject({ code: 'acquirer.wallet_invalid', detail: { field } });
    expect(e!.zh).toContain('未做任何更改');
    expect(e!.en).toContain('Nothing was changed');
  });
});
