/**
 * Each wallet acquirer's own timings, from its published figures (/work/shared/DOMAIN.md's
 * facts, mirrored in core/config.ts's DOMAIN_TIMINGS, which mixes both). A counter routed to
 * both uses `mergeTimings` (routing.ts): the later reverse, the earlier give-up.
 */
import type { AcquirerTimings } from './types';

/** Alipay `alipay.trade.pay`: cashier timeout 60 s, query every 3–5 s, demo 5 × 5 s then cancel (up to 3 × 2 s), sweep every 15 min. */
export const ALIPAY_TIMINGS: Readonly<AcquirerTimings> = {
  requestTimeoutMs: 15_000,
  userpayingPollMs: 5_000,
  userpayingMaxWaitMs: 60_000,
  unknownFirstQueryMs: 5_000,
  unknownQueryEveryMs: 5_000,
  unknownQueries: 5,
  // Alipay sets no minimum before a cancel.
  cancelNotBeforeMs: 0,
  cancelAttempts: 3,
  cancelEveryMs: 2_000,
  refundAttempts: 3,
  refundEveryMs: 5_000,
  qrExpiryMs: 120_000,
  qrPollMs: 3_000,
  sweepEveryMs: 15 * 60_000,
};

/**
 * WeChat micropay v2: system error → wait 5 s, then query; USERPAYING → query (10 s in the
 * guide, 3–5 s in others: 5 s) for up to 30 s; reverse no earlier than 15 s after the charge.
 * WeChat closes an unpaid code order 45 s after creation.
 */
export const WECHAT_TIMINGS: Readonly<AcquirerTimings> = {
  ...ALIPAY_TIMINGS,
  userpayingMaxWaitMs: 30_000,
  cancelNotBeforeMs: 15_000,
};
