/**
 * Face payment at the simulated acquirer: 1:N identification of an embedding against the faces
 * enrolled for demo wallets, then (above an amount) the customer's phone-number fragment, then
 * a one-time `fp…` auth code that the terminal charges through the ordinary `/v1/pay`.
 *
 * Invariants: an enrolment is the acquirer's record and lives in its SQLite file
 * (`face_enrolments`, migration 2), so it survives a restart and a training reset: the wallet
 * and an int8 template of the embedding (face-template.ts), never an image. An identification
 * probe is compared and forgotten; open identification sessions live in this process's memory
 * only. A session serves one terminal, one amount, three phone attempts and 60 s; a wrong
 * fragment never says which digit was wrong.
 */
import { randomBytes } from 'node:crypto';
import { decodeEmbedding, similarity } from '../../face/embedding';
import { bad, field, isFen, isStr, ok, type Route, type SimContext } from './context';
import { CODE_LIFE_MS, issueCode } from './codes';
import { fromTemplate, toTemplate } from './face-template';
import type { WalletRow } from './payment-routes';

/** Above this amount the customer confirms the last 4 digits of their phone number. */
export const FACE_PHONE_ABOVE_FEN = 20_00;
/** Similarity (cosine) at or above which a face is a match; between RETRY and MATCH: try again. */
export const FACE_MATCH_AT = 0.85;
export const FACE_RETRY_AT = 0.6;
const SESSION_MS = 60_000;
const MAX_PHONE_TRIES = 3;

/** The phone numbers of the demo wallets' holders (only the last 4 digits ever leave here). */
const DEMO_PHONES: Record<string, string> = { W07: '13800006688' };

interface FaceSession { terminalId: string; walletId: string; amountFen: number; expiresAt: number; tries: number; needsPhone: boolean }

export function faceRoutes(sim: SimContext): Route[] {
  const sessions = new Map<string, FaceSession>();

  const issue = async (walletId: string): Promise<{ code: string; expires_at: number }> => {
    const w = await sim.db.get<WalletRow>('SELECT * FROM wallets WHERE id = ?', [walletId]);
    const now = sim.now();
    for (;;) {
      const code = issueCode('face');
      const r = await sim.db.run('INSERT OR IGNORE INTO codes (code, wallet_id, issued_at, expires_at) VALUES (?, ?, ?, ?)', [code, w!.id, now, now + CODE_LIFE_MS]);
      if (r.changes === 1) return { code, expires_at: now + CODE_LIFE_MS };
    }
  };
  const sweep = (now: number) => {
    for (const [id, s] of sessions) if (s.expiresAt < now) sessions.delete(id);
  };

  return [
    {
      method: 'POST',
      path: '/v1/face/identify',
      op: 'face_identify',
      async handle(req) {
        const emb = decodeEmbedding(field(req.body, 'embedding', isStr(8192)) ?? '');
        const amount = field(req.body, 'total_fen', isFen);
        if (!emb || !amount) return bad('BAD_REQUEST', 'embedding (1024 float32, base64) and total_fen are required');
        const now = sim.now();
        sweep(now);
        // A handful of demo faces: read from the file on every request, so an enrolment made
        // by another process on the same file (or before a restart) is seen at once.
        let best: string | null = null;
        let bestSim = 0;
        for (const e of await sim.db.all<{ wallet_id: string; template: Buffer }>('SELECT wallet_id, template FROM face_enrolments')) {
          const t = fromTemplate(e.template);
          const s = t ? similarity(emb, t) : 0;
          if (s > bestSim) [best, bestSim] = [e.wallet_id, s];
        }
        const score = Math.round(bestSim * 1000) / 1000;
        if (!best || bestSim < FACE_RETRY_AT) return ok({ result: 'OK', match: 'no_match', similarity: score });
        if (bestSim < FACE_MATCH_AT) return ok({ result: 'OK', match: 'retry', similarity: score });
        const needsPhone = amount > FACE_PHONE_ABOVE_FEN;
        if (!needsPhone) return ok({ result: 'OK', match: 'matched', similarity: score, ...(await issue(best)) });
        const id = randomBytes(16).toString('hex');
        sessions.set(id, { terminalId: req.terminalId, walletId: best, amountFen: amount, expiresAt: now + SESSION_MS, tries: 0, needsPhone });
        return ok({ result: 'OK', match: 'confirm_phone', similarity: score, face_session: id });
      },
    },
    {
      method: 'POST',
      path: '/v1/face/confirm',
      op: 'face_confirm',
      async handle(req) {
        const id = field(req.body, 'face_session', (v): v is string => typeof v === 'string' && /^[0-9a-f]{32}$/.test(v));
        const last4 = field(req.body, 'phone_last4', (v): v is string => typeof v === 'string' && /^[0-9]{4}$/.test(v));
        if (!id || !last4) return bad('BAD_REQUEST', 'face_session and phone_last4 are required');
        sweep(sim.now());
        const s = sessions.get(id);
        if (!s || s.terminalId !== req.terminalId) return ok({ result: 'FAIL', err_code: 'FACE_SESSION_EXPIRED' });
        const phone = DEMO_PHONES[s.walletId] ?? '';
        s.tries += 1;
        if (phone.slice(-4) !== last4) {
          if (s.tries >= MAX_PHONE_TRIES) sessions.delete(id);
          return ok({ result: 'FAIL', err_code: 'PHONE_MISMATCH', tries_left: Math.max(0, MAX_PHONE_TRIES - s.tries) });
        }
        sessions.delete(id);
        return ok({ result: 'OK', ...(await issue(s.walletId)) });
      },
    },
    {
      // Enrolment, as a wallet app does it when its holder turns face payment on: here a
      // trainer (or a test) enrols a demo wallet with a face seen by the terminal's camera.
      method: 'POST',
      path: '/sim/face/enrol',
      async handle(req) {
        const walletId = field(req.body, 'wallet_id', isStr(40));
        const emb = decodeEmbedding(field(req.body, 'embedding', isStr(8192)) ?? '');
        if (!walletId || !emb) return bad('BAD_REQUEST', 'wallet_id and embedding are required');
        const w = await sim.db.get<WalletRow>('SELECT * FROM wallets WHERE id = ?', [walletId]);
        if (!w) return bad('WALLET_NOT_EXIST', 'no such wallet', 404);
        if (w.scheme !== 'face' || !DEMO_PHONES[w.id]) return bad('NOT_FACE_WALLET', 'only face-payment demo wallets can be enrolled', 409);
        // Enrolling again replaces the face: one template per wallet.
        await sim.db.run(
          'INSERT INTO face_enrolments (wallet_id, template, enrolled_at) VALUES (?, ?, ?) ON CONFLICT(wallet_id) DO UPDATE SET template = excluded.template, enrolled_at = excluded.enrolled_at',
          [w.id, toTemplate(emb), sim.now()],
        );
        const n = await sim.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM face_enrolments');
        return ok({ ok: true, enrolled: n?.n ?? 0 });
      },
    },
  ];
}
