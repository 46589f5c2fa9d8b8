/**
 * A day of demo traffic through the whole core (every tender, a refund, offline acceptance and
 * forwarding, the service point's withdrawal, bill and remittance, refusals and a renderer error)
 * into the real rotating log file, then every secret and personal value that passed through is
 * looked for in what was written. The log must still say what support needs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDING_B64_LENGTH } from '../api/face';
import { createBackend, type Backend } from '../app';
import { demoOperators } from '../demo/seed';
import { ACQUIRER_KEY_SECRET } from '../payments/setup';
import { MemorySecretStore } from '../platform';
import { logFiles, openFileLog, type FileLog } from './log';
import { rpc } from './test-kit';

let dir: string;
let backend: Backend;
let log: FileLog;
/** Every value that must never reach the log. */
const secrets = new Set<string>();
const ROUTE_KEY = 'route-key-Zx81-never-in-a-log';
const { call, attempt, as } = rpc(() => backend);
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-traffic-'));
  log = await openFileLog({ dir: path.join(dir, 'logs'), level: 'debug' });
  const store = new MemorySecretStore();
  // The acquirer key the core reads from the platform's secret store (offline routes, forwarding).
  await store.set(ACQUIRER_KEY_SECRET, ROUTE_KEY);
  secrets.add(ROUTE_KEY);
  backend = await createBackend({ dataDir: path.join(dir, 'data'), mode: 'demo', shell: 'browser' }, { secrets: store, log, logDir: log.dir });
}, 60_000);

afterAll(async () => {
  await backend?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a day of demo traffic in the log', () => {
  it('writes what support needs and nothing secret or personal', async () => {
    for (const o of demoOperators) {
      secrets.add(o.name);
      secrets.add(o.name.replace(/（.*$/, ''));
    }
    // Wrong PIN, then the cashier's day.
    expect(await attempt('session:login', { operatorId: 'cashier1', pin: '9876' })).toBe('auth.bad_pin');
    await as('cashier1');
    const wallets = await call<Array<{ id: string; name?: string; holder?: string }>>('demo:wallets');
    for (const w of wallets) for (const v of [w.name, w.holder]) if (v) secrets.add(v);

    // Scanned code, cash, credit, merchant QR, face, a refused code.
    const { code } = await call<{ code: string }>('demo:paymentCode', { walletId: wallets[0]!.id });
    secrets.add(code);
    const paid = await call<{ orderNo: string; state: string }>('payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 1234, code });
    await until(() => call<{ state: string }>('payments:get', { orderNo: paid.orderNo }), (p) => p.state === 'succeeded');
    await call('payments:cash', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 500, tenderedFen: 1000 });
    secrets.add('李秀兰');
    await call('payments:credit', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 800, customerName: '李秀兰' });
    const qr = await call<{ orderNo: string }>('payments:precreate', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 300 });
    await attempt('demo:payQr', { orderNo: qr.orderNo, walletId: wallets[0]!.id });
    const embedding = 'Q'.repeat(EMBEDDING_B64_LENGTH - 4) + 'AA==';
    secrets.add(embedding.slice(0, 60));
    await attempt('face:identify', { embedding, amountFen: 200 });
    expect(await attempt('payments:charge', { requestId: crypto.randomUUID().replace(/-/g, ''), amountFen: 100, code: '12345' })).toBe('code.unrecognised');

    // A refund a supervisor approves (their PIN on the cashier's screen).
    await attempt('payments:refund', { requestId: crypto.randomUUID().replace(/-/g, ''), orderNo: paid.orderNo, amountFen: 234, reason: '退货 13600001234', approverId: 'super1', approverPin: '2222' });
    secrets.add('13600001234');

    // Offline: the network goes, offline codes accepted (one tampered), then forwarded.
    await call('demo:network', { preset: 'offline' });
    for (let wallet = 0; wallet < 2; wallet++) {
      const oc = await call<{ code: string }>('demo:offlineCode', { wallet });
      secrets.add(oc.code);
      secrets.add('13912345678');
      await attempt('offline:accept', { amountFen: 700 + wallet, code: oc.code, contact: '13912345678' });
    }
    const bad = await call<{ code: string }>('demo:offlineCode', { wallet: 3, variant: 'tampered' });
    secrets.add(bad.code);
    expect(typeof (await attempt('offline:accept', { amountFen: 900, code: bad.code }))).toBe('string');
    await call('demo:network', { preset: 'online' });
    await attempt('outbox:sendNow');

    // The service point: float, withdrawal, a bill (a phone top-up: the account is a phone number), a remittance.
    await as('agent1');
    await attempt('agent:floatOpen', { countedFen: 200_000 });
    const wcode = await call<{ code: string }>('demo:paymentCode', { walletId: wallets[1]!.id });
    secrets.add(wcode.code);
    secrets.add('13800001111');
    await attempt('agent:withdraw', { amountFen: 5000, code: wcode.code, customerPhone: '13800001111' });
    secrets.add('13712345678');
    await attempt('agent:billLookup', { billerId: 'phone-topup', account: '13712345678' });
    await attempt('agent:billPay', { billerId: 'phone-topup', account: '13712345678', amountFen: 5000 });
    secrets.add('6222020200112233445');
    secrets.add('王建国');
    await attempt('agent:remit', { toAccount: '6222020200112233445', toName: '王建国', amountFen: 10_000 });

    // A renderer error carrying a code and a phone number in its text.
    await call('log:renderer', { level: 'error', source: 'window.error', message: `TypeError: cannot read ${code} for 13912345678`, stack: 'at Checkout.vue:12' });
    await call('session:logout');
    const closing = backend;
    backend = undefined as unknown as Backend;
    await closing.close();
    await log.close();

    const text = logFiles(log.dir).map((f) => fs.readFileSync(f, 'utf8')).join('');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // Useful: refusals with their codes, money events, the renderer's error, all levelled.
    expect(lines.some((l) => l.msg === 'call.refused' && l.code === 'code.unrecognised')).toBe(true);
    expect(lines.some((l) => l.msg === 'call.refused' && l.code === 'auth.bad_pin')).toBe(true);
    expect(lines.some((l) => l.msg === 'event' && l.event === 'payments:changed')).toBe(true);
    expect(lines.some((l) => l.msg === 'event' && l.event === 'outbox:changed')).toBe(true);
    expect(lines.some((l) => l.msg === 'renderer.error' && l.level === 'error' && String(l.message).includes('139****5678'))).toBe(true);
    expect(new Set(lines.map((l) => l.level))).toEqual(new Set(['debug', 'info', 'error', 'warn'].filter((v) => lines.some((l) => l.level === v))));
    // Nothing secret or personal: each value that passed through, and every PIN as a JSON string.
    // Each leak with the first line that holds it, so a failure says where it came from.
    const leaks = [...secrets].filter((s) => text.includes(s)).map((s) => `${s} in ${text.split('\n').find((l) => l.includes(s))}`);
    expect(leaks).toEqual([]);
    for (const o of demoOperators) expect(text).not.toContain(`"${o.pin}"`);
    expect(text).not.toContain('"2222"');
  }, 120_000);
});
