/**
 * Protocol routes of refunds. Idempotent on the refund number (out_refund_no): a repeated
 * request returns the first result and moves no money; the sum refunded never exceeds the
 * amount paid (checked in the same transaction as the credit). The refund query tells a
 * terminal whose refund answer was lost (or whose re-send was refused) what became of it.
 */
import { bad, field, isFen, isOrderNo, ok, type Route, type SimContext } from './context';
import { credit, getOrder } from './payment-routes';

const isRefundNo = (v: unknown): v is string => typeof v === 'string' && /^[A-Z0-9]{8,48}$/.test(v);

export function refundRoutes(sim: SimContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/refund',
      op: 'refund',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        const refundNo = field(req.body, 'out_refund_no', isRefundNo);
        const amount = field(req.body, 'refund_fen', isFen);
        if (!outTradeNo || !refundNo || !amount) return bad('BAD_REQUEST', 'out_trade_no, out_refund_no and refund_fen are required');
        return sim.db.tx(async (q) => {
          const now = sim.now();
          const prior = await q.get<{ out_trade_no: string; amount_fen: number }>(
            'SELECT out_trade_no, amount_fen FROM refunds WHERE terminal_id = ? AND out_refund_no = ?', [req.terminalId, refundNo]);
          if (prior) {
            if (prior.out_trade_no !== outTradeNo || prior.amount_fen !== amount) {
              return ok({ result: 'FAIL', err_code: 'BAD_REQUEST', err_en: 'out_refund_no reused with other details' });
            }
            return ok({ result: 'OK', refund_status: 'SUCCESS', out_refund_no: refundNo });
          }
          const o = await getOrder(q, req.terminalId, outTradeNo);
          if (!o) return ok({ result: 'FAIL', err_code: 'ORDER_NOT_EXIST' });
          if (o.status !== 'SUCCESS') return ok({ result: 'FAIL', err_code: 'REFUND_NOT_ALLOWED' });
          if (o.refunded_fen + amount > o.amount_fen) return ok({ result: 'FAIL', err_code: 'REFUND_EXCEEDS' });
          await q.run('INSERT INTO refunds (terminal_id, out_refund_no, out_trade_no, amount_fen, created_at) VALUES (?, ?, ?, ?, ?)', [
            req.terminalId, refundNo, outTradeNo, amount, now,
          ]);
          await q.run('UPDATE orders SET refunded_fen = refunded_fen + ?, updated_at = ? WHERE terminal_id = ? AND out_trade_no = ?', [amount, now, req.terminalId, outTradeNo]);
          await credit(q, o, 'refund', refundNo, amount, now);
          return ok({ result: 'OK', refund_status: 'SUCCESS', out_refund_no: refundNo });
        });
      },
    },
    {
      method: 'POST',
      path: '/v1/refund/query',
      op: 'refund_query',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        const refundNo = field(req.body, 'out_refund_no', isRefundNo);
        if (!outTradeNo || !refundNo) return bad('BAD_REQUEST', 'out_trade_no and out_refund_no are required');
        const r = await sim.db.get<{ out_trade_no: string; amount_fen: number }>(
          'SELECT out_trade_no, amount_fen FROM refunds WHERE terminal_id = ? AND out_refund_no = ? AND out_trade_no = ?', [req.terminalId, refundNo, outTradeNo]);
        // Only refunds that moved money are kept: a refused one left nothing, so it reads as never seen.
        if (!r) return ok({ result: 'FAIL', err_code: 'REFUND_NOT_EXIST', out_refund_no: refundNo });
        return ok({ result: 'OK', refund_status: 'SUCCESS', out_refund_no: refundNo, out_trade_no: r.out_trade_no, refund_fen: r.amount_fen });
      },
    },
  ];
}
