/**
 * Control routes of the simulator (`/sim/…`): what a trainer, a test or the customer-phone
 * panel does on the customer's side — list wallets, issue a payment code, confirm or refuse
 * the password step, pay a shown merchant QR — and the fault schedule. Signed like every other
 * request; never part of a real acquirer's protocol.
 */
import { z } from 'zod';
import { bad, field, isOrderNo, isStr, ok, type Route, type SimContext } from './context';
import { CODE_LIFE_MS, issueCode } from './codes';
import { FaultRule } from './faults';
import { debit, expireIfDue, getOrder, setStatus, tradeAnswer, type WalletRow } from './payment-routes';

export function controlRoutes(sim: SimContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/sim/wallets',
      async handle() {
        const rows = await sim.db.all<WalletRow>('SELECT * FROM wallets ORDER BY id');
        return ok({ wallets: rows });
      },
    },
    {
      method: 'POST',
      path: '/sim/codes',
      async handle(req) {
        const walletId = field(req.body, 'wallet_id', isStr(40));
        if (!walletId) return bad('BAD_REQUEST', 'wallet_id is required');
        const w = await sim.db.get<WalletRow>('SELECT * FROM wallets WHERE id = ?', [walletId]);
        if (!w) return bad('WALLET_NOT_EXIST', 'no such wallet', 404);
        const now = sim.now();
        const life = sim.options.codeLifeMs ?? CODE_LIFE_MS;
        for (;;) {
          const code = issueCode(w.scheme);
          const r = await sim.db.run('INSERT OR IGNORE INTO codes (code, wallet_id, issued_at, expires_at) VALUES (?, ?, ?, ?)', [code, w.id, now, now + life]);
          if (r.changes === 1) return ok({ code, expires_at: now + life });
        }
      },
    },
    {
      method: 'POST',
      path: '/sim/codes/state',
      async handle(req) {
        const code = field(req.body, 'code', isStr(64));
        if (!code) return bad('BAD_REQUEST', 'code is required');
        const c = await sim.db.get<{ expires_at: number; used_by: string | null }>('SELECT expires_at, used_by FROM codes WHERE code = ?', [code]);
        // Used wins over expired: a charge took it (the phone shows it spent, not merely old).
        const state = !c ? 'unknown' : c.used_by ? 'used' : c.expires_at < sim.now() ? 'expired' : 'fresh';
        return ok({ state });
      },
    },
    {
      method: 'POST',
      path: '/sim/userpaying',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        const confirm = field(req.body, 'confirm', (v): v is boolean => typeof v === 'boolean');
        if (!outTradeNo || confirm === undefined) return bad('BAD_REQUEST', 'out_trade_no and confirm are required');
        return sim.db.tx(async (q) => {
          const now = sim.now();
          const found = await getOrder(q, req.terminalId, outTradeNo);
          if (!found) return bad('ORDER_NOT_EXIST', 'no such order', 404);
          const o = await expireIfDue(sim, q, found);
          if (o.status !== 'USERPAYING') return bad('NOT_USERPAYING', `order is ${o.status}`, 409);
          // userpaying_forever: the password prompt never completes, whatever the customer does.
          if (o.forever) return ok(tradeAnswer(o));
          if (!confirm) return ok(tradeAnswer(await setStatus(q, o, 'PAYERROR', now, { code: 'USER_CANCELLED' })));
          if ((await debit(q, o, o.wallet_id!, now)) !== 'ok') return ok(tradeAnswer(await setStatus(q, o, 'PAYERROR', now, { code: 'NOT_ENOUGH' })));
          return ok(tradeAnswer(await setStatus(q, o, 'SUCCESS', now)));
        });
      },
    },
    {
      method: 'POST',
      path: '/sim/qr/pay',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        const walletId = field(req.body, 'wallet_id', isStr(40));
        if (!outTradeNo || !walletId) return bad('BAD_REQUEST', 'out_trade_no and wallet_id are required');
        return sim.db.tx(async (q) => {
          const now = sim.now();
          const found = await getOrder(q, req.terminalId, outTradeNo);
          if (!found || found.kind !== 'qr') return bad('ORDER_NOT_EXIST', 'no such QR order', 404);
          const o = await expireIfDue(sim, q, found);
          if (o.status !== 'NOTPAY') return bad('NOT_PAYABLE', `order is ${o.status}`, 409);
          const w = await q.get<WalletRow>('SELECT * FROM wallets WHERE id = ?', [walletId]);
          if (!w) return bad('WALLET_NOT_EXIST', 'no such wallet', 404);
          await q.run('UPDATE orders SET wallet_id = ? WHERE terminal_id = ? AND out_trade_no = ?', [w.id, o.terminal_id, o.out_trade_no]);
          const withWallet = { ...o, wallet_id: w.id };
          if ((await debit(q, withWallet, w.id, now)) !== 'ok') return bad('NOT_ENOUGH', 'balance too low', 409);
          return ok(tradeAnswer(await setStatus(q, withWallet, 'SUCCESS', now)));
        });
      },
    },
    {
      method: 'POST',
      path: '/sim/faults',
      async handle(req) {
        const parsed = z.object({ rules: z.array(FaultRule).max(100), append: z.boolean().default(false) }).strict().safeParse(req.body);
        if (!parsed.success) return bad('BAD_REQUEST', 'rules must be a list of fault rules');
        if (parsed.data.append) sim.faults.add(parsed.data.rules);
        else sim.faults.set(parsed.data.rules);
        return ok({ rules: sim.faults.pending() });
      },
    },
    {
      method: 'POST',
      path: '/sim/faults/clear',
      async handle() {
        sim.faults.clear();
        return ok({ rules: [] });
      },
    },
    {
      method: 'GET',
      path: '/sim/orders',
      async handle(req) {
        const orders = await sim.db.all('SELECT out_trade_no, trade_no, kind, amount_fen, wallet_id, status, err_code, refunded_fen, created_at FROM orders WHERE terminal_id = ? ORDER BY created_at', [req.terminalId]);
        const ledger = await sim.db.all('SELECT * FROM ledger WHERE terminal_id = ? ORDER BY seq', [req.terminalId]);
        return ok({ orders, ledger });
      },
    },
  ];
}
