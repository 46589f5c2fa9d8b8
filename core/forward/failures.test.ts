/**
 * What the cashier is told when forwarding fails: every transport failure maps to one problem
 * with plain zh/en words and who should act, the technical detail kept beside it; a refused key
 * or a wrong clock pauses forwarding (long back-off, not woken by accepts or the link) instead
 * of hammering the acquirer, and "send now" tries again at once.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OfflineAcquirer } from '../acquirer/simulator/offline-routes';
import { ConnectivityMonitor } from '../connectivity/monitor';
import { EventBus } from '../events';
import type { ForwarderStatus } from '../api/offline';
import { ForwardProblemCode } from '../api/offline';
import { cleanTempDirs, newWallet, openAcquirerRig, type AcquirerRig } from '../offline/test-kit';
import { reasonText } from '../offline/reasons';
import type { OfflineStore } from '../offline/store';
import { NO_TERMINAL_KEY, OfflineClient, TransportError } from './client';
import { backoffMs, classifyFailure, describeFailure, FORWARD_PROBLEMS } from './failures';
import { Forwarder } from './forwarder';
import { WireError } from './wire';

afterAll(cleanTempDirs);

const http = (status: number, code: string | null = null, skewMs: number | null = null) => new TransportError('http', String(status), { code, skewMs });

describe('the failure table', () => {
  const table: Array<[string, TransportError | WireError, string]> = [
    ['401 auth_failed', http(401, 'auth_failed'), 'auth_refused'],
    ['401 without a body', http(401), 'auth_refused'],
    ['403 foreign_terminal', http(403, 'foreign_terminal'), 'auth_refused'],
    ['401 stale_request', http(401, 'stale_request', -7 * 60_000), 'clock_skew'],
    ['401 replayed_request', http(401, 'replayed_request'), 'request_refused'],
    ['500', http(500, 'internal'), 'server_error'],
    ['503', http(503), 'server_error'],
    ['400 bad_batch', http(400, 'bad_batch'), 'request_refused'],
    ['timeout', new TransportError('timeout'), 'timeout'],
    ['connection reset', new TransportError('reset', 'ECONNRESET'), 'link_down'],
    ['connection refused', new TransportError('refused', 'ECONNREFUSED'), 'link_down'],
    ['no terminal key', new TransportError('refused', NO_TERMINAL_KEY), 'not_provisioned'],
    ['reply not JSON', new TransportError('bad_reply', 'not json'), 'bad_reply'],
    ['reply does not match the batch', new WireError('reply does not match the batch'), 'bad_reply'],
  ];
  it.each(table)('%s → %s, with the technical detail kept', (_name, e, problem) => {
    const f = classifyFailure(e);
    expect(f.problem).toBe(problem);
    expect(f.detail).toContain(e instanceof TransportError ? e.message : 'bad reply');
  });

  it('keeps the acquirer’s error code in the detail, and tells the clock difference in minutes', () => {
    expect(classifyFailure(http(401, 'auth_failed')).detail).toBe('http: 401 (auth_failed)');
    const slow = describeFailure(classifyFailure(http(401, 'stale_request', 7 * 60_000)));
    expect(slow.zh).toContain('慢约 7 分钟');
    expect(slow.en).toContain('about 7 min behind');
    const fast = describeFailure(classifyFailure(http(401, 'stale_request', -7 * 60_000)));
    expect(fast.zh).toContain('快约 7 分钟');
    // Under a minute, or unknown, says nothing about minutes rather than something wrong.
    expect(describeFailure(classifyFailure(http(401, 'stale_request', 2_000))).zh).not.toMatch(/分钟|\{skew\}/);
    expect(describeFailure(classifyFailure(http(401, 'stale_request'))).en).not.toMatch(/min|\{skew\}/);
  });

  it('has plain words in both languages for every problem, none of them technical', () => {
    for (const code of ForwardProblemCode.options) {
      const t = FORWARD_PROBLEMS[code];
      expect(t.zh.length).toBeGreaterThan(10);
      expect(t.en.length).toBeGreaterThan(10);
      expect(`${t.zh} ${t.en}`).not.toMatch(/http|\b40[13]\b|\b5\d\d\b|ECONN|stale_request|auth_failed/i);
      // Every problem names who acts; the ones retrying cannot fix are exactly the paused ones.
      expect(t.pause).toBe(['auth_refused', 'clock_skew', 'not_provisioned'].includes(code));
      if (t.pause) expect(t.who).not.toBe('nobody');
    }
    expect(FORWARD_PROBLEMS.auth_refused.zh).toContain('安装人员');
    expect(FORWARD_PROBLEMS.clock_skew.zh).toContain('日期和时间');
  });

  it('reads the reasons stored on items, old transport codes included', () => {
    expect(reasonText('retry_auth_refused')?.zh).toContain('终端密钥');
    expect(reasonText('retry_clock_skew')?.en).not.toContain('{skew}');
    expect(reasonText('retry_http')?.zh).toBe(FORWARD_PROBLEMS.request_refused.zh);
    expect(reasonText('retry_reset')?.zh).toBe(FORWARD_PROBLEMS.link_down.zh);
    expect(reasonText('retry_timeout')?.zh).toBe(FORWARD_PROBLEMS.timeout.zh);
    expect(reasonText('retry_bad_reply')?.zh).toBe(FORWARD_PROBLEMS.bad_reply.zh);
    expect(reasonText('insufficient_funds')?.zh).toContain('余额不足');
    expect(reasonText('near_limit_repeated,repeated_cash_out')?.zh).toContain('多次取现');
    expect(reasonText('aml_flagged')?.en).toContain('supervisor');
    expect(reasonText('retry_something_new')).toBeNull();
    expect(reasonText('whatever')).toBeNull();
    expect(reasonText(null)).toBeNull();
  });
});

describe('back-off', () => {
  const o = { baseBackoffMs: 1_000, maxBackoffMs: 120_000, pauseMs: 15 * 60_000, maxPauseMs: 2 * 3_600_000 };
  it('waits minutes, doubling to two hours, on a problem retrying cannot fix; seconds on a transient one', () => {
    expect(backoffMs('auth_refused', 1, o, () => 0)).toBe(0.9 * 15 * 60_000);
    expect(backoffMs('auth_refused', 1, o, () => 1)).toBe(15 * 60_000);
    expect(backoffMs('clock_skew', 2, o, () => 1)).toBe(30 * 60_000);
    expect(backoffMs('auth_refused', 30, o, () => 1)).toBe(2 * 3_600_000);
    expect(backoffMs('timeout', 1, o, () => 1)).toBe(2_000);
    expect(backoffMs('link_down', 30, o, () => 1)).toBe(120_000);
    expect(backoffMs('server_error', 3, o, () => 0)).toBe(0);
  });
});

describe('a refused terminal key', () => {
  let rig: AcquirerRig;
  let acq: OfflineAcquirer;
  let store: OfflineStore;
  let client: OfflineClient;
  let calls: number;

  beforeEach(async () => {
    rig = await openAcquirerRig('fwd-auth');
    ({ acq, store } = rig);
    // A key the acquirer does not know (re-provisioned elsewhere, mistyped at install).
    client = new OfflineClient({ baseUrl: rig.url, terminalId: 'T0001', key: 'ab'.repeat(32), minTimeoutMs: 2_000 });
    calls = 0;
    const forward = client.forward.bind(client);
    client.forward = (body, timeoutMs) => {
      calls += 1;
      return forward(body, timeoutMs);
    };
  });
  afterEach(async () => {
    client.close();
    await rig.close();
  });

  it('pauses forwarding with a plain message, keeps every item, leaves the link online, and only “send now” tries again', async () => {
    const w = await newWallet(acq);
    for (let i = 0; i < 3; i++) await store.accept({ amountFen: 100 + i, code: w.nextCode(), operatorId: 'c1' });
    const bus = new EventBus();
    const monitor = new ConnectivityMonitor(bus);
    monitor.ok(5);
    const statuses: ForwarderStatus[] = [];
    const logs: string[] = [];
    const fwd = new Forwarder(store, client, monitor, {
      terminalId: 'T0001', baseBackoffMs: 10, maxBackoffMs: 20, pauseMs: 60_000, onStatus: (s) => statuses.push(s), log: (m) => logs.push(m),
    });
    const t0 = Date.now();
    fwd.kick();
    await expect.poll(() => fwd.status().state).toBe('paused');
    const st = fwd.status();
    expect(st.problem).toMatchObject({ code: 'auth_refused', who: 'installer', paused: true, detail: 'http: 401 (auth_failed)' });
    expect(st.problem!.zh).toContain('终端密钥');
    expect(st.problem!.zh).not.toContain('401');
    expect(st.lastError).toBe('http: 401 (auth_failed)');
    expect(st.nextAttemptAt! - t0).toBeGreaterThanOrEqual(0.9 * 60_000);
    expect(statuses.at(-1)?.state).toBe('paused');
    expect(logs).toEqual(['auth_refused: http: 401 (auth_failed)']);
    // The link works: the acquirer answered. The status bar must not say "offline".
    expect(monitor.get().state).toBe('online');
    const items = await store.list({ limit: 10, offset: 0 });
    expect(items.map((i) => i.status)).toEqual(['pending', 'pending', 'pending']);
    expect(items[0]).toMatchObject({ reason: 'retry_auth_refused' });
    expect(items[0].reasonText?.en).toContain('key');
    expect(acq.received).toBe(0);

    // Accepts and the link coming back kick the forwarder; a pause ignores them.
    const sent = calls;
    expect(sent).toBe(1);
    await store.accept({ amountFen: 500, code: w.nextCode(), operatorId: 'c1' });
    for (let i = 0; i < 5; i++) fwd.kick();
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(sent);

    // "Send now" (after the installer's fix) tries at once — still refused here, paused again, logged once.
    fwd.sendNow();
    await expect.poll(() => calls).toBe(sent + 1);
    await expect.poll(() => fwd.status().state).toBe('paused');
    expect(logs).toHaveLength(1);
    expect(await store.pendingCount()).toBe(4);
    fwd.stop();
  });

  it('clears the problem once forwarding works again', async () => {
    const w = await newWallet(acq);
    await store.accept({ amountFen: 100, code: w.nextCode(), operatorId: 'c1' });
    const logs: string[] = [];
    const good = new OfflineClient({ baseUrl: rig.url, terminalId: 'T0001', key: await acq.provisionTerminal('T0001'), minTimeoutMs: 2_000 });
    let useGood = false;
    const statuses: ForwarderStatus[] = [];
    const switching = {
      forward: (body: Buffer, ms: number) => (useGood ? good.forward(body, ms) : client.forward(body, ms)),
    } as unknown as OfflineClient;
    const fwd = new Forwarder(store, switching, null, { terminalId: 'T0001', pauseMs: 60_000, log: (m) => logs.push(m), onStatus: (s) => statuses.push(s) });
    fwd.kick();
    await expect.poll(() => fwd.status().problem?.code).toBe('auth_refused');
    useGood = true; // the installer re-provisioned the key
    fwd.sendNow();
    await expect.poll(async () => (await store.list({ limit: 1, offset: 0 }))[0].status).toBe('accepted');
    expect(fwd.status()).toMatchObject({ problem: null, lastError: null });
    expect(statuses.at(-1)?.problem).toBeNull();
    expect(logs[1]).toContain('works again');
    fwd.stop();
    good.close();
  });
});
