/**
 * The AML store against the real modules that move money, on one terminal database: the payment
 * engine on the acquirer simulator (online sales and the charges of withdrawals), core/offline's
 * store (offline accepts) and core/agent (withdrawals, bills, remittances). Movements are made
 * the way the app makes them; the store reads them from the journal afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DemoAgentAcquirer } from '../agent/acquirer';
import { AgentService, businessDay } from '../agent/service';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { newWallet } from '../offline/test-kit';
import { openOfflineSide, waitFor, type OfflineSide } from '../payments/test-kit';
import { DEFAULT_POLICY } from '../risk/policy';
import { reportCsv } from './report-csv';
import { thresholds, type AmlThresholds } from './rules';
import { AmlStore } from './store';
import { AmlWatcher } from './watcher';

let side: OfflineSide;
let agent: AgentService;
let aml: AmlStore;
let rules: () => AmlThresholds;
const PHONE = '13812345678';

function openAml(db: Db): AmlStore {
  return new AmlStore(db, { terminalId: side.kit.terminalId, bus: side.kit.bus, thresholds: () => rules() });
}

beforeEach(async () => {
  side = await openOfflineSide();
  const link = new ConnectivityMonitor(side.kit.bus);
  link.ok(5);
  // The service point charges through the real engine, recorded as withdrawals (as core/app.ts wires it).
  agent = new AgentService(side.kit.db, side.kit.bus, new DemoAgentAcquirer(link), {
    charge: (amountFen, code, operatorId) => side.engine.charge({ amountFen, code }, operatorId, 'withdrawal'),
  });
  await side.kit.sim.db.run("UPDATE wallets SET balance_fen = 10000000 WHERE id IN ('W01','W02','W03')");
  rules = () => thresholds(side.store.policy);
  aml = openAml(side.kit.db);
  await agent.floatOpen(1_000_000, 'agent1');
});
afterEach(async () => {
  await side.engine.idle();
  await side.close();
});

const today = () => businessDay(Date.now());

async function withdraw(amountFen: number, phone = PHONE, wallet = 'W03'): Promise<string> {
  const w = await agent.withdraw({ amountFen, code: await side.kit.code(wallet), customerPhone: phone }, 'agent1');
  const paid = await waitFor(() => agent.withdrawal(w.id), (x) => x.state === 'paid');
  return paid.orderNo!;
}

/** Reads everything committed so far, as the watcher would. */
async function catchUp(store = aml): Promise<number> {
  let read = 0;
  for (;;) {
    const r = await store.step();
    if (!r.read) return read;
    read += r.read;
  }
}

const report = (store = aml) => store.report(today(), today(), { behind: 0, problem: null });

/** Every text of the AML tables and the audit rows, to look for identifiers that must not be there. */
async function amlDump(db: Db): Promise<string> {
  const parts: unknown[] = [];
  for (const t of ['aml_movements', 'aml_cases', 'aml_evidence', 'aml_state']) parts.push(await db.all(`SELECT * FROM ${t}`));
  parts.push(await db.all("SELECT * FROM audit_log WHERE action LIKE 'aml.%'"));
  return JSON.stringify(parts);
}

describe('withdrawals at the service point', () => {
  it('flags three withdrawals just under the line for one phone, with their order numbers and the masked phone', async () => {
    const orders = [await withdraw(29_000), await withdraw(28_000), await withdraw(29_000)];
    await catchUp();
    const r = await report();
    const near = r.cases.find((c) => c.rule === 'near_limit_repeated')!;
    expect(near).toMatchObject({ subjectType: 'phone', subjectMasked: '138****5678', count: 3, totalFen: 86_000, status: 'open' });
    expect(near.evidence.map((e) => e.ref)).toEqual(orders);
    expect(near.evidence.every((e) => e.kind === 'withdrawal' && e.party === '138****5678')).toBe(true);
    expect(near.explain.zh).toContain('¥300.00');
    // Three cash-outs in a day by one customer are a pattern of their own.
    expect(r.cases.map((c) => c.rule).sort()).toEqual(['near_limit_repeated', 'repeated_cash_out']);
  });

  it('does not flag two, nor merge two customers', async () => {
    await withdraw(29_000);
    await withdraw(29_000, '13900001111');
    await withdraw(29_000);
    await catchUp();
    expect((await report()).cases).toEqual([]);
  });

  it('keeps adding evidence to the open case, and opens it again after a note when new evidence comes', async () => {
    for (let i = 0; i < 3; i++) await withdraw(29_000);
    await catchUp();
    const first = (await report()).cases.find((c) => c.rule === 'repeated_cash_out')!;
    await aml.note(first.caseNo, '客户说是给家里取的生活费', 'agent1');
    await withdraw(5_000);
    await catchUp();
    const after = (await report()).cases.find((c) => c.rule === 'repeated_cash_out')!;
    expect(after.caseNo).toBe(first.caseNo);
    expect(after.count).toBe(4);
    expect(after).toMatchObject({ status: 'open', note: '客户说是给家里取的生活费', newSinceNote: true });
  });
});

