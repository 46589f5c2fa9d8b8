import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from './app';
import { AcquirerTimingsInput, AppConfig, DEMO_TIMINGS, DOMAIN_TIMINGS, PAYMENT_CODE_LIFE_MS, databasePath, timingProblems, type AppConfigInput } from './config';
import { MemorySecretStore } from './platform';
import { Db } from './store/db';
import { startSimulator } from './acquirer/simulator/server';
import { ACQUIRER_KEY_SECRET } from './payments/setup';
import { migrate } from './store/migrate';
import { migrations } from './store/migrations';

describe('training and live data never mix', () => {
  it('demo mode cannot be pointed at a live acquirer', () => {
    const r = AppConfig.safeParse({ dataDir: '/d', mode: 'demo', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'https://acq.example/' } });
    expect(r.success).toBe(false);
  });
  it('live mode cannot use the embedded or any simulator', () => {
    expect(AppConfig.safeParse({ dataDir: '/d', mode: 'live', shell: 'electron' }).success).toBe(false);
    expect(
      AppConfig.safeParse({ dataDir: '/d', mode: 'live', shell: 'electron', acquirer: { kind: 'http', baseUrl: 'http://127.0.0.1:1/', simulator: true } }).success,
    ).toBe(false);
  });
  it('keeps each mode in its own file', () => {
    expect(databasePath({ dataDir: '/d', mode: 'demo' })).not.toBe(databasePath({ dataDir: '/d', mode: 'live' }));
  });
  it('refuses to open a training database as live data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-cfg-'));
    const demo = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
    await demo.close();
    // Someone copies the training file over the live one.
    fs.copyFileSync(databasePath({ dataDir: dir, mode: 'demo' }), databasePath({ dataDir: dir, mode: 'live' }));
    await expect(
      createBackend(
        { dataDir: dir, mode: 'live', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'https://acq.example/' } },
        { secrets: new MemorySecretStore() },
      ),
    ).rejects.toMatchObject({ code: 'config.mode_mismatch' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('refuses a training database on a live start before migrating it (nothing written)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-cfg-'));
    // A training file made by an older version: the first migrations only, stamped demo.
    const old = await Db.open({ filename: databasePath({ dataDir: dir, mode: 'live' }) });
    await migrate(old, migrations.slice(0, 3));
    await old.run("INSERT INTO settings (key, value) VALUES ('db.mode', 'demo')");
    await old.close();
    await expect(
      createBackend(
        { dataDir: dir, mode: 'live', shell: 'browser', acquirer: { kind: 'http', baseUrl: 'https://acq.example/' } },
        { secrets: new MemorySecretStore() },
      ),
    ).rejects.toMatchObject({ code: 'config.mode_mismatch' });
    const after = await Db.open({ filename: databasePath({ dataDir: dir, mode: 'live' }) });
    const applied = await after.all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
    await after.close();
    expect(applied.map((r) => r.id)).toEqual(migrations.slice(0, 3).map((m) => m.id));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('a demo configuration naming its own acquirer', () => {
  /** A simulator that says training, or one that says real money moves (as a live acquirer does). */
  async function sim(training: boolean) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-cfg-'));
    const s = await startSimulator({ file: path.join(dir, 'sim.sqlite'), training });
    const secrets = new MemorySecretStore();
    await secrets.set(ACQUIRER_KEY_SECRET, await s.provisionTerminal('T0001'));
    return { s, dir, secrets };
  }

  it('does not start on { simulator: true } unless the acquirer says training in its answer to a signed ping', async () => {
    const real = await sim(false);
    try {
      await expect(
        createBackend({ dataDir: real.dir, mode: 'demo', shell: 'browser', acquirer: { kind: 'http', baseUrl: real.s.url, simulator: true } }, { secrets: real.secrets }),
      ).rejects.toMatchObject({ code: 'config.simulator_unproven', zh: expect.stringMatching(/培训模式/), en: expect.stringMatching(/did not say training/) });
    } finally {
      await real.s.close();
      fs.rmSync(real.dir, { recursive: true, force: true });
    }
    const training = await sim(true);
    try {
      const b = await createBackend({ dataDir: training.dir, mode: 'demo', shell: 'browser', acquirer: { kind: 'http', baseUrl: training.s.url, simulator: true } }, { secrets: training.secrets });
      expect(b.config.acquirer).toMatchObject({ kind: 'http', simulator: true });
      await b.close();
    } finally {
      await training.s.close();
      fs.rmSync(training.dir, { recursive: true, force: true });
    }
  });
});

