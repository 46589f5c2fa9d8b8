/**
 * What a simulator route group receives and returns. Each group lives in its own file
 * (payment-routes.ts, refund-routes.ts, …) and is listed in routes.ts, so a new group (e.g.
 * offline batches) is one new file and one line there.
 */
import type { Db } from '../../store/db';
import type { FaultPlan, FaultRule } from './faults';

export interface SimOptions {
  /** Life of a freshly issued payment code. */
  codeLifeMs: number;
  /** A USERPAYING order the customer never answers closes after this (Alipay: 3 min). */
  userpayingTimeoutMs: number;
  /**
   * What `/v1/ping` says of this acquirer: true (no real money moves) unless the simulator was
   * started as a stand-in for a live acquirer, which only tests of the live checks do.
   */
  training: boolean;
}

export interface SimContext {
  db: Db;
  faults: FaultPlan;
  options: SimOptions;
  now(): number;
}

export interface SimRequest {
  /** The terminal whose key signed the request. */
  terminalId: string;
  body: unknown;
  query: URLSearchParams;
  /** The fault chosen for this request, if any (already applied to transport by the server). */
  fault: FaultRule | null;
}

export interface SimResponse {
  status: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Protocol operation name: only routes with an `op` are subject to fault injection. */
  op?: string;
  handle(req: SimRequest): Promise<SimResponse>;
}

export type RouteGroup = (sim: SimContext) => Route[];

export function ok(body: unknown): SimResponse {
  return { status: 200, body };
}

export function bad(code: string, en: string, status = 400): SimResponse {
  return { status, body: { result: 'FAIL', err_code: code, err_en: en } };
}

/** A body field check that refuses with 400 rather than throwing. */
export function field<T>(body: unknown, name: string, check: (v: unknown) => v is T): T | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>)[name];
  return check(v) ? v : undefined;
}

export const isStr = (max: number) => (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
export const isFen = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v <= 100_000_000;
export const isOrderNo = (v: unknown): v is string => typeof v === 'string' && /^[A-Z0-9]{8,40}$/.test(v);
