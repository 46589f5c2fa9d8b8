/** Protocol route of the daily statement: every money movement of the terminal on one day. */
import type { WireStatement } from '../sandbox/wire';
import { bad, ok, type Route, type SimContext } from './context';
import { chinaDay } from './payment-routes';

export function statementRoutes(sim: SimContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/statement',
      async handle(req) {
        const date = req.query.get('date') ?? '';
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return bad('BAD_REQUEST', 'date must be YYYY-MM-DD');
        const start = Date.parse(`${date}T00:00:00+08:00`);
        const rows = await sim.db.all<{ at: number; kind: 'payment' | 'refund' | 'reversal'; out_trade_no: string; ref_no: string; amount_fen: number }>(
          'SELECT at, kind, out_trade_no, ref_no, amount_fen FROM ledger WHERE terminal_id = ? AND at >= ? AND at < ? ORDER BY seq',
          [req.terminalId, start, start + 24 * 3600_000],
        );
        const s: WireStatement = {
          date,
          lines: rows.filter((r) => chinaDay(r.at) === date).map((r) => ({ kind: r.kind, out_trade_no: r.out_trade_no, ref_no: r.ref_no, amount_fen: r.amount_fen, at: r.at })),
          total_fen: rows.reduce((a, r) => a + r.amount_fen, 0),
        };
        return ok(s);
      },
    },
  ];
}