describe('acquirer timings in the configuration', () => {
  const demo = { dataDir: '/d', mode: 'demo', shell: 'browser' } as const;
  const live = { dataDir: '/d', mode: 'live', shell: 'electron', acquirer: { kind: 'http', baseUrl: 'https://acq.example/' } } as const;
  /** The messages of a refused config, by the path of the field refused. */
  function refused(input: AppConfigInput): Record<string, string> {
    const r = AppConfig.safeParse(input);
    if (r.success) throw new Error('expected the configuration to be refused');
    return Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
  }

  it('defaults to docs/DOMAIN.md’s figures for a remote acquirer and to the short demo ones on the embedded simulator', () => {
    expect(AppConfig.parse(live).acquirerTimings).toEqual(DOMAIN_TIMINGS);
    expect(AppConfig.parse(demo).acquirerTimings).toEqual(DEMO_TIMINGS);
    expect(DOMAIN_TIMINGS).toMatchObject({ userpayingPollMs: 5_000, userpayingMaxWaitMs: 60_000, unknownFirstQueryMs: 5_000, unknownQueries: 5, cancelNotBeforeMs: 15_000, cancelAttempts: 3, cancelEveryMs: 2_000 });
  });

  it('keeps both sets of defaults within their own bounds', () => {
    for (const t of [DOMAIN_TIMINGS, DEMO_TIMINGS]) {
      expect(AcquirerTimingsInput.safeParse(t).success).toBe(true);
      expect(timingProblems(t)).toEqual([]);
    }
  });

  it('takes overrides on top of the defaults of the acquirer’s kind, and the engine uses them', async () => {
    const c = AppConfig.parse({ ...live, acquirerTimings: { requestTimeoutMs: 8_000, userpayingPollMs: 3_000 } });
    expect(c.acquirerTimings).toEqual({ ...DOMAIN_TIMINGS, requestTimeoutMs: 8_000, userpayingPollMs: 3_000 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-cfg-'));
    const b = await createBackend({ dataDir: dir, mode: 'demo', shell: 'browser', acquirerTimings: { requestTimeoutMs: 7_000, sweepEveryMs: 120_000 } }, { secrets: new MemorySecretStore() });
    try {
      expect(b.payments.engine.env.acquirer.config().timings).toEqual({ ...DEMO_TIMINGS, requestTimeoutMs: 7_000, sweepEveryMs: 120_000 });
    } finally {
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a USERPAYING wait longer than a payment code lives, in both languages', () => {
    const m = refused({ ...live, acquirerTimings: { userpayingMaxWaitMs: PAYMENT_CODE_LIFE_MS + 1 } });
    expect(m['acquirerTimings.userpayingMaxWaitMs']).toMatch(/收单时序 userpayingMaxWaitMs 须为 5000–60000 ms.*must be a whole number within 5000–60000 ms/);
    expect(AppConfig.safeParse({ ...live, acquirerTimings: { userpayingMaxWaitMs: PAYMENT_CODE_LIFE_MS } }).success).toBe(true);
  });

  it('refuses request timeouts, polls and retries outside their bounds, fractions, text and unknown names', () => {
    for (const [field, value] of [
      ['requestTimeoutMs', 999], ['requestTimeoutMs', 30_001], ['userpayingPollMs', 500], ['unknownQueryEveryMs', 0], ['cancelEveryMs', 100],
      ['unknownQueries', 0], ['cancelAttempts', 11], ['refundAttempts', 0], ['cancelNotBeforeMs', 60_001], ['qrExpiryMs', 29_999],
      ['qrPollMs', 10_001], ['sweepEveryMs', 3_600_001], ['requestTimeoutMs', 1500.5], ['requestTimeoutMs', '15000'], ['unknownFirstQueryMs', -1],
    ] as const) {
      const m = refused({ ...live, acquirerTimings: { [field]: value } as never });
      expect(m[`acquirerTimings.${field}`], `${field} = ${value}`).toMatch(/^收单时序 .* \/ acquirer timing /);
    }
    expect(AppConfig.safeParse({ ...live, acquirerTimings: { requestTimeotMs: 5_000 } }).success).toBe(false);
  });

  it('refuses a USERPAYING poll slower than the wait, and unknown-outcome queries that outlast a payment code', () => {
    expect(refused({ ...live, acquirerTimings: { userpayingMaxWaitMs: 10_000, userpayingPollMs: 20_000 } })['acquirerTimings.userpayingPollMs']).toContain('userpayingPollMs cannot be longer');
    // 5 s, then 9 more queries 10 s apart: 95 s, past the code's 60 s.
    const m = refused({ ...live, acquirerTimings: { unknownQueries: 10, unknownQueryEveryMs: 10_000 } });
    expect(m['acquirerTimings.unknownQueries']).toMatch(/95000 ms.*须在付款码有效期.*within a payment code's life/);
    // The same rule holds for the demo defaults' base: the demo's 1 s first query counts.
    expect(AppConfig.safeParse({ ...demo, acquirerTimings: { unknownQueries: 10, unknownQueryEveryMs: 6_000 } }).success).toBe(true);
    expect(AppConfig.safeParse({ ...demo, acquirerTimings: { unknownQueries: 10, unknownQueryEveryMs: 7_000 } }).success).toBe(false);
  });
});
