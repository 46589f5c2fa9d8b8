/**
 * Protocol routes of a charge: pay (barcode), query, cancel/reverse, precreate (merchant QR).
 * Every route is idempotent on the merchant order number, as acquirers are: a retried pay
 * with the same out_trade_no returns the first one's result and never charges again; a
 * cancel of an order never seen leaves a closed tombstone so a late pay cannot charge.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../store/db';
import type { WireTradeResponse } from '../sandbox/wire';
import { bad, field, isFen, isOrderNo, isStr, ok, type Route, type SimContext } from './context';

export interface OrderRow {
  terminal_id: string;
  out_trade_no: string;
  trade_no: string;
  kind: 'barcode' | 'qr' | 'tombstone';
  amount_fen: number;
  wallet_id: string | null;
  status: 'SUCCESS' | 'USERPAYING' | 'NOTPAY' | 'CLOSED' | 'REVERSED' | 'PAYERROR';
  err_code: string | null;
  err_zh: string | null;
  err_en: string | null;
  forever: number;
  qr_content: string | null;
  qr_expires_at: number | null;
  refunded_fen: number;
  created_at: number;
  updated_at: number;
}

export interface WalletRow {
  id: string;
  name: string;
  scheme: 'wechat' | 'alipay' | 'unionpay' | 'face';
  balance_fen: number;
  needs_password: number;
  single_limit_fen: number;
}

export function tradeAnswer(o: OrderRow): WireTradeResponse {
  const r: WireTradeResponse = { result: 'OK', trade_status: o.status, trade_no: o.trade_no, out_trade_no: o.out_trade_no, total_fen: o.amount_fen };
  if (o.err_code) Object.assign(r, { err_code: o.err_code, err_zh: o.err_zh ?? undefined, err_en: o.err_en ?? undefined });
  if (o.qr_content) Object.assign(r, { qr_content: o.qr_content, expires_at: o.qr_expires_at ?? undefined });
  return r;
}

export function getOrder(q: Queryable, terminalId: string, outTradeNo: string): Promise<OrderRow | undefined> {
  return q.get<OrderRow>('SELECT * FROM orders WHERE terminal_id = ? AND out_trade_no = ?', [terminalId, outTradeNo]);
}

function tradeNo(): string {
  return `SIM${Date.now().toString(36).toUpperCase()}${randomBytes(5).toString('hex').toUpperCase()}`;
}

export async function insertOrder(q: Queryable, o: Omit<OrderRow, 'trade_no' | 'refunded_fen' | 'forever' | 'err_zh' | 'err_en' | 'qr_content' | 'qr_expires_at'> & Partial<OrderRow>): Promise<OrderRow> {
  const row: OrderRow = { trade_no: tradeNo(), refunded_fen: 0, forever: 0, err_zh: null, err_en: null, qr_content: null, qr_expires_at: null, ...o };
  await q.run(
    `INSERT INTO orders (terminal_id, out_trade_no, trade_no, kind, amount_fen, wallet_id, status, err_code, err_zh, err_en, forever, qr_content, qr_expires_at, refunded_fen, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.terminal_id, row.out_trade_no, row.trade_no, row.kind, row.amount_fen, row.wallet_id, row.status, row.err_code, row.err_zh, row.err_en, row.forever, row.qr_content, row.qr_expires_at, row.refunded_fen, row.created_at, row.updated_at],
  );
  return row;
}

export async function setStatus(q: Queryable, o: OrderRow, status: OrderRow['status'], now: number, err?: { code: string; zh?: string; en?: string }): Promise<OrderRow> {
  await q.run('UPDATE orders SET status = ?, err_code = ?, err_zh = ?, err_en = ?, updated_at = ? WHERE terminal_id = ? AND out_trade_no = ?', [
    status, err?.code ?? o.err_code, err?.zh ?? o.err_zh, err?.en ?? o.err_en, now, o.terminal_id, o.out_trade_no,
  ]);
  return { ...o, status, updated_at: now, err_code: err?.code ?? o.err_code, err_zh: err?.zh ?? o.err_zh, err_en: err?.en ?? o.err_en };
}

/** Moves money out of a wallet for an order: balance and ledger row in one transaction. */
export async function debit(q: Queryable, o: OrderRow, walletId: string, now: number): Promise<'ok' | 'NOT_ENOUGH'> {
  const r = await q.run('UPDATE wallets SET balance_fen = balance_fen - ? WHERE id = ? AND balance_fen >= ?', [o.amount_fen, walletId, o.amount_fen]);
  if (r.changes !== 1) return 'NOT_ENOUGH';
  await q.run('INSERT INTO ledger (at, wallet_id, terminal_id, out_trade_no, ref_no, kind, amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    now, walletId, o.terminal_id, o.out_trade_no, o.trade_no, 'payment', o.amount_fen,
  ]);
  return 'ok';
}

