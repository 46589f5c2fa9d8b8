/**
 * Why forwarding failed, in words a cashier or installer can act on. The client's technical
 * failure (`http: 401 (auth_failed)`, `timeout`, a malformed reply) is classified once here into
 * a problem with a plain zh-CN/en message saying who should do what; the technical detail stays
 * beside it for the detail view and the log, never in place of it.
 *
 * Problems that retrying cannot fix (the acquirer refuses the terminal's key, the terminal's
 * clock is off, no key yet) `pause` forwarding with a long back-off instead of the usual
 * seconds-long retries: hammering an acquirer with refused signatures helps nobody and can get
 * a terminal locked out. "Send now" tries again at once (after the installer's fix).
 */
import type { ForwardProblemCode } from '../api/offline';
import { WireError } from './wire';
import { NO_TERMINAL_KEY, TransportError } from './client';

export interface ForwardFailure {
  problem: ForwardProblemCode;
  /** The technical detail (status, the acquirer's error code, transport error): for logs and the detail view. */
  detail: string;
  /** The acquirer's clock minus ours, when its reply said (clock skew), in ms. */
  skewMs: number | null;
}

export interface ProblemText {
  zh: string;
  en: string;
  /** Who has to act: nobody (it retries by itself), the cashier, or the installer. */
  who: 'nobody' | 'cashier' | 'installer';
  /** Retrying cannot help: back off long and say so on the status bar. */
  pause: boolean;
}

/** Every problem the forwarder can report, with what to do about it. */
export const FORWARD_PROBLEMS: Record<ForwardProblemCode, ProblemText> = {
  auth_refused: {
    zh: '收单机构不接受本机的终端密钥，离线款已暂停上传（款项都已保存，不会丢失）。请联系安装人员核对或重新配置终端密钥，处理好后点“立即上传”。',
    en: 'The acquirer does not accept this terminal’s key, so forwarding is paused (every payment is kept; nothing is lost). Ask the installer to check or re-provision the terminal key, then press “Send now”.',
    who: 'installer',
    pause: true,
  },
  clock_skew: {
    zh: '本机时钟不准{skew}，收单机构拒绝了上传，离线款已暂停上传（款项都已保存）。请把电脑的日期和时间改正（打开“自动设置时间”），然后点“立即上传”。',
    en: 'This computer’s clock is wrong{skew}, so the acquirer refused the upload; forwarding is paused (every payment is kept). Correct the date and time (turn on “set time automatically”), then press “Send now”.',
    who: 'cashier',
    pause: true,
  },
  not_provisioned: {
    zh: '本机还没有配置终端密钥，离线款暂时无法上传（款项都已保存）。请联系安装人员完成终端开通。',
    en: 'This terminal has no key yet, so offline payments cannot be forwarded (every payment is kept). Ask the installer to finish setting up the terminal.',
    who: 'installer',
    pause: true,
  },
  server_error: {
    zh: '收单机构系统暂时故障，稍后自动重试，无需操作。',
    en: 'The acquirer’s system has a temporary fault; it retries by itself, nothing to do.',
    who: 'nobody',
    pause: false,
  },
  timeout: {
    zh: '收单机构迟迟没有回复（网络很慢），稍后自动重试，无需操作。',
    en: 'The acquirer did not answer in time (the network is very slow); it retries by itself, nothing to do.',
    who: 'nobody',
    pause: false,
  },
  link_down: {
    zh: '连不上收单机构（网络不通），联网后自动上传。若长时间如此，请检查网线、路由器或手机信号。',
    en: 'The acquirer cannot be reached (no network); forwarding resumes when the link is back. If this lasts, check the cable, router or mobile signal.',
    who: 'nobody',
    pause: false,
  },
  bad_reply: {
    zh: '收单机构的回复无法识别，稍后自动重试。若反复出现，请联系安装人员（可能需要升级软件）。',
    en: 'The acquirer’s reply could not be understood; it retries by itself. If this keeps happening, contact the installer (the software may need an update).',
    who: 'nobody',
    pause: false,
  },
  request_refused: {
    zh: '收单机构拒绝了这次上传请求，稍后自动重试。若反复出现，请联系安装人员。',
    en: 'The acquirer refused this upload request; it retries by itself. If this keeps happening, contact the installer.',
    who: 'nobody',
    pause: false,
  },
};

/** The acquirer's reply codes for a refused signature (core/acquirer/simulator, PROTOCOL.md). */
const STALE = 'stale_request';
const REPLAYED = 'replayed_request';

/** Classifies a forwarding failure. Anything that is not a transport or wire error is not ours to classify. */
export function classifyFailure(e: TransportError | WireError): ForwardFailure {
  if (e instanceof WireError) return { problem: 'bad_reply', detail: `bad reply: ${e.message}`, skewMs: null };
  const detail = e.code ? `${e.message} (${e.code})` : e.message;
  const f = (problem: ForwardProblemCode, skewMs: number | null = null): ForwardFailure => ({ problem, detail, skewMs });
  switch (e.why) {
    case 'timeout':
      return f('timeout');
    case 'reset':
      return f('link_down');
    case 'refused':
      return f(e.detail === NO_TERMINAL_KEY ? 'not_provisioned' : 'link_down');
    case 'bad_reply':
      return f('bad_reply');
    case 'http': {
      const status = Number(e.detail);
      if (status === 401 && e.code === STALE) return f('clock_skew', e.skewMs);
      if (status === 401 && e.code === REPLAYED) return f('request_refused');
      if (status === 401 || status === 403) return f('auth_refused');
      if (status >= 500) return f('server_error');
      return f('request_refused');
    }
  }
}

/** The plain message of a failure, with the clock difference filled in where it is known. */
export function describeFailure(f: ForwardFailure): { zh: string; en: string } {
  const t = FORWARD_PROBLEMS[f.problem];
  // The acquirer's Date header has 1 s resolution and the refusal window is minutes wide: a
  // difference under a minute says nothing useful, so it is not quoted.
  const minutes = f.skewMs === null || Math.abs(f.skewMs) < 60_000 ? null : Math.round(Math.abs(f.skewMs) / 60_000);
  const skewZh = minutes === null ? '' : `（比收单机构${f.skewMs! > 0 ? '慢' : '快'}约 ${minutes} 分钟）`;
  const skewEn = minutes === null ? '' : ` (about ${minutes} min ${f.skewMs! > 0 ? 'behind' : 'ahead of'} the acquirer)`;
  return { zh: t.zh.replace('{skew}', skewZh), en: t.en.replace('{skew}', skewEn) };
}

/**
 * How long to wait before the next attempt after `failures` failures in a row (1 = the first).
 * Transient problems: exponential with full jitter (terminals of a village do not retry in
 * step), capped. Pausing problems: `pauseMs` doubling up to `maxPauseMs`, ±10 % jitter.
 */
export function backoffMs(
  problem: ForwardProblemCode,
  failures: number,
  o: { baseBackoffMs: number; maxBackoffMs: number; pauseMs: number; maxPauseMs: number },
  random: () => number = Math.random,
): number {
  if (FORWARD_PROBLEMS[problem].pause) {
    const cap = Math.min(o.maxPauseMs, o.pauseMs * 2 ** Math.min(Math.max(0, failures - 1), 16));
    return Math.round(cap * (0.9 + 0.1 * random()));
  }
  const cap = Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** Math.min(failures, 16));
  return Math.round(random() * cap);
}
