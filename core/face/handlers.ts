/**
 * Handlers of core/api/face.ts: the terminal's side of face payment. It forwards the embedding
 * to the acquirer's identification and maps the answer; it keeps nothing. The resulting `fp…`
 * code is charged by the ordinary payment engine (`payments:charge`), so the order number is
 * durable before any money moves and unknown outcomes are queried and reversed as usual.
 *
 * Invariant: the embedding passes through memory only — never logged, journaled or stored.
 */
import type { Handlers } from '../api/contract';
import { AppError } from '../api/errors';
import type { Mode } from '../api/system';
import type { HttpClientOptions } from '../acquirer/http-client';
import { SignedHttpClient } from '../acquirer/http-client';

type FaceHandlers = Pick<Handlers, 'face:identify' | 'face:confirm' | 'demo:faceEnrol'>;

export const FaceErrors = {
  unavailable: () =>
    new AppError('face.unavailable', '刷脸服务暂时连不上，请改用付款码或现金。', 'Face payment cannot reach the acquirer right now; use a payment code or cash.'),
  refused: (code: string) => new AppError('face.refused', '收单机构拒绝了刷脸请求，请改用其他方式付款。', 'The acquirer refused the face request; use another way to pay.', { code }),
  demoOnly: () => new AppError('demo.only', '此功能仅在培训模式下可用。', 'This is available in training (demo) mode only.'),
};

interface Answer { result?: string; err_code?: string; match?: string; code?: string; expires_at?: number; face_session?: string; tries_left?: number }

/** `timeoutMs`: the acquirer's configured `requestTimeoutMs` (core/config.ts); 10 s where none is given (tests). */
type FaceLink = Pick<HttpClientOptions, 'baseUrl' | 'terminalId' | 'key' | 'ca'> & { timeoutMs?: number };

/**
 * `relink` moves them to another acquirer connection (an installer saved a new one,
 * core/settings/acquirer-profile.ts); a face session is the acquirer's, so one open at the old
 * connection ends there and the customer simply looks again.
 */
export function faceHandlers(mode: Mode, link: FaceLink): FaceHandlers & { close(): void; relink(next: FaceLink): void } {
  const client = (l: FaceLink) => new SignedHttpClient({ ...l, timeoutMs: l.timeoutMs ?? 10_000 });
  let http = client(link);
  const call = async (op: string, path: string, body: unknown): Promise<Answer> => {
    const x = await http.request(op, 'POST', path, body);
    if (x.kind !== 'answer') throw FaceErrors.unavailable();
    const b = (x.body ?? {}) as Answer;
    if (x.status !== 200) throw FaceErrors.refused(b.err_code ?? String(x.status));
    return b;
  };
  return {
    'face:identify': async ({ embedding, amountFen }) => {
      const a = await call('face_identify', '/v1/face/identify', { embedding, total_fen: amountFen });
      if (a.result !== 'OK') throw FaceErrors.refused(a.err_code ?? 'UNKNOWN');
      if (a.match === 'matched' && a.code && a.expires_at) return { match: 'matched', code: a.code, expiresAt: a.expires_at };
      if (a.match === 'confirm_phone' && a.face_session) return { match: 'confirm_phone', faceSession: a.face_session };
      return { match: a.match === 'retry' ? 'retry' : 'no_match' };
    },
    'face:confirm': async ({ faceSession, phoneLast4 }) => {
      const a = await call('face_confirm', '/v1/face/confirm', { face_session: faceSession, phone_last4: phoneLast4 });
      if (a.result === 'OK' && a.code && a.expires_at) return { ok: true, code: a.code, expiresAt: a.expires_at };
      if (a.err_code === 'PHONE_MISMATCH') return { ok: false, reason: 'mismatch', triesLeft: a.tries_left ?? 0 };
      return { ok: false, reason: 'expired', triesLeft: 0 };
    },
    'demo:faceEnrol': async ({ walletId, embedding }) => {
      if (mode !== 'demo') throw FaceErrors.demoOnly();
      await call('control', '/sim/face/enrol', { wallet_id: walletId, embedding });
      return { ok: true as const };
    },
    close: () => http.close(),
    relink: (next) => {
      const old = http;
      http = client(next);
      old.close();
    },
  };
}