export async function credit(q: Queryable, o: OrderRow, kind: 'refund' | 'reversal', refNo: string, amountFen: number, now: number): Promise<void> {
  await q.run('UPDATE wallets SET balance_fen = balance_fen + ? WHERE id = ?', [amountFen, o.wallet_id]);
  await q.run('INSERT INTO ledger (at, wallet_id, terminal_id, out_trade_no, ref_no, kind, amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    now, o.wallet_id, o.terminal_id, o.out_trade_no, refNo, kind, -amountFen,
  ]);
}

/** Closes orders whose wait ran out (USERPAYING unanswered, QR unpaid) when they are looked at. */
export async function expireIfDue(sim: SimContext, q: Queryable, o: OrderRow): Promise<OrderRow> {
  const now = sim.now();
  if (o.status === 'USERPAYING' && !o.forever && now - o.created_at > sim.options.userpayingTimeoutMs) return setStatus(q, o, 'CLOSED', now);
  if (o.status === 'NOTPAY' && o.qr_expires_at !== null && now > o.qr_expires_at) return setStatus(q, o, 'CLOSED', now);
  return o;
}

const DAY_MS = 24 * 3600_000;
/** The acquirer's business day is China's calendar day (UTC+8). */
export function chinaDay(t: number): string {
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 10);
}

