import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

async function fresh(): Promise<Db> {
  const db = await Db.open({ filename: ':memory:' });
  await migrate(db, migrations);
  return db;
}

const item = (n: number, over: Record<string, unknown> = {}) => ({
  order_no: `OFX${n}`, wallet_id: 'W1', counter: n, code_time: 1, amount_fen: 100, purpose: 'sale', code: null, masked: 'OC1 **** 0001',
  status: 'pending', flags: '[]', contact: null, accepted_at: 1000 + n, day: '2026-11-28', updated_at: 1000 + n, operator_id: null, training: 1,
  near_limit: 0, ...over,
});

async function insert(q: Pick<Db, 'run'>, row: Record<string, unknown>) {
  const keys = Object.keys(row);
  await q.run(`INSERT INTO offline_items (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`, Object.values(row) as never);
}

describe('migrations 200–201: offline outbox and its counters', () => {
  it('moves the day and replay counters with each accepted item, in the same statement', async () => {
    const db = await fresh();
    await insert(db, item(1));
    await insert(db, item(2, { amount_fen: 250, purpose: 'cash_out', near_limit: 1 }));
    expect(await db.get('SELECT total_fen, count, near_limit, cash_outs FROM risk_wallet_day WHERE wallet_id = ?', ['W1'])).toEqual({ total_fen: 350, count: 2, near_limit: 1, cash_outs: 1 });
    expect(await db.get('SELECT last_counter FROM offline_wallets WHERE wallet_id = ?', ['W1'])).toEqual({ last_counter: 2 });
    await db.close();
  });

  it('leaves the counters untouched when the accept transaction rolls back', async () => {
    const db = await fresh();
    await insert(db, item(1));
    await expect(db.tx(async (q) => {
      await insert(q, item(2));
      throw new Error('crash before commit');
    })).rejects.toThrow();
    expect(await db.get('SELECT total_fen, count FROM risk_wallet_day')).toEqual({ total_fen: 100, count: 1 });
    await db.close();
  });

  it('refuses the same wallet code twice and a non-positive amount', async () => {
    const db = await fresh();
    await insert(db, item(1));
    await expect(insert(db, item(1, { order_no: 'OFOTHER' }))).rejects.toThrow(/UNIQUE/);
    await expect(insert(db, item(3, { amount_fen: 0 }))).rejects.toThrow(/CHECK/);
    await db.close();
  });
});
