/**
 * The `reason` of an outbox item in plain words. The column keeps a short code (the acquirer's
 * decline reason, `retry_<problem>` after a failed attempt, the AML flags, `aml_flagged`), which
 * the detail view shows as it is; the list shows this text. Codes written before the forwarder
 * classified its failures (`retry_http`, `retry_reset` …) still read correctly.
 */
import type { Message } from '../api/payments';
import { FORWARD_PROBLEMS } from '../forward/failures';
import type { ForwardProblemCode } from '../api/offline';

const DECLINES: Record<string, Message> = {
  insufficient_funds: { zh: '顾客钱包余额不足，收单机构拒付：请联系顾客补款。', en: 'The customer’s wallet had too little money; declined: ask the customer to pay again.' },
  revoked: { zh: '该钱包已被发卡方停用，收单机构拒付：请联系顾客补款。', en: 'The wallet was revoked by its issuer; declined: ask the customer to pay again.' },
  duplicate_code: { zh: '同一付款码已在别处付过款（重复使用），收单机构拒付。', en: 'The same code had already paid elsewhere (used twice); declined.' },
  unknown_wallet: { zh: '收单机构不认识这个钱包，拒付：请联系顾客补款。', en: 'The acquirer does not know this wallet; declined: ask the customer to pay again.' },
  malformed: { zh: '付款码数据损坏，收单机构拒付。', en: 'The payment code’s data was damaged; declined.' },
  unknown_issuer: { zh: '付款码的发行方不被收单机构认可，拒付。', en: 'The code’s issuer is not recognised by the acquirer; declined.' },
  bad_signature: { zh: '付款码签名无效，收单机构拒付。', en: 'The code’s signature is not valid; declined.' },
  // The certificate's signed limits, enforced again by the acquirer (PROTOCOL.md, "Acquirer obligations").
  over_payment_cap: { zh: '超过钱包证书的单笔限额，收单机构拒付：请联系顾客补款。', en: 'Above the wallet certificate’s per-payment cap; declined: ask the customer to pay again.' },
  over_daily_cap: { zh: '超过钱包证书的每日限额，收单机构拒付：请联系顾客补款。', en: 'Above the wallet certificate’s daily cap; declined: ask the customer to pay again.' },
  over_regulator_day_limit: { zh: '超过监管规定的每日限额，收单机构拒付：请联系顾客补款。', en: 'Above the regulator’s day limit for this wallet; declined: ask the customer to pay again.' },
  cert_expired: { zh: '付款时钱包证书已过期，收单机构拒付：请联系顾客补款。', en: 'The wallet certificate had expired when the code was made; declined: ask the customer to pay again.' },
  cert_not_yet_valid: { zh: '付款时钱包证书尚未生效，收单机构拒付：请联系顾客补款。', en: 'The wallet certificate was not yet valid when the code was made; declined: ask the customer to pay again.' },
  code_from_future: { zh: '付款码时间晚于收单机构的时间，收单机构拒付：请联系顾客补款。', en: 'The code is dated later than the acquirer’s clock; declined: ask the customer to pay again.' },
  aml_flagged: { zh: '反洗钱规则标记了这笔款，请主管复核。', en: 'Flagged by the anti-money-laundering rules: a supervisor reviews it.' },
};

const FLAGS: Record<string, Message> = {
  near_limit_repeated: { zh: '多次接近单笔限额', en: 'repeatedly just under the limit' },
  repeated_cash_out: { zh: '多次取现', en: 'repeated cash-outs' },
};

/** `retry_<why>` written before failures were classified, by the transport's own words. */
const LEGACY_RETRY: Record<string, ForwardProblemCode> = {
  retry_http: 'request_refused',
  retry_reset: 'link_down',
  retry_refused: 'link_down',
};

function problemText(code: ForwardProblemCode): Message {
  const t = FORWARD_PROBLEMS[code];
  return { zh: t.zh.replace('{skew}', ''), en: t.en.replace('{skew}', '') };
}

export function reasonText(reason: string | null): Message | null {
  if (!reason) return null;
  if (reason in LEGACY_RETRY) return problemText(LEGACY_RETRY[reason]);
  if (reason.startsWith('retry_')) {
    const code = reason.slice('retry_'.length);
    return code in FORWARD_PROBLEMS ? problemText(code as ForwardProblemCode) : null;
  }
  if (reason in DECLINES) return DECLINES[reason];
  // An accepted item the terminal's own AML rules flagged: its flags, comma-separated.
  const flags = reason.split(',');
  if (flags.every((f) => f in FLAGS)) {
    return {
      zh: `反洗钱规则标记（${flags.map((f) => FLAGS[f].zh).join('、')}），请主管复核。`,
      en: `Flagged by the anti-money-laundering rules (${flags.map((f) => FLAGS[f].en).join(', ')}): a supervisor reviews it.`,
    };
  }
  return null;
}
