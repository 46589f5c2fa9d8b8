/**
 * The AML contract as the app wires it (core/app.ts, demo mode): withdrawals made through the
 * dispatcher are flagged without anyone asking, only an agent, supervisor or administrator may
 * see, note, report or export cases, and each export leaves an audit row naming who made it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmlReport } from '../api/aml';
import type { RpcResult } from '../api/dispatcher';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';
import { chinaDay } from '../reports/z';

let backend: Backend;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-aml-app-'));
  backend = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
});
afterAll(async () => {
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const r: RpcResult = await backend.dispatcher.dispatch(method, input);
  if (!r.ok) throw Object.assign(new Error(r.error.en), { code: r.error.code });
  return r.value as T;
}
async function as(operatorId: string, pin: string): Promise<void> {
  await call('session:logout', {});
  await call('session:login', { operatorId, pin });
}
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const day = chinaDay(Date.now());
const period = { from: day, to: day };

describe('AML cases in the app', () => {
  it('flags three just-under-the-line withdrawals for one phone, by itself, after they are paid', async () => {
    await as('agent1', '3333');
    await call('agent:floatOpen', { countedFen: 200_000, requestId: 'req-aml-0001-aaaaaaaa' });
    for (let i = 0; i < 3; i++) {
      const { code } = await call<{ code: string }>('demo:paymentCode', { walletId: 'W03' });
      const w = await call<{ id: string }>('agent:withdraw', { amountFen: 29_000, code, customerPhone: '13800001111', requestId: `req-aml-0002-${i}-aaaaaaaa` });
      await until(() => call<{ state: string }>('agent:withdrawal', { id: w.id }), (x) => x.state === 'paid');
    }
    const r = await until(() => call<AmlReport>('aml:report', period), (x) => x.cases.some((c) => c.rule === 'near_limit_repeated'));
    expect(r.cases.find((c) => c.rule === 'near_limit_repeated')).toMatchObject({ subjectMasked: '138****1111', count: 3, totalFen: 87_000 });
    expect(r.watcher).toEqual({ behind: 0, problem: null });
  });

  it('lets only an agent, supervisor or administrator see, note, report or export cases', async () => {
    for (const [who, pin] of [['cashier1', '1111'], ['trainer1', '4444']]) {
      await as(who, pin);
      for (const [method, input] of [['aml:report', period], ['aml:export', { ...period, format: 'csv' }], ['aml:note', { caseNo: 'AML202603020001', note: '看一下' }], ['aml:markReported', { caseNo: 'AML202603020001' }]] as const) {
        await expect(call(method, input)).rejects.toMatchObject({ code: 'auth.role_required' });
      }
    }
    await call('session:logout', {});
    await expect(call('aml:report', period)).rejects.toMatchObject({ code: 'auth.not_logged_in' });
    await expect(call('aml:report', { from: day, to: '2020-01-01' })).rejects.toMatchObject({ code: 'auth.not_logged_in' });
    await as('super1', '2222');
    await expect(call('aml:report', { from: day, to: '2020-01-01' })).rejects.toMatchObject({ code: 'aml.period' });
    await expect(call('aml:report', { from: '2026-02-30', to: '2026-03-01' })).rejects.toMatchObject({ code: 'aml.period' });
    expect((await call<AmlReport>('aml:report', period)).cases.length).toBeGreaterThan(0);
  });

  it('audits who exported the report, and the file says it too', async () => {
    await as('super1', '2222');
    const c = (await call<AmlReport>('aml:report', period)).cases[0];
    await call('aml:note', { caseNo: c.caseNo, note: '主管已电话核实' });
    const out = await call<{ csv: string; fileName: string; exportedBy: string; report: AmlReport }>('aml:export', { ...period, format: 'csv' });
    expect(out.fileName).toMatch(/^AML-.+\.csv$/);
    expect(out.csv).toContain('导出人 / Exported by,李强（主管） (super1)');
    expect(out.csv).toContain('主管已电话核实');
    expect(out.csv).not.toContain('13800001111');
    await call('aml:export', { ...period, format: 'print' });
    const rows = await backend.db.all<{ operator_id: string; detail: string }>("SELECT operator_id, detail FROM audit_log WHERE action = 'aml.export' ORDER BY seq");
    expect(rows.map((r) => [r.operator_id, (JSON.parse(r.detail) as { format: string }).format])).toEqual([['super1', 'csv'], ['super1', 'print']]);
    expect((JSON.parse(rows[0].detail) as { cases: string[] }).cases).toContain(c.caseNo);
    const latest = await call<AmlReport>('aml:report', period);
    expect(latest.exports.map((e) => [e.operatorId, e.format])).toEqual([['super1', 'print'], ['super1', 'csv']]);
  });
});
