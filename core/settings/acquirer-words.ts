/**
 * What the acquirer connection's form tells an installer, in zh-CN and en: each outcome of the
 * connection test (core/acquirer/connection-test.ts) with who can fix it, and the refusals of a
 * save. No message ever carries a key; the test's `detail` (an error code, an HTTP status) is
 * kept beside the words for support, not inside them.
 */
import type { ConnectionOutcome } from '../api/acquirer';
import { AppError } from '../api/errors';

type Words = { zh: string; en: string };
const NOTHING: Words = { zh: '未做任何更改。', en: 'Nothing was changed.' };

/** A clock difference worth telling even when the acquirer still accepts it (it refuses past 5 min). */
const CLOCK_NOTE_MS = 60_000;

function seconds(ms: number): string {
  return String(Math.round(Math.abs(ms) / 1000));
}

/** The words of one test outcome; `rttMs` and `clockOffsetMs` as the test measured them. */
export function outcomeWords(outcome: ConnectionOutcome, rttMs: number | null, clockOffsetMs: number | null, mode: 'demo' | 'live'): Words {
  const clock = clockOffsetMs !== null && Math.abs(clockOffsetMs) >= CLOCK_NOTE_MS
    ? {
        zh: `本机时钟比收单机构${clockOffsetMs > 0 ? '慢' : '快'}约 ${seconds(clockOffsetMs)} 秒，请校准。`,
        en: `This computer’s clock is about ${seconds(clockOffsetMs)} s ${clockOffsetMs > 0 ? 'behind' : 'ahead of'} the acquirer’s; set it right.`,
      }
    : { zh: '', en: '' };
  switch (outcome) {
    case 'ok':
      return {
        zh: `连接正常：收单机构认得这台终端和商户，两把密钥都被接受，往返 ${rttMs ?? '?'} 毫秒。${clock.zh}`,
        en: `Connected: the acquirer knows this terminal and merchant and accepted both keys; round trip ${rttMs ?? '?'} ms.${clock.en ? ` ${clock.en}` : ''}`,
      };
    case 'unreachable':
      return {
        zh: '连不上收单地址：请检查地址、端口和网络（网线、4G、路由器）。',
        en: 'Cannot reach the acquirer’s address: check the address, the port and the network (cable, 4G, router).',
      };
    case 'timeout':
      return {
        zh: '收单机构在规定时间内没有应答：网络太慢或地址不对，请稍后再试或核对地址。',
        en: 'The acquirer did not answer in time: the network is too slow or the address is wrong. Try again later or check the address.',
      };
    case 'tls':
      return {
        zh: '安全连接（TLS）失败：对方证书不受信任、已过期、与地址不符，或对方不是 https。请核对地址，或请收单机构确认证书。',
        en: 'The secure connection (TLS) failed: the certificate is not trusted, has expired or is for another name, or the address does not speak https. Check the address or ask the acquirer about its certificate.',
      };
    case 'clock_skew':
      return {
        zh: `收单机构因本机时间不准拒绝了请求。${clock.zh || '请校准本机日期和时间。'}`,
        en: `The acquirer refused the request because this computer’s clock is off. ${clock.en || 'Set the date and time right.'}`,
      };
    case 'key_refused':
      return {
        zh: '收单机构拒绝了签名密钥（401/403）：请核对签名密钥，或请收单机构确认该终端已启用。',
        en: 'The acquirer refused the signing key (401/403): check the signing key, or ask the acquirer whether this terminal is enabled.',
      };
    case 'offline_key_refused':
      return {
        zh: '签名密钥正确，但离线通道密钥被拒绝：请核对离线通道密钥。',
        en: 'The signing key is right but the offline-route key was refused: check the offline-route key.',
      };
    case 'wrong_terminal':
      return {
        zh: '收单机构不认识这个终端号：请核对收单机构给的终端号。',
        en: 'The acquirer does not know this terminal id: check the terminal id it issued.',
      };
    case 'wrong_merchant':
      return {
        zh: '终端号存在，但不属于这个商户号：请核对商户号。',
        en: 'The terminal exists but belongs to another merchant id: check the merchant id.',
      };
    case 'not_acquirer':
      return {
        zh: '这个地址有应答，但不是收单机构的接口：请核对地址和端口。',
        en: 'Something answers at this address, but not the acquirer’s interface: check the address and port.',
      };
    case 'server_error':
      return {
        zh: '收单机构内部出错（5xx）：稍后再试，仍不行请联系收单机构。',
        en: 'The acquirer had an internal error (5xx): try again later, and contact the acquirer if it persists.',
      };
    case 'training_mismatch':
      return mode === 'demo'
        ? {
            zh: '这是正式收单机构：培训模式永远不能连接真实收单机构。',
            en: 'This is a live acquirer: training mode can never connect to a live acquirer.',
          }
        : {
            zh: '这是模拟收单（培训用，不收真钱）：正式模式不能连接模拟器。',
            en: 'This is a simulated acquirer (for training; no real money): a live counter cannot use a simulator.',
          };
  }
}

