import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

const movement = (seq: number, over: Record<string, unknown> = {}) => ({
  seq, at: 1000 + seq, day: '2026-03-02', kind: 'withdrawal', channel: 'service', ref: `T${seq}`, amount_fen: 29_000,
  subject_type: 'phone', subject_key: 'h'.repeat(64), subject_masked: '138****5678', near_limit: 1, line_fen: 30_000, ...over,
});
const kase = (over: Record<string, unknown> = {}) => ({
  id: 1, case_no: 'AML202603020001', rule: 'near_limit_repeated', subject_type: 'phone', subject_key: 'h'.repeat(64), subject_masked: '138****5678',
  day: '2026-03-02', opened_at: 1003, last_at: 1003, count: 3, total_fen: 87_000, figures: '{}', status: 'open', updated_at: 1003, ...over,
});

async function insert(db: Db, table: string, row: Record<string, unknown>) {
  const keys = Object.keys(row);
  await db.run(`INSERT INTO ${table} (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`, Object.values(row) as never);
}

describe('migration 250: the AML watcher', () => {
  it('keeps identifiers masked, a reported case final and evidence for good', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id < 250));
      expect(await migrate(db, migrations)).toContain(250);
      await insert(db, 'aml_state', { id: 1, journal_seq: 0, salt: 'a'.repeat(64) });
      await expect(insert(db, 'aml_state', { id: 2, journal_seq: 0, salt: 'a'.repeat(64) })).rejects.toThrow(/CHECK/);
      await insert(db, 'aml_movements', movement(1));
      await insert(db, 'aml_movements', movement(2, { subject_masked: '…1234', subject_type: 'wallet' }));
      await insert(db, 'aml_movements', movement(3, { subject_type: null, subject_key: null, subject_masked: '**** 5678', kind: 'remittance' }));
      // A plain phone number or account never fits where a masked one goes.
      await expect(insert(db, 'aml_movements', movement(4, { subject_masked: '13812345678' }))).rejects.toThrow(/CHECK/);
      await expect(insert(db, 'aml_movements', movement(5, { subject_type: null }))).rejects.toThrow(/CHECK/);
      await expect(insert(db, 'aml_movements', movement(6, { amount_fen: 0 }))).rejects.toThrow(/CHECK/);
      await expect(insert(db, 'aml_movements', movement(7, { amount_fen: 1.5 }))).rejects.toThrow(/CHECK/);
      await expect(insert(db, 'aml_cases', kase({ subject_masked: '6217000011112222' }))).rejects.toThrow(/CHECK/);
      // A case is noted or reported only with a note, and reported only with its time.
      await expect(insert(db, 'aml_cases', kase({ status: 'noted' }))).rejects.toThrow(/CHECK/);
      await expect(insert(db, 'aml_cases', kase({ status: 'reported', note: '已核实' }))).rejects.toThrow(/CHECK/);
      await insert(db, 'aml_cases', kase());
      await insert(db, 'aml_evidence', { case_id: 1, movement_seq: 1 });
      await expect(insert(db, 'aml_evidence', { case_id: 1, movement_seq: 99 })).rejects.toThrow(/FOREIGN KEY/);
      await expect(db.run("UPDATE aml_cases SET note = 'x' , status = 'noted' WHERE id = 1")).rejects.toThrow(/CHECK/);
      await db.run("UPDATE aml_cases SET note = '已核实', status = 'noted' WHERE id = 1");
      await db.run("UPDATE aml_cases SET status = 'reported', reported_at = 2000 WHERE id = 1");
      await expect(db.run("UPDATE aml_cases SET status = 'open' WHERE id = 1")).rejects.toThrow(/final/);
      await expect(db.run('DELETE FROM aml_evidence')).rejects.toThrow(/never removed/);
    } finally {
      await db.close();
    }
  });
});
