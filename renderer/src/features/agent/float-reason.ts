/**
 * The reason column of the cash-float ledger in the operator's language. The core journals its
 * own movements with a fixed English note (`opening count`, `closing count 5000, variance -100`,
 * `withdrawal W…`, `remittance R…`: core/agent/service.ts), which showed as English inside the
 * Chinese ledger (issue 12). Those are said from the movement's kind; a reason the operator
 * typed (cash in/out) is shown as typed.
 */
import type { FloatMove } from '../../../../core/api/agent';
import { yuan } from '../../utils/money';

type T = (key: string, named?: Record<string, unknown>) => string;

export function floatReason(m: FloatMove, t: T): string {
  const ref = (word: string) => (m.reason.startsWith(`${word} `) ? m.reason.slice(word.length + 1) : null);
  switch (m.kind) {
    case 'open':
      return t('agent.float.note.open');
    case 'close': {
      const n = /^closing count (-?\d+), variance (-?\d+)$/.exec(m.reason);
      return n ? t('agent.float.note.close', { counted: yuan(Number(n[1])), variance: yuan(Number(n[2])) }) : t('agent.float.kind.close');
    }
    case 'withdrawal':
    case 'bill':
    case 'bill_return': {
      const id = ref(m.kind === 'bill_return' ? 'bill return' : m.kind);
      return id === null ? m.reason : t('agent.float.note.ref', { kind: t(`agent.float.kind.${m.kind}`), ref: id });
    }
    case 'in': {
      const id = ref('remittance');
      return id === null ? m.reason : t('agent.float.note.ref', { kind: t('agent.float.note.remittance'), ref: id });
    }
    default:
      return m.reason;
  }
}
