/**
 * The journal's check in the running app: at start-up, on a supervisor's demand, and a broken
 * journal stopping new money (with the plain bilingual refusal) while history stays readable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { MemorySecretStore } from '../platform';

type Rpc = { ok: boolean; value?: Record<string, unknown>; error?: { code: string; zh: string; en: string; detail?: Record<string, unknown> } };
const call = (b: Backend, m: string, input: unknown = {}) => b.dispatcher.dispatch(m, input) as Promise<Rpc>;
let n = 0;
const rid = () => `req-jguard-${String(++n).padStart(4, '0')}-aaaaaaaa`;

const dirs: string[] = [];
const open: Backend[] = [];
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function start(dir: string, secrets: MemorySecretStore): Promise<Backend> {
  const b = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets });
  open.push(b);
  return b;
}

describe('the journal in the running app', () => {
  it('is checked at start, keyed, and a supervisor’s full check finds an edited row and stops new money', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-jguard-'));
    dirs.push(dir);
    const secrets = new MemorySecretStore();
    const b = await start(dir, secrets);
    expect(b.journal.last()).toMatchObject({ ok: true, keyedFrom: 1 });
    await b.operators.login('cashier1', '1111');
    expect((await call(b, 'payments:cash', { requestId: rid(), amountFen: 1200, tenderedFen: 2000 })).ok).toBe(true);
    // A cashier may not run the check.
    expect((await call(b, 'ledger:verify')).ok).toBe(false);
    await b.operators.login('super1', '2222');
    expect((await call(b, 'ledger:verify')).value).toMatchObject({ ok: true, scope: 'full', zh: null });

    // Someone edits the cash sale's amount in the file.
    await b.db.exec('DROP TRIGGER journal_no_update');
    await b.db.run("UPDATE journal SET amount_fen = 200 WHERE kind = 'cash.sale' AND amount_fen = 1200");
    const found = await call(b, 'ledger:verify');
    expect(found.value).toMatchObject({ ok: false, problem: 'row_edited', zh: expect.stringMatching(/账本校验未通过.*有记录被改动/), en: expect.stringMatching(/an entry was edited/) });

    const refused = await call(b, 'payments:cash', { requestId: rid(), amountFen: 500, tenderedFen: 500 });
    expect(refused.error).toMatchObject({ code: 'journal.broken', zh: expect.stringMatching(/已停止收款.*联系主管/), en: expect.stringMatching(/Charges, offline acceptance and service-point money are stopped/) });
    // History stays readable.
    expect((await call(b, 'payments:list', {})).ok).toBe(true);
  });

  it('refuses new money from the next start when a row was edited in the file while the app was closed (the start, then the full walk behind it)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-jguard-'));
    dirs.push(dir);
    const secrets = new MemorySecretStore();
    const b = await start(dir, secrets);
    await b.operators.login('cashier1', '1111');
    await call(b, 'payments:cash', { requestId: rid(), amountFen: 1200, tenderedFen: 2000 });
    open.splice(open.indexOf(b), 1);
    await b.close();
    const again = await start(dir, secrets);
    await again.db.exec('DROP TRIGGER journal_no_update');
    await again.db.run("UPDATE journal SET ref = 'FAKE' WHERE seq = (SELECT MAX(seq) FROM journal)");
    await again.db.run("UPDATE journal SET ref = 'FAKE' WHERE seq = 1");
    open.splice(open.indexOf(again), 1);
    await again.close();
    const third = await start(dir, secrets);
    // The start's check (from the check point's own row) finds the last row edited…
    expect(third.journal.last()).toMatchObject({ ok: false, problem: 'row_edited' });
    await third.operators.login('cashier1', '1111');
    expect((await call(third, 'payments:cash', { requestId: rid(), amountFen: 100, tenderedFen: 100 })).error).toMatchObject({ code: 'journal.broken' });
    // …and the full walk behind it, the first row.
    await third.journal.close();
    expect(third.journal.last()).toMatchObject({ ok: false, problem: 'row_edited', seq: 1, scope: 'full' });
  });

  it('starts a new keyed journal after a training reset, whole, and trading goes on', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-jguard-'));
    dirs.push(dir);
    const b = await start(dir, new MemorySecretStore());
    const before = b.journal.last().keyId;
    await b.operators.login('cashier1', '1111');
    await call(b, 'payments:cash', { requestId: rid(), amountFen: 1200, tenderedFen: 2000 });
    await b.operators.login('trainer1', '4444');
    expect((await call(b, 'demo:reset', { confirm: true })).ok).toBe(true);
    expect(b.journal.last()).toMatchObject({ ok: true, keyedFrom: 1 });
    expect(b.journal.last().keyId).not.toBe(before);
    await b.operators.login('cashier1', '1111');
    expect((await call(b, 'payments:cash', { requestId: rid(), amountFen: 300, tenderedFen: 300 })).ok).toBe(true);
    await b.operators.login('super1', '2222');
    expect((await call(b, 'ledger:verify')).value).toMatchObject({ ok: true });
  });
});
