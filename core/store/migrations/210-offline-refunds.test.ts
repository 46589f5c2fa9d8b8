import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

async function insert(db: Db, table: string, row: Record<string, unknown>) {
  const keys = Object.keys(row);
  await db.run(`INSERT INTO ${table} (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`, Object.values(row) as never);
}
const item = (orderNo: string, status: string, amountFen: number, counter: number) => ({
  order_no: orderNo, wallet_id: 'W1', counter, code_time: 1, amount_fen: amountFen, purpose: 'sale', code: null, masked: 'OC1 **** 0001',
  status, flags: '[]', contact: null, accepted_at: 1000, day: '2026-11-28', updated_at: 1000, operator_id: null, training: 1,
});
const refund = (refundNo: string, orderNo: string, amountFen: number, state = 'created') => ({
  refund_no: refundNo, order_no: orderNo, amount_fen: amountFen, state, reason: 'r', created_at: 1, updated_at: 1,
});

describe('migration 210: refunds of offline payments the acquirer confirmed', () => {
  it('keeps existing refunds, and lets a refund name only a payment or an offline item whose money moved, never beyond its amount', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id < 210));
      await insert(db, 'payments', {
        order_no: 'T0001A', terminal_id: 'T0001', kind: 'code', tender: 'wechat', amount_fen: 500, state: 'succeeded',
        message_zh: 'x', message_en: 'x', training: 1, created_at: 1, updated_at: 1,
      });
      await insert(db, 'refunds', refund('T0001AR01', 'T0001A', 200, 'succeeded'));
      await insert(db, 'offline_items', item('OFOK', 'accepted', 1_000, 1));
      await insert(db, 'offline_items', item('OFPEND', 'pending', 1_000, 2));
      await insert(db, 'offline_items', item('OFNO', 'declined', 1_000, 3));
      await insert(db, 'offline_items', item('OFREV', 'needs_review', 300, 4));

      expect(await migrate(db, migrations)).toContain(210);
      expect(await db.all('SELECT refund_no, order_no, amount_fen, state FROM refunds')).toEqual([
        { refund_no: 'T0001AR01', order_no: 'T0001A', amount_fen: 200, state: 'succeeded' },
      ]);
      expect(await db.all("SELECT * FROM pragma_foreign_key_list('refunds')")).toEqual([]);
      expect((await db.all<{ name: string }>("SELECT name FROM pragma_index_list('refunds')")).map((i) => i.name)).toEqual(
        expect.arrayContaining(['refunds_order', 'refunds_state']),
      );

      // Orders of the payments table: as before (their own CHECK bounds the refunded amount).
      await insert(db, 'refunds', refund('T0001AR02', 'T0001A', 300));
      // Nothing paid, or not paid yet: refused.
      await expect(insert(db, 'refunds', refund('NOSUCHR01', 'NOSUCH', 1))).rejects.toThrow(/no payment and no confirmed offline item/);
      await expect(insert(db, 'refunds', refund('OFPENDR01', 'OFPEND', 1))).rejects.toThrow(/no payment and no confirmed offline item/);
      await expect(insert(db, 'refunds', refund('OFNOR01', 'OFNO', 1))).rejects.toThrow(/no payment and no confirmed offline item/);
      // Confirmed offline items: up to their amount, counting every refund that has not failed.
      await insert(db, 'refunds', refund('OFOKR01', 'OFOK', 600, 'succeeded'));
      await insert(db, 'refunds', refund('OFOKR02', 'OFOK', 300, 'failed'));
      await expect(insert(db, 'refunds', refund('OFOKR03', 'OFOK', 401))).rejects.toThrow(/more than the offline payment/);
      await insert(db, 'refunds', refund('OFOKR03', 'OFOK', 400));
      await expect(insert(db, 'refunds', refund('OFOKR04', 'OFOK', 1))).rejects.toThrow(/more than the offline payment/);
      await insert(db, 'refunds', refund('OFREVR01', 'OFREV', 300));
    } finally {
      await db.close();
    }
  });
});
