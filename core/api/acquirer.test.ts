/** The connection form's field checks: what each mode accepts, normalises and refuses, and how it says so. */
import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { checkProfile, type ProfileDraft } from './acquirer';

const KEY = '3f2a9c1b04d7e6115a0b8c7d6e5f40312233445566778899aabbccddeeff0011';
const ok: ProfileDraft = { endpoint: 'https://acq.example.cn:8443', merchantId: 'M0001', terminalId: 'T0001', signingKey: KEY, offlineKey: KEY };

function refusal(d: Partial<ProfileDraft>, mode: 'demo' | 'live'): { field: unknown; problem: unknown; zh: string; en: string } {
  try {
    checkProfile({ ...ok, ...d }, mode);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    expect(e.code).toBe('acquirer.invalid');
    return { field: e.detail?.field, problem: e.detail?.problem, zh: e.zh, en: e.en };
  }
  throw new Error(`expected a refusal of ${JSON.stringify(d)} in ${mode} mode`);
}

describe('acquirer connection fields', () => {
  it.each([
    // [field value, mode, field, problem]
    [{ endpoint: 'http://acq.example.cn' }, 'live', 'endpoint', 'endpoint_https_live'],
    [{ endpoint: 'http://127.0.0.1:5300' }, 'live', 'endpoint', 'endpoint_https_live'],
    [{ endpoint: 'http://192.168.1.20:5300' }, 'demo', 'endpoint', 'endpoint_https_demo'],
    [{ endpoint: 'http://acq.example.cn' }, 'demo', 'endpoint', 'endpoint_https_demo'],
    [{ endpoint: 'ftp://acq.example.cn' }, 'live', 'endpoint', 'endpoint_https_live'],
    [{ endpoint: 'https://user:pw@acq.example.cn' }, 'live', 'endpoint', 'endpoint_credentials'],
    [{ endpoint: 'https://@acq.example.cn' }, 'live', 'endpoint', 'endpoint_credentials'],
    [{ endpoint: 'https://acq.example.cn/#' }, 'live', 'endpoint', 'endpoint_fragment'],
    [{ endpoint: 'https://acq.example.cn#x' }, 'live', 'endpoint', 'endpoint_fragment'],
    [{ endpoint: 'https://acq.example.cn/api/v1' }, 'live', 'endpoint', 'endpoint_path'],
    [{ endpoint: 'https://acq.example.cn/?a=1' }, 'live', 'endpoint', 'endpoint_path'],
    [{ endpoint: 'https://acq.example.cn:99999' }, 'live', 'endpoint', 'endpoint_invalid'],
    [{ endpoint: 'acq.example.cn' }, 'live', 'endpoint', 'endpoint_invalid'],
    [{ endpoint: 'https://acq example.cn' }, 'live', 'endpoint', 'endpoint_invalid'],
    [{ endpoint: '' }, 'live', 'endpoint', 'endpoint_invalid'],
    [{ merchantId: 'M1' }, 'live', 'merchantId', 'merchant_format'],
    [{ merchantId: 'M0001;DROP' }, 'live', 'merchantId', 'merchant_format'],
    [{ terminalId: 'T1' }, 'live', 'terminalId', 'terminal_format'],
    [{ terminalId: 'T0001-A' }, 'live', 'terminalId', 'terminal_format'],
    [{ signingKey: KEY.slice(1) }, 'live', 'signingKey', 'signing_key_format'],
    [{ signingKey: `${KEY.slice(1)}g` }, 'live', 'signingKey', 'signing_key_format'],
    [{ signingKey: '0'.repeat(64) }, 'live', 'signingKey', 'signing_key_weak'],
    [{ offlineKey: 'not a key' }, 'live', 'offlineKey', 'offline_key_format'],
    [{ offlineKey: 'f'.repeat(64) }, 'demo', 'offlineKey', 'offline_key_weak'],
  ] as const)('refuses %j in %s mode, naming the field', (d, mode, field, problem) => {
    const r = refusal(d, mode);
    expect(r).toMatchObject({ field, problem });
    expect(r.zh).toMatch(/未做任何更改。$/);
    expect(r.en).toMatch(/Nothing was changed\.$/);
    // A refusal never repeats a key it was given.
    for (const v of Object.values(d)) if (typeof v === 'string' && v.length > 20) expect(`${r.zh}${r.en}`).not.toContain(v);
  });

  it('accepts https anywhere, and plain http only to a simulator on this machine in training mode', () => {
    expect(checkProfile(ok, 'live').endpoint).toBe('https://acq.example.cn:8443');
    expect(checkProfile({ ...ok, endpoint: 'https://127.0.0.1:5300' }, 'live').endpoint).toBe('https://127.0.0.1:5300');
    for (const e of ['http://127.0.0.1:5300', 'http://localhost:5300', 'http://127.8.0.1:5300', 'http://[::1]:5300']) {
      expect(checkProfile({ ...ok, endpoint: e }, 'demo').endpoint).toBe(e);
    }
  });

  it('normalises what a person types: case of the host, default port, trailing slash, full-width characters, key groups', () => {
    const c = checkProfile(
      { endpoint: ' HTTPS://ACQ.Example.CN:443/ ', merchantId: 'Ｍ０００１', terminalId: 't0001', signingKey: KEY.toUpperCase().match(/.{4}/g)!.join(' '), offlineKey: KEY.match(/.{2}/g)!.join(':') },
      'live',
    );
    expect(c).toEqual({ endpoint: 'https://acq.example.cn', merchantId: 'M0001', terminalId: 'T0001', signingKey: KEY, offlineKey: KEY });
  });

  it('leaves the keys out when they are not typed (the saved ones are kept)', () => {
    const c = checkProfile({ endpoint: ok.endpoint, merchantId: 'M0001', terminalId: 'T0001' }, 'live');
    expect(c.signingKey).toBeUndefined();
    expect(c.offlineKey).toBeUndefined();
  });
});
