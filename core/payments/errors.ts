/** Errors of the payment engine a cashier can meet: a stable code, zh-CN and en. */
import { AppError } from '../api/errors';
import { formatFen } from '../money';

export const PaymentErrors = {
  busy: (orderNo: string) =>
    new AppError('payment.busy', '上一笔收款尚未完成，请等待其结果后再收下一笔。',
      'The previous payment is not finished yet; wait for its result before taking another.', { orderNo }),
  notFound: () => new AppError('payment.not_found', '没有这笔订单。', 'No such order.'),
  notRefundable: () =>
    new AppError('refund.not_refundable', '只有收款成功的订单才能退款。', 'Only a succeeded payment can be refunded.'),
  refundExceeds: (leftFen: number) =>
    new AppError('refund.exceeds', `退款金额超过可退金额（最多还可退 ¥${formatFen(leftFen)}）。`,
      `The refund is more than is left to refund (at most ¥${formatFen(leftFen)}).`, { leftFen }),
  refundTooMany: (max: number) =>
    new AppError('refund.too_many', `该订单的退款次数已达上限（${max} 次）。`, `This order has reached the limit of ${max} refunds.`, { max }),
  // An offline payment not yet confirmed, one message per stage (core/api/payments.ts
  // `OfflineForwarding`): each says why the money is not there yet and who can move it on.
  refundOfflinePending: () =>
    new AppError('refund.offline_pending',
      '这笔离线受理的款项还没有上传到收单机构，钱还没到账，所以现在不能退款。请到“待上传”页面点“立即上传”，等它显示“已确认”后再来退款。',
      'This offline payment has not been forwarded to the acquirer yet: the money has not arrived, so it cannot be refunded now. On the Forwarding screen press Send now, and refund it once it shows Confirmed.'),
  refundOfflineUnconfirmed: () =>
    new AppError('refund.offline_unconfirmed',
      '这笔离线款已经上传，收单机构还没有答复，钱还没确认到账，所以现在不能退款。请稍等，等“待上传”页面显示它“已确认”后再来退款。',
      'This offline payment has been forwarded and the acquirer has not answered yet: the money is not confirmed, so it cannot be refunded now. Wait, and refund it once the Forwarding screen shows it Confirmed.'),
  refundOfflineReview: () =>
    new AppError('refund.offline_review',
      '这笔离线款已上传，但被反洗钱规则标记，正在等主管复核，还不算确认收款，所以现在不能退款。请主管或管理员在“待上传”页面复核，放行后再来退款。',
      'This offline payment was forwarded but flagged by the anti-money-laundering rules and is waiting for a supervisor’s review: it does not count as confirmed, so it cannot be refunded now. Ask a supervisor or administrator to review it on the Forwarding screen, and refund it once released.'),
  refundOfflineHeld: (heldBy: string | null) =>
    new AppError('refund.offline_held',
      `这笔离线款已被主管${heldBy ? ` ${heldBy} ` : ''}复核后暂扣，还不算确认收款，所以现在不能退款。请找${heldBy ? ` ${heldBy}（或其他主管、管理员）` : '主管或管理员'}在“待上传”页面查清并放行，放行后再来退款。`,
      `A supervisor${heldBy ? ` (${heldBy})` : ''} held this offline payment after review: it does not count as confirmed, so it cannot be refunded now. Ask ${heldBy ? `${heldBy}, or another supervisor or administrator,` : 'a supervisor or administrator'} to clear it and release it on the Forwarding screen; then refund it.`,
      heldBy ? { heldBy } : undefined),
  refundOfflineUnavailable: () =>
    new AppError('refund.offline_unavailable', '没有配置收单机构，离线款无法退款。请联系维护人员。',
      'No acquirer is configured, so an offline payment cannot be refunded. Contact support.'),
  refundWithdrawal: () =>
    new AppError('refund.withdrawal', '这是助农取款（已付给客户现金），不是销售，不能按销售退款。如有差错，请在“备用金”中登记并联系收单机构。',
      'This is a service-point withdrawal (cash was handed to the customer), not a sale: it cannot be refunded as one. For a mistake, record it in the cash float and contact the acquirer.'),
  refundBill: () =>
    new AppError('refund.bill', '这是代收缴费，不能在收银台退款；请联系缴费单位办理。',
      'This is a bill payment: it cannot be refunded at the till; the biller handles refunds.'),
  refundRefusedBill: () =>
    new AppError('refund.bill_refused', '这笔代缴费被缴费单位拒绝了，不在这里退款：客户的现金在“助农服务 → 代缴费”里退还给客户（已退还的在那里写明）。',
      'The biller refused this bill, so nothing is refunded here: the customer’s cash is given back under Service point → Bill payment (a return already made says so there).'),
  refundTooLate: () =>
    new AppError('refund.too_late', '该订单已超过可退款期限。', 'This order is past the refund deadline.'),
  notCancellable: () =>
    new AppError('payment.not_cancellable', '这笔订单已有结果，不能撤销；如需退钱请使用退款。',
      'This order already has a result and cannot be cancelled; use a refund to return money.'),
  liveOnlyDemo: () =>
    new AppError('demo.only', '此功能仅在培训模式下可用。', 'This is available in training (demo) mode only.'),
  demoUnavailable: (why: string) =>
    new AppError('demo.unavailable', '模拟收单机构暂不可用，请稍后重试。', 'The simulated acquirer is not available; try again shortly.', { why }),
  cashShort: (shortFen: number) =>
    new AppError('cash.short', `实收金额不足，还差 ¥${formatFen(shortFen)}。`, `The cash tendered is ¥${formatFen(shortFen)} short.`, { shortFen }),
  badName: () => new AppError('credit.bad_name', '请填写赊账顾客姓名（最多 40 字）。', 'Enter the customer’s name for the credit sale (at most 40 characters).'),
  refundApprovalSale: (totalFen: number, thresholdFen: number) =>
    new AppError('auth.approval_required',
      `这笔订单累计退款将达 ¥${formatFen(totalFen)}，超过 ¥${formatFen(thresholdFen)}，需要主管复核。`,
      `Refunds of this sale would total ¥${formatFen(totalFen)}, above ¥${formatFen(thresholdFen)}: a supervisor must approve.`,
      { totalFen, thresholdFen, scope: 'sale' }),
  refundApprovalDaily: (totalFen: number, thresholdFen: number) =>
    new AppError('auth.approval_required',
      `您今天未经复核的退款将达 ¥${formatFen(totalFen)}，超过 ¥${formatFen(thresholdFen)}，需要主管复核。`,
      `Your refunds today without a supervisor would total ¥${formatFen(totalFen)}, above ¥${formatFen(thresholdFen)}: a supervisor must approve.`,
      { totalFen, thresholdFen, scope: 'operator_day' }),
  approvalUnavailable: () =>
    new AppError('auth.approval_required', '此操作需要主管复核。', 'This action needs a supervisor’s approval.'),
};
