import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from './db';
import { historyRows, historyWhere, mergeNewestFirst } from './history-filter';

const COLS = { table: 't', orderNo: 'no', amount: 'fen', time: 'at' };

describe('the shared history filter', () => {
  let db: Db;
  beforeEach(async () => {
    db = await Db.open({ filename: ':memory:' });
    await db.exec('CREATE TABLE t (no TEXT PRIMARY KEY, fen INTEGER, at INTEGER, k TEXT)');
    for (const [no, fen, at, k] of [['A1_X', 100, 10, 's'], ['A2%Y', 200, 20, 'w'], ['B3', 100, 30, 's'], ['B4', 300, 30, 'w']] as const) {
      await db.run('INSERT INTO t VALUES (?, ?, ?, ?)', [no, fen, at, k]);
    }
  });
  afterEach(() => db.close());
  const nos = async (f: Parameters<typeof historyRows>[2], extra?: Parameters<typeof historyRows>[3]) =>
    (await historyRows<{ no: string }>(db, COLS, f, extra)).map((r) => r.no);

  it('orders newest first, then by order number, and pages', async () => {
    expect(await nos({ limit: 10 })).toEqual(['B4', 'B3', 'A2%Y', 'A1_X']);
    expect(await nos({ limit: 2, offset: 1 })).toEqual(['B3', 'A2%Y']);
  });

  it('matches LIKE wildcards in the text literally', async () => {
    expect(await nos({ text: '_', limit: 10 })).toEqual(['A1_X']);
    expect(await nos({ text: '%', limit: 10 })).toEqual(['A2%Y']);
    expect(await nos({ text: 'B', limit: 10 })).toEqual(['B4', 'B3']);
  });

  it('combines amount, time range and the source’s own condition', async () => {
    expect(await nos({ amountFen: 100, limit: 10 })).toEqual(['B3', 'A1_X']);
    expect(await nos({ from: 20, to: 29, limit: 10 })).toEqual(['A2%Y']);
    expect(await nos({ limit: 10 }, [{ sql: 'k = ?', params: ['w'] }])).toEqual(['B4', 'A2%Y']);
    expect(historyWhere({}, COLS)).toEqual({ sql: '', params: [] });
  });

  it('finds a payment by the last four digits its masked code shows (issue 12), and only by those', async () => {
    await db.exec('CREATE TABLE m (no TEXT PRIMARY KEY, fen INTEGER, at INTEGER, masked TEXT)');
    for (const [no, masked, at] of [['P1', '1345 **** **** 6789', 1], ['P2', 'OC1 **** 6789', 2], ['P5', 'OC1 **** 8D74', 5], ['P3', '6789 **** **** 1111', 3], ['P6789', null, 4]] as const) {
      await db.run('INSERT INTO m VALUES (?, 100, ?, ?)', [no, at, masked]);
    }
    const MCOLS = { table: 'm', orderNo: 'no', amount: 'fen', time: 'at', masked: 'masked' };
    const found = async (text: string) => (await historyRows<{ no: string }>(db, MCOLS, { text, limit: 10 })).map((r) => r.no);
    // The code's tail or an order number holding the digits; never the code's first four.
    expect(await found('6789')).toEqual(['P6789', 'P2', 'P1']);
    expect(await found('1111')).toEqual(['P3']);
    expect(await found('8d74')).toEqual(['P5']);
    // Not four digits: the order number only, as before.
    expect(await found('789')).toEqual(['P6789']);
  });

  it('merges lists into one page exactly as one list would', () => {
    const a = [{ orderNo: 'B', createdAt: 5 }, { orderNo: 'A', createdAt: 1 }];
    const b = [{ orderNo: 'C', createdAt: 5 }, { orderNo: 'D', createdAt: 3 }];
    expect(mergeNewestFirst([a, b], 0, 10).map((x) => x.orderNo)).toEqual(['C', 'B', 'D', 'A']);
    expect(mergeNewestFirst([a, b], 1, 2).map((x) => x.orderNo)).toEqual(['B', 'D']);
  });
});
