/**
 * Dual control on the same screen (ApprovalFields.vue): the approving supervisor's id and PIN,
 * asked for when the core answers `auth.approval_required` — or at once, where the screen knows
 * the logged-in operator cannot decide alone. The core checks both again. The PIN is forgotten
 * after every attempt, accepted or refused.
 */
import { ref } from 'vue';
import { ClientError } from '../api/client';

export function useApproval() {
  const needApproval = ref(false);
  const approverId = ref('');
  const approverPin = ref('');

  /** What to send with the call: the approver once the fields are shown and one is chosen. */
  const fields = () => (needApproval.value && approverId.value ? { approverId: approverId.value, approverPin: approverPin.value } : {});

  /** After an accepted call. */
  function accepted(): void {
    approverPin.value = '';
  }

  /** After a refused call: show the fields if an approver is what was missing. */
  function refused(e: unknown): void {
    if (e instanceof ClientError && e.code === 'auth.approval_required') needApproval.value = true;
    approverPin.value = '';
  }

  /** A new subject on the screen: fields shown at once or not, nothing chosen yet. */
  function reset(needed: boolean): void {
    needApproval.value = needed;
    approverId.value = '';
    approverPin.value = '';
  }

  return { needApproval, approverId, approverPin, fields, accepted, refused, reset };
}
