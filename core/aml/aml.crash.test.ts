/**
 * Crash tests of the AML watcher: the terminal runs in a child process (crash-child.ts) and is
 * killed with SIGKILL between the third withdrawal's commit and its flag, inside the watcher's
 * transaction, and right after it. After a restart every withdrawal is still paid, the case is
 * there exactly once with all three withdrawals as evidence, and reading again adds nothing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyJournal } from '../ledger/journal';
import { Db } from '../store/db';
import { cleanTempDirs, tempDir } from '../offline/test-kit';
import { runChild } from '../payments/crash/child';

afterAll(cleanTempDirs);

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.ts');

/** Runs the child in `mode`; with `crashAt`, it is killed the `nth` time it reaches that point. */
function run(dir: string, mode: 'pay' | 'watch', crashAt?: string, nth = 1) {
  return runChild(child, { VC_DIR: dir, VC_MODE: mode, VC_N: '3', ...(crashAt ? { VC_AML_CRASH_AT: crashAt, VC_AML_CRASH_NTH: String(nth) } : {}) });
}

async function state(dir: string) {
  const db = await Db.open({ filename: path.join(dir, 'terminal.sqlite') });
  try {
    return {
      paid: (await db.all<{ order_no: string }>("SELECT order_no FROM agent_withdrawals WHERE state = 'paid' ORDER BY rowid")).map((r) => r.order_no),
      cases: await db.all<{ rule: string; count: number; total_fen: number }>('SELECT rule, count, total_fen FROM aml_cases ORDER BY rule'),
      evidence: (await db.all<{ ref: string }>(
        "SELECT v.ref FROM aml_evidence e JOIN aml_movements v ON v.seq = e.movement_seq JOIN aml_cases c ON c.id = e.case_id WHERE c.rule = 'near_limit_repeated' ORDER BY v.seq")).map((r) => r.ref),
      journal: await verifyJournal(db),
    };
  } finally {
    await db.close();
  }
}

const FLAGGED = [
  { rule: 'near_limit_repeated', count: 3, total_fen: 87_000 },
  { rule: 'repeated_cash_out', count: 3, total_fen: 87_000 },
];

describe('a crash around the flag of a committed withdrawal', () => {
  for (const point of ['aml.before-step', 'aml.before-commit', 'aml.after-commit']) {
    it(`loses no flag and makes none twice when killed at ${point} after the third withdrawal`, async () => {
      const dir = tempDir('aml-crash');
      // The third time the watcher reaches the point is right after the third withdrawal.
      const killed = await run(dir, 'pay', point, 3);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const after = await state(dir);
      // All three withdrawals were paid (each was, before the watcher read it).
      expect(after.paid).toHaveLength(3);
      const paid = after.paid;
      // Killed before its commit, the watcher has left nothing of the third read behind.
      expect(after.cases).toEqual(point === 'aml.after-commit' ? FLAGGED : []);

      const restart = await run(dir, 'watch');
      expect(restart.status, restart.stderr).toBe(0);
      const caught = await state(dir);
      expect(caught.cases).toEqual(FLAGGED);
      expect(caught.evidence).toEqual(paid);
      expect(caught.journal.ok).toBe(true);

      // Reading again finds nothing new and changes nothing.
      await run(dir, 'watch');
      expect((await state(dir)).cases).toEqual(FLAGGED);
    });
  }
});
