/**
 * Wire types of the sandbox acquirer protocol (simulator/PROTOCOL.md). Field names follow the
 * snake_case habit of Chinese acquirer APIs. Only sandbox/adapter.ts, sandbox/mapping.ts and
 * the simulator use these; the engine sees core/acquirer/types.ts only.
 */

/** Trade status as the sandbox acquirer reports it. */
export type WireTradeStatus =
  | 'SUCCESS' // paid
  | 'USERPAYING' // waiting for the customer's password
  | 'NOTPAY' // merchant QR shown, not yet paid
  | 'CLOSED' // closed unpaid (expired, cancelled, customer refused)
  | 'REVERSED' // paid, then cancelled: money returned
  | 'PAYERROR'; // declined (see err_code)

export interface WirePayRequest {
  out_trade_no: string;
  auth_code: string;
  total_fen: number;
  subject: string;
}

export interface WirePrecreateRequest {
  out_trade_no: string;
  total_fen: number;
  subject: string;
  expires_in_s: number;
}

export interface WireOrderRef {
  out_trade_no: string;
}

export interface WireRefundRequest {
  out_trade_no: string;
  out_refund_no: string;
  refund_fen: number;
  total_fen: number;
  reason: string;
}

/** Every business answer: HTTP 200 with `result` OK or FAIL. */
export interface WireTradeResponse {
  result: 'OK' | 'FAIL';
  trade_status?: WireTradeStatus;
  trade_no?: string;
  out_trade_no?: string;
  total_fen?: number;
  qr_content?: string;
  expires_at?: number;
  err_code?: string;
  err_zh?: string;
  err_en?: string;
}

/** `POST /v1/refund/query`: what became of a refund number. */
export interface WireRefundQueryRequest {
  out_trade_no: string;
  out_refund_no: string;
}

/** A refund's answer, and a refund query's (`FAIL REFUND_NOT_EXIST`: never seen). */
export interface WireRefundResponse {
  result: 'OK' | 'FAIL';
  refund_status?: 'SUCCESS';
  out_refund_no?: string;
  out_trade_no?: string;
  refund_fen?: number;
  err_code?: string;
  err_zh?: string;
  err_en?: string;
}

export interface WireStatement {
  date: string;
  lines: Array<{ kind: 'payment' | 'refund' | 'reversal'; out_trade_no: string; ref_no: string; amount_fen: number; at: number }>;
  total_fen: number;
}

/**
 * Offline routes (`/offline/v1/*`, camelCase like the rest of them): the refund of a forwarded
 * item the acquirer took the money for. Business answers are HTTP 200; `refused` moved nothing.
 */
export interface WireOfflineRefundRequest {
  orderNo: string;
  refundNo: string;
  amountFen: number;
  /** The item's full amount as the terminal knows it. */
  totalFen: number;
  reason: string;
}

/** Why an offline refund was refused (nothing moved). */
export type WireOfflineRefundRefusal =
  | 'order_not_found' // the acquirer has no forwarded item with this order number from this terminal
  | 'not_refundable' // it has one, but took no money for it (declined)
  | 'order_mismatch' // totalFen is not the item's amount
  | 'exceeds' // the refunds would pass the item's amount; `leftFen` says what is left
  | 'refund_no_reused'; // the refund number was used before with another order or amount

export type WireOfflineRefundReply =
  | { refundNo: string; status: 'succeeded'; orderNo: string; amountFen: number; refundedFen: number; replayed: boolean }
  | { refundNo: string; status: 'refused'; reason: WireOfflineRefundRefusal; leftFen?: number };

/** `GET /offline/v1/refund?refundNo=`: what became of a refund number. */
export type WireOfflineRefundQueryReply =
  | { refundNo: string; status: 'succeeded'; orderNo: string; amountFen: number }
  | { refundNo: string; status: 'not_found' };

/** Error codes the sandbox acquirer uses (err_code). */
export const WIRE_ERRORS = [
  'ORDER_NOT_EXIST',
  'CODE_INVALID',
  'CODE_EXPIRED',
  'CODE_USED',
  'NOT_ENOUGH',
  'LIMIT_EXCEEDED',
  'DECLINED',
  'USER_CANCELLED',
  'ORDER_MISMATCH',
  'REFUND_EXCEEDS',
  'REFUND_NOT_ALLOWED',
  'REFUND_NOT_EXIST',
  'CANCEL_NOT_ALLOWED',
  'BAD_REQUEST',
  'AUTH_FAILED',
  'STALE_REQUEST',
  'REPLAYED_REQUEST',
] as const;
