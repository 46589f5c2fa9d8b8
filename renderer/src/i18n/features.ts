/**
 * Every feature's strings, one line each: `export { messages as <namespace> } from …`. The
 * namespace is the first part of the key (`t('checkout.title')`). To add a feature, add its
 * line here; its messages.ts exports `messages = defineMessages(zh, en)`.
 */
export { messages as app } from './app-messages';
export { messages as login } from '../features/login/messages';
export { messages as checkout } from '../features/checkout/messages';
export { messages as agent } from '../features/agent/messages';
export { messages as history } from '../features/history/messages';
export { messages as report } from '../features/report/messages';
export { messages as aml } from '../features/aml/messages';
export { messages as reconcile } from '../features/reconcile/messages';
export { messages as settings } from '../features/settings/messages';
export { messages as acquirer } from '../features/settings/acquirer-messages';
export { messages as operators } from '../features/settings/operators-messages';
export { messages as diagnostics } from '../features/settings/diagnostics-messages';
export { messages as mirror } from '../features/settings/mirror-messages';
export { messages as customer } from '../features/customer/messages';
export { messages as forwarding } from '../features/forwarding/messages';
export { messages as devices } from '../features/devices/messages';
export { messages as wedge } from '../features/devices/wedge-messages';
export { messages as training } from '../features/training/messages';
export { messages as face } from '../features/face/messages';
