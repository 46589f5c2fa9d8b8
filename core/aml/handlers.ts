/** Contract handlers of the AML cases: thin; the store decides and audits, the contract checks the roles. */
import type { Handlers } from '../api/contract';
import { reportFileName, reportCsv } from './report-csv';
import { checkPeriod, type AmlStore } from './store';
import type { AmlWatcher } from './watcher';

type AmlHandlers = Pick<Handlers, Extract<keyof Handlers, `aml:${string}`>>;

export interface AmlHandlerDeps {
  store: AmlStore;
  watcher: AmlWatcher;
  /** Operator id → display name (for the file's "exported by" and the notes' authors). */
  operatorNames: () => Promise<Map<string, string>>;
}

export function amlHandlers({ store, watcher, operatorNames }: AmlHandlerDeps): AmlHandlers {
  return {
    'aml:report': async ({ from, to }) => store.report(from, to, await watcher.status()),
    'aml:note': ({ caseNo, note }, ctx) => store.note(caseNo, note, ctx.operator?.id ?? null),
    'aml:markReported': ({ caseNo }, ctx) => store.markReported(caseNo, ctx.operator?.id ?? null),
    'aml:export': async ({ from, to, format }, ctx) => {
      checkPeriod(from, to);
      const operatorId = ctx.operator?.id ?? null;
      const caseNos = (await store.report(from, to, { behind: 0, problem: null })).cases.map((c) => c.caseNo);
      // Recorded before the file is made: an export that reaches anyone is always in the audit trail.
      const exportedAt = await store.recordExport({ from, to, format, caseNos, operatorId });
      const report = await store.report(from, to, await watcher.status());
      const names = await operatorNames();
      const exportedBy = ctx.operator ? `${ctx.operator.name} (${ctx.operator.id})` : '—';
      const csv = format === 'csv' ? reportCsv(report, { exportedBy, exportedAt, name: (id) => (id ? (names.get(id) ?? id) : '') }) : null;
      return { fileName: reportFileName(report), csv, report, exportedAt, exportedBy };
    },
  };
}
