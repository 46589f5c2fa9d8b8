/** Every migration of the terminal's database, in one list. See ../migrate.ts for numbering. */
import type { Migration } from '../migrate';
import { m001Operators } from './001-operators';
import { m002Journal } from './002-journal';
import { m003OperatorPinChange } from './003-operator-pin-change';
import { m010ZClosings } from './010-z-closings';
import { m101Payments } from './101-payments';
import { m102PaymentPurpose } from './102-payment-purpose';
import { m103PaymentRequestIds } from './103-payment-request-ids';
import { m104PaymentReleased } from './104-payment-released';
import { m120ReconcileOnline } from './120-reconcile-online';
import { m121ReconcileCarry } from './121-reconcile-carry';
import { m200Offline } from './200-offline';
import { m201OfflineCounters } from './201-offline-counters';
import { m202OfflineReview } from './202-offline-review';
import { m210OfflineRefunds } from './210-offline-refunds';
import { m250Aml } from './250-aml';
import { m310Receipts } from './310-receipts';
import { m311ServiceReceipts } from './311-service-receipts';
import { m312ReceiptMaybePrinted } from './312-receipt-maybe-printed';
import { m400Agent } from './400-agent';
import { m401WithdrawalPurpose } from './401-withdrawal-purpose';
import { m402BillReturns } from './402-bill-returns';
import { m403ActionRequests } from './403-action-requests';

export const migrations: readonly Migration[] = [
  m001Operators, m002Journal, m003OperatorPinChange, m101Payments, m102PaymentPurpose, m103PaymentRequestIds, m104PaymentReleased, m120ReconcileOnline, m121ReconcileCarry, m200Offline, m201OfflineCounters, m202OfflineReview, m210OfflineRefunds, m250Aml, m310Receipts, m311ServiceReceipts, m312ReceiptMaybePrinted,
  m010ZClosings,
  m400Agent,
  m401WithdrawalPurpose, m402BillReturns, m403ActionRequests,
];
