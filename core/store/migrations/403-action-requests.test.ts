import { describe, expect, it } from 'vitest';
import { Db } from '../db';
import { migrate } from '../migrate';
import { migrations } from './index';

describe('migration 403: request ids of service-point and settings actions', () => {
  it('keeps one row per id, whatever the method, and never changes it', async () => {
    const db = await Db.open({ filename: ':memory:' });
    try {
      await migrate(db, migrations.filter((m) => m.id !== 403));
      expect(await migrate(db, migrations)).toEqual([403]);
      const add = (id: string, method: string) =>
        db.run('INSERT INTO action_requests (request_id, method, params_hash, ref, created_at) VALUES (?, ?, ?, ?, 0)', [id, method, 'h', 'W1']);
      await add('req-0000000000000001', 'agent:withdraw');
      await expect(add('req-0000000000000001', 'agent:billPay')).rejects.toThrow(/UNIQUE/);
      await expect(add('short', 'agent:billPay')).rejects.toThrow(/CHECK/);
      await expect(db.run("UPDATE action_requests SET ref = 'W2'")).rejects.toThrow(/never changed/);
      expect(await db.all('SELECT request_id, method, ref FROM action_requests')).toEqual([{ request_id: 'req-0000000000000001', method: 'agent:withdraw', ref: 'W1' }]);
    } finally {
      await db.close();
    }
  });
});