describe('every kind of movement is watched', () => {
  it('online sales just under ¥1,000, at the counter (online codes carry no payer identity)', async () => {
    const orders: string[] = [];
    for (const fen of [95_000, 99_000, 100_000]) {
      const p = await side.engine.charge({ amountFen: fen, code: await side.kit.code('W01') }, 'cashier1');
      expect((await side.engine.settled(p.orderNo)).state).toBe('succeeded');
      orders.push(p.orderNo);
    }
    await catchUp();
    const [c] = (await report()).cases;
    expect(c).toMatchObject({ rule: 'near_limit_repeated', subjectType: 'counter', subjectMasked: null, count: 3 });
    expect(c.evidence.map((e) => [e.ref, e.channel])).toEqual(orders.map((o) => [o, 'online']));
  });

  it('offline accepts near the offline cap, per wallet, showing only its last four characters', async () => {
    // A wallet certified for ¥100 a payment: three near its cap fit in the ¥500 offline day
    // (with the ¥200 policy cap they would not: 3 × ¥180 is over ¥500).
    const w = await newWallet(side.acq, { perPaymentCapFen: 10_000 });
    const other = await newWallet(side.acq, { perPaymentCapFen: 10_000 });
    for (let i = 0; i < 2; i++) await side.store.accept({ amountFen: 9_500, code: w.nextCode(), operatorId: 'cashier1' });
    await side.store.accept({ amountFen: 9_500, code: other.nextCode(), operatorId: 'cashier1' });
    await catchUp();
    expect((await report()).cases).toEqual([]);
    await side.store.accept({ amountFen: 10_000, code: w.nextCode(), operatorId: 'cashier1' });
    await catchUp();
    const [c] = (await report()).cases;
    expect(c).toMatchObject({ rule: 'near_limit_repeated', subjectType: 'wallet', subjectMasked: `…${w.walletId.slice(-4)}`, count: 3 });
    expect(await amlDump(side.kit.db)).not.toContain(w.walletId);
  });

  it('a round cash-out soon after a remittance paid in at the counter', async () => {
    const r = await agent.remit({ toAccount: '6217000011112222', toName: '王五', amountFen: 200_000 }, 'agent1');
    const order = await withdraw(50_000, '13700002222');
    await catchUp();
    const [c] = (await report()).cases;
    expect(c).toMatchObject({ rule: 'remit_then_cash_out', subjectMasked: '137****2222' });
    expect(c.evidence.map((e) => [e.kind, e.ref, e.party])).toEqual([['remittance', r.reference, '**** 2222'], ['withdrawal', order, '137****2222']]);
  });

  it('many small bills for one account in a day (structuring), the account masked', async () => {
    for (let i = 0; i < 4; i++) await agent.billPay({ billerId: 'power-grid', account: '3300112233', amountFen: 25_000 }, 'agent1');
    await catchUp();
    const [c] = (await report()).cases;
    expect(c).toMatchObject({ rule: 'structuring', subjectType: 'account', subjectMasked: '**** 2233', count: 4, totalFen: 100_000 });
    expect(await amlDump(side.kit.db)).not.toContain('3300112233');
  });
});

describe('durable, and never in the way of a payment', () => {
  it('survives a restart: the cases stay, nothing is read twice, new movements still join', async () => {
    for (let i = 0; i < 3; i++) await withdraw(29_000);
    await catchUp();
    const before = await report();
    const file = side.kit.db.filename;
    const reopened = await Db.open({ filename: file });
    try {
      await migrate(reopened, migrations);
      const again = new AmlStore(reopened, { terminalId: side.kit.terminalId, thresholds: rules });
      expect(await again.step()).toEqual({ read: 0, changed: 0 });
      const r = await again.report(today(), today(), { behind: 0, problem: null });
      expect(r.cases.map((c) => [c.caseNo, c.count, c.subjectRef])).toEqual(before.cases.map((c) => [c.caseNo, c.count, c.subjectRef]));
    } finally {
      await reopened.close();
    }
  });

  it('a crash after the movement and before the flag loses nothing: the next start reads it', async () => {
    // The watcher never ran: the withdrawals are committed, their journal rows unread — what a
    // power cut right after the payments leaves. (The SIGKILL version: aml.crash.test.ts.)
    for (let i = 0; i < 3; i++) await withdraw(29_000);
    expect(await aml.behind()).toBeGreaterThan(0);
    expect((await report()).cases).toEqual([]);
    const restarted = openAml(side.kit.db);
    await catchUp(restarted);
    expect(await restarted.behind()).toBe(0);
    expect((await report(restarted)).cases.map((c) => c.rule).sort()).toEqual(['near_limit_repeated', 'repeated_cash_out']);
  });

  it('a failing watcher neither blocks nor undoes a withdrawal, says so, and catches up once it works', async () => {
    rules = () => {
      throw new Error('policy unreadable');
    };
    const watcher = new AmlWatcher(aml, { bus: side.kit.bus, retryMs: 20, everyMs: 60_000, log: () => undefined });
    watcher.start();
    try {
      for (let i = 0; i < 3; i++) await withdraw(29_000);
      await watcher.idle();
      const s = await watcher.status();
      expect(s.problem?.zh).toContain('收款不受影响');
      expect(s.behind).toBeGreaterThan(0);
      expect((await agent.float()).movements.filter((m) => m.kind === 'withdrawal')).toHaveLength(3);
      rules = () => thresholds(DEFAULT_POLICY);
      await waitFor(async () => (await report()).cases.length, (n) => n === 2, 3_000);
      expect((await watcher.status())).toEqual({ behind: 0, problem: null });
    } finally {
      await watcher.close();
    }
  });
});

