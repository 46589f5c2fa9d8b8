/**
 * `POST /v1/ping` (PROTOCOL.md, "Connection check"): the harmless signed request an installer's
 * "test connection" sends before saving a connection. It moves nothing and stores nothing but
 * the nonce every signed request leaves; it answers whether the signing terminal belongs to the
 * merchant named, the acquirer's clock, and whether real money moves here (`training`).
 */
import { bad, field, ok, type Route, type SimContext } from './context';

const isMerchantId = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9]{4,32}$/.test(v);

export function pingRoutes(sim: SimContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/ping',
      // Subject to fault injection, so a test connection can be shown a slow or dead acquirer.
      op: 'ping',
      async handle(req) {
        // Without a merchant id the ping only asks whether real money moves here (a demo
        // configuration naming its own simulator has no merchant id to check).
        const given = (req.body as Record<string, unknown> | null)?.merchant_id;
        const merchantId = given === undefined ? null : field(req.body, 'merchant_id', isMerchantId);
        if (given !== undefined && !merchantId) return bad('BAD_REQUEST', 'merchant_id must be 4–32 letters or digits');
        const t = await sim.db.get<{ merchant_id: string }>('SELECT merchant_id FROM terminals WHERE id = ?', [req.terminalId]);
        if (!t) return bad('BAD_REQUEST', 'unknown terminal');
        if (merchantId !== null && t.merchant_id !== merchantId) {
          return ok({ result: 'FAIL', err_code: 'MERCHANT_MISMATCH', err_zh: '该终端不属于这个商户号。', err_en: 'This terminal is not bound to that merchant id.' });
        }
        return ok({ result: 'OK', merchant_id: t.merchant_id, terminal_id: req.terminalId, server_time: sim.now(), training: sim.options.training });
      },
    },
  ];
}
