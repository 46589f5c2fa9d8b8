/**
 * The cashier's history search, shared by every table the history is read from (the payment
 * engine's payments, core/offline's outbox, core/agent's bill payments): an order-number
 * fragment, an exact amount, a time range, and per source any condition of its own (the kind
 * of row). One query shape, so each source filters alike and orders alike — created-at, then
 * order number, both descending — and their pages merge into one consistent list.
 */
import type { Queryable } from './db';

export interface HistoryFilter {
  /**
   * A fragment of the order number (LIKE wildcards in it are matched literally); four letters or
   * digits also match the last four of the masked payment code, which the cashier sees on the
   * screen (an offline code's are the wallet's, hex: `OC1 **** 8D74`).
   */
  text?: string;
  amountFen?: number;
  from?: number;
  to?: number;
}

/** The source's column names (trusted identifiers written in code, never input). */
export interface HistoryColumns {
  table: string;
  orderNo: string;
  amount: string;
  time: string;
  /** What to select (`*` by default). */
  select?: string;
  /** The masked payment code (`1345 **** **** 6789`, `OC1 **** 6789`), for a search by its last four. */
  masked?: string;
}

/** A condition of the source's own, with its parameters. */
export type HistoryCondition = { sql: string; params: Array<string | number> };

type Param = string | number;

/** The WHERE clause and parameters of a filter, conditions of the source's own included. */
export function historyWhere(f: HistoryFilter, c: Pick<HistoryColumns, 'orderNo' | 'amount' | 'time' | 'masked'>, extra: HistoryCondition[] = []): { sql: string; params: Param[] } {
  const where: string[] = [];
  const params: Param[] = [];
  if (f.text) {
    const byOrder = `${c.orderNo} LIKE ? ESCAPE '\\'`;
    params.push(`%${f.text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    // Four letters or digits: the masked code's tail (after its last space), never its first four.
    if (c.masked && /^[0-9A-Za-z]{4}$/.test(f.text)) {
      where.push(`(${byOrder} OR ${c.masked} LIKE ?)`);
      params.push(`% ${f.text}`);
    } else where.push(byOrder);
  }
  if (f.amountFen !== undefined) {
    where.push(`${c.amount} = ?`);
    params.push(f.amountFen);
  }
  if (f.from !== undefined) {
    where.push(`${c.time} >= ?`);
    params.push(f.from);
  }
  if (f.to !== undefined) {
    where.push(`${c.time} <= ?`);
    params.push(f.to);
  }
  for (const x of extra) {
    where.push(x.sql);
    params.push(...x.params);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** One page of a source's rows matching the filter, newest first (created-at, then order number). */
export function historyRows<R>(
  q: Queryable,
  c: HistoryColumns,
  f: HistoryFilter & { limit: number; offset?: number },
  extra: HistoryCondition[] = [],
): Promise<R[]> {
  const w = historyWhere(f, c, extra);
  return q.all<R>(
    `SELECT ${c.select ?? '*'} FROM ${c.table} ${w.sql} ORDER BY ${c.time} DESC, ${c.orderNo} DESC LIMIT ? OFFSET ?`,
    [...w.params, f.limit, f.offset ?? 0],
  );
}

/**
 * Merges lists that are each newest first into one page: the first `offset + limit` of every
 * source, merged, then the page. Exact, since no row of the page can lie beyond the first
 * `offset + limit` rows of its own source.
 */
export function mergeNewestFirst<T extends { createdAt: number; orderNo: string }>(lists: T[][], offset: number, limit: number): T[] {
  return lists
    .flat()
    .sort((a, b) => b.createdAt - a.createdAt || (a.orderNo < b.orderNo ? 1 : a.orderNo > b.orderNo ? -1 : 0))
    .slice(offset, offset + limit);
}