describe('the agent’s note, "reported", and the report', () => {
  it('needs a note before "reported", refuses a bad note and any change once reported, and audits each step', async () => {
    for (let i = 0; i < 3; i++) await withdraw(29_000);
    await catchUp();
    const c = (await report()).cases[0];
    await expect(aml.note(c.caseNo, ' x ', 'agent1')).rejects.toMatchObject({ code: 'aml.note' });
    await expect(aml.note(c.caseNo, '说明\u0007', 'agent1')).rejects.toMatchObject({ code: 'aml.note' });
    await expect(aml.markReported(c.caseNo, 'agent1')).rejects.toMatchObject({ code: 'aml.note_first' });
    await expect(aml.note('AML202603020099', '找不到', 'agent1')).rejects.toMatchObject({ code: 'aml.not_found' });
    expect(await side.kit.db.all("SELECT * FROM audit_log WHERE action LIKE 'aml.%'")).toEqual([]);
    expect(await aml.note(c.caseNo, '客户为外出务工子女代取', 'agent1')).toMatchObject({ status: 'noted', notedBy: 'agent1' });
    expect(await aml.markReported(c.caseNo, 'super1')).toMatchObject({ status: 'reported', reportedBy: 'super1' });
    await expect(aml.note(c.caseNo, '改一下', 'agent1')).rejects.toMatchObject({ code: 'aml.reported' });
    await expect(aml.markReported(c.caseNo, 'agent1')).rejects.toMatchObject({ code: 'aml.reported' });
    await expect(side.kit.db.run("UPDATE aml_cases SET note = 'rewritten' WHERE case_no = ?", [c.caseNo])).rejects.toThrow(/final/);
    await expect(side.kit.db.run('DELETE FROM aml_evidence')).rejects.toThrow(/never removed/);
    const audit = await side.kit.db.all<{ operator_id: string; action: string }>("SELECT operator_id, action FROM audit_log WHERE action LIKE 'aml.%' ORDER BY seq");
    expect(audit).toEqual([{ operator_id: 'agent1', action: 'aml.note' }, { operator_id: 'super1', action: 'aml.reported' }]);
  });

  it('totals the period, and its CSV names cases by masked and keyed references only', async () => {
    for (let i = 0; i < 3; i++) await withdraw(29_000);
    await agent.remit({ toAccount: '6217000011119999', toName: '王五', amountFen: 200_000 }, 'agent1');
    await withdraw(30_000, '13912349876');
    await catchUp();
    const r = await report();
    await aml.note(r.cases[0].caseNo, '已核实身份证', 'agent1');
    const noted = await report();
    expect(noted.totals).toEqual({
      cases: 3,
      byStatus: { open: 2, noted: 1, reported: 0 },
      byRule: [
        { rule: 'near_limit_repeated', count: 1, fen: 87_000 },
        { rule: 'repeated_cash_out', count: 1, fen: 87_000 },
        { rule: 'remit_then_cash_out', count: 1, fen: 230_000 },
      ],
      // Three withdrawals (in two cases, counted once), the remittance and the other customer's withdrawal.
      movements: { count: 5, fen: 87_000 + 200_000 + 30_000 },
    });
    const csv = reportCsv(noted, { exportedBy: '张秀兰（助农代理）(agent1)', exportedAt: Date.now(), name: (id) => (id === 'agent1' ? '张秀兰（助农代理）' : (id ?? '')) });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('导出人 / Exported by,张秀兰（助农代理）(agent1)');
    expect(csv).toContain('已说明 / Noted');
    for (const c of noted.cases) {
      expect(csv).toContain(c.caseNo);
      expect(csv).toContain(c.subjectRef);
    }
    expect(csv).toContain('138****5678');
    expect(csv).toContain('139****9876');
    expect(csv).toContain('**** 9999');
    const evidenceRows = csv.split('\r\n').filter((l) => /^AML\d+,\d{4}-\d{2}-\d{2} /.test(l));
    expect(evidenceRows).toHaveLength(3 + 3 + 2);
    // No full identifier anywhere: phones, the beneficiary's account, the customer-key hashes.
    for (const secret of [PHONE, '13912349876', '6217000011119999', ...(await side.kit.db.all<{ customer_key: string }>('SELECT customer_key FROM agent_withdrawals')).map((x) => x.customer_key)]) {
      expect(csv).not.toContain(secret);
      expect(await amlDump(side.kit.db)).not.toContain(secret);
    }
    expect(csv).not.toMatch(/1[3-9]\d{9}/);
  });
});