export function paymentRoutes(sim: SimContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/pay',
      op: 'pay',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        const code = field(req.body, 'auth_code', isStr(64));
        const amount = field(req.body, 'total_fen', isFen);
        if (!outTradeNo || !code || !amount) return bad('BAD_REQUEST', 'out_trade_no, auth_code and total_fen are required');
        return sim.db.tx(async (q) => {
          const now = sim.now();
          const existing = await getOrder(q, req.terminalId, outTradeNo);
          if (existing) {
            // Idempotent retry: the first attempt's result, never a second charge.
            if (existing.kind !== 'tombstone' && existing.amount_fen !== amount) {
              return ok({ result: 'FAIL', err_code: 'ORDER_MISMATCH', err_en: 'out_trade_no reused with another amount' });
            }
            return ok(tradeAnswer(await expireIfDue(sim, q, existing)));
          }
          const base = { terminal_id: req.terminalId, out_trade_no: outTradeNo, kind: 'barcode' as const, amount_fen: amount, created_at: now, updated_at: now };
          const fail = async (errCode: string, walletId: string | null = null) =>
            ok(tradeAnswer(await insertOrder(q, { ...base, wallet_id: walletId, status: 'PAYERROR', err_code: errCode })));
          const c = await q.get<{ wallet_id: string; expires_at: number; used_by: string | null }>('SELECT * FROM codes WHERE code = ?', [code]);
          if (!c) return fail('CODE_INVALID');
          if (c.used_by) return fail('CODE_USED', c.wallet_id);
          if (c.expires_at < now) return fail('CODE_EXPIRED', c.wallet_id);
          await q.run('UPDATE codes SET used_by = ? WHERE code = ?', [`${req.terminalId}/${outTradeNo}`, code]);
          if (req.fault?.kind === 'decline') return fail(req.fault.reason || 'DECLINED', c.wallet_id);
          const w = await q.get<WalletRow>('SELECT * FROM wallets WHERE id = ?', [c.wallet_id]);
          if (!w) return fail('CODE_INVALID');
          if (amount > w.single_limit_fen) return fail('LIMIT_EXCEEDED', w.id);
          if (amount > w.balance_fen) return fail('NOT_ENOUGH', w.id);
          const forever = req.fault?.kind === 'userpaying_forever';
          if (w.needs_password || forever) {
            return ok(tradeAnswer(await insertOrder(q, { ...base, wallet_id: w.id, status: 'USERPAYING', err_code: null, forever: forever ? 1 : 0 })));
          }
          const o = await insertOrder(q, { ...base, wallet_id: w.id, status: 'SUCCESS', err_code: null });
          if ((await debit(q, o, w.id, now)) !== 'ok') {
            return ok(tradeAnswer(await setStatus(q, o, 'PAYERROR', now, { code: 'NOT_ENOUGH' })));
          }
          return ok(tradeAnswer(o));
        });
      },
    },
    {
      method: 'POST',
      path: '/v1/query',
      op: 'query',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        if (!outTradeNo) return bad('BAD_REQUEST', 'out_trade_no is required');
        return sim.db.tx(async (q) => {
          const o = await getOrder(q, req.terminalId, outTradeNo);
          if (!o) return ok({ result: 'FAIL', err_code: 'ORDER_NOT_EXIST', out_trade_no: outTradeNo });
          return ok(tradeAnswer(await expireIfDue(sim, q, o)));
        });
      },
    },
    {
      method: 'POST',
      path: '/v1/cancel',
      op: 'cancel',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        if (!outTradeNo) return bad('BAD_REQUEST', 'out_trade_no is required');
        return sim.db.tx(async (q) => {
          const now = sim.now();
          const o = await getOrder(q, req.terminalId, outTradeNo);
          if (!o) {
            // Never seen: leave a closed tombstone so a pay still in flight is refused on arrival.
            const t = await insertOrder(q, {
              terminal_id: req.terminalId, out_trade_no: outTradeNo, kind: 'tombstone', amount_fen: 0, wallet_id: null,
              status: 'CLOSED', err_code: null, created_at: now, updated_at: now,
            });
            return ok(tradeAnswer(t));
          }
          switch (o.status) {
            case 'USERPAYING':
            case 'NOTPAY':
              return ok(tradeAnswer(await setStatus(q, o, 'CLOSED', now)));
            case 'CLOSED':
            case 'REVERSED':
              return ok(tradeAnswer(o));
            case 'PAYERROR':
              return ok({ ...tradeAnswer(o), trade_status: 'CLOSED' });
            case 'SUCCESS': {
              // Reverse only a same-day trade with nothing refunded yet (acquirers' rule).
              if (o.refunded_fen > 0 || chinaDay(o.created_at) !== chinaDay(now) || now - o.created_at > DAY_MS) {
                return ok({ result: 'FAIL', err_code: 'CANCEL_NOT_ALLOWED', out_trade_no: o.out_trade_no });
              }
              await credit(q, o, 'reversal', o.trade_no, o.amount_fen, now);
              return ok(tradeAnswer(await setStatus(q, o, 'REVERSED', now)));
            }
          }
        });
      },
    },
    {
      method: 'POST',
      path: '/v1/precreate',
      op: 'precreate',
      async handle(req) {
        const outTradeNo = field(req.body, 'out_trade_no', isOrderNo);
        const amount = field(req.body, 'total_fen', isFen);
        const expiresIn = field(req.body, 'expires_in_s', (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 3600);
        if (!outTradeNo || !amount || !expiresIn) return bad('BAD_REQUEST', 'out_trade_no, total_fen and expires_in_s are required');
        return sim.db.tx(async (q) => {
          const now = sim.now();
          const existing = await getOrder(q, req.terminalId, outTradeNo);
          if (existing) {
            if (existing.amount_fen !== amount) return ok({ result: 'FAIL', err_code: 'ORDER_MISMATCH' });
            return ok(tradeAnswer(await expireIfDue(sim, q, existing)));
          }
          const token = randomBytes(12).toString('base64url');
          const o = await insertOrder(q, {
            terminal_id: req.terminalId, out_trade_no: outTradeNo, kind: 'qr', amount_fen: amount, wallet_id: null,
            status: 'NOTPAY', err_code: null, created_at: now, updated_at: now,
            qr_content: `https://qr.sim.invalid/p/${token}`, qr_expires_at: now + expiresIn * 1000,
          });
          return ok(tradeAnswer(o));
        });
      },
    },
  ];
}
