import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

describe('migration 003: must change PIN', () => {
  it('adds the flag to existing operators, off, so nobody already working is made to change their PIN', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id !== 3));
      await db.run("INSERT INTO operators (id, name, role, pin_hash) VALUES ('c1', 'C', 'cashier', 'h')");
      expect(await migrate(db, migrations)).toEqual([3]);
      expect(await db.all('SELECT id, active, must_change_pin FROM operators')).toEqual([{ id: 'c1', active: 1, must_change_pin: 0 }]);
      await expect(db.run("INSERT INTO operators (id, name, role, pin_hash, must_change_pin) VALUES ('c2', 'C', 'cashier', 'h', NULL)")).rejects.toThrow(/NOT NULL/);
    } finally {
      await db.close();
    }
  });
});