/** What is still open on the running connection (a save waits for it to be finished). */
export interface OpenWork {
  payments: number;
  refunds: number;
  /** Offline items in a batch being forwarded now. */
  forwarding: number;
  /** Offline items waiting to be forwarded (they belong to the merchant and terminal they were taken under). */
  waitingOffline: number;
}

export const ConnectionErrors = {
  keyRequired: (field: 'signingKey' | 'offlineKey') =>
    new AppError('acquirer.key_required',
      `${field === 'signingKey' ? '签名密钥' : '离线通道密钥'}还没有保存过，请填写。${NOTHING.zh}`,
      `No ${field === 'signingKey' ? 'signing key' : 'offline-route key'} is saved yet: enter it. ${NOTHING.en}`, { field }),
  timing: (field: string, words: Words) =>
    new AppError('acquirer.invalid', `${words.zh}。${NOTHING.zh}`, `${words.en}. ${NOTHING.en}`, { field: `timings.${field}` }),
  nothingToChange: () =>
    new AppError('acquirer.nothing_to_change', `与已保存的连接相同。${NOTHING.zh}`, `It is the same as the saved connection. ${NOTHING.en}`),
  testFailed: (w: Words, outcome: ConnectionOutcome) =>
    new AppError('acquirer.test_failed', `连接测试未通过，未保存：${w.zh}`, `The connection test did not pass, so nothing was saved: ${w.en}`, { outcome }),
  busy: (w: OpenWork, identity: boolean) => {
    const parts: Words[] = [];
    if (w.payments) parts.push({ zh: `${w.payments} 笔付款未完成`, en: `${w.payments} payment(s) not finished` });
    if (w.refunds) parts.push({ zh: `${w.refunds} 笔退款未完成`, en: `${w.refunds} refund(s) not finished` });
    if (w.forwarding) parts.push({ zh: `${w.forwarding} 笔离线款正在上传`, en: `${w.forwarding} offline payment(s) being forwarded` });
    if (identity && w.waitingOffline) {
      parts.push({ zh: `${w.waitingOffline} 笔离线款还没上传到原商户和终端`, en: `${w.waitingOffline} offline payment(s) not yet forwarded under the present merchant and terminal` });
    }
    const zh = parts.map((p) => p.zh);
    const en = parts.map((p) => p.en);
    return new AppError('acquirer.busy',
      `现在不能更换收单连接：${zh.join('，')}。它们必须在原连接上完成：请等待，或在“交易记录”“待上传”中处理后再保存。${NOTHING.zh}`,
      `The acquirer connection cannot be changed now: ${en.join(', ')}. They must finish on the present connection: wait, or deal with them in History or Forwarding, then save again. ${NOTHING.en}`,
      { ...w });
  },
  inFlight: () =>
    new AppError('acquirer.busy', `正在与收单机构通信，请过一会儿再保存。${NOTHING.zh}`,
      `A request to the acquirer is under way; save again in a moment. ${NOTHING.en}`),
  noKeychain: () =>
    new AppError('acquirer.no_keychain', `本机没有可用的系统密钥库，密钥无法安全保存。${NOTHING.zh}`,
      `No system keychain is available on this computer, so the keys cannot be kept safely. ${NOTHING.en}`),
  demoOnly: () =>
    new AppError('demo.only', '只有培训模式可以换回内置模拟器。', 'Only training mode can go back to the built-in simulator.'),
};
