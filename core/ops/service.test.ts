import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract';
import { Db } from '../store/db';
import { memoryLogger } from './log';
import { OpsService, RENDERER_PER_MINUTE } from './service';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function ops(now: () => number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-ops-'));
  dirs.push(dir);
  const db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  const log = memoryLogger();
  const svc = new OpsService({
    db, dataDir: dir, log, emitHealth: () => undefined, backups: false, now,
    facts: { system: () => ({}), config: () => ({}), devices: () => ({}), journal: () => ({}), counts: async () => ({}) },
  });
  return { svc, log, db };
}
const ctx: CallContext = { operator: null };

describe('renderer errors in the log', () => {
  it('keeps at most a few a minute and counts the rest in one line', async () => {
    let t = 1_000_000;
    const { svc, log, db } = await ops(() => t);
    const h = svc.handlers();
    for (let i = 0; i < RENDERER_PER_MINUTE + 5; i++) await h['log:renderer']({ level: 'error', source: 'vue', message: `e${i}` }, ctx);
    expect(log.lines.filter((l) => l.event === 'renderer.error')).toHaveLength(RENDERER_PER_MINUTE);
    t += 60_000;
    await h['log:renderer']({ level: 'warn', source: 'window.error', message: 'later' }, ctx);
    expect(log.lines.filter((l) => l.event === 'renderer.dropped')).toEqual([expect.objectContaining({ count: 5, level: 'warn' })]);
    expect(log.lines.at(-1)).toMatchObject({ event: 'renderer.error', level: 'warn', message: 'later' });
    await db.close();
  });
});

describe('the call log', () => {
  it('logs method, time and refusal code, never the input or the answer', async () => {
    const { svc, log, db } = await ops(Date.now);
    const d = svc.logCalls({
      dispatch: async (method) =>
        method === 'session:login' ? { ok: false, error: { code: 'auth.bad_pin', zh: 'x', en: 'x' } } : { ok: true, value: { secret: 'answer-9876' } },
    });
    await d.dispatch('session:login', { operatorId: 'cashier1', pin: '9876' });
    await d.dispatch('payments:get', { orderNo: 'T0001' });
    expect(log.lines.map(({ level, event, method, code }) => ({ level, event, method, code }))).toEqual([
      { level: 'info', event: 'call.refused', method: 'session:login', code: 'auth.bad_pin' },
      { level: 'debug', event: 'call', method: 'payments:get', code: undefined },
    ]);
    expect(JSON.stringify(log.lines)).not.toMatch(/9876|cashier1/);
    await db.close();
  });
});
